#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-test of zlvm.py's checks, no VM: a synthetic guest console that must pass, and doctored
copies that must each fail with the expected problem."""
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import zlvm  # noqa: E402

TOPO = {"name": "self", "nodes": [], "steps": ["check boot", "check after"]}

SNAP0 = """zonelens-format 2
zone_names DMA DMA32 Normal Movable Device
stable 1
passes 2
node_states possible 0-2
node_states online 0-2
node_states memory 0-2
distance 0 0 10
distance 0 1 20
distance 0 2 20
distance 1 0 20
distance 1 1 10
distance 1 2 20
distance 2 0 20
distance 2 1 20
distance 2 2 10
zonelist 0 fallback 0:DMA32 0:DMA 1:DMA32 2:DMA32
zonelist 0 nofallback 0:DMA32 0:DMA
zonelist 1 fallback 1:DMA32 2:DMA32 0:DMA32 0:DMA
zonelist 1 nofallback 1:DMA32
zonelist 2 fallback 2:DMA32 0:DMA32 0:DMA 1:DMA32
zonelist 2 nofallback 2:DMA32
end""".splitlines()

SNAP1 = [ln.replace("zonelist 0 fallback 0:DMA32 0:DMA 1:DMA32 2:DMA32",
                    "zonelist 0 fallback 0:DMA32 0:DMA 2:Movable 2:DMA32 1:DMA32")
         .replace("zonelist 1 fallback 1:DMA32 2:DMA32", "zonelist 1 fallback 1:DMA32 2:Movable 2:DMA32")
         .replace("zonelist 2 fallback 2:DMA32", "zonelist 2 fallback 2:Movable 2:DMA32") for ln in SNAP0]

SYSFS = ["state possible 0-2", "state online 0-2", "state has_memory 0-2", "state has_cpu 0-1",
         "node 0 cpus 0 dist 10 20 20", "node 1 cpus 1 dist 20 10 20", "node 2 cpus  dist 20 20 10"]

BOOT_DMESG = """[    0.1] Fallback order for Node 0: 0 1 2
[    0.1] Fallback order for Node 1: 1 2 0
[    0.1] Fallback order for Node 2: 2 0 1
[    0.1] mminit::zonelist general 0:DMA = 0:DMA
[    0.1] mminit::zonelist general 0:DMA32 = 0:DMA32 0:DMA 1:DMA32 2:DMA32
[    0.1] mminit::zonelist thisnode 0:DMA = 0:DMA
[    0.1] mminit::zonelist thisnode 0:DMA32 = 0:DMA32 0:DMA
[    0.1] mminit::zonelist general 1:DMA32 = 1:DMA32 2:DMA32 0:DMA32 0:DMA
[    0.1] mminit::zonelist thisnode 1:DMA32 = 1:DMA32
[    0.1] mminit::zonelist general 2:DMA32 = 2:DMA32 0:DMA32 0:DMA 1:DMA32
[    0.1] mminit::zonelist thisnode 2:DMA32 = 2:DMA32""".splitlines()

AFTER_DMESG = """[    5.0] Fallback order for Node 0: 0 2 1
[    5.0] Fallback order for Node 1: 1 2 0
[    5.0] Fallback order for Node 2: 2 0 1""".splitlines()



def rows(snap):
    """The same snapshot in format 3: a `distance FROM V...` row per node instead of triples."""
    out, seen = [], {}
    for ln in snap:
        f = ln.split()
        if f[0] == "zonelens-format":
            out.append("zonelens-format 3")
        elif f[0] == "distance":
            if f[1] not in seen:
                seen[f[1]] = len(out)
                out.append(f"distance {f[1]}")
            out[seen[f[1]]] += f" {f[3]}"
        else:
            out.append(ln)
    return out


def console(boot_dmesg=BOOT_DMESG, after_dmesg=AFTER_DMESG, snap0=SNAP0, snap1=SNAP1, rc1=0):
    out = ["@@START 6.12.117+deb12-amd64 mod=1 tool=1 block=134217728"]
    for tag, dm, snap, rc in (("boot", boot_dmesg, snap0, 0), ("after", after_dmesg, snap1, rc1)):
        out += [f"@@CHECK {tag}", "@@DMESG", *dm, "@@SYSFS", *SYSFS, "@@SNAP", *snap, "@@SNAPRC 0",
                "@@VERIFY", "result: match", f"@@VERIFYRC {rc}", f"@@ENDCHECK {tag}"]
    return out + ["@@DONE"]


def problems(lines):
    return zlvm.check_run(TOPO, "6.12", lines, None, True, True)[0]


def setblock(state_file_kind):
    """Runs init.sh's setblock (with STATE_BOUND=1) under busybox against a fake memory block whose
    state file is a regular file, or a FIFO nobody reads: a write that never ends, as an offline
    that never leaves its migration retries. Returns (exit code, seconds, /tmp/err's text)."""
    init = (Path(__file__).resolve().parent / "init.sh").read_text()
    fn = re.search(r"^setblock\(\) \{\n.*?^\}\n", init, re.S | re.M).group(0)
    with tempfile.TemporaryDirectory() as d:
        block, err = Path(d) / "memory9", Path(d) / "err"
        block.mkdir()
        if state_file_kind == "fifo":
            os.mkfifo(block / "state")
        else:
            (block / "state").write_text("offline\n")
        script = fn.replace("/tmp/err", str(err)) + f'STATE_BOUND=1\nsetblock {block} offline\n'
        start = time.monotonic()
        rc = subprocess.run(["busybox", "sh", "-c", script], timeout=30).returncode
        return rc, time.monotonic() - start, err.read_text() if err.exists() else ""


def main():
    failed = 0

    def check(name, ok, detail):
        nonlocal failed
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f": {detail}"))
        failed += not ok

    rc, secs, err = setblock("file")
    check("setblock writes a state", rc == 0 and secs < 1 and not err, (rc, secs, err))
    rc, secs, err = setblock("fifo")
    check("setblock interrupts a write that never ends", rc != 0 and 1 <= secs < 5 and "interrupted after 1s" in err,
          (rc, secs, err))

    def expect(name, lines, needle):
        p = problems(lines)
        check(name, (not p) if needle is None else any(needle in x for x in p), p)

    expect("clean console passes", console(), None)
    expect("boot list differs from mminit", console(snap0=[ln.replace(
        "zonelist 1 fallback 1:DMA32 2:DMA32 0:DMA32 0:DMA", "zonelist 1 fallback 1:DMA32 0:DMA32 0:DMA 2:DMA32")
        for ln in SNAP0]), "mminit general 1:DMA32 differs")
    expect("rebuild not seen by the module", console(snap1=SNAP0), "node 0: last 'Fallback order for Node 0: 0 2 1'")
    expect("verify exit 1", console(rc1=1), "zonelens verify exited 1")
    expect("kernel WARNING", console(after_dmesg=AFTER_DMESG + ["[ 5.1] WARNING: CPU: 0 PID: 1 at mm/x.c:1"]),
           "WARNING:")
    expect("truncated snapshot", console(snap1=SNAP1[:-1]), "does not start with")
    expect("distance differs from sysfs", console(snap0=[ln.replace("distance 2 1 20", "distance 2 1 30")
                                                        for ln in SNAP0]), "sysfs distance")
    expect("format 3 console passes", console(snap0=rows(SNAP0), snap1=rows(SNAP1)), None)
    expect("format 3 distance differs from sysfs", console(snap0=[ln.replace("distance 2 20 20 10", "distance 2 20 30 10")
                                                                 for ln in rows(SNAP0)]), "sysfs distance")
    expect("format 3 row too short", console(snap0=[ln.replace("distance 2 20 20 10", "distance 2 20 20")
                                                     for ln in rows(SNAP0)]), "not one per possible node")
    expect("guest died", console()[:-1], "did not reach @@DONE")
    f4 = [ln.replace("zonelens-format 3", "zonelens-format 4") for ln in rows(SNAP0)]
    f4.insert(f4.index("passes 2") + 1, "inflight none")
    expect("format 4 console passes", console(snap0=f4), None)
    expect("format 4 operation in flight at a check",
           console(snap0=[ln.replace("inflight none", "inflight online nid 2 pfn 0x100000 nr 32768 seq 4")
                          for ln in f4]), "a memory operation is in flight")
    expect("reader whose tool never read",
           console()[:-1] + ["@@READS cat 9 tool_ok 0 tool_waited 0 during_reload 0 inflight_snapshots 0 "
                             "unstable_snapshots 0", "@@DONE"], "never read the module")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
