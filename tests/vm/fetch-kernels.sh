#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch Debian's kernel images and headers into a cache, without installing any kernel: resolve the
# concrete packages through the metapackages (or, once a suite's metapackage has moved past the
# release, by package name), `apt-get download` them and unpack them with `dpkg-deb -x`.
#
# usage: tests/vm/fetch-kernels.sh CACHE_DIR [TAG ...]   (default: the four amd64 kernels)
#
#   tag          suite     image / headers metapackages                          built with
#   5.10         bullseye  linux-image-amd64 / linux-headers-amd64                Debian 12's gcc standing in for gcc-10
#   6.1          bookworm  linux-image-amd64 / linux-headers-amd64                Debian 12's gcc
#   6.12         bookworm  linux-image-6.12-amd64 / linux-headers-6.12-amd64      Debian 12's gcc
#   7.2          unstable  linux-image-amd64 / linux-headers-amd64                gcc-16 in an unstable root
#   arm64-6.1    bookworm  linux-image-arm64 / its headers                        Debian 12's aarch64-linux-gnu-gcc-12
#   arm64-7.2    unstable  linux-image-arm64 / its headers                        unstable's aarch64-linux-gnu-gcc-16 in the root
#   ppc64el-6.1  bookworm  linux-image-powerpc64le / its headers                  Debian 12's powerpc64le-linux-gnu-gcc-12
#   ppc64el-7.2  unstable  linux-image-powerpc64le / its headers                  unstable's powerpc64le-linux-gnu-gcc-16 in the root
#
# bookworm amd64 comes from the machine's own apt. Other suites and architectures are reached through
# a private apt state under CACHE_DIR/apt/SUITE[-ARCH] (its own sources file, lists, cache, an empty
# dpkg status and APT::Architecture; tests/vm/apt-private.sh, shared with tests/vm/cross-tool.sh),
# built from the URI the machine's apt already uses for bookworm. The system's sources and dpkg
# architectures are never changed and nothing is installed.
#
# Cross builds: the target's headers packages (arch and -common) are unpacked beside the host's own
# amd64 linux-kbuild of the same version (Multi-Arch: foreign: modpost and objtool for every target);
# the headers' `scripts` and `tools` links reach it inside the unpacked root. For 7.2 the target's
# headers are unpacked into the unstable root and its cross compiler installed there.
#
# For each kernel TAG it leaves CACHE_DIR/TAG/env, a shell fragment with
#   KREL          the kernel release (uname -r in the guest)
#   VMLINUZ       the kernel image: /boot/vmlinuz-KREL (amd64, arm64) or /boot/vmlinux-KREL (ppc64el,
#                 an ELF) up to 6.x, /usr/lib/modules/KREL/vmlinu[zx] in the 7.x packages, which moved
#                 it into linux-binary-KREL
#   KDIR          a kbuild tree to build modules against (inside BUILD_ROOT when that is set)
#   KCC           the compiler the headers name (their .kernelvariables, without CROSS_COMPILE): gcc-10
#                 for 5.10, which Debian 12 lacks; tests/vm/kbuild.sh lets Debian 12's gcc stand in
#   BUILD_ROOT    7.2 only: the unstable root whose toolchain builds modules (tests/vm/build-root.sh);
#                 run kbuild through tests/vm/kbuild.sh, which enters it
#   DEB_ARCH      amd64, arm64 or ppc64el
#   KARCH         the kernel's ARCH= (x86, arm64, powerpc)
#   CROSS_COMPILE empty on amd64, aarch64-linux-gnu- or powerpc64le-linux-gnu- otherwise
#   BUSYBOX       the guest's busybox: the host's /bin/busybox on amd64, the target's busybox-static
# A second run with the same packages available reuses the cache.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
die() { echo "fetch-kernels: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: $0 CACHE_DIR [5.10|6.1|6.12|7.2 ...]"
cache=$(mkdir -p "$1" && cd "$1" && pwd)
shift
tags=("$@")
[ ${#tags[@]} -gt 0 ] || tags=(5.10 6.1 6.12 7.2)
host_arch=$(dpkg --print-architecture)
[ "$host_arch" = amd64 ] || die "the kernel cache is built on amd64 hosts only (this is $host_arch)"

# mirror_uri, sources_for, apt_for and APT: the private apt states
# shellcheck source=SCRIPTDIR/apt-private.sh
. "$here/apt-private.sh"

# Depends of package $1 whose names match the extended regex $2, one a line.
deps_matching() {
	apt-cache "${APT[@]}" depends "$1" 2>/dev/null | awk '/^ +Depends:/ { print $2 }' | grep -E "$2" || true
}

# The concrete image package of TAG: the metapackage's, when it is that release; otherwise the highest
# linux-image-TAG.* of the suite by name (unstable's metapackage moves on to the next release).
resolve_image() {
	local tag=$1 meta=$2 img re
	re="^linux-image-${tag//./\\.}[.0-9]*[-+][^ ]*-$FLAVOUR(-unsigned)?$"
	img=$(deps_matching "$meta" '^linux-image-[0-9]' | head -n1)
	[ -n "$img" ] || die "cannot resolve $meta in ${SUITE} (apt-get update first)"
	if ! grep -qE "$re" <<<"$img"; then
		echo "fetch-kernels: $tag: $meta of $SUITE is now $img; looking for linux-image-$tag.* by name" >&2
		img=$(apt-cache "${APT[@]}" pkgnames linux-image-"$tag" | grep -E "$re" | sort -V | tail -n1)
		[ -n "$img" ] || die "$SUITE has no linux-image-$tag.*-$FLAVOUR any more: pick a newer tag"
	fi
	echo "$img"
}

fetch_one() {
	local tag=$1 arch ver img_meta img hdr krel dir root pkgs kbuild stamp kdir kcc vmlinuz karch cross busybox b build_root=""
	case "$tag" in
	5.10 | 6.1 | 6.12 | 7.2) arch=amd64 ver=$tag ;;
	arm64-6.1 | arm64-7.2 | ppc64el-6.1 | ppc64el-7.2) arch=${tag%%-*} ver=${tag#*-} ;;
	esac
	case "$arch" in
	amd64) FLAVOUR=amd64 karch=x86 cross= ;;
	arm64) FLAVOUR=arm64 karch=arm64 cross=aarch64-linux-gnu- ;;
	ppc64el) FLAVOUR=powerpc64le karch=powerpc cross=powerpc64le-linux-gnu- ;;
	esac
	case "$ver" in
	5.10) SUITE=bullseye img_meta=linux-image-$FLAVOUR ;;
	6.1) SUITE=bookworm img_meta=linux-image-$FLAVOUR ;;
	6.12) SUITE=bookworm img_meta=linux-image-6.12-$FLAVOUR ;;
	7.2) SUITE=unstable img_meta=linux-image-$FLAVOUR ;;
	esac
	apt_for "$SUITE" "$arch"
	img=$(resolve_image "$ver" "$img_meta")
	krel=${img#linux-image-}
	krel=${krel%-unsigned}
	hdr=linux-headers-$krel
	# 7.x: the image is a metapackage of linux-binary-KREL (vmlinuz) and linux-modules-KREL; the guest
	# needs no module of the kernel's own
	# shellcheck disable=SC2207
	pkgs=("$img" $(deps_matching "$img" '^linux-binary-'))
	# the guest's busybox: the host's own on amd64, the target's busybox-static otherwise
	[ "$arch" = amd64 ] || pkgs+=(busybox-static)
	# arm64 7.x: the modules package, of which only drivers/virtio is unpacked (virtio-mem, the
	# arm64 guests' memory hot-add; 6.x has its modules in the image package)
	# shellcheck disable=SC2207
	[ "$arch" != arm64 ] || pkgs+=($(deps_matching "$img" '^linux-modules-'))
	kbuild=
	if [ "$ver" = 7.2 ]; then
		build_root=${ZONELENS_BUILD_ROOT:-/var/cache/zonelens/unstable-root}
		# cross: the target's headers are unpacked into the root (build-root.sh)
		# shellcheck disable=SC2207
		[ "$arch" = amd64 ] || pkgs+=("$hdr" $(deps_matching "$hdr" '^linux-headers-.*-common'))
	else
		# shellcheck disable=SC2207
		pkgs+=("$hdr" $(deps_matching "$hdr" '^linux-headers-.*-common'))
		kbuild=$(deps_matching "$hdr" '^linux-kbuild-' | head -n1)
		[ -n "$kbuild" ] || die "$hdr ($SUITE $arch) names no linux-kbuild package"
	fi
	dir=$cache/$tag
	stamp="${pkgs[*]} $kbuild $(apt-cache "${APT[@]}" policy "$img" | awk '/Candidate:/ { print $2 }')"
	if [ -f "$dir/env" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
		[ -z "$build_root" ] || "$here/build-root.sh" "$build_root" "$krel" "$(mirror_uri)" ${cross:+"$dir/cross"}
		echo "fetch-kernels: $tag cached ($krel)"
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir/debs"
	(cd "$dir/debs" && apt-get "${APT[@]}" download -q "${pkgs[@]}" >/dev/null 2>&1) ||
		(cd "$dir/debs" && apt-get "${APT[@]}" download "${pkgs[@]}") ||
		die "apt-get download ${pkgs[*]} ($SUITE $arch) failed"
	if [ -n "$kbuild" ]; then
		# the build host's own kbuild binaries (amd64), whatever the target
		apt_for "$SUITE" amd64
		(cd "$dir/debs" && apt-get "${APT[@]}" download -q "$kbuild" >/dev/null 2>&1) ||
			die "apt-get download $kbuild ($SUITE amd64) failed"
	fi
	root=$dir/root
	for deb in "$dir"/debs/*.deb; do
		case "$deb" in
		# 7.2 cross: the target's headers go into the unstable root, not here
		*/linux-headers-*) [ -n "$build_root" ] && { mkdir -p "$dir/cross" && mv "$deb" "$dir/cross/"; continue; } ;;
		*/linux-modules-*)
			mkdir -p "$root"
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$root" --wildcards '*/kernel/drivers/virtio/*'
			continue
			;;
		esac
		dpkg-deb -x "$deb" "$root"
	done
	vmlinuz=
	for v in "$root/boot/vmlinuz-$krel" "$root/boot/vmlinux-$krel" "$root/usr/lib/modules/$krel/vmlinuz" \
		"$root/usr/lib/modules/$krel/vmlinux" "$root/lib/modules/$krel/vmlinuz"; do
		[ -f "$v" ] && { vmlinuz=$v; break; }
	done
	[ -n "$vmlinuz" ] || die "no kernel image in ${pkgs[*]} (neither /boot/vmlinu[zx]-$krel nor /usr/lib/modules/$krel/vmlinu[zx])"
	busybox=/bin/busybox
	if [ "$arch" != amd64 ]; then
		# /bin in bookworm's package, /usr/bin in unstable's
		busybox=
		for b in "$root/bin/busybox" "$root/usr/bin/busybox"; do
			[ -f "$b" ] && { busybox=$b; break; }
		done
		[ -n "$busybox" ] || die "no busybox in busybox-static ($SUITE $arch)"
	fi
	if [ -n "$build_root" ]; then
		"$here/build-root.sh" "$build_root" "$krel" "$(mirror_uri)" ${cross:+"$dir/cross"}
		kdir=/usr/src/linux-headers-$krel
	else
		# The arch headers' Makefile includes the common tree by absolute path: point it into the cache.
		kdir=$root/usr/src/linux-headers-$krel
		[ -f "$kdir/Makefile" ] || die "no headers tree in $hdr"
		sed -i "s#^include /usr/src/#include $root/usr/src/#" "$kdir/Makefile"
	fi
	kcc=$(sed -n 's/^CC = .*[)]\(gcc-[0-9][0-9]*\)$/\1/p' "${build_root}$kdir/.kernelvariables" 2>/dev/null)
	[ -n "$kcc" ] || die "cannot tell the compiler from ${build_root}$kdir/.kernelvariables"
	cat >"$dir/env" <<-EOF
		TAG=$tag
		SUITE=$SUITE
		KREL=$krel
		VMLINUZ=$vmlinuz
		KDIR=$kdir
		KCC=$kcc
		BUILD_ROOT=$build_root
		DEB_ARCH=$arch
		KARCH=$karch
		CROSS_COMPILE=$cross
		BUSYBOX=$busybox
	EOF
	rm -rf "$dir/debs"
	echo "$stamp" >"$dir/stamp"
	echo "fetch-kernels: $tag -> $krel ($SUITE $arch)"
}

# One fetch of a tag at a time, whoever runs it: ctest starts a kernel's W=1, dkms and guest tests
# together, and on an empty cache each would otherwise unpack into (and remove) the same directory.
# The lock lives beside the tag's directory, which a fetch removes and remakes.
for t in "${tags[@]}"; do
	case "$t" in
	5.10 | 6.1 | 6.12 | 7.2 | arm64-6.1 | arm64-7.2 | ppc64el-6.1 | ppc64el-7.2) ;;
	*) die "unknown kernel tag '$t' (use 5.10, 6.1, 6.12, 7.2, arm64-6.1, arm64-7.2, ppc64el-6.1 or ppc64el-7.2)" ;;
	esac
	(
		flock 9
		fetch_one "$t"
	) 9>"$cache/.$t.lock"
done
