#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# CLI tests of the workflow commands: cli_test.sh ZONELENS FIXTURES CASE (see CMakeLists.txt).
# The roots in FIXTURES come from make_fixtures.py, which derives every expected list by hand.
set -u
ZL=$1
FX=$2
CASE=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

fail() { echo "FAIL [$CASE]: $*" >&2; exit 1; }
# expect RC CMD...: run CMD, keep stdout in $T/out and stderr in $T/err, check the exit code.
expect() {
  want=$1; shift
  "$@" >"$T/out" 2>"$T/err"; rc=$?
  [ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want; stdout: $(head -c 600 "$T/out"); stderr: $(cat "$T/err")"
}
has() { grep -q -- "$1" "$T/out" || fail "stdout lacks '$1': $(head -c 1500 "$T/out")"; }
err_has() { grep -q -- "$1" "$T/err" || fail "stderr lacks '$1': $(cat "$T/err")"; }
one_line_err() { [ "$(wc -l <"$T/err")" -eq 1 ] || fail "stderr is not one line: $(cat "$T/err")"; }
# started PID TEXT: wait until the background PID has written TEXT to $T/out (it must still run).
started() {
  n=0
  until grep -q -- "$2" "$T/out" 2>/dev/null; do
    kill -0 "$1" 2>/dev/null || fail "the background command exited before printing '$2': $(cat "$T/err")"
    n=$((n + 1))
    [ "$n" -lt 1200 ] || fail "no '$2' from the background command: $(cat "$T/err")"
    sleep 0.05
  done
}
# online_to ROOT FIXTURE: the module files of ROOT become FIXTURE's, each through a rename (a
# reader never sees half a file), as if the kernel had onlined memory since.
online_to() {
  for f in snapshot events; do
    cp "$FX/$2/sys/kernel/debug/zonelens/$f" "$1/sys/kernel/debug/zonelens/$f.new"
    mv "$1/sys/kernel/debug/zonelens/$f.new" "$1/sys/kernel/debug/zonelens/$f"
  done
}
json_ok() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" || fail "$1 is not JSON"; }
json_lines_ok() {
  python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$1" || fail "$1 is not JSON lines"
}

case $CASE in
help)
  for c in explain snapshot diff watch capture compare-eras; do
    expect 0 "$ZL" "$c" --help
    has "usage: zonelens $c"
  done
  ;;
explain)
  # Node 2 at boot: 0 (21505) beats 1 (31745) at position 1, see make_fixtures.py.
  expect 0 "$ZL" explain 2 --root "$FX/boot"
  has "fallback order: 2 0 1"
  has "position 1: node 0: lower score: 21505 < 31745 of node 1"
  # Node 0 at boot: nodes 1 and 2 tie at 20480, the lowest id wins.
  expect 0 "$ZL" explain 0 --root "$FX/boot" --json
  json_ok "$T/out"
  python3 - "$T/out" <<'PY' || fail "explain 0 --json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["node_order"] == [0, 1, 2], d["node_order"]
s = d["steps"][1]
assert s["picked"] == 1, s
assert s["reason"] == "full tie, lowest id", s
assert s["winner"]["total"] == 20480 and s["runner_up"]["node"] == 2, s
PY
  # Node 0 after the memory online (runtime with CPUs on 0,1): 2 (20480) before 1 (21504).
  expect 0 "$ZL" explain 0 --root "$FX/mem-online"
  has "fallback order: 0 2 1 3"
  has "masks of event 2"
  expect 2 "$ZL" explain 9 --root "$FX/boot"
  err_has "node 9 is not a possible node"
  one_line_err
  expect 2 "$ZL" explain 0 --root "$T/nowhere"
  one_line_err
  ;;
snapshot)
  expect 0 "$ZL" snapshot --root "$FX/mem-online" -o "$T/B.json"
  json_ok "$T/B.json"
  python3 - "$T/B.json" <<'PY' || fail "snapshot document: $(head -c 800 "$T/B.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["zonelens_snapshot"] == 1 and d["generation"] == 1
