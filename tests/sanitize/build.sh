#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Configures and builds the sanitizer tree: every library, test and the CLI with ASan+UBSan (clang),
# the fuzz targets with libFuzzer. No benchmarks, no module, no VM tests.
#   usage: build.sh SOURCE_DIR TREE CLANG CLANGXX
set -euo pipefail
src=$1 tree=$2 cc=$3 cxx=$4
start=$(date +%s)
cmake -S "$src" -B "$tree" -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo -DZONELENS_SANITIZE=ON -DZONELENS_FUZZ=ON \
	-DZONELENS_BENCHMARKS=OFF -DZONELENS_KMOD=OFF >"$tree.configure.log" 2>&1 ||
	{ cat "$tree.configure.log"; exit 1; }
cmake --build "$tree" -j2
echo "sanitize: built $tree in $(($(date +%s) - start))s"
