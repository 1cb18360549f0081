#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Host-side kernel checks (nothing is loaded):
#   kernel-checks.sh checkpatch WORK           checkpatch.pl --strict over kmod/*.[ch]
#   kernel-checks.sh w1 WORK TAG KERNEL_CACHE  W=1 build of kmod/ against kernel TAG's headers; any
#                                              compiler warning fails (builds run through
#                                              tests/vm/kbuild.sh: 7.2 in its unstable root)
#   kernel-checks.sh dkms WORK TAG KERNEL_CACHE `dkms build` of the top-level dkms.conf against kernel
#                                              TAG's headers, in private dkms/source/install trees
#                                              under WORK (nothing is added to /lib/modules; dkms
#                                              itself creates its MOK signing key pair in
#                                              /var/lib/dkms at its first build on a machine, as on
#                                              any Debian system, and signs the module with it)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mode=$1 work=$2
mkdir -p "$work"

# make's arguments for a cross build (arm64, ppc64el), from the kernel's env
cross=() march=x86_64
cross_args() {
	[ -z "${CROSS_COMPILE:-}" ] || cross=(ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE")
	case "${DEB_ARCH:-amd64}" in
	arm64) march=aarch64 ;;
	ppc64el) march=ppc64le ;;
	*) march=x86_64 ;;
	esac
}

case "$mode" in
checkpatch)
	cp_dir=$work/checkpatch
	if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
		tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null || true)
		[ -n "$tarball" ] || { echo "no /usr/src/linux-source-6.12.tar.xz (apt-get install linux-source-6.12)"; exit 1; }
		rm -rf "$cp_dir.tmp" && mkdir -p "$cp_dir.tmp"
		tar -xJf "$tarball" -C "$cp_dir.tmp" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
		rm -rf "$cp_dir" && mv "$cp_dir.tmp" "$cp_dir"
	fi
	cd "$repo/kmod"
	# shellcheck disable=SC2046
	"$cp_dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types -f $(ls ./*.c ./*.h | grep -v "\.mod\.c$") |
		tee "$work/checkpatch.log"
	! grep -qE ': (ERROR|WARNING|CHECK):' "$work/checkpatch.log"
	;;
w1)
	tag=$3 cache=$4
	[ -f "$cache/$tag/env" ] || "$here/fetch-kernels.sh" "$cache" "$tag"
	# shellcheck disable=SC1090,SC1091
	. "$cache/$tag/env"
	cross_args
	# 6.1: the headers apt installed (linux-headers-amd64), when they are the same release
	[ -d "/usr/src/linux-headers-$KREL" ] && [ "$tag" = 6.1 ] && KDIR=/usr/src/linux-headers-$KREL
	src=$work/w1-$tag
	rm -rf "$src" && mkdir -p "$src/kmod"
	cp "$repo"/kmod/*.c "$repo"/kmod/*.h "$repo"/kmod/Kbuild "$src/kmod/"
	cp "$repo/Kbuild" "$src/"
	echo "W=1 build against $KDIR${BUILD_ROOT:+ (in $BUILD_ROOT)}${CROSS_COMPILE:+ for $KARCH}"
	"$here/kbuild.sh" "$cache/$tag/env" --bind "$src" -- make -C "$KDIR" M="$src" W=1 "${cross[@]}" modules 2>&1 |
		tee "$work/w1-$tag.log"
	[ "${PIPESTATUS[0]}" = 0 ] || exit 1
	[ -f "$src/kmod/zonelens.ko" ] || { echo "no zonelens.ko"; exit 1; }
	if grep -E 'warning:' "$work/w1-$tag.log"; then
		echo "W=1 warnings against $KREL"
		exit 1
	fi
	;;
dkms)
	tag=$3 cache=$4
	[ -f "$cache/$tag/env" ] || "$here/fetch-kernels.sh" "$cache" "$tag"
	# shellcheck disable=SC1090,SC1091
	. "$cache/$tag/env"
	cross_args
	[ -n "$BUILD_ROOT" ] || command -v dkms >/dev/null || { echo "no dkms (apt-get install dkms)"; exit 1; }
	version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")
	d=$work/dkms-$tag
	rm -rf "$d" && mkdir -p "$d/src/zonelens-$version" "$d/tree" "$d/install"
	# what a source package ships: dkms.conf, the top-level Kbuild and kmod/
	cp "$repo/dkms.conf" "$repo/Kbuild" "$d/src/zonelens-$version/"
	cp -r "$repo/kmod" "$d/src/zonelens-$version/"
	kb=("$here/kbuild.sh" "$cache/$tag/env" --bind "$d" --)
	# cross: dkms runs MAKE[0] with ARCH and CROSS_COMPILE from the environment (kbuild reads both)
	"${kb[@]}" env "${cross[@]}" dkms build "zonelens/$version" --dkmstree "$d/tree" --sourcetree "$d/src" \
		--installtree "$d/install" -k "$KREL" -a "$march" --kernelsourcedir "$KDIR" 2>&1 | tee "$work/dkms-$tag.log"
	[ "${PIPESTATUS[0]}" = 0 ] || exit 1
	ko=$(find "$d/tree/zonelens/$version/$KREL" -name 'zonelens.ko*' | head -n 1)
	[ -n "$ko" ] || { echo "dkms built no zonelens.ko for $KREL"; exit 1; }
	"${kb[@]}" modinfo -F vermagic "$ko" | grep -q "^$KREL " || { echo "$ko: vermagic is not $KREL"; exit 1; }
	echo "dkms: $ko"
	;;
*)
	echo "usage: $0 checkpatch WORK | w1|dkms WORK TAG KERNEL_CACHE" >&2
	exit 2
	;;
esac
