#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what zonelens needs to build and test, on Debian 12 (as root, or through sudo). Does nothing
# when everything is there already. Never installs a kernel image: the 6.12 kernel and headers used by
# the VM tests are unpacked into a cache by tests/vm/fetch-kernels.sh instead.
set -euo pipefail
pkgs=(build-essential cmake pkg-config python3 cpio xz-utils kmod
	qemu-system-x86 qemu-system-arm qemu-system-ppc busybox-static gcc-aarch64-linux-gnu gcc-powerpc64le-linux-gnu
	g++-aarch64-linux-gnu g++-powerpc64le-linux-gnu linux-headers-amd64 linux-source-6.12 dkms dwarves mmdebstrap debootstrap
	libboost-program-options-dev nlohmann-json3-dev libnuma-dev googletest libgtest-dev libbenchmark-dev
	clang-14 libclang-rt-14-dev clang-format-14 clang-tidy-14 librsvg2-bin
	debhelper dh-dkms lintian prometheus bash-completion systemd udev man-db)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo)
# fetch-kernels.sh resolves packages through apt-cache: the lists must exist
if [ ${#missing[@]} -gt 0 ] || [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' 2>/dev/null | head -n1)" ]; then
	export DEBIAN_FRONTEND=noninteractive
	echo "install-deps: apt-get update${missing[*]:+; installing ${missing[*]}}"
	"${sudo[@]}" apt-get update -q
	if [ ${#missing[@]} -gt 0 ]; then
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
	fi
fi
