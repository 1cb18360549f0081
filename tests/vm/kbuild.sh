#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run a kbuild command for one fetched kernel, where its toolchain is.
#
# usage: tests/vm/kbuild.sh ENV_FILE [--bind DIR]... -- COMMAND [ARG]...
#
# ENV_FILE is a kernel's env from tests/vm/fetch-kernels.sh. Without BUILD_ROOT in it, COMMAND runs
# here; when this machine lacks the compiler the headers name (KCC: gcc-10 for bullseye's 5.10),
# Debian 12's gcc stands in for it through a link of that name first on PATH, for make and dkms
# alike. With BUILD_ROOT (7.2), COMMAND runs chrooted into that unstable root, which has the headers'
# gcc-16, in a private mount namespace (nothing stays mounted afterwards) with /proc and /dev bound
# (objtool reads /proc) and every --bind DIR at its own path, in the current directory's path.
set -euo pipefail
die() { echo "kbuild: $*" >&2; exit 2; }
[ $# -ge 3 ] || die "usage: $0 ENV_FILE [--bind DIR]... -- COMMAND [ARG]..."
envf=$1
shift
binds=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	[ "$1" = --bind ] && [ $# -ge 2 ] || die "usage: $0 ENV_FILE [--bind DIR]... -- COMMAND [ARG]..."
	binds+=("$(cd "$2" && pwd)")
	shift 2
done
[ "${1:-}" = -- ] || die "usage: $0 ENV_FILE [--bind DIR]... -- COMMAND [ARG]..."
shift
BUILD_ROOT=$(sed -n 's/^BUILD_ROOT=//p' "$envf")
KCC=$(sed -n 's/^KCC=//p' "$envf")
if [ -z "$BUILD_ROOT" ]; then
	if [ -n "$KCC" ] && ! command -v "$KCC" >/dev/null; then
		shim=${TMPDIR:-/tmp}/zonelens-cc-$KCC
		mkdir -p "$shim"
		ln -sfn "$(command -v gcc)" "$shim/$KCC"
		export PATH=$shim:$PATH
	fi
	exec "$@"
fi
[ -x "$BUILD_ROOT/usr/bin/make" ] || die "$BUILD_ROOT is not a build root (run tests/vm/fetch-kernels.sh again)"
exec unshare --mount --propagation private -- sh -c '
	r=$1 cwd=$2 n=$3
	shift 3
	mount --rbind /proc "$r/proc" && mount --rbind /dev "$r/dev" || exit 2
	while [ "$n" -gt 0 ]; do
		mkdir -p "$r$1" && mount --bind "$1" "$r$1" || exit 2
		shift
		n=$((n - 1))
	done
	mkdir -p "$r$cwd"
	exec chroot "$r" sh -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"' \
	sh "$BUILD_ROOT" "$PWD" "${#binds[@]}" "${binds[@]}" "$@"
