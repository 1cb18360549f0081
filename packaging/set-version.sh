#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Set the project version: project() in CMakeLists.txt (the source of --version), and the copies
# that cannot read it at build time: ZL_MODULE_VERSION in kmod/zl.h (kbuild and DKMS build without
# CMake), PACKAGE_VERSION in dkms.conf, a new debian/changelog entry, and the man page's .TH line.
# tests/packaging/check-version.sh (ctest packaging-version) checks that they agree.
#   usage: packaging/set-version.sh X.Y.Z ["changelog line"]
set -euo pipefail
[ $# -ge 1 ] && [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "usage: $0 X.Y.Z [\"changelog line\"]" >&2; exit 2; }
v=$1 msg=${2:-Release $1.}
cd "$(dirname "$0")/.."
sed -i "s/^project(zonelens VERSION [0-9.]*/project(zonelens VERSION $v/" CMakeLists.txt
sed -i "s/^#define ZL_MODULE_VERSION\([[:space:]]*\)\"[^\"]*\"/#define ZL_MODULE_VERSION\1\"$v\"/" kmod/zl.h
sed -i "s/^PACKAGE_VERSION=\"[^\"]*\"/PACKAGE_VERSION=\"$v\"/" dkms.conf
sed -i "s/^\(\.TH ZONELENS 8 \)\"[^\"]*\" \"zonelens [^\"]*\"/\1\"$(date -u +%Y-%m-%d)\" \"zonelens $v\"/" packaging/zonelens.8
if [ "$(sed -n '1s/^zonelens (\([^)]*\)).*/\1/p' debian/changelog)" != "$v" ]; then
	who=$(sed -n 's/^ -- \(.*>\)  .*/\1/p;T;q' debian/changelog)
	{
		printf 'zonelens (%s) unstable; urgency=medium\n\n  * %s\n\n -- %s  %s\n\n' "$v" "$msg" "$who" "$(date -R)"
		cat debian/changelog
	} >debian/changelog.new
	mv debian/changelog.new debian/changelog
fi
echo "version $v set in CMakeLists.txt, kmod/zl.h, dkms.conf, debian/changelog, packaging/zonelens.8"
