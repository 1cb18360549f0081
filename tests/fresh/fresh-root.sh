#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The quick start on a fresh Debian 12: debootstrap a minbase bookworm root with the machine's standard
# sources (bookworm, bookworm-updates, bookworm-security, from the URIs the machine's apt uses), copy
# the repository's tracked files into it, and run tests/vm/demo.sh there: install-deps.sh from
# nothing, the tool and module builds, one guest (hot-add and verify). Proves the dependency list:
# nothing this machine has installed by hand is visible inside the root.
# With DEB_DIR (tests/packaging/build-packages.sh's output), first, before anything else is
# installed in the root: tests/fresh/packages-in-root.sh (apt installs zonelens_*.deb and
# zonelens-dkms_*.deb, pulling dkms and linux-headers-amd64; DKMS builds and installs the module
# for the root's headers; --help, man, completion, the udev rule).
# Downloaded .debs are kept outside the clone, in /var/cache/zonelens/fresh-apt (debootstrap's and
# apt's), so that a later run on the machine downloads only what changed.
# ZONELENS_FRESH_PACKAGES_ONLY=1 stops after the packages (no demo.sh, no guest).
#   usage: tests/fresh/fresh-root.sh WORK_DIR [DEB_DIR]     (as root; needs debootstrap)
set -euo pipefail
die() { echo "fresh-root: $*" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 WORK_DIR [DEB_DIR]"
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mkdir -p "$1" && cd "$1" && pwd)
debs=${2:+$(cd "$2" && pwd)}
root=$work/root
cache=${ZONELENS_FRESH_CACHE:-/var/cache/zonelens/fresh-apt}
mkdir -p "$cache"
uri_of() {
	apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' |
		awk -v s="$1" '$2 == s { print $1; exit }'
}
main_uri=$(uri_of bookworm)
sec_uri=$(uri_of bookworm-security)
[ -n "$main_uri" ] && [ -n "$sec_uri" ] || die "the machine's apt has no bookworm and bookworm-security sources to copy"
rm -rf "$root"
echo "fresh-root: debootstrap minbase bookworm into $root"
debootstrap --variant=minbase --cache-dir="$cache" bookworm "$root" "$main_uri" >"$work/debootstrap.log" 2>&1 ||
	die "debootstrap failed (see $work/debootstrap.log)"
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<-SRC
	Types: deb
	URIs: $main_uri
	Suites: bookworm bookworm-updates
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb
	URIs: $sec_uri
	Suites: bookworm-security
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# no service starts in the root (udev, dkms's and zonelens's postinsts): it shares this machine's
# kernel, /dev and /sys
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
# apt keeps what it downloads (debootstrap's cache is the same directory)
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/90zonelens-keep"
mkdir -p "$root/src"
git -C "$repo" ls-files -z | (cd "$repo" && xargs -0 cp --parents -t "$root/src")
steps="cd /src && tests/vm/demo.sh"
if [ -n "$debs" ]; then
	mkdir -p "$root/debs"
	cp "$debs"/zonelens_*.deb "$debs"/zonelens-dkms_*_all.deb "$root/debs/"
	rm -f "$root"/debs/zonelens-dbgsym_*
	steps="cd /src && tests/fresh/packages-in-root.sh /debs${ZONELENS_FRESH_PACKAGES_ONLY:+ && exit 0} && $steps"
	then_demo=", then tests/vm/demo.sh"
	[ -z "${ZONELENS_FRESH_PACKAGES_ONLY:-}" ] || then_demo=" (packages only)"
	echo "fresh-root: tests/fresh/packages-in-root.sh$then_demo inside the root"
else
	echo "fresh-root: tests/vm/demo.sh inside the root"
fi
unshare --mount --propagation private -- sh -c '
	r=$1 cache=$2 steps=$3
	mount --rbind /proc "$r/proc" && mount --rbind /sys "$r/sys" && mount --rbind /dev "$r/dev" || exit 2
	mount --bind "$cache" "$r/var/cache/apt/archives" || exit 2
	# demo.sh takes the guest lock of this machine around its guest
	touch /tmp/zonelens-qemu.lock "$r/tmp/zonelens-qemu.lock" &&
		mount --bind /tmp/zonelens-qemu.lock "$r/tmp/zonelens-qemu.lock" || exit 2
	exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive /bin/bash -c "$steps"' sh "$root" "$cache" "$steps"
