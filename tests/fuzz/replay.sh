#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs a fuzz target (replay build) on its seeds and on every regression input.
#   usage: replay.sh BIN TARGET TESTS_DIR WORK_DIR
set -euo pipefail
bin=$1 target=$2 tests=$3 work=$4
rm -rf "$work"
python3 "$tests/fuzz/make_seeds.py" "$target" "$tests" "$work/seeds"
inputs=("$work/seeds")
[ -d "$tests/fuzz/regressions/$target" ] && inputs+=("$tests/fuzz/regressions/$target")
exec "$bin" "${inputs[@]}"
