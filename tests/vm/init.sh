#!/bin/busybox sh
# shellcheck shell=dash disable=SC2086,SC2046,SC2012,SC3037
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the zonelens test guest. Runs the steps in /steps (written by tests/vm/zlvm.py), one per line,
# and prints everything the host checks between @@ markers on the serial console. The host answers
# "@@REQ dimm ID" lines over QMP (it plugs the DIMM); the guest polls sysfs for the new memory blocks.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp && mount -t tmpfs tmp /tmp
dmesg -n 1
export PATH=/bin:/usr/bin:/sbin
MEM=/sys/devices/system/memory
ZL=/sys/kernel/debug/zonelens
HAVE_MOD=0; [ -f /zonelens.ko ] && HAVE_MOD=1
HAVE_TOOL=0; [ -x /bin/zonelens ] && HAVE_TOOL=1
BS=$(printf '%d' 0x$(cat $MEM/block_size_bytes))
echo "@@START $(uname -r) mod=$HAVE_MOD tool=$HAVE_TOOL block=$BS"

fail() { echo "@@FAIL $*"; }

blocks() { ls -d $MEM/memory[0-9]* 2>/dev/null | sort; }

docheck() {
	echo "@@CHECK $1"
	echo "@@DMESG"
	dmesg -c
	echo "@@SYSFS"
	for f in possible online has_memory has_normal_memory has_cpu; do
		echo "state $f $(cat /sys/devices/system/node/$f 2>/dev/null)"
	done
	for n in /sys/devices/system/node/node[0-9]*; do
		echo "node ${n##*/node} cpus $(cat $n/cpulist) dist $(cat $n/distance)"
	done
	if [ $HAVE_MOD = 1 ]; then
		echo "@@SNAP"
		cat $ZL/snapshot
		echo "@@SNAPRC $?"
		if [ $HAVE_TOOL = 0 ]; then
			# no zonelens in this guest (arm64, ppc64el): the host verifies what the module said
			echo "@@EVENTS"
			cat $ZL/events
			echo "@@EVENTSRC $?"
		fi
	fi
	if [ $HAVE_TOOL = 1 ]; then
		echo "@@VERIFY"
		zonelens verify 2>&1
		echo "@@VERIFYRC $?"
		if [ "$2" = report ]; then
			echo "@@REPORT"
			zonelens show 2>&1
			zonelens predict 2>&1
			zonelens verify 2>&1
		fi
	fi
	echo "@@ENDCHECK $1"
}

