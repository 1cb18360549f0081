#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Cross-build the static zonelens and zonelens-probe-helper that the arm64 and ppc64el guests run
# (tests/vm/zlvm.py puts them into the initramfs, as the host's own binaries on amd64): Debian 12's
# cross g++ with the target's libraries from Debian packages, `apt-get download`ed through a private
# apt state and unpacked with `dpkg-deb -x` into a sysroot, never installed.
#
# usage: tests/vm/cross-tool.sh ARCH CACHE_DIR OUT_DIR     (ARCH: arm64 or ppc64el)
#
#   CACHE_DIR/sysroot-ARCH   the target's bookworm packages, unpacked: libboost1.74-dev (headers and
#                            CMake configs), libboost-program-options1.74-dev (.a) and
#                            libboost-program-options1.74.0, libnuma-dev (.a, numa.pc) and libnuma1,
#                            nlohmann-json3-dev (arch all, the same files as the host's)
#   CACHE_DIR/apt/bookworm-ARCH  the private apt state (tests/vm/apt-private.sh; fetch-kernels.sh
#                            uses the same one for the ARCH-6.1 kernel)
#   OUT_DIR                  the CMake build tree (tests/vm/cross-toolchain.cmake; BUILD_TESTING,
#                            ZONELENS_BENCHMARKS and ZONELENS_KMOD off) with OUT_DIR/zonelens and
#                            OUT_DIR/zonelens-probe-helper, both -static; -O2 without -g (the guest's
#                            copy is stripped of it anyway; the cold build takes a third less)
#
# Compilers: aarch64-linux-gnu-g++-12, powerpc64le-linux-gnu-g++-12 (packages g++-aarch64-linux-gnu,
# g++-powerpc64le-linux-gnu: tests/vm/install-deps.sh). A second run reuses the sysroot while the
# suite's candidate versions are the same (the lists are refreshed once a day) and the build tree
# (make decides what to rebuild). ZONELENS_CROSS_JOBS: parallel compile jobs (default 2).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "cross-tool: $*" >&2; exit 2; }

[ $# -eq 3 ] || die "usage: $0 arm64|ppc64el CACHE_DIR OUT_DIR"
arch=$1
case "$arch" in
arm64) triplet=aarch64-linux-gnu elf='ARM aarch64' ;;
ppc64el) triplet=powerpc64le-linux-gnu elf='64-bit PowerPC' ;;
*) die "unknown architecture '$arch' (use arm64 or ppc64el)" ;;
esac
cache=$(mkdir -p "$2" && cd "$2" && pwd)
out=$(mkdir -p "$3" && cd "$3" && pwd)
[ "$(dpkg --print-architecture)" = amd64 ] || die "cross builds are made on amd64 hosts only"
command -v "$triplet-g++-12" >/dev/null ||
	die "no $triplet-g++-12 (package g++-$triplet; tests/vm/install-deps.sh installs it)"

# mirror_uri, sources_for, apt_for and APT: the private apt states
# shellcheck source=SCRIPTDIR/apt-private.sh
. "$here/apt-private.sh"

pkgs=(libboost1.74-dev libboost-program-options1.74-dev libboost-program-options1.74.0
	libnuma-dev libnuma1 nlohmann-json3-dev)
sysroot=$cache/sysroot-$arch

# The sysroot of the packages' candidate versions: unpacked aside and renamed, kept while the
# versions stay the same.
make_sysroot() {
	local stamp new deb
	apt_for bookworm "$arch"
	stamp=$(apt-cache "${APT[@]}" policy "${pkgs[@]}" | awk '/^[^ ]/ { p = $1 } /Candidate:/ { print p, $2 }')
	if [ "$(wc -l <<<"$stamp")" -ne ${#pkgs[@]} ] || grep -q '(none)' <<<"$stamp"; then
		die "bookworm $arch lacks one of ${pkgs[*]}:"$'\n'"$stamp"
	fi
	if [ "$(cat "$sysroot/.stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "cross-tool: $arch sysroot cached ($sysroot)"
		return
	fi
	new=$sysroot.new
	rm -rf "$new"
	mkdir -p "$new/debs"
	(cd "$new/debs" && apt-get "${APT[@]}" download -q "${pkgs[@]}" >/dev/null 2>&1) ||
		(cd "$new/debs" && apt-get "${APT[@]}" download "${pkgs[@]}") ||
		die "apt-get download ${pkgs[*]} (bookworm $arch) failed"
	for deb in "$new"/debs/*.deb; do
		dpkg-deb -x "$deb" "$new/root"
	done
	for f in usr/lib/$triplet/libboost_program_options.a usr/lib/$triplet/libnuma.a \
		usr/lib/$triplet/pkgconfig/numa.pc usr/include/boost/version.hpp usr/include/nlohmann/json.hpp; do
		[ -f "$new/root/$f" ] || die "the unpacked packages have no $f"
	done
	echo "$stamp" >"$new/root/.stamp"
	rm -rf "$sysroot"
	mv "$new/root" "$sysroot"
	rm -rf "$new"
	echo "cross-tool: $arch sysroot -> $sysroot"
}

t0=$(date +%s)
# one run per sysroot and per build tree at a time (ctest's RESOURCE_LOCK covers ctest only)
(
	flock 9
	make_sysroot
) 9>"$sysroot.lock"
exec 8>"$out/.cross-tool.lock"
flock 8
nice -n 5 cmake -S "$repo" -B "$out" -DCMAKE_TOOLCHAIN_FILE="$here/cross-toolchain.cmake" \
	-DZONELENS_CROSS_TRIPLET="$triplet" -DZONELENS_CROSS_SYSROOT="$sysroot" \
	-DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
	-DBUILD_TESTING=OFF -DZONELENS_BENCHMARKS=OFF -DZONELENS_KMOD=OFF \
	-DZONELENS_STATIC=ON -DZONELENS_STATIC_PROBE_HELPER=ON >"$out/configure.log" 2>&1 ||
	{ tail -n 30 "$out/configure.log" >&2; die "configure failed (see $out/configure.log)"; }
nice -n 5 cmake --build "$out" -j "${ZONELENS_CROSS_JOBS:-2}" --target zonelens zonelens-probe-helper
for b in zonelens zonelens-probe-helper; do
	desc=$(file -b "$out/$b")
	case "$desc" in
	*"$elf"*", statically linked"*) ;;
	*) die "$out/$b is not a static $arch executable: $desc" ;;
	esac
done
echo "cross-tool: $arch: $out/zonelens and $out/zonelens-probe-helper, static ($(($(date +%s) - t0)) s)"
