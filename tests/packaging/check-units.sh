#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd units of the zonelens package pass `systemd-analyze verify`: the package unpacked
# over a copy of this machine's unit directory (for sysinit.target and friends), then verified
# with --root, which also checks that ExecStart's script is in the package and executable. And its
# udev rule, as udevadm reads it (Debian 12's udevadm has no `verify`): `udevadm test` with only
# this rule in /etc/udev/rules.d (a bind mount in a private mount namespace; test runs the rules
# in-process and prints the RUN commands without running them) must start the timer for memory
# and CPU online/offline and node add, and not for a CPU 'add'.
#   usage: check-units.sh zonelens_VERSION_ARCH.deb
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 zonelens_VERSION_ARCH.deb" >&2; exit 2; }
command -v systemd-analyze >/dev/null || { echo "check-units: systemd-analyze is missing (apt-get install systemd)"; exit 1; }
r=$(mktemp -d)
trap 'rm -rf "$r"' EXIT
mkdir -p "$r/lib/systemd/system" "$r/etc/systemd/system"
cp -a /lib/systemd/system/. "$r/lib/systemd/system/"
dpkg-deb -x "$1" "$r"
units=(/lib/systemd/system/zonelens-verify.timer /lib/systemd/system/zonelens-verify.service)
systemd-analyze verify --man=no --root="$r" "${units[@]}"
# the timer starts the service of its name, the service is not enabled on its own
grep -q '^\[Install\]' "$r/lib/systemd/system/zonelens-verify.service" &&
	{ echo "check-units: zonelens-verify.service has an [Install] section: only the timer is enabled"; exit 1; }
echo "check-units: systemd-analyze verify: ok (${units[*]})"

command -v udevadm >/dev/null || { echo "check-units: udevadm is missing (apt-get install udev)"; exit 1; }
mkdir -p "$r/rules"
cp "$r/lib/udev/rules.d/60-zonelens.rules" "$r/rules/"
udev_runs() {  # udev_runs ACTION DEVPATH: the zonelens RUN commands for that event (the system rules add others)
	unshare --mount --propagation private -- sh -c \
		'mount --bind "$1" /etc/udev/rules.d && exec udevadm test --action="$2" "$3"' sh "$r/rules" "$1" "$2" 2>&1 |
		sed -n "s/^run: '\(.*zonelens.*\)'$/\1/p"
}
want="/bin/systemctl --no-block start zonelens-verify.timer"
fails=0
mems=(/sys/devices/system/memory/memory[0-9]*)
mem=${mems[0]}
[ -d "$mem" ] || mem=""
for ev in "online /devices/system/cpu/cpu0" "offline /devices/system/cpu/cpu0" \
	"add /devices/system/node/node0" ${mem:+"online ${mem#/sys}" "offline ${mem#/sys}"}; do
	# shellcheck disable=SC2086
	got=$(udev_runs $ev)
	if [ "$got" = "$want" ]; then echo "ok: udevadm test --action=$ev: $got"; else echo "FAIL: udevadm test --action=$ev: '$got'"; fails=$((fails + 1)); fi
done
got=$(udev_runs add /devices/system/cpu/cpu0)
[ -z "$got" ] || { echo "FAIL: a cpu 'add' event runs '$got'"; fails=$((fails + 1)); }
[ -n "$mem" ] || echo "check-units: note: no memory blocks in /sys/devices/system/memory here, memory events not checked"
[ $fails = 0 ] || exit 1
echo "check-units: udev rule: ok"