# dimm ID SIZE_MB MODE: ask the host to plug it, wait for its blocks, online them with MODE
# (MODE none: leave them offline, e.g. to check the self-only build of a node the DIMM brought online)
dodimm() {
	want=$(( $2 * 1048576 / BS ))
	blocks >/tmp/before
	echo "@@REQ dimm $1"
	i=0
	while :; do
		blocks | grep -vxF -f /tmp/before >/tmp/new
		[ "$(wc -l </tmp/new)" -ge "$want" ] && break
		i=$((i + 1))
		[ $i -gt 600 ] && { fail "dimm $1: $(wc -l </tmp/new) of $want blocks after 60s"; return; }
		sleep 0.1
	done
	cp /tmp/new /tmp/dimm_$1
	[ "$3" = none ] || for b in $(cat /tmp/dimm_$1); do
		# pseries onlines a hot-added LMB itself (dlpar_add_lmb -> dlpar_online_lmb, the default
		# zone; Movable with movable_node, which topologies.for_arch sets): keep it for "online" and,
		# in Movable, for "online_movable"; otherwise offline it and online it with MODE
		if [ "$(cat $b/state)" = online ]; then
			z=$(cat $b/valid_zones)
			echo "@@NOTE dimm $1 ${b##*/}: onlined by the kernel ($z)"
			[ "$3" = online ] && continue
			[ "$3" = online_movable ] && [ "$z" = Movable ] && continue
			setblock $b offline || { fail "dimm $1: offline ${b##*/} for $3: $(cat /tmp/err)"; continue; }
		fi
		setblock $b "$3" || fail "dimm $1: $3 ${b##*/}: $(cat /tmp/err)"
	done
	echo "@@DIMM $1 $(for b in $(cat /tmp/dimm_$1); do echo -n "${b##*/memory}:$(ls -d $b/node* | sed 's/.*node//'):$(cat $b/state)@$(cat $b/valid_zones 2>/dev/null | tr ' ' ,) "; done)"
}

# setblock BLOCK STATE: write STATE to a memory block's state file, bounded. offline_pages()
# retries migration until a signal is pending (mm/memory_hotplug.c, "signal backoff", in 5.10, 6.1,
# 6.12 and 7.2 alike), so a block holding a page it can neither migrate nor call unmovable is offlined
# forever: seen once on 7.2 in churn (stress-4249: an offline of DIMM 1's first block). After
# $STATE_BOUND seconds the writer gets SIGTERM: the kernel cancels the offline (MEM_CANCEL_OFFLINE) and
# the write fails with EINTR, as it does for an operator's timeout(1). The error is in /tmp/err.
STATE_BOUND=10
setblock() {
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments
	timeout -s TERM $STATE_BOUND sh -c 'echo "$2" >"$1/state"' sh "$1" "$2" 2>/tmp/err
	rc=$?
	[ $rc -ge 124 ] && echo "interrupted after ${STATE_BOUND}s (offline_pages retries until a signal)" >>/tmp/err
	[ $rc = 0 ]
}

# setdimm ID STATE [tolerate]: offline / online the blocks of DIMM ID
setdimm() {
	for b in $(cat /tmp/dimm_$1); do
		if ! setblock $b "$2"; then
			if [ "$3" = tolerate ]; then echo "@@NOTE dimm $1 $2 ${b##*/}: $(cat /tmp/err)"
			else fail "dimm $1: $2 ${b##*/}: $(cat /tmp/err)"; fi
		fi
	done
}

setcpu() {
	echo "$2" >/sys/devices/system/cpu/cpu$1/online 2>/tmp/err || fail "cpu$1 online=$2: $(cat /tmp/err)"
}

# A reader beside the hotplug steps: the module's files with cat, and `zonelens show` and
# `zonelens verify`, which wait for a settled state while an operation is in flight: with --wait
# longer than STATE_BOUND, the longest an operation lasts here (the default 5 s is shorter than
# an offline that ends in its signal backoff). Every read is counted; a tool read fails the test unless the module was being
# reloaded (/tmp/reloading) when it started or ended. tool_waited counts the tool reads that took
# more than one read of the module's files ("module_reads" in their JSON), inflight the snapshots the
# module rendered during a memory operation ("inflight online|offline ...").
reader_loop() {
	n=0 ok=0 waited=0 rl=0 inflight=0 unstable=0
	while [ ! -f /tmp/stop ]; do
		n=$((n + 1))
		if cat $ZL/snapshot >/tmp/rd 2>/dev/null; then
			if [ "$(head -n1 /tmp/rd)" != "zonelens-format $(cat /zl-format)" ] || [ "$(tail -n1 /tmp/rd)" != end ]; then
				echo "@@FAIL reader: snapshot $n does not parse: $(head -n1 /tmp/rd) ... $(tail -n1 /tmp/rd)"
			fi
			if grep -q '^inflight o' /tmp/rd; then
				inflight=$((inflight + 1))
				keep_inflight
			fi
			grep -qx 'stable 0' /tmp/rd && unstable=$((unstable + 1))
		fi
		for f in header nodes distance zones zonelists events; do cat $ZL/$f >/dev/null 2>&1; done
		[ $HAVE_TOOL = 1 ] || continue
		for cmd in show verify; do
			before=0
			[ -f /tmp/reloading ] && before=1
			zonelens $cmd --json --wait $((STATE_BOUND * 3)) >/tmp/rs 2>&1
			rc=$?
			if [ $rc = 0 ]; then
				ok=$((ok + 1))
				# more than one read: it waited for an operation in flight to end
				grep -q '"module_reads": 1,' /tmp/rs || waited=$((waited + 1))
			elif [ $before = 1 ] || [ -f /tmp/reloading ]; then
				rl=$((rl + 1))
			else
				echo "@@FAIL reader: zonelens $cmd rc=$rc: $(head -c 400 /tmp/rs)"
			fi
		done
	done
	echo "@@READS cat $n tool_ok $ok tool_waited $waited during_reload $rl inflight_snapshots $inflight unstable_snapshots $unstable"
}

# The first snapshot the reader sees rendered during an online and during an offline, with the
# events read right after it, kept as roots /tmp/export/inflight-{online,offline} (sent to the host
# at reader_stop: real in-flight states for tests/fixtures).
keep_inflight() {
	d=/tmp/export/inflight-$(sed -n 's/^inflight \(o[a-z]*\) .*/\1/p' /tmp/rd)
	[ -d $d ] && return
	mkdir -p $d/sys/kernel/debug/zonelens $d/proc/sys/kernel
	cp /tmp/rd $d/sys/kernel/debug/zonelens/snapshot
	cat $ZL/events >$d/sys/kernel/debug/zonelens/events 2>/dev/null
	cp /proc/sys/kernel/osrelease $d/proc/sys/kernel/
}

# send_dir NAME: /tmp/export/NAME to the host on the console, as a base64 gzip tar between
# @@FILE NAME.tar.gz and @@ENDFILE NAME.tar.gz (zlvm.py's extract_files, --save-files)
send_dir() {
	echo "@@FILE $1.tar.gz"
	tar -czf - -C /tmp/export $1 | base64
	echo "@@ENDFILE $1.tar.gz"
}

# churn ID N: N rounds over DIMM ID's blocks: offline, online (the kernel's default zone), offline,
# online_movable. Offlining a block onlined to a kernel zone may fail (unmovable pages): noted.
churn() {
	i=0 ops=0 failed=0
	while [ $i -lt "$2" ]; do
		for st in offline online offline online_movable; do
			for b in $(cat /tmp/dimm_$1); do
				ops=$((ops + 1))
				setblock $b $st || failed=$((failed + 1))
			done
		done
		i=$((i + 1))
	done
	echo "@@CHURN dimm $1 rounds $2 operations $ops refused $failed"
}

# A tight reader across a hotplug operation: every distinct state it sees (fingerprint and node
# states) becomes a root under /tmp/inflight/K, the snapshot with the events read just after it.
# Two forks a read (cat, cat), so it can land between the steps of one kernel operation, e.g. a
# DIMM add's self-only build of an offline node and node_set_online() (docs/vm-harness.md).
inflight_loop() {
	n=0 k=0 unstable=0 inflight=0 last=
	rm -rf /tmp/inflight
	while [ ! -f /tmp/ifstop ]; do
		n=$((n + 1))
		cat $ZL/snapshot >/tmp/ifs 2>/dev/null || continue
		cat $ZL/events >/tmp/ife 2>/dev/null || continue
		key= st=
		while read -r w rest; do
			case "$w" in
			fingerprint|node_states) key="$key|$w $rest" ;;
			stable) st=$rest ;;
			esac
		done </tmp/ifs
		[ "$st" = 0 ] && { unstable=$((unstable + 1)); continue; }
		# the events, read just after, may already show the next operation in flight: not a
		# settled pair (verify --root refuses it), counted and not kept
		grep -q '^inflight o' /tmp/ife && { inflight=$((inflight + 1)); continue; }
		[ "$key" = "$last" ] && continue
		last=$key k=$((k + 1))
		d=/tmp/inflight/$k
		mkdir -p $d/sys/kernel/debug/zonelens $d/proc/sys/kernel
		cp /proc/sys/kernel/osrelease $d/proc/sys/kernel/
		mv /tmp/ifs $d/sys/kernel/debug/zonelens/snapshot
		mv /tmp/ife $d/sys/kernel/debug/zonelens/events
	done
	echo "@@INFLIGHT reads $n states $k unstable $unstable inflight $inflight"
}

