#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch Debian's kernel images and headers into a cache, without installing any kernel: resolve the
# concrete packages through the metapackages (or, once a suite's metapackage has moved past the
# release, by package name), `apt-get download` them and unpack them with `dpkg-deb -x`.
#
# usage: tests/vm/fetch-kernels.sh CACHE_DIR [5.10|6.1|6.12|7.2 ...]   (default: all four)
#
#   tag   suite     image / headers metapackages                     built with
#   5.10  bullseye  linux-image-amd64 / linux-headers-amd64           Debian 12's gcc standing in for gcc-10
#   6.1   bookworm  linux-image-amd64 / linux-headers-amd64           Debian 12's gcc
#   6.12  bookworm  linux-image-6.12-amd64 / linux-headers-6.12-amd64 Debian 12's gcc
#   7.2   unstable  linux-image-amd64 / linux-headers-amd64           gcc-16 in an unstable root
#
# bookworm comes from the machine's own apt. bullseye and unstable are other suites of the same
# archive: they are reached through a private apt state under CACHE_DIR/apt/SUITE (its own sources
# file, lists, cache and an empty dpkg status), built from the URI the machine's apt already uses
# for bookworm. The system's sources are never changed and nothing is installed.
#
# For each kernel TAG it leaves CACHE_DIR/TAG/env, a shell fragment with
#   KREL        the kernel release (uname -r in the guest)
#   VMLINUZ     the kernel image (/boot/vmlinuz-KREL up to 6.x, /usr/lib/modules/KREL/vmlinuz in the
#               7.x packages, which moved it into linux-binary-KREL)
#   KDIR        a kbuild tree to build modules against (inside BUILD_ROOT when that is set)
#   KCC         the compiler the headers name (their .kernelvariables): gcc-10 for 5.10, which
#               Debian 12 lacks; tests/vm/kbuild.sh lets Debian 12's gcc stand in for it
#   BUILD_ROOT  7.2 only: the unstable root whose toolchain builds modules (tests/vm/build-root.sh);
#               run kbuild through tests/vm/kbuild.sh, which enters it
# A second run with the same packages available reuses the cache.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
die() { echo "fetch-kernels: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: $0 CACHE_DIR [5.10|6.1|6.12|7.2 ...]"
cache=$(mkdir -p "$1" && cd "$1" && pwd)
shift
tags=("$@")
[ ${#tags[@]} -gt 0 ] || tags=(5.10 6.1 6.12 7.2)

# The URI the machine's apt fetches bookworm from (deb822 or one-line sources alike).
mirror_uri() {
	local uri
	uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null |
		awk '$2 == "bookworm" { print $1; exit }')
	[ -n "$uri" ] || die "the machine's apt sources have no bookworm suite with package lists (run apt-get update first): cannot derive the mirror for other suites"
	echo "$uri"
}

# apt options for SUITE ("" for the system's own apt, which carries bookworm).
APT=()
apt_for() {
	local suite=$1 d
	APT=()
	[ "$suite" = bookworm ] && return
	d=$cache/apt/$suite
	APT=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/parts"
		-o "Dir::Etc::Preferences=$d/preferences" -o "Dir::Etc::PreferencesParts=$d/parts"
		-o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status" -o "Dir::Cache=$d/cache"
		-o Acquire::Check-Valid-Until=false -o Acquire::Languages=none -o APT::Architecture=amd64)
	# refresh the lists once a day
	if [ -z "$(find "$d/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
		mkdir -p "$d/parts" "$d/lists/partial" "$d/cache/archives/partial"
		: >"$d/status"
		: >"$d/preferences"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror_uri) $suite main" \
			>"$d/sources.list"
		apt-get "${APT[@]}" update -q >"$d/update.log" 2>&1 ||
			die "apt-get update of the private $suite state failed (see $d/update.log)"
	fi
}

# Depends of package $1 whose names match the extended regex $2, one a line.
deps_matching() {
	apt-cache "${APT[@]}" depends "$1" 2>/dev/null | awk '/^ +Depends:/ { print $2 }' | grep -E "$2" || true
}

# The concrete image package of TAG: the metapackage's, when it is that release; otherwise the highest
# linux-image-TAG.* of the suite by name (unstable's metapackage moves on to the next release).
resolve_image() {
	local tag=$1 meta=$2 img re
	re="^linux-image-${tag//./\\.}[.0-9]*[-+][^ ]*-amd64$"
	img=$(deps_matching "$meta" '^linux-image-[0-9]' | head -n1)
	[ -n "$img" ] || die "cannot resolve $meta in ${SUITE} (apt-get update first)"
	if ! grep -qE "$re" <<<"$img"; then
		echo "fetch-kernels: $tag: $meta of $SUITE is now $img; looking for linux-image-$tag.* by name" >&2
		img=$(apt-cache "${APT[@]}" pkgnames linux-image-"$tag" | grep -E "$re" | sort -V | tail -n1)
		[ -n "$img" ] || die "$SUITE has no linux-image-$tag.*-amd64 any more: pick a newer tag"
	fi
	echo "$img"
}

fetch_one() {
	local tag=$1 img_meta hdr_meta img hdr krel dir root pkgs stamp kdir kcc vmlinuz build_root=""
	case "$tag" in
	5.10) SUITE=bullseye img_meta=linux-image-amd64 hdr_meta=linux-headers-amd64 ;;
	6.1) SUITE=bookworm img_meta=linux-image-amd64 hdr_meta=linux-headers-amd64 ;;
	6.12) SUITE=bookworm img_meta=linux-image-6.12-amd64 hdr_meta=linux-headers-6.12-amd64 ;;
	7.2) SUITE=unstable img_meta=linux-image-amd64 hdr_meta=linux-headers-amd64 ;;
	*) die "unknown kernel tag '$tag' (use 5.10, 6.1, 6.12 or 7.2)" ;;
	esac
	apt_for "$SUITE"
	img=$(resolve_image "$tag" "$img_meta")
	krel=${img#linux-image-}
	krel=${krel%-unsigned}
	hdr=linux-headers-$krel
	# 7.x: the image is a metapackage of linux-binary-KREL (vmlinuz) and linux-modules-KREL; the guest
	# needs no module of the kernel's own
	# shellcheck disable=SC2207
	pkgs=("$img" $(deps_matching "$img" '^linux-binary-'))
	if [ "$tag" = 7.2 ]; then
		build_root=${ZONELENS_BUILD_ROOT:-/var/cache/zonelens/unstable-root}
	else
		# shellcheck disable=SC2207
		pkgs+=("$hdr" $(deps_matching "$hdr" '^linux-(headers-.*-common|kbuild-)'))
	fi
	dir=$cache/$tag
	stamp="${pkgs[*]} $(apt-cache "${APT[@]}" policy "$img" | awk '/Candidate:/ { print $2 }')"
	if [ -f "$dir/env" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
		[ -z "$build_root" ] || "$here/build-root.sh" "$build_root" "$krel" "$(mirror_uri)"
		echo "fetch-kernels: $tag cached ($krel)"
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir/debs"
	(cd "$dir/debs" && apt-get "${APT[@]}" download -q "${pkgs[@]}" >/dev/null 2>&1) ||
		(cd "$dir/debs" && apt-get "${APT[@]}" download "${pkgs[@]}") ||
		die "apt-get download ${pkgs[*]} ($SUITE) failed"
	root=$dir/root
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb -x "$deb" "$root"
	done
	vmlinuz=
	for v in "$root/boot/vmlinuz-$krel" "$root/usr/lib/modules/$krel/vmlinuz" "$root/lib/modules/$krel/vmlinuz"; do
		[ -f "$v" ] && { vmlinuz=$v; break; }
	done
	[ -n "$vmlinuz" ] || die "no vmlinuz in ${pkgs[*]} (neither /boot/vmlinuz-$krel nor /usr/lib/modules/$krel/vmlinuz)"
	if [ -n "$build_root" ]; then
		"$here/build-root.sh" "$build_root" "$krel" "$(mirror_uri)"
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
	EOF
	rm -rf "$dir/debs"
	echo "$stamp" >"$dir/stamp"
	echo "fetch-kernels: $tag -> $krel ($SUITE)"
}

for t in "${tags[@]}"; do
	fetch_one "$t"
done
