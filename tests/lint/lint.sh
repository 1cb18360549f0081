#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lint.sh format|tidy SOURCE BUILD: clang-format-14 --dry-run -Werror over every tracked C++ file
# (kmod/ is kernel C: checkpatch), or clang-tidy-14 over every userspace/src source with BUILD's
# compile_commands.json. Prints each finding and exits 1 when there is one.
set -euo pipefail
what=$1 src=$2 build=$3
cd "$src"
case $what in
format)
	command -v clang-format-14 >/dev/null || { echo "lint: clang-format-14 is not installed: apt-get install clang-format-14"; exit 2; }
	mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' ':!:kmod/*')
	[ ${#files[@]} -gt 0 ] || { echo "lint: no C++ files tracked in $src (not a git checkout?)"; exit 2; }
	clang-format-14 --dry-run -Werror "${files[@]}"
	echo "lint: ${#files[@]} files formatted as .clang-format says"
	;;
tidy)
	[ -f "$build/compile_commands.json" ] || {
		echo "lint: $build/compile_commands.json is missing: configure with CMAKE_EXPORT_COMPILE_COMMANDS=ON"
		exit 2
	}
	mapfile -t files < <(git ls-files 'userspace/src/*.cpp')
	command -v clang-tidy-14 >/dev/null || { echo "lint: clang-tidy-14 is not installed: apt-get install clang-tidy-14"; exit 2; }
	out=$(mktemp)
	trap 'rm -f "$out"' EXIT
	rc=0
	clang-tidy-14 -p "$build" --quiet "${files[@]}" >"$out" 2>&1 || rc=$?
	# "N warnings generated." counts the system headers' warnings that HeaderFilterRegex drops
	if grep -E '(warning|error):' "$out"; then
		echo "lint: clang-tidy findings above (.clang-tidy)"
		exit 1
	fi
	if [ $rc -ne 0 ]; then
		grep -v 'warnings generated\.$' "$out" || true
		echo "lint: clang-tidy-14 exited $rc without a finding: see above"
		exit 1
	fi
	echo "lint: ${#files[@]} userspace sources clang-tidy clean"
	;;
*)
	echo "usage: lint.sh format|tidy SOURCE BUILD" >&2
	exit 2
	;;
esac