# Stop the reader; zonelens verify every state it kept (each must be explained)
inflight_check() {
	touch /tmp/ifstop
	wait $INFLIGHT
	rm -f /tmp/ifstop
	for d in $(ls -d /tmp/inflight/* 2>/dev/null | sort -t/ -k4 -n); do
		st=$(grep -e '^generation' -e '^node_states online' -e '^node_states memory' $d/sys/kernel/debug/zonelens/snapshot | tr '\n' ' ')
		if [ $HAVE_TOOL = 1 ]; then
			zonelens verify --root $d >/tmp/ifv 2>&1
			rc=$?
			echo "@@INFLIGHT state ${d##*/}: ${st}verify rc=$rc $(grep '^context:' /tmp/ifv | cut -c1-160)"
			[ $rc = 0 ] || { fail "inflight state ${d##*/} ($st): verify rc $rc"; cat /tmp/ifv; }
		else
			echo "@@INFLIGHT state ${d##*/}: $st"
		fi
	done
}

# zl SUB ARGS: the workflow steps of docs/workflow.md (snapshot / diff / watch / capture)
zlstep() {
	sub=$1
	shift
	case "$sub" in
	inflight_start)
		inflight_loop &
		INFLIGHT=$! ;;
	inflight_stop) inflight_check ;;
	watch_start)
		zonelens watch "$@" >/tmp/watch.jsonl 2>/tmp/watch.err &
		WATCH=$! ;;
	snapshot)
		zonelens snapshot -o /tmp/$1.json >/tmp/zlout 2>&1 || fail "zl snapshot $1: $(head -c 400 /tmp/zlout)" ;;
	diff)
		zonelens diff /tmp/$1.json /tmp/$2.json >/tmp/zlout 2>&1
		rc=$?
		echo "@@WORKFLOW diff $1 $2 rc=$rc"
		cat /tmp/zlout
		echo "@@ENDWORKFLOW"
		[ "$3" = expect ] && [ "$rc" != "$4" ] && fail "zl diff $1 $2: rc $rc, expected $4" ;;
	watch_stop)
		kill -INT $WATCH
		wait $WATCH
		rc=$?
		echo "@@WORKFLOW watch rc=$rc"
		cat /tmp/watch.jsonl /tmp/watch.err
		echo "@@ENDWORKFLOW"
		[ $rc = 0 ] || fail "zl watch: rc $rc"
		if [ "$1" = expect-event ]; then
			# EVENT "rebuild": the first event that changed the generation, whatever its type
			# (mem_online up to 6.16, node_added_first_memory from 6.17 when a node gets its
			# first memory)
			pat="\"event\":\"$2\""
			[ "$2" = rebuild ] && pat='"generation_changed":true'
			ev=$(grep -n "$pat" /tmp/watch.jsonl | head -n1 | cut -d: -f1)
			if [ -z "$ev" ]; then
				fail "zl watch: no $2 event"
			elif [ "$3" = verified ] && ! tail -n +"$ev" /tmp/watch.jsonl | grep -q '"verified":true'; then
				fail "zl watch: no \"verified\":true after the $2 event"
			fi
		fi ;;
	capture)
		zonelens capture /tmp/$1 >/tmp/zlout 2>&1 || fail "zl capture $1: $(head -c 400 /tmp/zlout)" ;;
	export)
		# zonelens capture into /tmp/export/NAME, then send it to the host on the console as a
		# base64 gzip tar between @@FILE NAME.tar.gz and @@ENDFILE (zlvm.py's extract_files)
		mkdir -p /tmp/export
		if zonelens capture /tmp/export/$1 >/tmp/zlout 2>&1; then
			send_dir $1
		else
			fail "zl export $1: $(head -c 400 /tmp/zlout)"
		fi ;;
	service)
		# what zonelens-verify.service runs (the packaged script, from zonelens_*.deb), with the
		# guest's paths: its one line (with the journal's <priority> prefix) and the metrics file
		# it wrote, sent to the host as @@FILE NAME.prom (zlvm.py --package checks both)
		mkdir -p /tmp/textfile /tmp/run
		ZONELENS=/bin/zonelens ZONELENS_TEXTFILE_DIR=/tmp/textfile RUNTIME_DIRECTORY=/tmp/run \
			/usr/libexec/zonelens/zonelens-verify >/tmp/svc.out 2>&1
		rc=$?
		echo "@@SERVICE $1 rc=$rc $(cat /tmp/svc.out)"
		if [ -f /tmp/textfile/zonelens.prom ]; then
			echo "@@FILE $1.prom"
			base64 /tmp/textfile/zonelens.prom
			echo "@@ENDFILE $1.prom"
		else
			fail "zl service $1: no /tmp/textfile/zonelens.prom"
		fi ;;
	unload)
		rmmod zonelens 2>/tmp/err || fail "zl unload: rmmod: $(cat /tmp/err)" ;;
	*) fail "unknown zl step $sub" ;;
	esac
}

