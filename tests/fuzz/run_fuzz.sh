#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One bounded libFuzzer run of a target, seeded from the fixtures and the regression inputs. Prints
# the executions; on a finding prints the input's path and fails (copy it into
# tests/fuzz/regressions/TARGET/ and fix the parser).
#   usage: run_fuzz.sh BIN TARGET SECONDS TESTS_DIR WORK_DIR
set -euo pipefail
bin=$1 target=$2 secs=$3 tests=$4 work=$5
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
python3 "$tests/fuzz/make_seeds.py" "$target" "$tests" "$work/seeds" >/dev/null
inputs=("$work/corpus" "$work/seeds")
[ -d "$tests/fuzz/regressions/$target" ] && inputs+=("$tests/fuzz/regressions/$target")
start=$(date +%s)
if ! "$bin" -max_total_time="$secs" -print_final_stats=1 -max_len=65536 -timeout=5 \
	-rss_limit_mb=2048 -artifact_prefix="$work/artifacts/" "${inputs[@]}" >"$work/log" 2>&1; then
	tail -n 40 "$work/log"
	echo "fuzz $target: FOUND $(ls "$work/artifacts"): copy it into tests/fuzz/regressions/$target/"
	exit 1
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
echo "fuzz $target: $execs executions in $(($(date +%s) - start))s, nothing found"
