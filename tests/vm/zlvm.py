#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""zonelens VM harness: boot Debian's 5.10, 6.1, 6.12 and 7.2 kernels in QEMU (TCG) with NUMA topologies, hot-plug
memory and CPUs, and check the zonelens module and tool against the kernel's own prints.

Python 3.11 standard library only. See docs/vm-harness.md.
"""
import argparse
import base64
import difflib
import fcntl
import gzip
import io
import json
import lzma
import os
import queue
import random
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True
import topologies  # noqa: E402

BOOT_TIMEOUT = 120  # seconds from QEMU start to the guest's /init ("@@START")
KERNELS = ["5.10", "6.1", "6.12", "7.2"]
# arm64 and ppc64el kernels (fetch-kernels.sh tags ARCH-VERSION): the guest runs the static zonelens
# that tests/vm/cross-tool.sh builds for its architecture (--cross-tool-dir); without it the module
# only, and the host's zonelens verifies the module's files (host_verify)
CROSS_KERNELS = ["arm64-6.1", "arm64-7.2", "ppc64el-6.1", "ppc64el-7.2"]
# the format the module in kmod/ writes (docs/debugfs-format.md)
MODULE_FORMAT = int(re.search(r"#define ZL_FORMAT_VERSION\s+(\d+)", (REPO / "kmod" / "zl.h").read_text()).group(1))
# 'Fallback order for Node N:' is printed at every zonelist build since 5.16 (5.10 prints none)
FALLBACK_PRINTED_SINCE = (5, 16)


def prints_fallback_order(kernel):
    """Whether kernel TAG ("5.10", "6.1", "arm64-7.2", ...) prints 'Fallback order for Node' lines."""
    return tuple(int(x) for x in kernel.split("-")[-1].split(".")[:2]) >= FALLBACK_PRINTED_SINCE
DEFAULT_ZONES = ["DMA", "DMA32", "Normal", "Movable", "Device"]
BAD = re.compile(r"(WARNING:|BUG:|Oops|Call Trace:|UBSAN|KASAN|general protection fault|Kernel panic"
                 r"|list_(add|del) corruption|INFO: task .* blocked|rcu_.*stall|refcount_t:)")


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------- build
def kernel_env(cache, tag):
    envf = cache / tag / "env"
    if not envf.exists():
        log(f"zlvm: fetching kernel {tag} into {cache}")
        subprocess.run([str(HERE / "fetch-kernels.sh"), str(cache), tag], check=True)
    env = {"ENV_FILE": str(envf)}
    for line in envf.read_text().splitlines():
        k, _, v = line.partition("=")
        env[k] = v
    return env


class Lock:
    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.f = open(self.path, "w")
        fcntl.flock(self.f, fcntl.LOCK_EX)

    def __exit__(self, *a):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def build_module(work, tag, kenv, extra=()):
    """Build kmod/ against the kernel's KDIR in a copy under WORK (the source tree stays clean)."""
    src = work / tag / "src"
    with Lock(work / f"{tag}.lock"):
        (src / "kmod").mkdir(parents=True, exist_ok=True)
        shutil.copytree(REPO / "kmod", src / "kmod", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.o", "*.ko", "*.mod", "*.mod.c", ".*.cmd", "*.order",
                                                      "Module.symvers", ".tmp*"))
        kb = REPO / "Kbuild"
        if kb.exists():
            shutil.copy2(kb, src / "Kbuild")
        elif not (src / "Kbuild").exists():
            (src / "Kbuild").write_text("obj-m += kmod/\n")
        # tests/vm/kbuild.sh runs kbuild where the kernel's toolchain is (7.2: its unstable root)
        cross = [f"ARCH={kenv['KARCH']}", f"CROSS_COMPILE={kenv['CROSS_COMPILE']}"] if kenv.get("CROSS_COMPILE") else []
        cmd = [str(HERE / "kbuild.sh"), kenv["ENV_FILE"], "--bind", str(src), "--",
               "make", "-C", kenv["KDIR"], f"M={src}", *cross, *extra, "modules"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        (work / tag / "module-build.log").write_text(r.stdout + r.stderr)
        if r.returncode != 0:
            raise RuntimeError(f"module build failed for {tag}: {shlex.join(cmd)}\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
        kos = sorted(src.rglob("zonelens.ko"))
        if not kos:
            raise RuntimeError(f"module build for {tag} produced no zonelens.ko")
        return kos[0]


def cpio_newc(entries):
    """entries: list of (path, mode, data-bytes or None for dirs, symlink target for links)."""
    out = io.BytesIO()
    ino = 1
    for name, mode, data in entries + [("TRAILER!!!", 0, b"")]:
        data = data or b""
        nb = name.encode() + b"\0"
        hdr = "070701" + "".join(f"{x:08x}" for x in (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nb), 0))
        out.write(hdr.encode() + nb)
        out.write(b"\0" * ((4 - (110 + len(nb)) % 4) % 4))
        out.write(data)
        out.write(b"\0" * ((4 - len(data) % 4) % 4))
        ino += 1
    return gzip.compress(out.getvalue(), compresslevel=1)


def ldd_deps(binary):
    r = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
    deps = []
    for line in r.stdout.splitlines():
        m = re.search(r"=>\s*(/\S+)", line) or re.match(r"\s*(/\S+)", line)
        if m:
            deps.append(m.group(1))
    return deps


def stripped(path, strip="strip"):
    """The file's bytes without debug info (the guest unpacks and TCG decompresses every byte);
    strip: the binutils of the file's architecture (CROSS_COMPILE + "strip")."""
    with tempfile.TemporaryDirectory() as td:
        dst = Path(td) / "f"
        if shutil.which(strip) and subprocess.run([strip, "--strip-debug", "-o", str(dst), str(path)],
                                                 capture_output=True).returncode == 0:
            return dst.read_bytes()
    return Path(path).read_bytes()


# The modules an arm64 guest needs for virtio-mem (Debian builds them as modules), in load order.
VIRTIO_MEM_MODULES = ["virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci", "virtio_mem"]


def virtio_mem_modules(cache, tag, kenv):
    """arm64: the kernel's virtio-mem modules as initramfs entries vmods/N-NAME.ko (init.sh loads
    them in that order), from the kernel's packages in the cache (6.1: in the image package, plain;
    7.x: linux-modules-*, xz-compressed, decompressed here for busybox's insmod). A module that is
    not there is built in (7.2 builds virtio_pci in); [] elsewhere, or without virtio_mem."""
    if kenv.get("DEB_ARCH") != "arm64":
        return []
    root = Path(cache) / tag / "root"
    ents = []
    for i, m in enumerate(VIRTIO_MEM_MODULES):
        for d in (root / "lib" / "modules", root / "usr" / "lib" / "modules"):
            base = d / kenv["KREL"] / "kernel" / "drivers" / "virtio" / m
            if base.with_suffix(".ko").exists():
                ents.append((f"vmods/{i}-{m}.ko", 0o100644, base.with_suffix(".ko").read_bytes()))
            elif base.with_suffix(".ko.xz").exists():
                data = lzma.decompress(base.with_suffix(".ko.xz").read_bytes())
                ents.append((f"vmods/{i}-{m}.ko", 0o100644, data))
    return ents if any(name.endswith("-virtio_mem.ko") for name, _, _ in ents) else []


def build_base_initramfs(out, module, tool, extra=(), busybox="/bin/busybox", cross=""):
    """extra: (path, mode, bytes) files to add, e.g. the packaged service script (--package);
    busybox: the guest architecture's (static) busybox; cross: the guest's CROSS_COMPILE prefix
    (arm64, ppc64el), whose zonelens and helper are static (tests/vm/cross-tool.sh): no libraries."""
    dirs = ["bin", "sbin", "usr", "usr/bin", "proc", "sys", "dev", "tmp", "lib", "lib64", "etc"]
    ents = [(d, 0o40755, None) for d in dirs]
    for path, mode, data in extra:
        parts = Path(path).parts
        for k in range(1, len(parts)):
            d = str(Path(*parts[:k]))
            if d not in dirs:
                dirs.append(d)
                ents.append((d, 0o40755, None))
        ents.append((path, mode, data))
    ents.append(("bin/busybox", 0o100755, Path(busybox).read_bytes()))
    ents.append(("init", 0o100755, (HERE / "init.sh").read_bytes()))
    if module:
        ents.append(("zonelens.ko", 0o100644, Path(module).read_bytes()))
        ents.append(("zl-format", 0o100644, f"{MODULE_FORMAT}\n".encode()))
    if tool:
        strip = f"{cross}strip"
        ents.append(("bin/zonelens", 0o100755, stripped(tool, strip)))
        # zonelens probe's helper (the one program linking libnuma, docs/probe.md): beside the
        # binary in the build tree (the cross build's too), in usr/libexec/zonelens in the package;
        # `zonelens probe` finds it beside itself in the guest
        helper = [h for h in (Path(tool).parent / "zonelens-probe-helper",
                              Path(tool).parent.parent / "libexec" / "zonelens" / "zonelens-probe-helper")
                  if h.exists()]
        deps = [] if cross else ldd_deps(tool)
        if helper:
            ents.append(("bin/zonelens-probe-helper", 0o100755, stripped(helper[0], strip)))
            deps += [d for d in ([] if cross else ldd_deps(helper[0])) if d not in deps]
        seen = set()
        for dep in deps:
            p = dep.lstrip("/")
            parts = Path(p).parts
            for k in range(1, len(parts)):
                d = str(Path(*parts[:k]))
                if d not in dirs and d not in seen:
                    seen.add(d)
                    ents.append((d, 0o40755, None))
            ents.append((p, 0o100755, stripped(dep)))
    out.write_bytes(cpio_newc(ents))


# ---------------------------------------------------------------------------------------------- packages
def unpack_packages(debdir, work):
    """--package DEBDIR: zonelens_V_ARCH.deb and zonelens-dkms_V_all.deb unpacked into one tree
    (dpkg-deb -x, nothing is installed on the host). Returns (tree, version)."""
    debdir = Path(debdir).resolve()
    tools = sorted(debdir.glob("zonelens_*.deb"))
    dkms = sorted(debdir.glob("zonelens-dkms_*_all.deb"))
    if len(tools) != 1 or len(dkms) != 1:
        raise RuntimeError(f"{debdir}: wanted one zonelens_*.deb and one zonelens-dkms_*_all.deb, found "
                           f"{[p.name for p in tools + dkms]} (tests/packaging/build-packages.sh builds them)")
    tree = work / "package" / "root"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    for deb in tools + dkms:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True)
    version = dkms[0].name.split("_")[1]
    return tree, version


