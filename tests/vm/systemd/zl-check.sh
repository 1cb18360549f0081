#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs in the systemd guest of tests/vm/systemd-guest.py (zl-check.service, output on ttyS0). Waits
# for zonelens-verify.timer's boot run, asks the host for a DIMM on the memoryless node ("@@REQ
# dimm"), waits for the run after the burst of memory-block online events, prints the journal, the
# Result and the metrics file; then rmmod zonelens, two bursts of real offline/online events, and the
# journal again. The host checks everything; the waits here only bound how long the guest waits.
set -u
MEM=/sys/devices/system/memory
PROM=/var/lib/prometheus/node-exporter/zonelens.prom
say() { echo "@@$*"; }
# completed runs: systemd's "Finished" (UNIT_STARTED) or "Failed" (UNIT_FAILED) message for the unit
runs() {
	journalctl -q -u zonelens-verify.service -o cat MESSAGE_ID=39f53479d3a045ac8e11786248231fbf \
		MESSAGE_ID=be02cf6855d2428ba40df7e9d022f03d | wc -l
}
idle() {
	[ "$(systemctl is-active zonelens-verify.timer)" != active ] &&
		[ "$(systemctl is-active zonelens-verify.service)" != activating ]
}
# wait_runs N SECONDS: until N runs completed and the timer and the service are idle
wait_runs() {
	i=0
	while [ $i -lt $(($2 * 2)) ]; do
		[ "$(runs)" -ge "$1" ] && idle && return 0
		sleep 0.5
		i=$((i + 1))
	done
	say "FAIL guest: $(runs) runs of zonelens-verify.service after $2 s, expected $1"
	return 1
}
online() { cat $MEM/memory*/state | grep -c '^online'; }
dump() {
	say "JOURNAL $1"
	journalctl -q -u zonelens-verify.service -o short-monotonic --no-pager
	say "JSON $1"
	journalctl -q -u zonelens-verify.service -o json --no-pager \
		--output-fields=MESSAGE,PRIORITY,MESSAGE_ID,SYSLOG_IDENTIFIER
	say "RESULT $1 $(systemctl show -p Result zonelens-verify.service) $(systemctl show -p NRestarts zonelens-verify.service)"
	say "RUNS $1 $(runs)"
	say "PROM $1"
	cat $PROM 2>/dev/null
	say "END $1"
}

say "GUEST $(uname -r) systemd $(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')"
say "MODULE $(grep -c '^zonelens ' /proc/modules) $(test -d /sys/kernel/debug/zonelens && echo debugfs || echo no-debugfs)"
wait_runs 1 120
dump boot
before=$(online)
say "REQ dimm 1"
i=0
while [ "$(online)" -le "$before" ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i + 1)); done
set -- /sys/devices/system/node/node1/memory[0-9]*
say "BLOCKS online before=$before after=$(online) node1=$#"
wait_runs 2 60
# a third run would come within the timer's 5 s of a late event: give it twice that
sleep 12
dump hot-add

rmmod zonelens && say "RMMOD ok"
# the last of node 1's blocks: one of the hot-added DIMM's
for blk in /sys/devices/system/node/node1/memory[0-9]*; do :; done
for n in 3 4; do
	if ! { echo offline >"$blk/state" && echo online >"$blk/state"; }; then
		say "FAIL guest: offline/online of $blk"
	fi
	wait_runs $n 45
done
sleep 12
dump no-module
say "DONE"
systemctl poweroff --no-block
