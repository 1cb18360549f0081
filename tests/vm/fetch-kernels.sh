#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch Debian's current 6.1 and 6.12 kernel images and headers into a cache, without installing any
# kernel into /boot: resolve the concrete packages through the metapackages, `apt-get download` them and
# unpack them with `dpkg-deb -x`.
#
# usage: tests/vm/fetch-kernels.sh CACHE_DIR [6.1|6.12 ...]
#
# For each kernel TAG it leaves CACHE_DIR/TAG/env, a shell fragment with
#   KREL     the kernel release (uname -r in the guest)
#   VMLINUZ  the kernel image
#   KDIR     a kbuild tree to build modules against (headers, unpacked and made self-contained)
#   MODDIR   the image's /lib/modules/KREL
# A second run with the same packages available reuses the cache.
set -euo pipefail

die() { echo "fetch-kernels: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: $0 CACHE_DIR [6.1|6.12 ...]"
cache=$(mkdir -p "$1" && cd "$1" && pwd)
shift
tags=("$@")
[ ${#tags[@]} -gt 0 ] || tags=(6.1 6.12)

# The one package a metapackage depends on.
resolve() {
	local dep
	dep=$(apt-cache depends "$1" 2>/dev/null | awk '/^ +Depends:/ { print $2; exit }')
	[ -n "$dep" ] || die "cannot resolve $1 (run apt-get update first)"
	echo "$dep"
}

# Every Depends of a headers package that is one of ours (common headers, kbuild).
header_deps() {
	apt-cache depends "$1" | awk '/^ +Depends:/ { print $2 }' |
		grep -E '^linux-(headers-.*-common|kbuild-)' || true
}

fetch_one() {
	local tag=$1 img_meta hdr_meta img hdr dir root krel pkgs stamp
	case "$tag" in
	6.1) img_meta=linux-image-amd64 hdr_meta=linux-headers-amd64 ;;
	6.12) img_meta=linux-image-6.12-amd64 hdr_meta=linux-headers-6.12-amd64 ;;
	*) die "unknown kernel tag '$tag' (use 6.1 or 6.12)" ;;
	esac
	img=$(resolve "$img_meta")
	hdr=$(resolve "$hdr_meta")
	# shellcheck disable=SC2207
	pkgs=("$img" "$hdr" $(header_deps "$hdr"))
	dir=$cache/$tag
	stamp="${pkgs[*]} $(apt-cache policy "$img" | awk '/Candidate:/ { print $2 }')"
	if [ -f "$dir/env" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "fetch-kernels: $tag cached ($img)"
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir/debs"
	(cd "$dir/debs" && apt-get download -q "${pkgs[@]}" >/dev/null 2>&1) ||
		(cd "$dir/debs" && apt-get download "${pkgs[@]}") ||
		die "apt-get download ${pkgs[*]} failed"
	root=$dir/root
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb -x "$deb" "$root"
	done
	krel=${img#linux-image-}
	krel=${krel%-unsigned}
	[ -f "$root/boot/vmlinuz-$krel" ] || die "no /boot/vmlinuz-$krel in $img"
	# The arch headers' Makefile includes the common tree by absolute path: point it into the cache.
	local kdir=$root/usr/src/linux-headers-$krel
	[ -f "$kdir/Makefile" ] || die "no headers tree in $hdr"
	sed -i "s#^include /usr/src/#include $root/usr/src/#" "$kdir/Makefile"
	cat >"$dir/env" <<-EOF
		KREL=$krel
		VMLINUZ=$root/boot/vmlinuz-$krel
		KDIR=$kdir
		MODDIR=$root/lib/modules/$krel
	EOF
	rm -rf "$dir/debs"
	echo "$stamp" >"$dir/stamp"
	echo "fetch-kernels: $tag -> $krel"
}

for t in "${tags[@]}"; do
	fetch_one "$t"
done