def dkms_module(work, tag, kenv, tree, version):
    """`dkms build` of the packaged source (usr/src/zonelens-V with the package's dkms.conf) against
    kernel TAG's headers in private dkms/source/install trees, as tests/vm/kernel-checks.sh dkms
    does; returns the built zonelens.ko (decompressed when dkms compressed it)."""
    d = work / tag / "pkg-dkms"
    with Lock(work / f"{tag}.lock"):
        shutil.rmtree(d, ignore_errors=True)
        (d / "tree").mkdir(parents=True)
        (d / "install").mkdir()
        shutil.copytree(tree / "usr" / "src" / f"zonelens-{version}", d / "src" / f"zonelens-{version}")
        cmd = [str(HERE / "kbuild.sh"), kenv["ENV_FILE"], "--bind", str(d), "--", "dkms", "build",
               f"zonelens/{version}", "--dkmstree", str(d / "tree"), "--sourcetree", str(d / "src"),
               "--installtree", str(d / "install"), "-k", kenv["KREL"], "--kernelsourcedir", kenv["KDIR"]]
        r = subprocess.run(cmd, capture_output=True, text=True)
        (work / tag / "pkg-dkms.log").write_text(shlex.join(cmd) + "\n" + r.stdout + r.stderr)
        if r.returncode != 0:
            raise RuntimeError(f"dkms build of the package failed for {tag}: {shlex.join(cmd)}\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
        kos = sorted((d / "tree" / "zonelens" / version / kenv["KREL"]).rglob("zonelens.ko*"))
        if not kos:
            raise RuntimeError(f"dkms built no zonelens.ko for {kenv['KREL']} (see {work / tag / 'pkg-dkms.log'})")
        ko = kos[0]
        if ko.suffix in (".xz", ".zst", ".gz"):
            tool = {".xz": "xz", ".zst": "zstd", ".gz": "gzip"}[ko.suffix]
            plain = ko.with_suffix("")
            plain.write_bytes(subprocess.run([tool, "-dc", str(ko)], check=True, capture_output=True).stdout)
            ko = plain
        return ko


PROM_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")


def check_package_run(lines, files, logdir, stem):
    """--package: every `zl service` step printed one line, priority 6 and 'match', and its
    metrics file passes promtool and says module loaded, match, stale nodes consistent with the
    per-node samples, after a hot-add a generation of 1 or more, after a CPU offline a stale node.
    Returns (problems, notes)."""
    problems, notes = [], []
    services = [ln.split(None, 3)[1:] for ln in lines if ln.startswith("@@SERVICE ")]
    if not services:
        problems.append("no @@SERVICE line: the spec has no 'zl service' step")
    for name, rc, *rest in services:
        line = rest[0] if rest else ""
        notes.append(f"[{name}] zonelens-verify ({rc}): {line}")
        # without the module (after `zl unload`): one warning, then silence, never a failure
        want = {"no-module": "<4>module not loaded (", "no-module-again": ""}.get(name, "<6>match (")
        if rc != "rc=0" or not (line.startswith(want) if want else line == ""):
            problems.append(f"[{name}] the service's script: {rc}, line {line!r} (wanted rc=0 and {want!r})")
        data = files.get(f"{name}.prom")
        if name.startswith("no-module"):
            if data is None or b"\nzonelens_module_loaded 0\n" not in data:
                problems.append(f"[{name}] the metrics file does not say zonelens_module_loaded 0")
            elif subprocess.run(["promtool", "check", "metrics"], input=data, capture_output=True).returncode:
                problems.append(f"[{name}] promtool check metrics refuses the no-module file")
            continue
        if data is None:
            problems.append(f"[{name}] no metrics file came back from the guest")
            continue
        prom = logdir / f"{stem}-{name}.prom"
        prom.write_bytes(data)
        r = subprocess.run(["promtool", "check", "metrics"], input=data, capture_output=True)
        if r.returncode != 0 or r.stdout.strip() or r.stderr.strip():
            problems.append(f"[{name}] promtool check metrics {prom}: {(r.stdout + r.stderr).decode(errors='replace')}")
        samples = {}
        for ln in data.decode().splitlines():
            m = PROM_SAMPLE.match(ln)
            if m and not ln.startswith("#"):
                samples[m.group(1) + (m.group(2) or "")] = m.group(3)
        for metric, want in (("zonelens_module_loaded", "1"), ("zonelens_verify_match", "1")):
            if samples.get(metric) != want:
                problems.append(f"[{name}] {prom}: {metric} is {samples.get(metric)}, wanted {want}")
        if "hot-add" in name and int(samples.get("zonelens_zonelists_generation", "0")) < 1:
            problems.append(f"[{name}] {prom}: zonelens_zonelists_generation is not >= 1 after the hot-add")
        stale = sum(1 for k, v in samples.items() if k.startswith("zonelens_node_stale{") and v == "1")
        if samples.get("zonelens_stale_nodes") != str(stale):
            problems.append(f"[{name}] {prom}: zonelens_stale_nodes {samples.get('zonelens_stale_nodes')}, "
                            f"but {stale} zonelens_node_stale samples say 1")
        # a CPU going offline rebuilds nothing: the lists still match, and some node's lists are
        # stale (a rebuild now would drop the CPU's penalty)
        if "cpu-off" in name and stale < 1:
            problems.append(f"[{name}] {prom}: no stale node after a CPU went offline")
        notes.append(f"[{name}] metrics file {prom} (promtool check metrics: ok):\n" + data.decode().rstrip())
    return problems, notes


# ---------------------------------------------------------------------------------------------- QEMU
def qemu_args(topo, kenv, initrd, qmp_path, accel):
    nds = topo["nodes"]
    ncpu = sum(n["cpus"] for n in nds)
    total = sum(n["mem"] for n in nds)
    slots = topo.get("slots", 4)
    arch = kenv.get("DEB_ARCH", "amd64")
    append = ("mminit_loglevel=4 loglevel=8 memhp_default_state=offline panic=-1 oops=panic nokaslr "
              + topo.get("append", ""))
    smp = ["-smp", f"{max(ncpu, 1)},sockets={max(ncpu, 1)},cores=1,threads=1"]
    if arch == "arm64":
        # virt with a device tree (numa-node-id, distance map); GICv3 for more than 8 vCPUs; pointer
        # authentication without its costly TCG emulation. No DIMM hot-add: Debian's arm64 kernels
        # lack ACPI memory hotplug (architectures.md); the DIMMs of the steps become one virtio-mem
        # device whose requested size grows by each DIMM's (run_guest)
        vmem = sum(size for _, size in dimm_steps(topo).values())
        mem = f"{total}M,maxmem={total + vmem}M" if vmem else f"{total}M"
        a = ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "max,pauth-impdef=on", *smp,
             "-m", mem, "-append", "console=ttyAMA0 " + append]
        if vmem:
            a += ["-object", f"memory-backend-ram,id=vmem,size={vmem}M",
                  "-device", "virtio-mem-pci,id=vmem0,memdev=vmem,node=0,requested-size=0"]
    elif arch == "ppc64el":
        # pseries: every node's memory, -m, maxmem and each DIMM in multiples of 256 MiB
        a = ["qemu-system-ppc64", "-M", "pseries", *smp,
             "-m", f"{total}M,slots={slots},maxmem={total + slots * 256 + 1024}M",
             "-append", "console=hvc0 " + append]
    else:
        a = ["qemu-system-x86_64", "-M", "q35", "-cpu", "max", *smp,
             "-m", f"{total}M,slots={slots},maxmem={total + slots * 256 + 1024}M",
             "-append", "console=ttyS0 " + append]
    a += ["-nographic", "-no-reboot", "-kernel", kenv["VMLINUZ"], "-initrd", str(initrd),
          "-qmp", f"unix:{qmp_path},server=on,wait=off"]
    a += ["-accel", "kvm"] if accel == "kvm" else ["-accel", "tcg,thread=multi"]
    cpu = 0
    for i, n in enumerate(nds):
        opt = f"node,nodeid={i}"
        if n["cpus"]:
            opt += f",cpus={cpu}-{cpu + n['cpus'] - 1}"
            cpu += n["cpus"]
        if n["mem"]:
            a += ["-object", f"memory-backend-ram,id=m{i},size={n['mem']}M"]
            opt += f",memdev=m{i}"
        a += ["-numa", opt]
    d = topo.get("dist")
    if d:
        for i in range(len(nds)):
            for j in range(len(nds)):
                if i != j:
                    a += ["-numa", f"dist,src={i},dst={j},val={d[i][j]}"]
    return a