# probe TAG [text] [ARGS]: `zonelens probe --node N --json` for every node with memory (docs/probe.md;
# `text`: first the text report of the first one),
# with the module's snapshot taken just before and the kernel log of the probes after them
# (the host checks that no probe met the OOM killer, a reclaim warning or an allocation failure)
doprobe() {
	tag=$1
	shift
	echo "@@PROBE $tag"
	echo "@@PROBESNAP"
	cat $ZL/snapshot
	dmesg -c >/dev/null
	mem=$(cat /sys/devices/system/node/has_memory)
	for r in $(echo "$mem" | tr ',' ' '); do
		case $r in
		*-*) seq ${r%-*} ${r#*-} ;;
		*) echo $r ;;
		esac
	done >/tmp/probe-nodes
	if [ "$1" = text ]; then
		# the text report of the first node, for people (demo.sh, zlvm.py --print-report)
		echo "@@PROBETEXT"
		zonelens probe --node $(head -n1 /tmp/probe-nodes) --yes --timeout 900 2>&1
		echo "@@ENDPROBETEXT $?"
		shift
	fi
	for n in $(cat /tmp/probe-nodes); do
		echo "@@PROBEJSON $n"
		zonelens probe --node $n --json --yes --timeout 900 "$@" 2>&1
		echo "@@PROBERC $n $?"
	done
	# a node without memory must be refused (exit 2, one sentence), nothing allocated
	for n in /sys/devices/system/node/node[0-9]*; do
		n=${n##*/node}
		grep -qx "$n" /tmp/probe-nodes && continue
		out=$(zonelens probe --node $n --yes 2>&1)
		echo "@@PROBEREFUSE $n $? $out"
	done
	echo "@@PROBEDMESG"
	dmesg -c
	echo "@@ENDPROBE $tag"
}

