#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion works: loaded the way bash-completion loads it (on demand from
# COMPLETIONS_DIR/zonelens, or from FILE), it completes commands, options, option values, the live
# system's node ids and directories.
#   usage: check-completion.sh COMPLETIONS_DIR | FILE
set -uo pipefail
[ $# -eq 1 ] || { echo "usage: $0 COMPLETIONS_DIR|FILE" >&2; exit 2; }
bc=/usr/share/bash-completion/bash_completion
[ -f "$bc" ] || { echo "check-completion: $bc is missing (apt-get install bash-completion)"; exit 1; }
# shellcheck disable=SC1090
. "$bc"
if [ -d "$1" ]; then
	# the on-demand loader, as an interactive bash does at the first <TAB> after "zonelens "
	__load_completion zonelens "$1/zonelens" 2>/dev/null || . "$1/zonelens"
else
	# shellcheck disable=SC1090
	. "$1"
fi
complete -p zonelens >/dev/null 2>&1 || { echo "check-completion: no completion for zonelens after loading $1"; exit 1; }
fails=0
# complete WORDS...: COMPREPLY for the last word, one per line
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_zonelens zonelens "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
expect() {
	local want=$1
	shift
	local got
	got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" != "$want" ]; then
		echo "FAIL: '$*<TAB>' completes to '$got', wanted '$want'"
		fails=$((fails + 1))
	else
		echo "ok: '$*<TAB>' -> $got"
	fi
}
expect "verify" zonelens ver
expect "compare-eras" zonelens comp
expect "--prometheus" zonelens verify --prom
expect "--fail-fast --from-start" zonelens watch --f
expect "boot runtime" zonelens predict --context ""
expect "default" zonelens predict --zonelist-order d
expect "5.19-6.6" zonelens compare-eras --kernel 5.19
nodes=$(for n in /sys/devices/system/node/node[0-9]*; do [ -d "$n" ] && echo "${n##*/node}"; done | sort | tr '\n' ' ' | sed 's/ $//')
[ -n "$nodes" ] || { echo "FAIL: this system has no /sys/devices/system/node/node*"; fails=$((fails + 1)); }
expect "$nodes" zonelens explain ""
expect "$nodes" zonelens explain --node ""
d=$(mktemp -d)
mkdir "$d/capt" && : >"$d/cfile"
expect "$d/capt" zonelens verify --root "$d/c"
expect "$d/capt $d/cfile" zonelens snapshot -o "$d/c"
rm -rf "$d"
[ $fails = 0 ] && echo "check-completion: ok" || echo "check-completion: $fails failed"
[ $fails = 0 ]