class QMP:
    def __init__(self, path, deadline):
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(str(path))
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.f = self.s.makefile("rw")
        self.f.readline()
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError(f"QMP {name} {args}: {r['error']}")


def console_queue(p):
    """The lines of P's stdout (the guest's console), without CRs, on a queue; None at the end."""
    q = queue.Queue()

    def reader():
        for raw in p.stdout:
            q.put(raw.decode(errors="replace").rstrip("\r\n").replace("\r", ""))
        q.put(None)
    threading.Thread(target=reader, daemon=True).start()
    return q


def dimm_steps(topo):
    """The DIMMs of TOPO's steps: {id: (QEMU node, size MB)}."""
    return {f[1]: (int(f[2]), int(f[3])) for f in (s.split() for s in topo["steps"]) if f[0] == "dimm"}


def run_guest(topo, kenv, base_initrd, tmp, logpath, accel, timeout):
    """Boot, serve @@REQ lines, return the console output (str)."""
    guest_steps, dimms = [], dimm_steps(topo)
    virtio_mem = kenv.get("DEB_ARCH") == "arm64"
    plugged = 0  # arm64: the virtio-mem device's requested size so far (MB)
    for s in topo["steps"]:
        f = s.split()
        if f[0] == "dimm":
            guest_steps.append(f"dimm {f[1]} {f[3]} {f[4]}")
        else:
            guest_steps.append(s)
    extra = tmp / "steps.cpio.gz"
    extra.write_bytes(cpio_newc([("steps", 0o100644, ("\n".join(guest_steps) + "\n").encode())]))
    initrd = tmp / "initrd.gz"
    initrd.write_bytes(base_initrd.read_bytes() + extra.read_bytes())
    qmp_path = tmp / "qmp.sock"
    args = qemu_args(topo, kenv, initrd, qmp_path, accel)
    (tmp / "cmd").write_text(shlex.join(args))
    start = time.time()
    deadline = start + timeout
    # /init must start within BOOT_TIMEOUT (5-8 s normally, < 75 s on a loaded host)
    boot_deadline, booted = start + min(timeout, BOOT_TIMEOUT), False
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    q = console_queue(p)
    lines, qmp, err = [], None, None
    with open(logpath, "w") as lf:
        lf.write("# " + shlex.join(args) + "\n")
        while True:
            limit = deadline if booted else boot_deadline
            try:
                line = q.get(timeout=max(0.1, limit - time.time()))
            except queue.Empty:
                err = f"timeout after {timeout}s" if booted else f"no /init after {BOOT_TIMEOUT}s"
                break
            if line is None:
                break
            booted = booted or line.startswith("@@START")
            lines.append(line)
            # host time on the harness's own lines (the kernel's lines carry guest time)
            lf.write((f"{line}  # +{time.time() - start:.1f}s\n") if line.startswith("@@") else line + "\n")
            if line.startswith("@@REQ dimm "):
                did = line.split()[2]
                node, size = dimms[did]
                try:
                    qmp = qmp or QMP(qmp_path, deadline)
                    if virtio_mem:
                        plugged += size
                        qmp.cmd("qom-set", path="vmem0", property="requested-size", value=plugged << 20)
                        lf.write(f"# host: virtio-mem vmem0 requested-size {plugged}M (dimm{did}, {size}M)\n")
                    else:
                        qmp.cmd("object-add", **{"qom-type": "memory-backend-ram", "id": f"hp{did}",
                                                 "size": size << 20})
                        qmp.cmd("device_add", driver="pc-dimm", id=f"dimm{did}", memdev=f"hp{did}", node=node)
                        lf.write(f"# host: plugged dimm{did} {size}M into QEMU node {node}\n")
                except Exception as e:  # noqa: BLE001
                    lines.append(f"@@FAIL host: QMP hot-add dimm{did}: {e}")
                    lf.write(lines[-1] + "\n")
            if time.time() > deadline:
                err = f"timeout after {timeout}s"
                break
            if not booted and time.time() > boot_deadline:
                err = f"no /init after {BOOT_TIMEOUT}s"
                break
        if p.poll() is None:
            p.kill()
        p.wait()
        elapsed = time.time() - start
        lf.write(f"# exit {p.returncode} after {elapsed:.1f}s\n")
    return lines, err, elapsed


