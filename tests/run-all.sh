#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every test of zonelens, from a clean clone: installs the dependencies (Debian 12), fetches Debian's
# 5.10, 6.1, 6.12 and 7.2 kernels into build/cache (7.2's module builds run in an unstable root under
# /var/cache/zonelens), builds everything, and runs ctest: unit and CLI tests, checkpatch, W=1 and
# dkms module builds against all four kernels, and the VM matrix (QEMU, all four kernels). Ends with ctest's
# summary line; the exit status is ctest's.
#   usage: tests/run-all.sh [extra ctest arguments, e.g. -L vm or -E stress]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${ZONELENS_BUILD:-$repo/build}
jobs=$(nproc)
start=$(date +%s)
"$repo/tests/vm/install-deps.sh"
"$repo/tests/vm/fetch-kernels.sh" "$repo/build/cache/kernels" 5.10 6.1 6.12 7.2
cmake -S "$repo" -B "$build" -DZONELENS_BENCHMARKS=ON -DZONELENS_KERNEL_CACHE="$repo/build/cache/kernels"
cmake --build "$build" -j"$jobs"
echo "run-all: built in $(($(date +%s) - start))s; running ctest"
exec ctest --test-dir "$build" --output-on-failure -j"$jobs" "$@"
