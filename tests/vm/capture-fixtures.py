#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture real roots from Debian guests (amd64 6.1 / 6.12; arm64 and ppc64el, issue 20) into tests/fixtures/captured/ (issue 3).

For each kernel and guest below, boot the guest with the VM harness (zlvm.py), run
`zonelens capture` inside it at chosen points (`zl export NAME` steps, init.sh), get each tree out as
a base64 tar on the serial console, and unpack it into

  tests/fixtures/captured/<kernel>-<fixture>/root/        the captured root (zonelens --root)
  tests/fixtures/captured/<kernel>-<fixture>/kernel.log   the kernel's own prints: the 'Fallback order
                                                         for Node' and 'mminit::zonelist' lines up to
                                                         the capture, and the sysfs node state
  tests/fixtures/captured/<kernel>-<fixture>/fixture.json kernel release, QEMU topology, explain node

The harness's own checks (module lists = mminit and Fallback order lines, verify exit 0, distances
and N_MEMORY = sysfs) must pass for the guest, or nothing is written. The goldens are then made by
`tests/fixtures/check_golden.py --update` (not here: they are host-side).

  tests/vm/capture-fixtures.py --build-dir /tmp/build-fx --kernel-cache build/cache/kernels \\
      --zonelens /tmp/build-fx/zonelens [--kernel 6.12] [--guest quickstart] [--out DIR]

Python 3 standard library only.
"""
import argparse
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True
import topologies  # noqa: E402
import zlvm  # noqa: E402

_QS = topologies.quickstart()
_HP = topologies.by_name("t4-hotplug-only-node")

# Each guest: a topology (QEMU numbering) whose steps export captures; EXPORTS maps each exported
# name to (fixture name, the check whose dmesg closes the kernel log of that capture, the node for
# `zonelens explain` in guest numbering, what the state is). Guest numbering of the quick start:
# QEMU nodes 0 1 3 (CPUs) become nodes 0 1 2, the CPU-less QEMU node 2 becomes node 3.
GUESTS = {
    "quickstart": {
        "topology": {"name": "fx-quickstart", "nodes": _QS["nodes"], "dist": _QS["dist"],
                     "steps": ["check boot", "zl export boot",
                               "dimm 1 3 256 online_movable", "check after-hot-add",
                               "zl export hot-add-movable"]},
        "exports": {
            "boot": ("quickstart-boot", "boot", 2,
                     "the README quick-start machine at boot: a CPU-less node and a memoryless node; "
                     "lists built by the boot pass (no CPU penalty), empty event log"),
            "hot-add-movable": ("quickstart-hotadd-movable", "after-hot-add", 0,
                                "the same machine after a 256 MiB DIMM hot-added into the memoryless node "
                                "(QEMU node 3) and onlined online_movable: runtime rebuild, event log "
                                "with the CPU masks the rebuild saw"),
        },
    },
    "hotplug-only": {
        "topology": {"name": "fx-hotplug-only", "nodes": _HP["nodes"], "dist": _HP["dist"],
                     "steps": ["check boot", "dimm 1 3 256 none", "check dimm-added-self-only",
                               "zl export self-only"]},
        "exports": {
            "self-only": ("hotplug-only-self-only", "dimm-added-self-only", 3,
                          "a node that exists only by hotplug (QEMU's last, empty node): DIMM plugged, "
                          "blocks left offline, so the node is online with the self-only build of its "
                          "own list and no memory (not in N_MEMORY)"),
        },
    },
}


def kernel_lines(checks, upto):
    """The kernel's zonelist prints and the sysfs state from boot up to check UPTO, by check."""
    out = []
    for c in checks:
        out.append(f"# check {c['tag']}")
        for ln in c["dmesg"]:
            if zlvm.FALLBACK.search(ln) or zlvm.MMINIT.search(ln) or "Built " in ln and "zonelists" in ln:
                out.append(ln.strip())
        for ln in c["sysfs"]:
            out.append("sysfs " + ln.strip())
        if c["tag"] == upto:
            break
    return out


