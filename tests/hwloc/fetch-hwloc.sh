#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch Debian bookworm's hwloc SOURCE package into CACHE (a directory under the build tree) and
# unpack its tests/hwloc/linux/*.tar.bz2 captures into CACHE/linux. A private apt state (own
# sources list with a deb-src line for the mirror the machine's apt already uses, own lists, cache
# and empty status, through -o Dir::...) is used: the system's apt sources are never changed and the
# mirror's host name is written into no file of the repository (only into the private state under
# CACHE). Exit 77 when the fetch is impossible (no bookworm mirror configured, no network).
# Usage: fetch-hwloc.sh CACHE
set -euo pipefail

cache=${1:?usage: fetch-hwloc.sh CACHE}
skip() {
	echo "fetch-hwloc: SKIP: $*" >&2
	exit 77
}

if [ -n "$(find "$cache/linux" -maxdepth 1 -name '*.tar.bz2' 2>/dev/null | head -n1)" ]; then
	echo "fetch-hwloc: cached in $cache/linux"
	exit 0
fi

command -v apt-get >/dev/null || skip "no apt-get on this machine"
# The mirror the machine's apt uses for bookworm (as tests/vm/fetch-kernels.sh mirror_uri).
# shellcheck disable=SC2016 # $(REPO_URI) and $(RELEASE) are apt's fields, not the shell's
uri=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null |
	awk '$2 == "bookworm" { print $1; exit }')
[ -n "$uri" ] || skip "the machine's apt sources have no bookworm suite with package lists (run apt-get update first)"

d=$cache/apt
mkdir -p "$d/parts" "$d/lists/partial" "$d/cache/archives/partial"
: >"$d/status"
: >"$d/preferences"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main" >"$d/sources.list"
APT=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/parts"
	-o "Dir::Etc::Preferences=$d/preferences" -o "Dir::Etc::PreferencesParts=$d/parts"
	-o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status" -o "Dir::Cache=$d/cache"
	-o Acquire::Check-Valid-Until=false -o Acquire::Languages=none)
apt-get "${APT[@]}" update -q >"$d/update.log" 2>&1 ||
	skip "apt-get update of the private deb-src state failed (see $d/update.log)"

src=$cache/source
rm -rf "$src"
mkdir -p "$src"
(cd "$src" && apt-get "${APT[@]}" source --download-only -q hwloc >"$d/source.log" 2>&1) ||
	skip "apt-get source --download-only hwloc failed (see $d/source.log)"
orig=$(find "$src" -maxdepth 1 -name 'hwloc_*.orig.tar.*' | head -n1)
[ -n "$orig" ] || skip "no hwloc_*.orig.tar.* among the downloaded source files"

rm -rf "$cache/linux.tmp"
mkdir -p "$cache/linux.tmp"
tar -xf "$orig" -C "$cache/linux.tmp" --wildcards '*/tests/hwloc/linux/*.tar.bz2'
find "$cache/linux.tmp" -name '*.tar.bz2' -exec mv -t "$cache/linux.tmp" {} +
find "$cache/linux.tmp" -mindepth 1 -type d -exec rm -rf {} +
rm -rf "$cache/linux"
mv "$cache/linux.tmp" "$cache/linux"
echo "fetch-hwloc: $(find "$cache/linux" -name '*.tar.bz2' | wc -l) captures in $cache/linux"
