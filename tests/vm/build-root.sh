#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The minimal Debian unstable root that builds modules for unstable's kernels: their kbuild binaries
# need unstable's glibc and the headers name gcc-16, neither of which Debian 12 has.
#
# usage: tests/vm/build-root.sh ROOT KREL MIRROR_URI [CROSS_DEBS_DIR]
#
# With CROSS_DEBS_DIR (arm64 and ppc64el kernels): the target's linux-headers-KREL and -common debs
# in it are unpacked into ROOT (dpkg-deb -x: the root's dpkg never learns a foreign architecture),
# and the cross compiler their .kernelvariables name (CROSS_COMPILE, gcc-N) is installed with apt:
# gcc-N-aarch64-linux-gnu or gcc-N-powerpc64le-linux-gnu. The host's amd64 linux-kbuild of the same
# version, already in ROOT with the amd64 headers, runs modpost and objtool for every target.
#
# Creates ROOT with mmdebstrap (minbase; make, libc6-dev, dkms, kmod and linux-headers-KREL, which
# pulls gcc-16 and linux-kbuild) the first time, built aside and renamed into place so that a broken
# run leaves nothing half made; later runs reuse it and only install linux-headers-KREL when the
# kernel has moved on. Only headers are installed in it, never a kernel image. ROOT lives outside the
# clone (default /var/cache/zonelens/unstable-root) so that every run on a machine shares it.
set -euo pipefail
die() { echo "build-root: $*" >&2; exit 2; }
[ $# -eq 3 ] || [ $# -eq 4 ] || die "usage: $0 ROOT KREL MIRROR_URI [CROSS_DEBS_DIR]"
root=$1 krel=$2 uri=$3 cross_dir=${4:-}
hdr=linux-headers-$krel
if [ -n "$cross_dir" ]; then
	# the amd64 headers of the same version bring linux-kbuild and gcc-N into the root
	hdr=linux-headers-${krel%-*}-amd64
fi
[ "$(id -u)" = 0 ] || die "creating $root needs root (mmdebstrap, chroot)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (apt-get install mmdebstrap, or run tests/vm/install-deps.sh)"
# One run at a time on ROOT: every 7.x tag (amd64, arm64, ppc64el) shares it, and ctest may fetch
# two of them at once.
mkdir -p "$(dirname "$root")"
exec 9>"$root.lock"
flock 9
source="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri unstable main"
aptopts=(--aptopt='Acquire::Check-Valid-Until "false"' --aptopt='APT::Install-Recommends "false"'
	--aptopt='Acquire::Languages "none"')

in_root() {
	unshare --mount --propagation private -- sh -c '
		r=$1; shift
		mount --rbind /proc "$r/proc" && mount --rbind /dev "$r/dev" && exec chroot "$r" "$@"' sh "$root" "$@"
}

# Unpack the target's headers from CROSS_DEBS_DIR into the root and install the cross compiler they
# name (a no-op once both are there).
add_cross() {
	local vars prefix gcc pkg
	[ -n "$cross_dir" ] || return 0
	if [ ! -f "$root/usr/src/linux-headers-$krel/Makefile" ]; then
		for deb in "$cross_dir"/linux-headers-*.deb; do
			dpkg-deb -x "$deb" "$root" || die "cannot unpack $deb into $root"
		done
	fi
	vars=$root/usr/src/linux-headers-$krel/.kernelvariables
	[ -f "$vars" ] || die "no linux-headers-$krel in $cross_dir"
	prefix=$(sed -n 's/^override CROSS_COMPILE = \(.*\)-$/\1/p' "$vars")
	gcc=$(sed -n 's/^CC = .*[)]\(gcc-[0-9][0-9]*\)$/\1/p' "$vars")
	if [ -z "$prefix" ] || [ -z "$gcc" ]; then die "cannot tell the cross compiler from $vars"; fi
	[ -x "$root/usr/bin/$prefix-$gcc" ] && return 0
	pkg=$gcc-$prefix
	echo "build-root: $root: installing $pkg for linux-headers-$krel"
	in_root env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false update -q >/dev/null ||
		die "apt-get update in $root failed"
	in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg" >/dev/null ||
		die "apt-get install $pkg in $root failed"
}

if [ -x "$root/usr/bin/make" ] && [ -f "$root/usr/src/$hdr/Makefile" ]; then
	add_cross
	exit 0
fi
if [ -x "$root/usr/bin/make" ]; then
	echo "build-root: $root: installing $hdr"
	in_root env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false update -q >/dev/null ||
		die "apt-get update in $root failed"
	in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$hdr" >/dev/null ||
		die "apt-get install $hdr in $root failed"
	add_cross
	exit 0
fi
echo "build-root: creating $root (mmdebstrap minbase unstable, with $hdr; a few minutes)"
mkdir -p "$(dirname "$root")"
rm -rf "$root.tmp"
log=$(dirname "$root")/build-root.log
mmdebstrap --variant=minbase "${aptopts[@]}" --include="make,libc6-dev,dkms,kmod,$hdr" \
	unstable "$root.tmp" "$source" >"$log" 2>&1 || { rm -rf "$root.tmp"; die "mmdebstrap failed (see $log)"; }
[ -f "$root.tmp/usr/src/$hdr/Makefile" ] || { rm -rf "$root.tmp"; die "$hdr did not install into $root.tmp (see $log)"; }
rm -rf "$root"
mv "$root.tmp" "$root"
add_cross
echo "build-root: $root ready"
