#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Quick start: the main job end to end in a QEMU guest. Installs the dependencies, builds the zonelens
# tool and module, boots Debian's 6.12 kernel (or --kernel 5.10, 6.1 or 7.2) on a 4-node topology with a CPU-less
# node and a memoryless node, loads the module, runs `zonelens verify`, hot-adds memory to the
# memoryless node, verifies again, and prints both reports. Then a second guest runs `zonelens probe`
# on every node with memory (tests/vm/scenarios/probe.json, docs/probe.md) and prints one report.
# With --arch arm64|ppc64el the guest is Debian's kernel of that architecture (6.1, or --kernel 7.2)
# in QEMU virt or pseries, and runs its own static zonelens (tests/vm/cross-tool.sh).
#   usage: tests/vm/demo.sh [--kernel 5.10|6.1|6.12|7.2] [--arch arm64|ppc64el] [--kvm]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${ZONELENS_BUILD:-$repo/build}
kernel='' arch='' extra=()
usage() { echo "usage: $0 [--kernel 5.10|6.1|6.12|7.2] [--arch arm64|ppc64el] [--kvm]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) [ $# -ge 2 ] || usage; kernel=$2; shift 2 ;;
	--arch) [ $# -ge 2 ] || usage; arch=$2; shift 2 ;;
	--kvm) extra+=(--kvm); shift ;;
	*) usage ;;
	esac
done
case "$arch" in
"") kernel=${kernel:-6.12} ;;
arm64 | ppc64el)
	case "${kernel:-6.1}" in
	6.1 | 7.2) kernel=$arch-${kernel:-6.1} ;;
	*) echo "$0: --arch $arch boots Debian's 6.1 or 7.2 (--kernel 6.1|7.2), not ${kernel}" >&2; exit 2 ;;
	esac
	extra+=(--cross-tool-dir "$build/cross") ;;
*) echo "$0: --arch is arm64 or ppc64el (amd64 is the default), not '$arch'" >&2; exit 2 ;;
esac
"$repo/tests/vm/install-deps.sh"
"$repo/tests/vm/fetch-kernels.sh" "$repo/build/cache/kernels" "$kernel"
cmake -S "$repo" -B "$build" -DZONELENS_BENCHMARKS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target zonelens zonelens-probe-helper
# the guest's own zonelens for arm64 and ppc64el
[ -z "$arch" ] || "$repo/tests/vm/cross-tool.sh" "$arch" "$repo/build/cache/kernels" "$build/cross/$arch"
# one guest at a time on the machine (tests/fresh/fresh-root.sh binds this lock into its root)
flock /tmp/zonelens-qemu.lock python3 "$repo/tests/vm/zlvm.py" --require --kernel "$kernel" \
	--spec "$repo/tests/vm/scenarios/probe.json" --print-report \
	--build-dir "$build" --kernel-cache "$repo/build/cache/kernels" --zonelens "$build/zonelens" "${extra[@]}"
exec flock /tmp/zonelens-qemu.lock python3 "$repo/tests/vm/zlvm.py" --require --kernel "$kernel" --topology quickstart --print-report \
	--build-dir "$build" --kernel-cache "$repo/build/cache/kernels" --zonelens "$build/zonelens" "${extra[@]}"