# ---------------------------------------------------------------------------------------------- parse
def parse_checks(lines):
    """Split the console into checks: dict(tag, dmesg, sysfs, snap, snaprc, verify, verifyrc, report)."""
    checks, cur, sect = [], None, None
    for ln in lines:
        if ln.startswith("@@CHECK "):
            cur = {"tag": ln.split()[1], "dmesg": [], "sysfs": [], "snap": [], "events": [], "verify": [],
                   "report": []}
            sect = None
            continue
        if cur is None:
            continue
        if ln.startswith("@@ENDCHECK"):
            checks.append(cur)
            cur = None
            continue
        if ln in ("@@DMESG", "@@SYSFS", "@@SNAP", "@@EVENTS", "@@VERIFY", "@@REPORT"):
            sect = ln[2:].lower()
            continue
        if ln.startswith("@@SNAPRC "):
            cur["snaprc"] = int(ln.split()[1])
            continue
        if ln.startswith("@@EVENTSRC "):
            cur["eventsrc"] = int(ln.split()[1])
            continue
        if ln.startswith("@@VERIFYRC "):
            cur["verifyrc"] = int(ln.split()[1])
            continue
        if ln.startswith("@@"):
            continue
        if sect:
            cur[sect].append(ln)
    return checks


PROBE_BAD = re.compile(r"(Out of memory|invoked oom-killer|oom-kill:|page allocation failure|WARNING:"
                       r"|hung_task|blocked for more than)")


def parse_probes(lines):
    """The `probe TAG` steps (init.sh doprobe): [dict(tag, snap, runs=[(node, rc, json lines)], dmesg)]."""
    probes, cur, sect = [], None, None
    for ln in lines:
        if ln.startswith("@@PROBE "):
            cur = {"tag": ln.split()[1], "snap": [], "runs": [], "dmesg": [], "refused": [], "text": [],
                   "textrc": None}
            sect = None
            continue
        if cur is None:
            continue
        if ln.startswith("@@ENDPROBE "):
            probes.append(cur)
            cur = None
        elif ln == "@@PROBESNAP":
            sect = "snap"
        elif ln.startswith("@@PROBEJSON "):
            cur["runs"].append([int(ln.split()[1]), None, []])
            sect = "json"
        elif ln.startswith("@@PROBERC "):
            cur["runs"][-1][1] = int(ln.split()[2])
            sect = None
        elif ln == "@@PROBETEXT":
            sect = "text"
        elif ln.startswith("@@ENDPROBETEXT "):
            cur["textrc"] = int(ln.split()[1])
            sect = None
        elif ln.startswith("@@PROBEREFUSE "):
            f = ln.split(None, 3)
            cur["refused"].append((int(f[1]), int(f[2]), f[3] if len(f) > 3 else ""))
        elif ln == "@@PROBEDMESG":
            sect = "dmesg"
        elif ln.startswith("@@"):
            continue
        elif sect == "json":
            cur["runs"][-1][2].append(ln)
        elif sect:
            cur[sect].append(ln)
    return probes