# arm64: the virtio-mem driver and the virtio PCI transport (zlvm.py puts them in when the kernel
# has them), for the DIMM steps, which become virtio-mem memory there
if grep -q '^dimm ' /steps && [ -d /vmods ]; then
	for m in /vmods/*.ko; do
		insmod $m || fail "insmod $m"
	done
fi
if [ $HAVE_MOD = 1 ]; then
	insmod /zonelens.ko || fail "insmod"
fi

while read -r op rest; do
	set -- $rest
	a=$1 b=$2 c=$3
	case "$op" in
	zl) zlstep "$@" ;;
	''|'#'*) ;;
	check) docheck "$a" "$b" ;;
	probe) doprobe "$@" ;;
	sysctl)
		# sysctl PATH VALUE...: write /proc/sys/PATH (e.g. vm/lowmem_reserve_ratio for the probe)
		p=$1
		shift
		echo "$*" >/proc/sys/$p || fail "sysctl $p $*"
		echo "@@NOTE sysctl $p = $(cat /proc/sys/$p | tr '\t' ' ')" ;;
	dimm) dodimm "$a" "$b" "$c" ;;
	mem_offline) setdimm "$a" offline "$b" ;;
	mem_online) setdimm "$a" "$b" "$c" ;;
	cpu_off) setcpu "$a" 0 ;;
	cpu_on) setcpu "$a" 1 ;;
	reader_start) rm -f /tmp/stop; reader_loop & READER=$! ;;
	reader_stop)
		touch /tmp/stop
		wait $READER
		for d in inflight-online inflight-offline; do
			[ -d /tmp/export/$d ] && send_dir $d
		done ;;
	churn) churn "$a" "$b" ;;
	reload)
		# rmmod fails with EAGAIN while a reader holds a file open: retry (busy counts the retries)
		touch /tmp/reloading
		i=0 busy=0
		while [ $i -lt "$a" ]; do
			t=0
			until rmmod zonelens 2>/tmp/err; do
				t=$((t + 1)) busy=$((busy + 1))
				[ $t -gt 200 ] && { fail "rmmod $i: $(cat /tmp/err) 200 times"; break; }
				sleep 0.02
			done
			insmod /zonelens.ko || fail "insmod $i"
			i=$((i + 1))
		done
		rm -f /tmp/reloading
		echo "@@RELOADS $i busy_retries $busy" ;;
	echo) echo "@@NOTE $a $b $c" ;;
	*) fail "unknown step $op" ;;
	esac
done </steps

echo "@@DONE"
poweroff -f
