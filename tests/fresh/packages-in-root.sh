#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the fresh Debian 12 minbase root (tests/fresh/fresh-root.sh), before anything else is
# installed there: `apt-get install ./zonelens_*.deb ./zonelens-dkms_*.deb` must pull dkms and
# linux-headers-amd64, DKMS must build and install zonelens.ko for the root's headers, and
# `zonelens --help`, `man zonelens` and the bash completion must work. Nothing is loaded: dkms
# installs into the root's /lib/modules and this kernel never sees the module.
#   usage (in the root): packages-in-root.sh DEB_DIR
set -euo pipefail
debs=$1
die() { echo "packages-in-root: FAIL: $*" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
for p in dkms linux-headers-amd64 zonelens; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' && die "$p is installed before the packages are"
done
apt-get update -q >/dev/null
echo "packages-in-root: apt-get install $(cd "$debs" && ls zonelens_*.deb zonelens-dkms_*_all.deb | tr '\n' ' ')"
apt-get install -y -q "$debs"/zonelens_*.deb "$debs"/zonelens-dkms_*_all.deb >/tmp/apt-install.log 2>&1 ||
	{ tail -n 40 /tmp/apt-install.log; die "apt-get install of the packages failed"; }
grep -E "^(Building|Done|Module build|Error)|dkms|zonelens" /tmp/apt-install.log | grep -v "^Get:" | sed -n 1,30p || true
for p in dkms linux-headers-amd64 zonelens zonelens-dkms; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || die "$p is not installed"
done
version=$(dpkg-query -W -f='${Version}' zonelens-dkms)
krel=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | sed 's/.*linux-headers-\([^ ,]*\).*/\1/')
echo "packages-in-root: dkms status: $(dkms status zonelens)"
dkms status zonelens | grep -q "zonelens/$version, $krel, x86_64: installed" || die "dkms did not install zonelens/$version for $krel"
kos=(/lib/modules/"$krel"/updates/dkms/zonelens.ko*)
ko=${kos[0]}
[ -f "$ko" ] || ko=""
[ -n "$ko" ] || die "no /lib/modules/$krel/updates/dkms/zonelens.ko*"
[ "$(modinfo -F version "$ko")" = "$version" ] || die "$ko: modinfo version $(modinfo -F version "$ko"), package $version"
modinfo -F vermagic "$ko" | grep -q "^$krel " || die "$ko: vermagic is not $krel"
echo "packages-in-root: $ko (version $version, vermagic $krel)"
zonelens --help | grep -q '^  verify ' || die "zonelens --help does not list verify"
[ "$(zonelens --version)" = "zonelens $version" ] || die "zonelens --version says $(zonelens --version)"
echo "packages-in-root: zonelens --help: ok; $(zonelens --version)"
apt-get install -y -q --no-install-recommends man-db >/dev/null 2>&1 || die "apt-get install man-db failed"
man -P cat zonelens 2>/dev/null | grep -q 'zonelens - show and verify' || die "man zonelens does not show the page"
echo "packages-in-root: man zonelens: $(man -P cat zonelens 2>/dev/null | sed -n '/^NAME/{n;p;q}' | sed 's/^ *//')"
dpkg-query -W -f='${Status}' bash-completion | grep -q 'install ok installed' || die "bash-completion (Recommends) is not installed"
/src/tests/packaging/check-completion.sh /usr/share/bash-completion/completions || die "the completion does not work"
# the udev rule, as udevadm parses it (Debian 12's udevadm has no 'verify'; 'test' runs the rules
# in-process and prints the RUN commands without running them)
apt-get install -y -q --no-install-recommends udev >/dev/null 2>&1 || die "apt-get install udev failed"
udevadm test --action=online /devices/system/cpu/cpu0 >/tmp/udevtest.log 2>&1 || true
grep -q "zonelens-verify.timer" /tmp/udevtest.log || { tail -n 20 /tmp/udevtest.log; die "udevadm test: cpu online does not start zonelens-verify.timer"; }
echo "packages-in-root: udevadm test --action=online cpu0: $(grep -m1 'zonelens-verify.timer' /tmp/udevtest.log | sed 's/^ *//')"
echo "packages-in-root: ok"