assert d["kernel_release"] == "6.12.0-zonelens-wf" and d["osrelease"] == "6.12.0-zonelens-wf"
assert d["event_log"]["last_seq"] == 2 and len(d["events"]) == 2
assert d["raw"]["snapshot"].startswith("zonelens-format 1") and d["raw"]["events"].endswith("end\n")
assert [z["fallback"] for z in d["zonelists"] if z["node"] == 0][0][3] == "2:Normal"
PY
  expect 0 "$ZL" snapshot --root "$FX/boot"
  json_ok "$T/out"
  # No module files under the root: one sentence naming the directory.
  mkdir -p "$T/bare/sys/devices/system/node"
  expect 2 "$ZL" snapshot --root "$T/bare" -o "$T/x.json"
  err_has "zonelens not found"
  one_line_err
  # A root without osrelease is incomplete: refused, naming the file, nothing written.
  cp -r "$FX/mem-online" "$T/noos"
  rm "$T/noos/proc/sys/kernel/osrelease"
  expect 2 "$ZL" snapshot --root "$T/noos" -o "$T/y.json"
  err_has "proc/sys/kernel/osrelease"
  one_line_err
  [ ! -e "$T/y.json" ] || fail "snapshot wrote $T/y.json for an incomplete root"
  ;;
diff-explained)
  "$ZL" snapshot --root "$FX/boot" -o "$T/A.json" || fail "snapshot A"
  "$ZL" snapshot --root "$FX/mem-online" -o "$T/B.json" || fail "snapshot B"
  expect 0 "$ZL" diff "$T/A.json" "$T/B.json"
  has "result: explained: rebuild after memory online on node 3 (seq 2) saw CPUs on nodes 0,1"
  has "as predicted"
  expect 0 "$ZL" diff "$T/A.json" "$T/B.json" --json
  json_ok "$T/out"
  has '"result": "explained"'
  expect 0 "$ZL" diff "$T/B.json" "$T/B.json"
  has "no zonelist changed"
  ;;
diff-tampered)
  "$ZL" snapshot --root "$FX/boot" -o "$T/A.json" || fail "snapshot A"
  "$ZL" snapshot --root "$FX/mem-online-tampered" -o "$T/B.json" || fail "snapshot B"
  expect 1 "$ZL" diff "$T/A.json" "$T/B.json"
  has "result: unexplained"
  has "node 0: fallback\[3\] is 1:Normal, the model predicts 2:Normal"
  expect 1 "$ZL" diff "$T/A.json" "$T/B.json" --json
  has '"result": "unexplained"'
  ;;
diff-no-event)
  "$ZL" snapshot --root "$FX/boot" -o "$T/A.json" || fail "snapshot A"
  "$ZL" snapshot --root "$FX/no-event" -o "$T/B.json" || fail "snapshot B"
  expect 1 "$ZL" diff "$T/A.json" "$T/B.json"
  has "with no logged event between the snapshots"
  ;;
diff-errors)
  "$ZL" snapshot --root "$FX/mem-online" -o "$T/B.json" || fail "snapshot B"
  head -c 2000 "$T/B.json" >"$T/trunc.json"
  expect 2 "$ZL" diff "$T/B.json" "$T/trunc.json"
  err_has "trunc.json: not a complete JSON document"
  one_line_err
  # Lists edited in the derived fields only: refused, the raw texts are the authority.
  sed 's/"fingerprint": "815f/"fingerprint": "915f/' "$T/B.json" >"$T/edited.json"
  expect 2 "$ZL" diff "$T/B.json" "$T/edited.json"
  err_has "disagree with raw.snapshot"
  # A raw module text without its `end` line.
  python3 - "$T/B.json" "$T/noend.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["raw"]["snapshot"] = d["raw"]["snapshot"].replace("end\n", "")
json.dump(d, open(sys.argv[2], "w"))
PY
  expect 2 "$ZL" diff "$T/B.json" "$T/noend.json"
  err_has "truncated"
  one_line_err
  expect 2 "$ZL" diff "$T/B.json" "$T/missing.json"
  err_has "missing.json not found"
  expect 2 "$ZL" diff "$T/B.json"
  ;;
