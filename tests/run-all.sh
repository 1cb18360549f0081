#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every test of zonelens, from a clean clone: installs the dependencies (Debian 12), fetches the 6.1 and
# 6.12 kernels into build/cache, builds everything, and runs ctest: unit and CLI tests, checkpatch,
# W=1 module builds against both kernels, and the VM matrix (QEMU, both kernels). Ends with ctest's
# summary line; the exit status is ctest's.
#   usage: tests/run-all.sh [extra ctest arguments, e.g. -L vm or -E stress]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${ZONELENS_BUILD:-$repo/build}
jobs=$(nproc)
start=$(date +%s)
"$repo/tests/vm/install-deps.sh"
"$repo/tests/vm/fetch-kernels.sh" "$repo/build/cache/kernels" 6.1 6.12
cmake -S "$repo" -B "$build" -DZONELENS_BENCHMARKS=ON -DZONELENS_KERNEL_CACHE="$repo/build/cache/kernels"
cmake --build "$build" -j"$jobs"
echo "run-all: built in $(($(date +%s) - start))s; running ctest"
exec ctest --test-dir "$build" --output-on-failure -j"$jobs" "$@"
