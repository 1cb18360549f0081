#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the initramfs of tests/vm/systemd-guest.py: loads what an ext4 root on virtio-blk needs
# (the Debian kernel has them as modules), mounts /dev/vda, copies /overlay over it (the check unit,
# its script, modules-load.d, masks) and hands over to the root's systemd.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
while read -r m; do
	insmod "/lib/modules/$m.ko" || echo "@@FAIL initramfs: insmod $m"
done </modules
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mkdir -p /newroot
mount -t ext4 /dev/vda /newroot || { echo "@@FAIL initramfs: mount /dev/vda"; poweroff -f; }
cp -a /overlay/. /newroot/
mount --move /dev /newroot/dev 2>/dev/null || umount /dev
umount /sys /proc
echo "@@INITRAMFS done: switch_root to /lib/systemd/systemd"
exec switch_root /newroot /lib/systemd/systemd
