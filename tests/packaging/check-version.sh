#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One version for the whole project: project(zonelens VERSION X) in CMakeLists.txt is the source;
# `zonelens --version`, the module (ZL_MODULE_VERSION in kmod/zl.h, MODULE_VERSION), dkms.conf's
# PACKAGE_VERSION, debian/changelog's top entry and the man page's .TH line must all say X.
# With a built zonelens.ko (third argument), its modinfo version too.
#   usage: check-version.sh SOURCE_DIR ZONELENS [zonelens.ko]
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 SOURCE_DIR ZONELENS [zonelens.ko]" >&2; exit 2; }
src=$1 zl=$2 ko=${3:-}
want=$(sed -n 's/^project(zonelens VERSION \([0-9][0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$want" ] || { echo "FAIL: no 'project(zonelens VERSION X' in $src/CMakeLists.txt"; exit 1; }
fails=0
check() {  # check WHAT GOT
	if [ "$2" = "$want" ]; then
		echo "ok: $1: $2"
	else
		echo "FAIL: $1 says '$2', CMakeLists.txt's project() says '$want': set it to $want"
		fails=$((fails + 1))
	fi
}
check "zonelens --version" "$("$zl" --version | sed -n 's/^zonelens //p')"
check "kmod/zl.h ZL_MODULE_VERSION" "$(sed -n 's/^#define ZL_MODULE_VERSION[[:space:]]*"\(.*\)"/\1/p' "$src/kmod/zl.h")"
check "dkms.conf PACKAGE_VERSION" "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$src/dkms.conf")"
check "debian/changelog" "$(sed -n '1s/^zonelens (\([^)]*\)).*/\1/p' "$src/debian/changelog")"
check "packaging/zonelens.8 .TH" "$(sed -n 's/^\.TH ZONELENS 8 "[^"]*" "zonelens \([^"]*\)".*/\1/p' "$src/packaging/zonelens.8")"
if [ -n "$ko" ]; then
	check "modinfo $ko" "$(/sbin/modinfo -F version "$ko")"
fi
[ $fails = 0 ] && echo "check-version: every place says $want"
[ $fails = 0 ]