def unpack(data, name, dest):
    """The tar.gz the guest sent holds NAME/...; put its contents at DEST."""
    with tempfile.TemporaryDirectory() as td:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
            for m in tf.getmembers():
                if not (m.isfile() or m.isdir()) or m.name.startswith("/") or ".." in Path(m.name).parts:
                    raise ValueError(f"unexpected member {m.name} in {name}")
            tf.extractall(td)  # noqa: S202 (members checked above)
        src = Path(td) / name
        if not src.is_dir():
            raise ValueError(f"{name}: no top directory {name}/ in the archive")
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest)
        for p in dest.rglob("*"):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", action="append", choices=zlvm.KERNELS + zlvm.CROSS_KERNELS,
                    help="kernel(s) (default the amd64 ones)")
    ap.add_argument("--guest", action="append", choices=list(GUESTS), help="guest(s) (default all)")
    ap.add_argument("--build-dir", default=str(REPO / "build"))
    ap.add_argument("--kernel-cache", default=os.environ.get("ZONELENS_KERNEL_CACHE"))
    ap.add_argument("--zonelens", help="the zonelens binary (default BUILD/zonelens)")
    ap.add_argument("--cross-tool-dir", help="the arm64 and ppc64el guests' zonelens, DIR/ARCH/zonelens "
                    "(tests/vm/cross-tool.sh; default BUILD/cross)")
    ap.add_argument("--out", default=str(REPO / "tests" / "fixtures" / "captured"))
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--kvm", action="store_true")
    o = ap.parse_args()

    build = Path(o.build_dir).resolve()
    cache = Path(o.kernel_cache or REPO / "build" / "cache" / "kernels").resolve()
    tool = Path(o.zonelens or build / "zonelens").resolve()
    if not tool.exists():
        print(f"capture-fixtures: no zonelens binary at {tool}", file=sys.stderr)
        return 2
    out = Path(o.out).resolve()
    work = build / "vm"
    (work / "logs").mkdir(parents=True, exist_ok=True)
    failed = 0
    for k in o.kernel or zlvm.KERNELS:
        kenv = zlvm.kernel_env(cache, k)
        arch = kenv.get("DEB_ARCH", "amd64")
        module = zlvm.build_module(work, k, kenv)
        base = work / k / f"initramfs-fx-{os.getpid()}.cpio.gz"
        ktool = tool
        if arch != "amd64":
            ktool = Path(o.cross_tool_dir or build / "cross").resolve() / arch / "zonelens"
            if not ktool.exists():
                print(f"capture-fixtures: no zonelens for {arch} at {ktool} (tests/vm/cross-tool.sh)",
                      file=sys.stderr)
                return 2
        zlvm.build_base_initramfs(base, module, ktool, zlvm.virtio_mem_modules(cache, k, kenv),
                                  kenv.get("BUSYBOX", "/bin/busybox"),
                                  kenv.get("CROSS_COMPILE", "") if arch != "amd64" else "")
        try:
            for gname in o.guest or list(GUESTS):
                g = GUESTS[gname]
                topo, why = topologies.for_arch(g["topology"], arch,
                                                bool(zlvm.virtio_mem_modules(cache, k, kenv)))
                if topo is None:
                    print(f"skip {k} {gname}: {why}")
                    continue
                lp = work / "logs" / f"{k}-{topo['name']}.log"
                with tempfile.TemporaryDirectory(prefix="zlfx-") as td:
                    lines, err, el = zlvm.run_guest(topo, kenv, base, Path(td), lp,
                                                    "kvm" if o.kvm else "tcg", o.timeout)
                probs, _notes, checks = zlvm.check_run(topo, k, lines, err, True, True)
                files = {}
                try:
                    files = zlvm.extract_files(lines)
                except ValueError as e:
                    probs.append(f"export does not decode: {e}")
                for name in g["exports"]:
                    if f"{name}.tar.gz" not in files:
                        probs.append(f"no export {name} on the console")
                if probs:
                    failed += 1
                    print(f"FAIL {k} {gname} ({el:.1f}s) log {lp}")
                    for p in probs:
                        print("  - " + p.replace("\n", "\n    "))
                    continue
                start = next(ln for ln in lines if ln.startswith("@@START"))
                krel = start.split()[1]
                for name, (fx, upto, explain, state) in g["exports"].items():
                    d = out / f"{k}-{fx}"
                    d.mkdir(parents=True, exist_ok=True)
                    unpack(files[f"{name}.tar.gz"], name, d / "root")
                    klog = kernel_lines(checks, upto)
                    (d / "kernel.log").write_text(
                        f"# {krel}: kernel prints and sysfs from the guest console (tests/vm/capture-fixtures.py)\n"
                        + "\n".join(klog) + "\n")
                    meta_p = d / "fixture.json"
                    meta = {"kernel_tag": k, "kernel_release": krel, "state": state,
                            "qemu_topology": {key: topo[key] for key in ("nodes", "dist")},
                            "guest_steps": topo["steps"][:topo["steps"].index(f"zl export {name}")],
                            # the node for `zonelens explain` (guest numbering)
                            "explain_node": explain}
                    meta_p.write_text(json.dumps(meta, indent=1) + "\n")
                    print(f"captured {k} {gname}:{name} -> {d} ({krel})")
                print(f"PASS {k} {gname} ({el:.1f}s) log {lp}")
        finally:
            base.unlink(missing_ok=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
