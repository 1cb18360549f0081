#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The packaged udev rule, zonelens-verify.timer and zonelens-verify.service under a real systemd.

Boots Debian's kernel (the kernel cache's TAG) in a TCG guest whose root is an ext4 image of a Debian 12
root with systemd, udev and both packages installed, DKMS having built zonelens.ko for that kernel
(tests/fresh/fresh-root.sh leaves one). The initramfs (tests/vm/systemd/init.sh) loads virtio-blk
and ext4, mounts the image and copies in the check (tests/vm/systemd/zl-check.*, modules-load.d for
zonelens) before handing over to systemd. The guest (zl-check.sh) prints the unit's journal, its
Result and the metrics file after the timer's boot run, after a DIMM hot-added over QMP to the
memoryless node (memhp_default_state=online: the kernel onlines the blocks, udev sees the online
events, the rule starts the timer), and after rmmod and two bursts of offline/online events.
Checked here: the boot run and exactly one run for the hot-add's burst, both info and match; the
metrics file through promtool with zonelens_verify_match 1 and a generation >= 1; without the module
one warning for two runs, Result=success, no restarts.
  usage: systemd-guest.py --root ROOT --work DIR [--kernel 6.1] [--kernel-cache DIR] [--timeout S]
  (as root: mke2fs -d reads the root; the guest lock is the caller's: flock /tmp/zonelens-qemu.lock)
"""
import argparse
import json
import os
import queue
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import zlvm  # noqa: E402

# what an ext4 root on virtio-blk needs from Debian 6.1's modules, in load order
ROOT_MODULES = ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci",
                "virtio_blk", "crc16", "mbcache", "jbd2", "crc32c_generic", "ext4"]
UNIT_STARTED = "39f53479d3a045ac8e11786248231fbf"
UNIT_FAILED = "be02cf6855d2428ba40df7e9d022f03d"


def build_initramfs(out, kenv):
    kmods = Path(kenv["VMLINUZ"]).parent.parent / "lib" / "modules" / kenv["KREL"]
    ents = [(d, 0o40755, None) for d in ["bin", "proc", "sys", "dev", "newroot", "lib", "lib/modules",
                                        "overlay", "overlay/etc", "overlay/etc/systemd",
                                        "overlay/etc/systemd/system", "overlay/etc/modules-load.d",
                                        "overlay/usr", "overlay/usr/local", "overlay/usr/local/sbin"]]
    ents.append(("bin/busybox", 0o100755, Path("/bin/busybox").read_bytes()))
    ents.append(("init", 0o100755, (HERE / "systemd" / "init.sh").read_bytes()))
    for m in ROOT_MODULES:
        kos = sorted(kmods.rglob(f"{m}.ko"))
        if not kos:
            raise SystemExit(f"systemd-guest: {m}.ko is not under {kmods}; unpack the kernel again "
                             "(tests/vm/fetch-kernels.sh)")
        ents.append((f"lib/modules/{m}.ko", 0o100644, kos[0].read_bytes()))
    ents.append(("modules", 0o100644, ("\n".join(ROOT_MODULES) + "\n").encode()))
    ov = "overlay/etc/systemd/system/"
    for f in ["zl-check.target", "zl-check.service"]:
        ents.append((ov + f, 0o100644, (HERE / "systemd" / f).read_bytes()))
    # none of the root's own periodic jobs in the guest (they are timers.target's too)
    for t in ["apt-daily.timer", "apt-daily-upgrade.timer", "dpkg-db-backup.timer", "e2scrub_all.timer",
              "fstrim.timer", "man-db.timer"]:
        ents.append((ov + t, 0o120777, b"/dev/null"))
    ents.append(("overlay/usr/local/sbin/zl-check", 0o100755, (HERE / "systemd" / "zl-check.sh").read_bytes()))
    ents.append(("overlay/etc/modules-load.d/zonelens.conf", 0o100644, b"zonelens\n"))
    out.write_bytes(zlvm.cpio_newc(ents))


def run(args, qmp_path, logpath, timeout):
    """Boot, answer "@@REQ dimm", return the console lines (and an error, or None)."""
    start = time.time()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines, err, qmp = [], None, None
    q = zlvm.console_queue(p)
    with open(logpath, "w") as lf:
        lf.write("# " + shlex.join(args) + "\n")
        while True:
            try:
                line = q.get(timeout=max(0.1, start + timeout - time.time()))
            except queue.Empty:
                err = f"timeout after {timeout}s"
                break
            if line is None:
                break
            lines.append(line)
            lf.write(f"{line}  # +{time.time() - start:.1f}s\n" if line.startswith("@@") else line + "\n")
            lf.flush()
            if line.startswith("@@REQ dimm"):
                try:
                    qmp = qmp or zlvm.QMP(qmp_path, start + timeout)
                    qmp.cmd("object-add", **{"qom-type": "memory-backend-ram", "id": "hp1", "size": 512 << 20})
                    qmp.cmd("device_add", driver="pc-dimm", id="dimm1", memdev="hp1", node=1)
                    lf.write("# host: plugged dimm1 512M into QEMU node 1\n")
                except Exception as e:  # noqa: BLE001
                    lines.append(f"@@FAIL host: QMP hot-add: {e}")
            if line.startswith("@@DONE"):
                break
            if time.time() > start + timeout:
                err = f"timeout after {timeout}s"
                break
        if p.poll() is None:
            p.kill()
        p.wait()
        lf.write(f"# exit {p.returncode} after {time.time() - start:.1f}s\n")
    return lines, err


def section(lines, tag, phase):
    out, on = [], False
    for ln in lines:
        if ln == f"@@{tag} {phase}":
            on = True
        elif on and ln.startswith("@@"):
            break
        elif on:
            out.append(ln)
    return out


def entries(lines, phase):
    ents = []
    for ln in section(lines, "JSON", phase):
        try:
            ents.append(json.loads(ln))
        except json.JSONDecodeError:
            pass
    return ents


def script_lines(ents):
    return [(e.get("PRIORITY"), e.get("MESSAGE")) for e in ents if e.get("SYSLOG_IDENTIFIER") == "zonelens-verify"]


def runs(ents):
    return sum(1 for e in ents if e.get("MESSAGE_ID") in (UNIT_STARTED, UNIT_FAILED))


def check(lines, err, work):
    problems = [ln for ln in lines if ln.startswith("@@FAIL")]
    if err:
        problems.append(f"guest: {err}")
    if not any(ln.startswith("@@DONE") for ln in lines):
        problems.append("the guest did not get to the end of its check (no @@DONE)")
        return problems
    if not any(re.match(r"@@MODULE 1 debugfs", ln) for ln in lines):
        problems.append("zonelens was not loaded by systemd-modules-load at boot (@@MODULE)")
    boot, hot, nomod = entries(lines, "boot"), entries(lines, "hot-add"), entries(lines, "no-module")
    sb, sh, sn = script_lines(boot), script_lines(hot), script_lines(nomod)
    if runs(boot) != 1 or len(sb) != 1:
        problems.append(f"boot: {runs(boot)} runs and {len(sb)} lines of zonelens-verify, expected 1 and 1")
    if runs(hot) != 2 or len(sh) != 2:
        problems.append(f"hot-add: {runs(hot)} runs and {len(sh)} lines in all, expected 2 and 2 (the boot run "
                        "and ONE run for the burst of memory-block events)")
    for prio, msg in sh:
        if prio != "6" or not (msg or "").startswith("match ("):
            problems.append(f"hot-add: a run said priority {prio}: {msg!r}, expected 6 (info) and 'match (...'")
    if sh and sb and sh[-1] == sb[-1]:
        problems.append("hot-add: the second run's line equals the boot run's (the generation did not move)")
    m = re.search(r"generation (\d+)", sh[-1][1] or "") if sh else None
    if not m or int(m.group(1)) < 1:
        problems.append(f"hot-add: the run after the hot-add does not name a generation >= 1: {sh[-1:]}")
    res = [ln for ln in lines if ln.startswith("@@RESULT hot-add")]
    if not res or "Result=success" not in res[0]:
        problems.append(f"hot-add: {res}, expected Result=success")
    prom = "\n".join(section(lines, "PROM", "hot-add")) + "\n"
    (work / "hot-add.prom").write_text(prom)
    r = subprocess.run(["promtool", "check", "metrics"], input=prom.encode(), capture_output=True)
    if r.returncode:
        problems.append(f"promtool check metrics refuses the hot-add metrics: {(r.stdout + r.stderr).decode()}")
    if not re.search(r"^zonelens_verify_match 1$", prom, re.M):
        problems.append("the hot-add metrics do not say zonelens_verify_match 1")
    g = re.search(r"^zonelens_zonelists_generation (\d+)$", prom, re.M)
    if not g or int(g.group(1)) < 1:
        problems.append("the hot-add metrics do not say zonelens_zonelists_generation >= 1")
    # without the module: two runs (one per burst), one warning, no failure, no restart
    new = sn[len(sh):]
    if runs(nomod) != 4:
        problems.append(f"no-module: {runs(nomod)} runs in all, expected 4 (two after rmmod)")
    if [p for p, _ in new] != ["4"] or "module not loaded" not in new[0][1]:
        problems.append(f"no-module: the two runs without the module said {new}, expected one warning")
    if any(e.get("MESSAGE_ID") == UNIT_FAILED for e in nomod):
        problems.append("no-module: zonelens-verify.service failed")
    res = [ln for ln in lines if ln.startswith("@@RESULT no-module")]
    if not res or "Result=success" not in res[0] or "NRestarts=0" not in res[0]:
        problems.append(f"no-module: {res}, expected Result=success NRestarts=0")
    prom = "\n".join(section(lines, "PROM", "no-module")) + "\n"
    r = subprocess.run(["promtool", "check", "metrics"], input=prom.encode(), capture_output=True)
    if r.returncode or not re.search(r"^zonelens_module_loaded 0$", prom, re.M):
        problems.append(f"no-module metrics: not zonelens_module_loaded 0 through promtool: {prom!r}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True, help="Debian 12 root with systemd, udev and both packages")
    ap.add_argument("--work", required=True, help="directory for the image, initramfs and console log")
    ap.add_argument("--kernel", default="6.1")
    ap.add_argument("--kernel-cache", default=str(zlvm.REPO / "build" / "cache" / "kernels"))
    ap.add_argument("--timeout", type=int, default=420, help="seconds the guest may take")
    a = ap.parse_args()
    root, work = Path(a.root), Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    kenv = zlvm.kernel_env(Path(a.kernel_cache), a.kernel)
    krel = kenv["KREL"]
    for need in ["lib/systemd/systemd", "bin/systemctl", "bin/udevadm", "lib/udev/rules.d/60-zonelens.rules",
                 "lib/systemd/system/zonelens-verify.timer", f"lib/modules/{krel}/updates/dkms/zonelens.ko",
                 "etc/systemd/system/timers.target.wants/zonelens-verify.timer"]:
        if not os.path.lexists(root / need):
            print(f"systemd-guest: {root}/{need} is missing: the root needs systemd, udev and both zonelens "
                  f"packages, DKMS having built the module for {krel} (tests/fresh/fresh-root.sh makes one)")
            return 2
    if not shutil.which("mke2fs") or not shutil.which("promtool"):
        print("systemd-guest: needs mke2fs and promtool (tests/vm/install-deps.sh)")
        return 2
    img, initrd = work / "root.img", work / "initrd.gz"
    t0 = time.time()
    img.unlink(missing_ok=True)
    r = subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", str(root), str(img), "8G"],
                       capture_output=True, text=True)
    if r.returncode:
        print(f"systemd-guest: mke2fs -d {root} failed: {r.stderr}")
        return 2
    build_initramfs(initrd, kenv)
    print(f"systemd-guest: image of {root} and initramfs in {time.time() - t0:.0f}s", flush=True)
    qmp_path = work / "qmp.sock"
    qmp_path.unlink(missing_ok=True)
    args = ["qemu-system-x86_64", "-M", "q35", "-nographic", "-no-reboot", "-cpu", "max",
            "-accel", "tcg,thread=multi", "-smp", "2,sockets=2,cores=1,threads=1",
            "-m", "1024M,slots=2,maxmem=4G",
            "-object", "memory-backend-ram,id=m0,size=1024M", "-numa", "node,nodeid=0,cpus=0,memdev=m0",
            "-numa", "node,nodeid=1,cpus=1",
            "-kernel", kenv["VMLINUZ"], "-initrd", str(initrd),
            "-drive", f"file={img},format=raw,if=virtio,cache=unsafe",
            "-append", "console=ttyS0 loglevel=4 memhp_default_state=online panic=-1 nokaslr "
                       "systemd.unit=zl-check.target systemd.show_status=0",
            "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    logpath = work / "console.log"
    lines, err = run(args, qmp_path, logpath, a.timeout)
    img.unlink(missing_ok=True)
    print(f"systemd-guest: kernel {krel}, console in {logpath}")
    for ln in lines:
        if ln.startswith(("@@GUEST", "@@MODULE", "@@BLOCKS", "@@RMMOD", "@@FAIL")):
            print(ln)
    for phase in ["boot", "hot-add", "no-module"]:
        print(f"--- journalctl -u zonelens-verify -o short-monotonic ({phase})")
        print("\n".join(section(lines, "JOURNAL", phase)))
        print("\n".join(ln for ln in lines if ln.startswith(f"@@RESULT {phase}")))
        print(f"--- {phase}: zonelens.prom")
        print("\n".join(section(lines, "PROM", phase)))
    problems = check(lines, err, work)
    for p in problems:
        print(f"systemd-guest: FAIL: {p}")
    if not problems:
        print(f"systemd-guest: ok ({krel}: boot run, one run after the hot-add's burst, match; "
              "no module: one warning, no failure)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