capture-dir)
  expect 0 "$ZL" capture "$T/cap" --root "$FX/mem-online"
  has "with the module's debugfs files"
  for f in sys/kernel/debug/zonelens/snapshot sys/kernel/debug/zonelens/events \
           sys/devices/system/node/has_memory sys/devices/system/node/node3/distance \
           proc/zoneinfo proc/sys/kernel/osrelease zonelens-capture.json; do
    [ -f "$T/cap/$f" ] || fail "capture lacks $f"
  done
  cmp "$T/cap/sys/kernel/debug/zonelens/snapshot" "$FX/mem-online/sys/kernel/debug/zonelens/snapshot" \
    || fail "snapshot not copied byte for byte"
  # A capture of a capture reads the same.
  expect 0 "$ZL" capture "$T/cap2" --root "$T/cap" --json
  json_ok "$T/out"
  has '"reads_back": true'
  "$ZL" verify --root "$FX/mem-online" >"$T/v1" 2>&1
  "$ZL" verify --root "$T/cap2" >"$T/v2" 2>&1
  sed "s#$FX/mem-online#ROOT#; s#$T/cap2#ROOT#" "$T/v1" >"$T/v1s"
  sed "s#$FX/mem-online#ROOT#; s#$T/cap2#ROOT#" "$T/v2" >"$T/v2s"
  cmp "$T/v1s" "$T/v2s" || fail "verify differs on the capture: $(diff "$T/v1s" "$T/v2s")"
  expect 2 "$ZL" capture "$T/cap" --root "$FX/mem-online"
  err_has "exists and is not an empty directory"
  one_line_err
  ;;
capture-tgz)
  expect 0 "$ZL" capture "$T/c.tar.gz" --root "$FX/boot"
  mkdir "$T/x" && tar -xzf "$T/c.tar.gz" -C "$T/x" || fail "archive does not unpack"
  [ -f "$T/x/sys/kernel/debug/zonelens/snapshot" ] || fail "archive lacks the snapshot"
  expect 0 "$ZL" explain 2 --root "$T/x"
  has "fallback order: 2 0 1"
  expect 2 "$ZL" capture "$T/c.tar.gz" --root "$FX/boot"
  err_has "exists"
  ;;
watch-event)
  # Start on the boot root, then the "kernel" onlines memory on node 3: watch sees both events,
  # re-verifies once, and stops by itself after 2 events.
  cp -r "$FX/boot" "$T/live"
  "$ZL" watch --root "$T/live" --interval 50 --count 2 --timeout 20 --json >"$T/out" 2>"$T/err" &
  pid=$!
  sleep 0.5
  online_to "$T/live" mem-online
  wait $pid; rc=$?
  [ "$rc" -eq 0 ] || fail "watch exited $rc: $(cat "$T/out" "$T/err")"
  json_lines_ok "$T/out"
  python3 - "$T/out" <<'PY' || fail "watch output: $(cat "$T/out")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["type"] == "start" and lines[0]["check"]["verified"], lines[0]
assert lines[0]["check"]["stale_nodes"] == [0], lines[0]
ev = [l for l in lines if l["type"] == "event"]
assert [e["seq"] for e in ev] == [1, 2], ev
assert ev[1]["generation_changed"] and ev[1]["check"]["verified"], ev[1]
assert ev[1]["check"]["stale_nodes"] == [], ev[1]
assert lines[-1] == {"schema": 1, "type": "stop", "reason": "count", "events": 2, "failed": False}, lines[-1]
PY
  # Text mode, replaying the log of a tampered root: fail-fast stops with exit 1.
  expect 1 "$ZL" watch --root "$FX/mem-online-tampered" --from-start --fail-fast --interval 20 --timeout 10
  has "MISMATCH on nodes 0"
  has "stopped (fail-fast)"
  ;;