def check_probes(lines, expect=None):
    """Each probe's observed order against the module's live FALLBACK list (docs/probe.md): the zones
    in which pages first appeared must be, in order, the list's positions the probe reports reached,
    every other position must carry a reason, and the kernel log of the probes must show no OOM
    killer, allocation failure or warning. `expect`: {tag: {zone name: status}}, the status every
    position in a zone of that name must have in that step's probes. Returns (problems, notes)."""
    problems, notes = [], []
    for p in parse_probes(lines):
        tag = p["tag"]
        try:
            snap = parse_snapshot(p["snap"])
        except ValueError as e:
            problems.append(f"[probe {tag}] {e}")
            continue
        names = snap["zone_names"]
        for nid, rc, text in p["runs"]:
            where = f"[probe {tag}] node {nid}"
            try:
                j = json.loads("\n".join(text))
            except ValueError:
                problems.append(f"{where}: zonelens probe exited {rc} without JSON:\n  " + "\n  ".join(text[-20:]))
                continue
            live = snap["zonelist"].get((nid, "fallback"), [])
            pos = [(q["node"], names[q["zone"]]) for q in j["positions"]]
            observed = [(q["node"], names[q["zone"]]) for q in j["observed"]]
            reached = [(q["node"], names[q["zone"]]) for q in j["positions"] if q["status"] == "reached"]
            # "late": passed over while unusable (at its watermark, or on 7.2 its node's kswapd
            # running), used afterwards; it must come after a later position, with a reason
            late = [(q["node"], names[q["zone"]]) for q in j["positions"] if q["status"] == "late"]
            in_order = [z for z in observed if z not in late]
            if j.get("schema") != 1 or j.get("expected") != "module":
                problems.append(f"{where}: schema {j.get('schema')} expected {j.get('expected')}, not 1 and 'module'")
            if pos != live:
                problems.append(f"{where}: the probe's list {fmt_refs(pos)} is not the module's {fmt_refs(live)}")
            if rc != 0 or not j["agree"]:
                problems.append(f"{where}: exit {rc}, agree {j['agree']}: {j.get('mismatch')}; observed "
                                f"{fmt_refs(observed)}, list {fmt_refs(live)}")
            if not observed or in_order != reached or in_order != [r for r in live if r in in_order]:
                problems.append(f"{where}: observed order {fmt_refs(observed)} (late: {fmt_refs(late)}) is not "
                                f"the live list's reached positions {fmt_refs(reached)}")
            unreached = [f"{q['node']}:{names[q['zone']]} {q['status']}" for q in j["positions"]
                         if q["status"] != "reached"]
            for q in j["positions"]:
                want = (expect or {}).get(tag, {}).get(names[q["zone"]])
                if want is not None and q["status"] != want:
                    problems.append(f"{where}: position {q['pos']} ({q['node']}:{names[q['zone']]}) is "
                                    f"{q['status']}, the spec expects {want}")
            if any(q["status"] != "reached" and not q.get("reason") for q in j["positions"]):
                problems.append(f"{where}: an unreached position without a reason")
            notes.append(f"[probe {tag}] node {nid}: reached {len(reached)}/{len(pos)} "
                         f"({fmt_refs(reached)}); observed {fmt_refs(observed)}; "
                         f"unreached or late: {', '.join(unreached) or 'none'}; "
                         f"stop {j['stop']}; {j['allocated_pages'] * j['page_size'] >> 20} MiB in {j['seconds']:.1f} s")
        if p["textrc"] not in (None, 0):
            problems.append(f"[probe {tag}] the text probe exited {p['textrc']}:\n  " + "\n  ".join(p["text"]))
        for nid, rc, msg in p["refused"]:
            if rc != 2 or "no memory" not in msg:
                problems.append(f"[probe {tag}] node {nid} has no memory: zonelens probe exited {rc}, not 2 "
                                f"with 'no memory': {msg}")
            else:
                notes.append(f"[probe {tag}] node {nid}: refused (exit 2): {msg}")
        for ln in p["dmesg"]:
            if PROBE_BAD.search(ln) or BAD.search(ln):
                problems.append(f"[probe {tag}] dmesg during the probes: {ln.strip()}")
    return problems, notes


def nodelist(s):
    out = []
    s = s.strip()
    if s in ("", "-"):
        return out
    for part in s.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def parse_snapshot(text):
    snap = {"zonelist": {}, "distance": {}, "states": {}, "zone_names": DEFAULT_ZONES}
    # captured fixtures keep the format of the module that wrote them
    formats = [f"zonelens-format {v}" for v in range(1, MODULE_FORMAT + 1)]
    if not text or text[0] not in formats or text[-1] != "end":
        raise ValueError(f"snapshot does not start with one of {formats} and end with 'end': "
                         f"{text[:1]} .. {text[-1:]}")
    for ln in text:
        f = ln.split()
        if f[0] == "zone_names":
            snap["zone_names"] = f[1:]
        elif f[0] == "stable":
            snap["stable"] = int(f[1])
        elif f[0] == "node_states":
            snap["states"][f[1]] = nodelist(f[2])
        elif f[0] == "inflight":
            snap["inflight"] = f[1:]
        elif f[0] == "distance" and int(text[0].split()[1]) >= 3:
            # format 3: one row per possible node, a value per possible node (ascending ids)
            cols = snap["states"].get("possible", [])
            if len(f) != len(cols) + 2:
                raise ValueError(f"distance row with {len(f) - 2} values, not one per possible node "
                                 f"({len(cols)}): {ln[:80]}")
            for to, v in zip(cols, f[2:]):
                snap["distance"][(int(f[1]), to)] = int(v)
        elif f[0] == "distance":
            snap["distance"][(int(f[1]), int(f[2]))] = int(f[3])
        elif f[0] == "zonelist":
            refs = [] if f[3:] == ["-"] else [(int(z.split(":")[0]), z.split(":")[1]) for z in f[3:]]
            snap["zonelist"][(int(f[1]), f[2])] = refs
    return snap


def extract_files(lines):
    """The files the guest sent with `zl export NAME` steps (init.sh): {name: bytes}, from the base64
    text between `@@FILE NAME` and `@@ENDFILE NAME` on the console."""
    files, name, buf = {}, None, []
    for ln in lines:
        if name is None:
            if ln.startswith("@@FILE "):
                name, buf = ln.split(None, 1)[1], []
            continue
        if ln == f"@@ENDFILE {name}":
            files[name] = base64.b64decode("".join(buf), validate=True)
            name = None
        elif not ln.startswith("@@"):
            buf.append(ln.strip())
    return files


MMINIT = re.compile(r"mminit::zonelist (general|thisnode) (\d+):(\w+) = (.*)$")
FALLBACK = re.compile(r"Fallback order for Node (\d+): ?(.*)$")


def fmt_refs(refs):
    return " ".join(f"{n}:{z}" for n, z in refs) or "-"


def dedup_nodes(refs):
    out = []
    for n, _ in refs:
        if n not in out:
            out.append(n)
    return out


