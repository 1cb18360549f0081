#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""In-guest cost of `zonelens verify` against reading the module's snapshot, in one TCG guest.

Boots a Debian kernel (the VM harness's cache, tests/vm/zlvm.py) with `numa=fake=NODES`, loads the
module built from kmod/ (or from --kmod-src, e.g. an export of another branch's kmod/ and Kbuild),
and times, with the guest's /proc/uptime over REPS repetitions each:
  read     cat /sys/kernel/debug/zonelens/snapshot >/dev/null
  verify   zonelens verify >/dev/null
  show     zonelens show >/dev/null
  start    zonelens --help >/dev/null (the process start, loading and linking zonelens)
  true     busybox true (a process start alone)
It prints the snapshot's size and lines, each time per repetition, and the ratio verify/read.
Run it under the QEMU lock, e.g.

  flock /tmp/zonelens-qemu.lock benchmarks/guest_read.py --nodes 64 --build-dir build \\
      --kernel-cache build/cache/kernels --zonelens build/zonelens

At 1024 nodes the guest needs about 34 GiB of (sparse, reserve=off) guest RAM and minutes of TCG;
use --reps 1 there.
"""
import argparse
import base64
import gzip
import re
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "vm"))
import zlvm  # noqa: E402

# /init: one line per figure, "@@FIG NAME VALUE", then power off.
INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp && mount -t tmpfs tmp /tmp
dmesg -n 1
export PATH=/bin:/usr/bin:/sbin
ZL=/sys/kernel/debug/zonelens
REPS=$(cat /reps)
up() { cut -d' ' -f1 /proc/uptime; }
echo "@@START $(uname -r) nodes $(cat /sys/devices/system/node/possible)"
insmod /zonelens.ko || echo "@@FAIL insmod"
t0=$(up); cat $ZL/snapshot >/tmp/snap; t1=$(up)
echo "@@FIG first_read_s $(echo "$t1 $t0" | awk '{printf "%.2f", $1 - $2}')"
echo "@@FIG bytes $(wc -c </tmp/snap)"
echo "@@FIG lines $(wc -l </tmp/snap)"
echo "@@FIG format $(head -n1 /tmp/snap)"
echo "@@FIG stable $(grep -m1 '^stable ' /tmp/snap) $(grep -m1 '^passes ' /tmp/snap)"
if [ -f /export ]; then
	cat $ZL/events >/tmp/events
	for f in snap events; do
		echo "@@FILE $f"; gzip -c /tmp/$f | base64; echo "@@ENDFILE $f"
	done
fi
rm -f /tmp/snap
timed() {
	name=$1; shift
	t0=$(up)
	i=0; while [ $i -lt $REPS ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
	t1=$(up)
	echo "@@FIG ${name}_s $(echo "$t1 $t0 $REPS" | awk '{printf "%.4f", ($1 - $2) / $3}')"
}
timed read cat $ZL/snapshot
zonelens verify >/tmp/v 2>&1; echo "@@FIG verify_rc $?"
echo "@@FIG verify_says $(head -n1 /tmp/v)"
echo "@@FIG verify_end $(tail -n1 /tmp/v)"
zonelens --help >/dev/null 2>&1; echo "@@FIG help_rc $?"
timed verify zonelens verify
timed show zonelens show
timed start zonelens --help
timed true true
for p in $(cat /probes 2>/dev/null); do timed "probe_$p" $p; done
for p in $(cat /verify-also 2>/dev/null); do timed "verify_$p" $p verify; timed "start_$p" $p --help; done
echo "@@DONE"
poweroff -f
"""


def probe_entries(probes, listname="probes"):
    """The probe programs in /bin with the libraries they need (the base image has zonelens's)."""
    ents, names = [], []
    for p in probes:
        ents.append((f"bin/{p.name}", 0o100755, p.read_bytes()))
        names.append(p.name)
        for dep in zlvm.ldd_deps(p):
            ents.append((dep.lstrip("/"), 0o100755, zlvm.stripped(dep)))
    if names:
        ents.append((listname, 0o100644, (" ".join(names) + "\n").encode()))
    return ents


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=64, help="numa=fake=NODES (default 64)")
    ap.add_argument("--kernel", default="6.12", help="kernel tag of the cache (default 6.12)")
    ap.add_argument("--kernel-cache", type=Path, required=True, help="tests/vm/fetch-kernels.sh cache")
    ap.add_argument("--build-dir", type=Path, required=True, help="build tree (work files go to BUILD/vm-bench)")
    ap.add_argument("--zonelens", type=Path, required=True, help="the zonelens binary to run in the guest")
    ap.add_argument("--kmod-src", type=Path, help="tree whose kmod/ and Kbuild to build (default: this one)")
    ap.add_argument("--reps", type=int, default=10, help="repetitions of each timed command (default 10)")
    ap.add_argument("--mem", type=int, help="guest RAM in MiB (default max(2048, 40 * NODES))")
    ap.add_argument("--export", type=Path, help="also copy the snapshot and events out of the guest into "
                    "DIR/sys/kernel/debug/zonelens (a root for `zonelens verify --root DIR`)")
    ap.add_argument("--probe", type=Path, action="append", default=[],
                    help="also time this program (run without arguments), e.g. an empty program "
                         "linked with a library, to see what loading the library costs")
    ap.add_argument("--verify-also", type=Path, action="append", default=[],
                    help="also time `PROGRAM verify` and `PROGRAM --help`, e.g. another zonelens "
                         "build (a static one), in the same guest")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds for the whole guest run")
    args = ap.parse_args()

    work = args.build_dir.resolve() / "vm-bench"
    work.mkdir(parents=True, exist_ok=True)
    if args.kmod_src:
        zlvm.REPO = args.kmod_src.resolve()
    kenv = zlvm.kernel_env(args.kernel_cache.resolve(), args.kernel)
    tag = f"{args.kernel}-{'own' if not args.kmod_src else args.kmod_src.resolve().name}"
    module = zlvm.build_module(work, tag, kenv)
    mem = args.mem or max(2048, 40 * args.nodes)
    with tempfile.TemporaryDirectory(dir=work) as td:
        tmp = Path(td)
        base = tmp / "base.gz"
        zlvm.build_base_initramfs(base, module, args.zonelens.resolve())
        initrd = tmp / "initrd.gz"
        initrd.write_bytes(base.read_bytes() + zlvm.cpio_newc(
            [("init", 0o100755, INIT.encode()), ("reps", 0o100644, f"{args.reps}\n".encode())]
            + ([("export", 0o100644, b"1\n")] if args.export else [])
            + probe_entries(args.probe)
            + probe_entries(args.verify_also, "verify-also")))
        qemu = ["qemu-system-x86_64", "-M", "q35", "-nographic", "-no-reboot", "-cpu", "max",
                "-smp", "2", "-m", f"{mem}M",
                "-object", f"memory-backend-ram,id=mem0,size={mem}M,reserve=off",
                "-machine", "memory-backend=mem0",
                "-kernel", kenv["VMLINUZ"], "-initrd", str(initrd),
                "-append", f"console=ttyS0 numa=fake={args.nodes} loglevel=4 panic=-1 nokaslr",
                "-accel", "tcg,thread=multi"]
        start = time.time()
        r = zlvm.subprocess.run(qemu, stdin=zlvm.subprocess.DEVNULL, capture_output=True, text=True,
                                errors="replace", timeout=args.timeout)
        elapsed = time.time() - start
    out = r.stdout.replace("\r", "")
    (work / f"guest-{tag}-{args.nodes}.log").write_text(out)
    if args.export:
        dst = args.export / "sys/kernel/debug/zonelens"
        dst.mkdir(parents=True, exist_ok=True)
        for name, body in re.findall(r"^@@FILE (\S+)\n(.*?)^@@ENDFILE \1$", out, re.M | re.S):
            data = gzip.decompress(base64.b64decode("".join(body.split())))
            (dst / ("snapshot" if name == "snap" else name)).write_bytes(data)
    figs = dict(re.findall(r"^@@FIG (\S+) (.*)$", out, re.M))
    if "@@DONE" not in out or "@@FAIL" in out:
        print(f"guest_read: the guest did not finish (log {work}/guest-{tag}-{args.nodes}.log)", file=sys.stderr)
        print(out[-3000:], file=sys.stderr)
        return 1
    print(f"kernel {args.kernel}, numa=fake={args.nodes}, module from {zlvm.REPO}/kmod, "
          f"{args.reps} repetitions, guest run {elapsed:.0f} s")
    for k, v in figs.items():
        print(f"  {k:14} {v}")
    read, verify, show = (float(figs[k]) for k in ("read_s", "verify_s", "show_s"))
    print(f"  verify/read    {verify / read:.2f}")
    print(f"  show/read      {show / read:.2f}")
    start = float(figs["start_s"])
    print(f"  (verify-start)/read {(verify - start) / read:.2f}")
    for p in args.verify_also:
        print(f"  verify/read with {p.name}: {float(figs['verify_' + p.name + '_s']) / read:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
