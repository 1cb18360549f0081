#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd units of the zonelens package pass `systemd-analyze verify`: the package unpacked
# over a copy of this machine's unit directory (for sysinit.target and friends), then verified
# with --root, which also checks that ExecStart's script is in the package and executable.
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