def host_verify(tool, check):
    """`zonelens verify --root` on the host, over the module's snapshot and events of a guest without
    zonelens (arm64, ppc64el): a root of the two files, as `zonelens capture` writes them. Returns
    (rc, output lines)."""
    with tempfile.TemporaryDirectory(prefix="zlvm-root-") as td:
        d = Path(td) / "sys" / "kernel" / "debug" / "zonelens"
        d.mkdir(parents=True)
        (d / "snapshot").write_text("\n".join(check["snap"]) + "\n")
        (d / "events").write_text("\n".join(check["events"]) + "\n")
        r = subprocess.run([str(tool), "verify", "--root", td], capture_output=True, text=True)
        return r.returncode, (r.stdout + r.stderr).splitlines()


def check_run(topo, kernel, lines, err, want_mod, want_tool, host_tool=None):
    """Return (list of problems, list of notes). `host_tool`: the host's zonelens, which verifies the
    module's files of a guest without its own (want_tool false)."""
    problems, notes = [], []
    if err:
        problems.append(err)
    if "@@DONE" not in lines:
        # a guest that died (oops, panic, hang, timeout): its last console lines say where
        tail = [ln for ln in lines if not ln.startswith("@@")][-40:]
        problems.append("guest did not reach @@DONE; the console's last lines:\n" + "\n".join(tail))
    for ln in lines:
        if ln.startswith("@@FAIL"):
            problems.append(ln[2:])
        if ln.startswith(("@@NOTE", "@@READS", "@@RELOADS", "@@DIMM", "@@CHURN")):
            notes.append(ln[2:])
        if ln.startswith("@@READS ") and want_tool:
            # "@@READS cat N tool_ok N tool_waited N ...": a reader whose tool never read proves nothing
            f = ln.split()
            counts = dict(zip(f[1::2], f[2::2]))
            if counts.get("tool_ok", "0").split("#")[0].strip() == "0":
                problems.append(f"the reader's zonelens never read the module: {ln[2:]}")
    start = [ln for ln in lines if ln.startswith("@@START")]
    if start:
        f = start[0].split()
        if want_mod and "mod=1" not in f:
            problems.append("module missing from the initramfs")
        if want_tool and "tool=1" not in f:
            problems.append("zonelens binary missing from the initramfs")
    checks = parse_checks(lines)
    probe_steps = [s.split()[1] for s in topo["steps"] if s.startswith("probe ")]
    if probe_steps:
        seen = [p["tag"] for p in parse_probes(lines)]
        if seen != probe_steps:
            problems.append(f"probes seen {seen}, expected {probe_steps}")
        pp, pn = check_probes(lines, topo.get("probe_expect"))
        problems += pp
        notes += pn
    expected = [s.split()[1] for s in topo["steps"] if s.startswith("check ")]
    if [c["tag"] for c in checks] != expected:
        problems.append(f"checks seen {[c['tag'] for c in checks]}, expected {expected}")
    dmesg_all, fallback = [], {}
    mminit = []
    for c in checks:
        tag = c["tag"]
        for ln in c["dmesg"]:
            dmesg_all.append(ln)
            m = FALLBACK.search(ln)
            if m:
                fallback[int(m.group(1))] = [int(x) for x in m.group(2).split()]
            m = MMINIT.search(ln)
            if m:
                refs = [(int(x.split(":")[0]), x.split(":")[1]) for x in m.group(4).split()]
                mminit.append((m.group(1), int(m.group(2)), m.group(3), refs))
            if BAD.search(ln):
                problems.append(f"[{tag}] dmesg: {ln.strip()}")
        sysfs_states = {}
        sysfs_dist = {}
        for ln in c["sysfs"]:
            f = ln.split()
            if f[0] == "state":
                sysfs_states[f[1]] = nodelist(f[2] if len(f) > 2 else "")
            elif f[0] == "node":
                i = f.index("dist")
                sysfs_dist[int(f[1])] = [int(x) for x in f[i + 1:]]
        if tag == "boot" and not mminit:
            problems.append("[boot] no mminit::zonelist lines in dmesg (mminit_loglevel=4 needs CONFIG_DEBUG_MEMORY_INIT)")
        if tag == "boot" and not fallback and prints_fallback_order(kernel):
            problems.append("[boot] no 'Fallback order for Node' lines in dmesg")
        has_mem = sysfs_states.get("has_memory", [])
        # kernel-only self-check: every mminit general list, reduced to nodes, is a subsequence of that
        # node's boot Fallback order restricted to N_MEMORY (validates the harness's parsing).
        if tag == "boot":
            for kind, nid, zname, refs in mminit:
                if kind != "general" or nid not in fallback:
                    continue
                fb = [n for n in fallback[nid] if n in has_mem]
                it = iter(fb)
                if not all(n in it for n in dedup_nodes(refs)):
                    problems.append(f"[boot] kernel: mminit general {nid}:{zname} nodes {dedup_nodes(refs)} "
                                    f"not in Fallback order {fallback[nid]} (has_memory {has_mem})")
        if want_mod:
            if c.get("snaprc", 1) != 0:
                problems.append(f"[{tag}] reading the snapshot failed (rc {c.get('snaprc')})")
                continue
            try:
                snap = parse_snapshot(c["snap"])
            except ValueError as e:
                problems.append(f"[{tag}] {e}")
                continue
            if snap.get("stable") != 1:
                problems.append(f"[{tag}] snapshot not stable")
            if snap.get("inflight", ["none"]) != ["none"]:
                # a check runs after its step's operation returned: nothing may be in flight
                problems.append(f"[{tag}] snapshot says a memory operation is in flight: "
                                f"inflight {' '.join(snap['inflight'])}")
            zidx = {z: i for i, z in enumerate(snap["zone_names"])}
            if tag == "boot":
                for kind, nid, zname, refs in mminit:
                    lst = snap["zonelist"].get((nid, "fallback" if kind == "general" else "nofallback"))
                    if lst is None:
                        problems.append(f"[boot] module has no {kind} list for node {nid}")
                        continue
                    filt = [r for r in lst if zidx[r[1]] <= zidx[zname]]
                    if filt != refs:
                        problems.append(f"[boot] mminit {kind} {nid}:{zname} differs from the module's list filtered to "
                                        f"zone index <= {zidx[zname]}:\n" + "\n".join(difflib.unified_diff(
                                            [fmt_refs(refs)], [fmt_refs(filt)], "kernel (mminit)", "module", lineterm="")))
            mem = snap["states"].get("memory", has_mem)
            for nid, order in sorted(fallback.items()):
                lst = snap["zonelist"].get((nid, "fallback"))
                if lst is None:
                    continue
                want = [n for n in order if n in mem]
                got = dedup_nodes(lst)
                if want != got:
                    problems.append(f"[{tag}] node {nid}: last 'Fallback order for Node {nid}: "
                                    f"{' '.join(map(str, order))}' restricted to N_MEMORY {mem} is {want}, "
                                    f"module's fallback list ({fmt_refs(lst)}) gives node order {got}")
            for nid, row in sysfs_dist.items():
                got = [snap["distance"].get((nid, j)) for j in range(len(row))]
                if got != row:
                    problems.append(f"[{tag}] node {nid}: sysfs distance {row}, module {got}")
            if sysfs_states.get("has_memory") is not None and snap["states"].get("memory") != sysfs_states["has_memory"]:
                problems.append(f"[{tag}] N_MEMORY: sysfs {sysfs_states['has_memory']}, module {snap['states'].get('memory')}")
        if want_mod and host_tool and not want_tool and c.get("snaprc") == 0:
            if c.get("eventsrc", 1) != 0:
                problems.append(f"[{tag}] reading the events failed (rc {c.get('eventsrc')})")
                continue
            c["verifyrc"], c["verify"] = host_verify(host_tool, c)
            # which architecture and context explained the lists: the evidence of the arch rules
            notes.append(f"[{tag}] host verify: " + "; ".join(
                v.strip() for v in c["verify"] if v.startswith(("arch:", "context:", "result:"))))
        if want_tool or (want_mod and host_tool):
            if c.get("verifyrc") == 0 and any("inferred masks" in v for v in c["verify"]):
                # the module was reloaded after the last rebuild and CPUs changed since: verify
                # inferred the rebuild's CPU masks from the lists (docs/cli.md); say so in the log
                notes.append(f"[{tag}] verify inferred the rebuild's CPU masks: "
                             + "; ".join(v.strip() for v in c["verify"] if v.startswith("context:")))
            if c.get("verifyrc") != 0:
                problems.append(f"[{tag}] zonelens verify exited {c.get('verifyrc')}:\n  " + "\n  ".join(c["verify"][-40:]))
    return problems, notes, checks


