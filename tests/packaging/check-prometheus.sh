#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `zonelens verify --prometheus FILE` and the script zonelens-verify.service runs, on captured roots:
# the file passes `promtool check metrics` (Debian package prometheus) and says what verify found
# (match, mismatch, module missing); the script prints one line with priority 6 on a match and 3 on
# a mismatch, and says once, not at every event, that the module is missing, without failing. The
# line is verify --summary's as it is: on the self-only roots captured from 6.1 and 6.12 guests it
# names the context kind, its event and the self-only nodes (a sed over the human report once wrote
# a garbled sentence there).
#   usage: check-prometheus.sh ZONELENS VERIFY_SCRIPT FIXTURES_DIR (tests/workflow/fixtures)
#                              CAPTURED_DIR (tests/fixtures)
set -uo pipefail
[ $# -eq 4 ] || { echo "usage: $0 ZONELENS VERIFY_SCRIPT FIXTURES_DIR CAPTURED_DIR" >&2; exit 2; }
zl=$1 script=$2 fx=$3 captured=$4/captured
command -v promtool >/dev/null || { echo "check-prometheus: promtool is missing (apt-get install prometheus)"; exit 1; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
promcheck() {  # promcheck FILE: promtool must accept it without a lint problem
	local out
	if ! out=$(promtool check metrics <"$1" 2>&1) || [ -n "$out" ]; then
		fail "promtool check metrics $1: $out"
	fi
}
sample() { awk -v m="$2" '$1 == m { print $2 }' "$1"; }

# match: a rebuild by mem_online on node 3
"$zl" verify --root "$fx/mem-online" --prometheus "$t/a.prom" >/dev/null; rc=$?
[ $rc = 0 ] || fail "verify mem-online exited $rc"
promcheck "$t/a.prom"
[ "$(sample "$t/a.prom" zonelens_verify_match)" = 1 ] || fail "mem-online: zonelens_verify_match is not 1"
[ "$(sample "$t/a.prom" zonelens_module_loaded)" = 1 ] || fail "mem-online: zonelens_module_loaded is not 1"
[ "$(sample "$t/a.prom" zonelens_zonelists_generation)" = 1 ] || fail "mem-online: generation is not 1"
grep -qx 'zonelens_last_rebuild_event_info{event="mem_online",nid="3"} 1' "$t/a.prom" || fail "mem-online: no last rebuild event mem_online nid 3"
[ "$(grep -c '^zonelens_node_match{node="[0-9]*"} 1$' "$t/a.prom")" = 4 ] || fail "mem-online: not 4 nodes matching"
[ ! -e "$t/a.prom.tmp" ] || fail "the temporary file is left behind"
# mismatch: the tampered root
"$zl" verify --root "$fx/mem-online-tampered" --prometheus "$t/b.prom" >/dev/null; rc=$?
[ $rc = 1 ] || fail "verify mem-online-tampered exited $rc, wanted 1"
promcheck "$t/b.prom"
[ "$(sample "$t/b.prom" zonelens_verify_match)" = 0 ] || fail "tampered: zonelens_verify_match is not 0"
grep -q '^zonelens_node_match{node="[0-9]*"} 0$' "$t/b.prom" || fail "tampered: no node with zonelens_node_match 0"
# no module: the file says so, verify exits 2
mkdir -p "$t/empty"
"$zl" verify --root "$t/empty" --prometheus "$t/c.prom" >/dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "verify without the module exited $rc, wanted 2"
promcheck "$t/c.prom"
[ "$(sample "$t/c.prom" zonelens_module_loaded)" = 0 ] || fail "no module: zonelens_module_loaded is not 0"
# an unwritable target: one sentence naming the file, exit 2
err=$("$zl" verify --root "$fx/mem-online" --prometheus "$t/nodir/x.prom" 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && grep -q "$t/nodir/x.prom.tmp" <<<"$err" ||
	fail "unwritable FILE: exit $rc, stderr '$err'"

# the service's script
run_script() {  # run_script ROOT -> its stdout; exit status in $src
	ZONELENS=$zl ZONELENS_ROOT=$1 ZONELENS_TEXTFILE_DIR=$t/textfile RUNTIME_DIRECTORY=$t/run "$script"
}
line=$(run_script "$fx/mem-online"); src=$?
echo "script, match:    $line"
[ $src = 0 ] || fail "script on mem-online exited $src"
[ "$(printf '%s\n' "$line" | wc -l)" = 1 ] || fail "script on mem-online printed more than one line"
case $line in "<6>match (4 nodes); generation 1; kernel 6.12.0-zonelens-wf (era 6.7+); context runtime_event (event 2); metrics in $t/textfile/zonelens.prom") ;;
*) fail "script on mem-online: unexpected line '$line'" ;; esac
promcheck "$t/textfile/zonelens.prom"
line=$(run_script "$fx/mem-online-tampered"); src=$?
echo "script, mismatch: $line"
[ $src = 1 ] || fail "script on the tampered root exited $src, wanted 1"
case $line in "<3>mismatch ("*"nodes differing: "*) ;; *) fail "script on the tampered root: unexpected line '$line'" ;; esac
[ "$(sample "$t/textfile/zonelens.prom" zonelens_verify_match)" = 0 ] || fail "script on the tampered root: the file does not say mismatch"
for k in 6.1 6.12; do
	line=$(run_script "$captured/$k-hotplug-only-self-only/root"); src=$?
	echo "script, $k self-only: $line"
	[ $src = 0 ] || fail "script on $k-hotplug-only-self-only exited $src"
	case $line in "<6>match ("*" nodes); generation "*"; kernel $k."*"; context boot (self-only nodes 3); metrics in $t/textfile/zonelens.prom") ;;
	*) fail "script on $k-hotplug-only-self-only: unexpected line '$line'" ;; esac
done
line=$(run_script "$t/empty"); src=$?
echo "script, no module: $line"
[ $src = 0 ] || fail "script without the module exited $src, wanted 0 (no failure loop)"
case $line in "<4>module not loaded ("*) ;; *) fail "script without the module: unexpected line '$line'" ;; esac
[ "$(sample "$t/textfile/zonelens.prom" zonelens_module_loaded)" = 0 ] || fail "script without the module: the file does not say zonelens_module_loaded 0"
line=$(run_script "$t/empty"); src=$?
[ $src = 0 ] && [ -z "$line" ] || fail "script without the module, second event: exit $src, printed '$line' (should say it once)"
line=$(run_script "$fx/mem-online") && [ -n "$line" ] || fail "script after the module came back printed nothing"
run_script "$t/empty" | grep -q "^<4>module not loaded" || fail "the module went away again: not said again"
for f in "$t"/textfile/*; do
	[ "$f" = "$t/textfile/zonelens.prom" ] || fail "the script left $f beside zonelens.prom"
done
[ $fails = 0 ] && echo "check-prometheus: ok"
[ $fails = 0 ]