watch-inflight)
  # The "kernel" is in the middle of onlining memory on node 3: its event log (format 4) says so
  # and holds only mem_going_online. watch defers: nothing is reported while the operation is in
  # flight; once it has ended, both events come, with the check of the state after it.
  cp -r "$FX/boot" "$T/live"
  M="$T/live/sys/kernel/debug/zonelens"
  "$ZL" watch --root "$T/live" --interval 50 --count 2 --timeout 20 --json >"$T/out" 2>"$T/err" &
  pid=$!
  started "$pid" '"type":"start"'
  {
    echo "zonelens-format 4"
    sed -n 2p "$FX/mem-online/sys/kernel/debug/zonelens/events" | sed 's/last_seq 2/last_seq 1/'
    echo "inflight online nid 3 pfn 0x180000 nr 32768 seq 1"
    sed -n 3p "$FX/mem-online/sys/kernel/debug/zonelens/events"
    echo end
  } >"$M/events.new"
  "$ZL" show --root "$T/live" >/dev/null 2>&1  # the boot root still reads
  mv "$M/events.new" "$M/events"
  sleep 0.6
  kill -0 "$pid" 2>/dev/null || fail "watch ended during the operation: $(cat "$T/out" "$T/err")"
  [ "$(grep -c '"type":"event"' "$T/out")" -eq 0 ] || fail "watch reported an event in flight: $(cat "$T/out")"
  online_to "$T/live" mem-online
  wait $pid; rc=$?
  [ "$rc" -eq 0 ] || fail "watch exited $rc: $(cat "$T/out" "$T/err")"
  python3 - "$T/out" <<'PY' || fail "watch output: $(cat "$T/out")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ev = [l for l in lines if l["type"] == "event"]
assert [e["seq"] for e in ev] == [1, 2], ev
assert ev[1]["generation_changed"] and ev[1]["check"]["verified"], ev[1]
assert lines[-1] == {"schema": 1, "type": "stop", "reason": "count", "events": 2, "failed": False}, lines[-1]
PY
  ;;
watch-timeout)
  expect 0 "$ZL" watch --root "$FX/mem-online" --interval 20 --timeout 0.3
  has "watching"
  has "stopped (timeout) after 0 events"
  expect 2 "$ZL" watch --root "$FX/mem-online" --interval 1 --timeout 1
  err_has "interval"
  ;;
watch-signal)
  # The signal goes only after the start line: watch installs its handlers before printing it, so
  # the signal cannot arrive before the handler (it did once under load with a fixed sleep).
  "$ZL" watch --root "$FX/mem-online" --interval 20 >"$T/out" 2>"$T/err" &
  pid=$!
  started "$pid" "watching"
  kill -TERM $pid
  wait $pid; rc=$?
  [ "$rc" -eq 0 ] || fail "watch exited $rc after SIGTERM: $(cat "$T/err")"
  has "stopped (signal)"
  "$ZL" watch --root "$FX/mem-online" --interval 20 --json >"$T/out" 2>"$T/err" &
  pid=$!
  started "$pid" '"type":"start"'
  kill -INT $pid
  wait $pid; rc=$?
  [ "$rc" -eq 0 ] || fail "watch exited $rc after SIGINT"
  json_lines_ok "$T/out"
  has '"reason":"signal"'
  ;;
compare-eras)
  # Node 3 is memoryless at boot: 6.1 (5.19-6.6) prints it first in its own order (3 2 1 0), 6.7+
  # skips it (2 1 0). It has no zones, so no list changes: only the printed order differs.
  expect 0 "$ZL" compare-eras --root "$FX/boot" --kernel 6.1.0 --kernel 6.12.0
  has "node 3: unchanged (order 3 2 1 0, printed as 2 1 0; the lists are the same)"
  has "node 0: unchanged (order 0 1 2)"
  has "result: 0 of 4 nodes change"
  expect 0 "$ZL" compare-eras --root "$FX/boot" --kernel 6.1.0 --json
  json_ok "$T/out"
  has '"changed": 0'
  # A real change: the CPU-less node 3 of the four-node machine (tests/fixtures/roots) under
  # 4.14-5.15's load counter (3 2 0 1) and 6.7+ (1 0 2): its fallback list changes.
  expect 0 "$ZL" compare-eras --root "$FX/../../fixtures/roots/four-node-sysfs" --kernel 5.15.0 --kernel 6.12.0
  has "node 3: changes"
  has "    from     2:Normal 0:Normal 0:DMA32 0:DMA 1:Normal"
  has "result: 1 of 4 nodes change"
  expect 0 "$ZL" compare-eras --root "$FX/../../fixtures/roots/four-node-sysfs" --kernel 5.15.0 --kernel 6.12.0 --json
  has '"changed": 1'
  expect 2 "$ZL" compare-eras --root "$FX/boot"
  one_line_err
  expect 2 "$ZL" compare-eras --root "$FX/boot" --kernel banana
  err_has "banana"
  ;;
*)
  fail "unknown case"
  ;;
esac
exit 0