# ---------------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", action="append", choices=KERNELS + CROSS_KERNELS,
                    help="kernel(s) to boot (default the amd64 ones)")
    ap.add_argument("--group", action="append", choices=list(topologies.GROUPS), help="group(s) to run")
    ap.add_argument("--topology", action="append", help="run this topology by name (fixed, h-*, rand-SEED-I, stress-SEED)")
    ap.add_argument("--spec", action="append", help="run the topology in this JSON file")
    ap.add_argument("--seed", type=int, help="seed of the random group (default: from the clock, printed)")
    ap.add_argument("--count", type=int, default=10, help="random topologies per kernel (default 10)")
    ap.add_argument("--build-dir", default=str(REPO / "build"), help="build tree (default REPO/build)")
    ap.add_argument("--kernel-cache", default=os.environ.get("ZONELENS_KERNEL_CACHE"),
                    help="where fetch-kernels.sh unpacks the kernels (default REPO/build/cache/kernels)")
    ap.add_argument("--zonelens", help="the zonelens binary (default BUILD/zonelens if it exists)")
    ap.add_argument("--cross-tool-dir", metavar="DIR",
                    help="the arm64 and ppc64el guests' zonelens: DIR/ARCH/zonelens and zonelens-probe-helper, "
                         "static (tests/vm/cross-tool.sh; default BUILD/cross, where they are used if there; "
                         "without them the host's zonelens verifies the module's files)")
    ap.add_argument("--module", help="a prebuilt zonelens.ko (only with one --kernel)")
    ap.add_argument("--no-module", action="store_true", help="kernel-only checks, no module")
    ap.add_argument("--no-tool", action="store_true", help="do not put the zonelens binary in the guest")
    ap.add_argument("--require", action="store_true", help="fail if the module or the binary is unavailable")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("ZONELENS_VM_JOBS", "1")), help="guests at once")
    ap.add_argument("--kvm", action="store_true", help="use KVM instead of TCG")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per guest")
    ap.add_argument("--print-report", action="store_true", help="print the @@REPORT sections")
    ap.add_argument("--list", action="store_true", help="list the topologies and exit")
    ap.add_argument("--save-files", metavar="DIR",
                    help="write the files of 'zl export NAME' steps to DIR/<kernel>-<topology>/NAME.tar.gz")
    ap.add_argument("--package", metavar="DEBDIR",
                    help="use the Debian packages in DEBDIR instead of the build tree: the binary and the "
                         "service's script of zonelens_*.deb, the module dkms builds from zonelens-dkms_*.deb "
                         "(default spec: scenarios/package.json; its 'zl service' steps are checked)")
    ap.add_argument("--workflow", action="store_true",
                    help="run a spec's 'workflow_steps' instead of its 'steps' (docs/workflow.md)")
    o = ap.parse_args()

    if o.seed is None and os.environ.get("ZONELENS_VM_SEED"):
        o.seed = int(os.environ["ZONELENS_VM_SEED"])
    seed = o.seed if o.seed is not None else int(time.time()) % 100000
    build = Path(o.build_dir).resolve()
    cache = Path(o.kernel_cache or REPO / "build" / "cache" / "kernels").resolve()
    work = build / "vm"
    work.mkdir(parents=True, exist_ok=True)
    kernels = o.kernel or KERNELS
    topos = []
    for g in o.group or []:
        topos += topologies.GROUPS[g](seed, o.count)
    for n in o.topology or []:
        topos.append(topologies.by_name(n))
    for s in o.spec or []:
        topos.append(json.loads(Path(s).read_text()))
    if not topos and o.package:
        topos = [json.loads((HERE / "scenarios" / "package.json").read_text())]
    if not topos:
        topos = topologies.GROUPS["fixed"](seed, o.count)
    if o.workflow:
        topos = [dict(t, steps=t["workflow_steps"]) if "workflow_steps" in t else t for t in topos]
    if o.list:
        for t in topos:
            print(t["name"], json.dumps(t))
        return 0
    if any(g == "random" for g in o.group or []):
        log(f"zlvm: random seed {seed} (rerun: --group random --seed {seed} --count {o.count})")

    tool, pkg_tree, pkg_version, extra = None, None, None, []
    if o.package:
        try:
            pkg_tree, pkg_version = unpack_packages(o.package, work)
        except (RuntimeError, subprocess.CalledProcessError) as e:
            log(f"zlvm: {e}")
            return 2
        tool = pkg_tree / "usr" / "bin" / "zonelens"
        script = "usr/libexec/zonelens/zonelens-verify"
        extra.append((script, 0o100755, (pkg_tree / script).read_bytes()))
        log(f"zlvm: packages {pkg_version} from {o.package} unpacked into {pkg_tree}")
    elif not o.no_tool:
        cand = Path(o.zonelens) if o.zonelens else build / "zonelens"
        if cand.exists():
            tool = cand.resolve()
        elif o.require:
            log(f"zlvm: no zonelens binary at {cand}")
            return 2
    cross_tools = Path(o.cross_tool_dir).resolve() if o.cross_tool_dir else build / "cross"
    have_kmod_src = any((REPO / "kmod").glob("*.c"))
    per_kernel = {}
    for k in kernels:
        kenv = kernel_env(cache, k)
        module = None
        if not o.no_module:
            if pkg_tree is not None:
                try:
                    module = dkms_module(work, k, kenv, pkg_tree, pkg_version)
                except RuntimeError as e:
                    log(f"zlvm: {e}")
                    return 2
            elif o.module:
                module = Path(o.module).resolve()
            elif have_kmod_src:
                try:
                    module = build_module(work, k, kenv)
                except RuntimeError as e:
                    log(f"zlvm: {e}")
                    if o.require:
                        return 2
            elif o.require:
                log("zlvm: kmod/ has no sources")
                return 2
        base = work / k / f"initramfs-{os.getpid()}.cpio.gz"
        base.parent.mkdir(parents=True, exist_ok=True)
        arch = kenv.get("DEB_ARCH", "amd64")
        ktool = tool if arch == "amd64" else None
        if arch != "amd64" and not o.no_tool and not o.package:
            ktool = cross_tools / arch / "zonelens"
            if not ktool.exists():
                if o.require and o.cross_tool_dir:
                    log(f"zlvm: no zonelens for {arch} at {ktool} (tests/vm/cross-tool.sh {arch} CACHE {ktool.parent})")
                    return 2
                log(f"zlvm: {k}: no zonelens for {arch} at {ktool}: the host's zonelens verifies the module's files")
                ktool = None
        build_base_initramfs(base, module, ktool, extra + virtio_mem_modules(cache, k, kenv),
                             kenv.get("BUSYBOX", "/bin/busybox"),
                             kenv.get("CROSS_COMPILE", "") if arch != "amd64" else "")
        per_kernel[k] = (kenv, base, module, ktool)
        log(f"zlvm: kernel {k} ({kenv['KREL']}) module={module or '-'} zonelens={ktool or '-'}")

    repro = [str(Path(sys.argv[0]).resolve()), "--build-dir", str(build), "--kernel-cache", str(cache)]
    if o.package:
        repro += ["--package", str(Path(o.package).resolve())]
    else:
        repro += ["--zonelens", str(tool)] if tool else ["--no-tool"]
        if not o.no_tool and any(k in CROSS_KERNELS for k in kernels):
            repro += ["--cross-tool-dir", str(cross_tools)]
    repro += ["--no-module"] if o.no_module else (["--module", str(o.module)] if o.module else [])
    repro += ["--kvm"] if o.kvm else []
    jobs = []
    for k in kernels:
        arch = per_kernel[k][0].get("DEB_ARCH", "amd64")
        for t in topos:
            at, why = topologies.for_arch(t, arch, bool(virtio_mem_modules(cache, k, per_kernel[k][0])))
            if at is None:
                log(f"zlvm: {k}: skipping {t['name']}: {why}")
            else:
                jobs.append((k, at))
    if not jobs:
        log("zlvm: no topology can run on these kernels")
        return 2
    logdir = work / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    results = []
    lines_of = {}  # (kernel, topology) -> console lines (--print-report shows the probes' text)

    def one(job):
        k, t = job
        kenv, base, module, ktool = per_kernel[k]
        lp = logdir / f"{k}-{t['name']}.log"
        stall = None
        for attempt in (1, 2):
            with tempfile.TemporaryDirectory(prefix="zlvm-") as td:
                lines, err, el = run_guest(t, kenv, base, Path(td), lp, "kvm" if o.kvm else "tcg",
                                           t.get("timeout", o.timeout))
            # A guest that never reached /init stalled in the kernel's early boot, before the module
            # or any step ran (seen once in ~200 TCG boots on a loaded 2-core host). Boot it once
            # more; the stalled console is kept and the retry is reported. Nothing after /init is
            # ever retried.
            if attempt == 2 or any(ln.startswith("@@START") for ln in lines):
                break
            stall = lp.with_suffix(".stall.log")
            lp.replace(stall)
        probs, notes, checks = check_run(t, k, lines, err, module is not None, ktool is not None,
                                         tool if ktool is None else None)
        if stall is not None:
            notes.append(f"[boot] the first boot stalled before /init (TCG); retried once, "
                         f"first console kept at {stall}")
        if o.package:
            try:
                pp, pn = check_package_run(lines, extract_files(lines), logdir, f"{k}-{t['name']}")
            except ValueError as e:
                pp, pn = [f"a metrics file does not decode: {e}"], []
            probs += pp
            notes += pn
        if o.save_files:
            try:
                for name, data in extract_files(lines).items():
                    dst = Path(o.save_files) / f"{k}-{t['name']}" / Path(name).name
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    dst.write_bytes(data)
            except ValueError as e:
                probs.append(f"a 'zl export' file does not decode: {e}")
        lines_of[(k, t["name"])] = lines
        return k, t, probs, notes, checks, el, lp

    t0 = time.time()
    with ThreadPoolExecutor(max_workers=max(1, o.jobs)) as ex:
        for k, t, probs, notes, checks, el, lp in ex.map(one, jobs):
            results.append((k, t, probs))
            status = "PASS" if not probs else "FAIL"
            if o.print_report:
                for c in checks:
                    if c["report"]:
                        log(f"---- {k} {t['name']} [{c['tag']}]: zonelens show, predict, verify ----")
                        log("\n".join(c["report"]))
            if o.print_report:
                for p in parse_probes(lines_of.get((k, t["name"]), [])):
                    if p["text"]:
                        log(f"---- {k} {t['name']} [probe {p['tag']}]: zonelens probe ----")
                        log("\n".join(p["text"]))
            log(f"{status} {k} {t['name']} ({el:.1f}s, {len(checks)} checks)")
            for n in notes:
                if n.startswith("["):
                    log(f"  note: {n}")
            if probs:
                log(f"  kernel: {k} ({per_kernel[k][0]['KREL']})  seed: {seed}  log: {lp}")
                log(f"  topology: {json.dumps(t)}")
                for p in probs:
                    log("  - " + p.replace("\n", "\n    "))
                spec = logdir / f"{k}-{t['name']}.json"
                spec.write_text(json.dumps(t, indent=1))
                log(f"  reproduce: {shlex.join(repro + ['--kernel', k, '--spec', str(spec)])}")
    for k in kernels:
        per_kernel[k][1].unlink(missing_ok=True)
    nfail = sum(1 for r in results if r[2])
    log(f"zlvm: {len(results) - nfail}/{len(results)} guests passed in {time.time() - t0:.0f}s")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
