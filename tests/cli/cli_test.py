#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""CLI tests of zonelens: every command's output and exit code on the fixtures, bad inputs included.

  cli_test.py --zonelens BIN --fixtures DIR --list        names of the cases (for ctest)
  cli_test.py --zonelens BIN --fixtures DIR CASE...       run cases (all when none given)

Exit status 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE). Python standard library only.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

CASES = {}
SKIP = 77


def case(fn):
    CASES[fn.__name__] = fn
    return fn


class Skip(Exception):
    pass


class Ctx:
    def __init__(self, zonelens, fixtures):
        self.bin = zonelens
        self.fixtures = fixtures

    def root(self, name):
        return os.path.join(self.fixtures, "roots", name)

    def run(self, *args, user=None):
        p = subprocess.run([self.bin, *args], capture_output=True, text=True, timeout=60, user=user)
        return p.returncode, p.stdout, p.stderr

    def expect(self, args, code, stdout_has=(), stderr_is=None, stderr_has=(), user=None):
        rc, out, err = self.run(*args, user=user)  # run() times out after 60 s: a hang fails
        where = f"zonelens {' '.join(args)}"
        assert rc == code, f"{where}: exit {rc}, wanted {code}\nstdout:\n{out}\nstderr:\n{err}"
        for s in stdout_has:
            assert s in out, f"{where}: stdout lacks {s!r}:\n{out}"
        if stderr_is is not None:
            assert err == stderr_is, f"{where}: stderr is\n{err!r}\nwanted\n{stderr_is!r}"
        for s in stderr_has:
            assert s in err, f"{where}: stderr lacks {s!r}:\n{err}"
        if code == 2:
            # every error is one line on stderr and nothing on stdout
            assert err.count("\n") == 1 and err.startswith("zonelens"), f"{where}: stderr {err!r}"
            assert out == "", f"{where}: stdout on error: {out!r}"
        return out, err

    def golden(self, args, name):
        out, _ = self.expect(args, 0)
        got = json.loads(out)
        with open(os.path.join(self.fixtures, "expected", name)) as f:
            want = json.load(f)
        assert got["kernel"] == want["kernel"], f"kernel {got['kernel']} != {want['kernel']}"
        slim = [{k: n[k] for k in ("node", "fallback", "nofallback")} for n in got["nodes"]]
        assert slim == want["nodes"], (f"zonelens {' '.join(args)}: nodes differ from {name}:\n"
                                       + json.dumps(slim, indent=1))
        return got


class Scratch:
    """A writable copy of a fixture root."""

    def __init__(self, ctx, name):
        self.dir = tempfile.mkdtemp(prefix="zonelens-cli-")
        self.path = os.path.join(self.dir, name)
        shutil.copytree(ctx.root(name), self.path)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir)

    def file(self, rel):
        return os.path.join(self.path, rel)

    def edit(self, rel, fn):
        with open(self.file(rel)) as f:
            text = f.read()
        with open(self.file(rel), "w") as f:
            f.write(fn(text))


SNAP = "sys/kernel/debug/zonelens/snapshot"
EVENTS = "sys/kernel/debug/zonelens/events"


# ---- help and usage ----
@case
def help_lists_commands(c):
    out, _ = c.expect(["--help"], 0, stdout_has=["predict", "show", "verify", "zonelens <command>"])
    for cmd in ("predict", "show", "verify"):
        out, _ = c.expect([cmd, "--help"], 0, stdout_has=[f"usage: zonelens {cmd}", "--json"])
    c.expect(["predict", "--help"], 0, stdout_has=["--root", "--topology", "--kernel", "--context"])


@case
def usage_errors(c):
    c.expect([], 2)
    c.expect(["frobnicate"], 2, stderr_has=["unknown command 'frobnicate'"])
    c.expect(["predict", "--frob"], 2, stderr_has=["zonelens predict:", "--help"])
    c.expect(["predict", "--root", c.root("four-node-sysfs"), "--context", "later"], 2,
             stderr_has=["--context is boot or runtime"])
    c.expect(["predict", "--root", c.root("four-node-sysfs"), "--kernel", "banana"], 2,
             stderr_has=["--kernel 'banana' is not a release"])
    c.expect(["predict", "--root", c.root("four-node-sysfs"), "--topology", "x.json"], 2,
             stderr_has=["--root and --topology exclude each other"])


# ---- architectures (docs/architectures.md) ----
def kernel_fallback_orders(root):
    """The 'Fallback order for Node N' lines of ROOT/kernel.log: {node: [order]}."""
    out = {}
    with open(os.path.join(root, "kernel.log")) as f:
        for ln in f:
            m = re.search(r"Fallback order for Node (\d+): ?(.*)$", ln)
            if m:
                out[int(m.group(1))] = [int(x) for x in m.group(2).split()]
    return out


@case
def arch_pseries_boot_penalty(c):
    """The module's boot lists from Debian's ppc64el 6.1 in a pseries guest (CPUs on nodes 0 and 1,
    all distances 20): the boot build penalised node 1 for its CPU. The module names ppc64le, and
    the model's boot build reproduces the kernel's own prints; under x86_64 rules only a runtime
    rebuild would, which this kernel never made (generation 0)."""
    root = c.root("ppc64el-6.1-t3-cpuless")
    kernel = kernel_fallback_orders(root)
    assert kernel[0] == [0, 2, 1], kernel  # the penalty is visible in the kernel's own print
    got = json.loads(c.expect(["predict", "--root", root, "--context", "boot", "--json"], 0)[0])
    assert (got["arch"], got["arch_origin"]) == ("ppc64le", "source"), got
    assert {n["node"]: n["node_order"] for n in got["nodes"]} == kernel, got
    v = json.loads(c.expect(["verify", "--root", root, "--json"], 0)[0])
    assert v["context"]["kind"] == "boot" and v["result"] == "match", v
    x86 = json.loads(c.expect(["verify", "--root", root, "--arch", "x86_64", "--json"], 0)[0])
    assert x86["arch_origin"] == "option" and x86["context"]["kind"] == "runtime_current", x86
    assert [a["result"] for a in x86["contexts_tried"]] == ["mismatch", "match"], x86
    c.expect(["predict", "--root", root, "--arch", "riscv"], 2,
             stderr_has=["--arch is one of x86_64, aarch64, ppc64le (or amd64, arm64, ppc64el, "
                         "ppc64), not 'riscv'"])


@case
def arch_from_root_sysctl(c):
    """A sysfs root names its architecture in proc/sys/kernel/arch (topology files: unit tests); an
    unknown one is refused with one sentence."""
    with Scratch(c, "four-node-sysfs") as s:
        got = json.loads(c.expect(["predict", "--root", s.path, "--json"], 0)[0])
        assert (got["arch"], got["arch_origin"]) == ("x86_64", "default"), got
        with open(s.file("proc/sys/kernel/arch"), "w") as f:
            f.write("ppc64le\n")
        got = json.loads(c.expect(["predict", "--root", s.path, "--json"], 0)[0])
        assert (got["arch"], got["arch_origin"]) == ("ppc64le", "source"), got
        with open(s.file("proc/sys/kernel/arch"), "w") as f:
            f.write("s390x\n")
        c.expect(["predict", "--root", s.path], 2,
                 stderr_is="zonelens: the source's architecture 's390x' is not one zonelens models "
                           "(x86_64, aarch64, ppc64le): pass --arch to model it as one of them\n")
        c.expect(["predict", "--root", s.path, "--arch", "aarch64"], 0,
                 stdout_has=["arch: aarch64 (given with --arch)"])


# ---- predict ----
@case
def predict_sysfs_root_boot(c):
    got = c.golden(["predict", "--root", c.root("four-node-sysfs"), "--json"], "four-node-boot.json")
    assert got["context"]["kind"] == "boot" and got["source"] == "sysfs" and got["era"] == "6.7+", got
    assert got["schema"] == 1, got


@case
def predict_sysfs_root_runtime(c):
    c.golden(["predict", "--root", c.root("four-node-sysfs"), "--context", "runtime", "--json"],
             "four-node-runtime.json")


@case
def predict_module_root(c):
    got = c.golden(["predict", "--root", c.root("four-node-runtime"), "--context", "runtime",
                    "--json"], "four-node-runtime.json")
    assert got["source"] == "module", got


@case
def predict_text(c):
    out, _ = c.expect(["predict", "--root", c.root("four-node-sysfs")], 0)
    assert "era 6.7+" in out and "boot rebuild" in out, out
    assert "node 3\n  order       1 0 2\n  fallback    1:Normal 0:Normal 0:DMA32 0:DMA 2:Normal\n"\
        "  nofallback  -\n" in out, out


@case
def predict_topology_file(c):
    c.golden(["predict", "--topology", os.path.join(c.fixtures, "topologies/cxl-what-if.json"),
              "--json"], "cxl-what-if-boot.json")


@case
def predict_kernel_override(c):
    out, _ = c.expect(["predict", "--root", c.root("four-node-sysfs"), "--kernel", "5.15.0",
                       "--json"], 0)
    got = json.loads(out)
    assert got["kernel"] == "5.15.0" and got["era"] != "6.7+", got


def live_synthetic(c, n, command, env=None):
    """Runs `zonelens COMMAND` (a shell word list) on a running machine with n configured nodes:
    sysfs and /proc/zoneinfo of a synthetic root (a meminfo file per node) bind-mounted over the
    live ones in a private mount namespace (root only; CI runs as root). Also runs `zonelens
    --help` there first. Returns (CompletedProcess, root); Skip without the namespace."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        raise Skip("needs root and unshare (a private mount namespace)")
    sys.path.insert(0, c.fixtures)
    import make_root  # noqa: E402 (tests/fixtures, found through --fixtures)
    with tempfile.TemporaryDirectory() as tmp:
        make_root.make_synthetic(n, tmp)
        nodes = os.path.join(tmp, "sys/devices/system/node")
        for i in range(n):
            with open(os.path.join(nodes, f"node{i}", "meminfo"), "w") as f:
                f.write(f"Node {i} MemTotal:       1048576 kB\nNode {i} MemFree:  1000000 kB\n")
        script = ("mount --bind \"$1\" /sys/devices/system/node && "
                  "mount --bind \"$2\" /proc/zoneinfo && \"$3\" --help >/dev/null && "
                  f"exec \"$3\" {command}")
        p = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", nodes,
                            os.path.join(tmp, "proc/zoneinfo"), c.bin],
                           capture_output=True, text=True, timeout=120, env=env)
        if p.returncode != 0 and "mount" in p.stderr and not p.stdout:
            raise Skip(f"no private mount namespace here: {p.stderr.strip()}")
        return p


@case
def live_many_nodes(c):
    # The running machine with 1024 configured nodes, as a numa=fake=1024 guest has. Debian 12's
    # libnuma 2.0.16 overflows a 128-bit mask in its constructor there and every process linked
    # with it dies with SIGSEGV at exit (docs/cli.md#sources): this fails if zonelens links
    # libnuma again. It crashes only when the nodes have a meminfo file (seen on Debian 12), so
    # the root gets one per node.
    n = 1024
    p = live_synthetic(c, n, "predict --json")
    assert p.returncode == 0, f"exit {p.returncode} (-11: killed by SIGSEGV)\nstderr:\n{p.stderr}"
    got = json.loads(p.stdout)
    assert len(got["nodes"]) == n, len(got["nodes"])


@case
def probe_without_libnuma(c):
    # issue 21: only zonelens-probe-helper links libnuma; the zonelens binary must not (see
    # live_many_nodes). The probe itself never runs on the host: these checks end before its
    # helper would start, and the helper named here does not exist, so nothing can be allocated
    # even if they did not.
    need = subprocess.run(["readelf", "-d", c.bin], capture_output=True, text=True).stdout
    assert "libnuma" not in need, f"{c.bin} links libnuma:\n{need}"
    helper = os.path.join(os.path.dirname(c.bin), "zonelens-probe-helper")
    if os.path.exists(helper):
        hneed = subprocess.run(["readelf", "-d", helper], capture_output=True, text=True).stdout
        assert "libnuma.so" in hneed, f"{helper} does not link libnuma:\n{hneed}"
    env = dict(os.environ, ZONELENS_PROBE_HELPER="/nonexistent/zonelens-probe-helper")

    def run(*args):
        p = subprocess.run([c.bin, *args], capture_output=True, text=True, timeout=60, env=env)
        return p.returncode, p.stdout, p.stderr
    rc, out, err = run("probe", "--help")
    assert rc == 0 and "--node N" in out and "--max-mb" in out, (rc, out, err)
    rc, out, err = run("probe")
    assert rc == 2 and "--node N is required" in err, (rc, err)
    rc, out, err = run("probe", "--node", "0", "--chunk-mb", "0")
    assert rc == 2 and "--chunk-mb" in err, (rc, err)
    # a 1024-node machine: zonelens starts (--help, predict); probe refuses in one sentence
    p = live_synthetic(c, 1024, "probe --node 0", env=env)
    assert p.returncode == 2 and "128 or more" in p.stderr, (p.returncode, p.stderr)


@case
def predict_live(c):
    # The running machine: the module if loaded, otherwise sysfs + /proc. Either must work here.
    out, _ = c.expect(["predict", "--json"], 0)
    got = json.loads(out)
    assert got["nodes"] and got["kernel"] == open("/proc/sys/kernel/osrelease").read().strip(), got


@case
def predict_errors(c):
    c.expect(["predict", "--root", "/nonexistent/root"], 2,
             stderr_is="zonelens: /nonexistent/root not found: pass a captured root directory to "
                       "--root\n")
    with Scratch(c, "four-node-sysfs") as s:
        # without zoneinfo: the node order only, and the header says so (issue 22); a present
        # zoneinfo that is wrong is still refused
        os.remove(s.file("proc/zoneinfo"))
        c.expect(["predict", "--root", s.path], 0,
                 stdout_has=["zones unknown", "zones: unknown (no proc/zoneinfo)"])
        with open(s.file("proc/zoneinfo"), "w") as f:
            f.write("garbage\n")
        c.expect(["predict", "--root", s.path], 2,
                 stderr_has=[f"{s.file('proc/zoneinfo')}: no 'Node N, zone NAME' block"])
    with tempfile.NamedTemporaryFile("w", suffix=".json") as t:
        t.write('{"kernel_release": "6.1.0", "nodes": [')
        t.flush()
        c.expect(["predict", "--topology", t.name], 2,
                 stderr_has=[f"{t.name}: not valid JSON", "fix the topology file"])
    c.expect(["predict", "--topology", "/nonexistent.json"], 2,
             stderr_has=["/nonexistent.json not found"])


# ---- show ----
@case
def show_json(c):
    got = c.golden(["show", "--root", c.root("four-node-runtime"), "--json"],
                   "four-node-runtime.json")
    assert got["generation"] == 1 and got["fingerprint"] == "15199a465a97feb7", got


@case
def show_text(c):
    out, _ = c.expect(["show", "--root", c.root("four-node-boot")], 0,
                      stdout_has=["generation 0", "node 3\n  fallback    1:Normal 0:Normal"])


@case
def show_needs_module(c):
    root = c.root("four-node-sysfs")
    c.expect(["show", "--root", root], 2,
             stderr_is=f"zonelens: {root}/sys/kernel/debug/zonelens not found: capture the root "
                       "with the module loaded (copy /sys/kernel/debug/zonelens/snapshot and "
                       "events)\n")


@case
def show_live_without_module(c):
    if os.path.exists("/sys/module/zonelens"):
        raise Skip("the zonelens module is loaded on this machine")
    _, err = c.expect(["show"], 2)
    assert ("/sys/kernel/debug is not mounted: mount -t debugfs none /sys/kernel/debug" in err
            or "/sys/kernel/debug/zonelens not found: load the module (insmod zonelens.ko)" in err), err


# ---- verify ----
@case
def verify_runtime_event(c):
    out, _ = c.expect(["verify", "--root", c.root("four-node-runtime")], 0,
                      stdout_has=["event 3 (mem_online nid 2) rebuilt the lists", "node 3: match",
                                  "result: match (4 nodes)"])
    got = json.loads(c.expect(["verify", "--root", c.root("four-node-runtime"), "--json"], 0)[0])
    assert got["result"] == "match" and all(n["status"] == "match" for n in got["nodes"]), got


@case
def verify_boot_generation_zero(c):
    c.expect(["verify", "--root", c.root("four-node-boot")], 0,
             stdout_has=["context: boot: no rebuild since the module loaded", "result: match"])


@case
def verify_explicit_context(c):
    out, _ = c.expect(["verify", "--root", c.root("four-node-runtime"), "--context", "boot"], 1,
                      stdout_has=["node 3: mismatch at fallback[0]: live 2:Normal, predicted "
                                  "1:Normal", "result: mismatch (1 of 4 nodes differ)"])
    c.expect(["verify", "--root", c.root("four-node-runtime"), "--context", "runtime"], 0)


@case
def verify_mismatch_json(c):
    out, _ = c.expect(["verify", "--root", c.root("four-node-mismatch"), "--json"], 1)
    got = json.loads(out)
    assert got["result"] == "mismatch", got
    n3 = got["nodes"][3]
    assert n3 == {"node": 3, "status": "mismatch", "list": "fallback", "position": 1,
                  "live": "0:Normal", "predicted": "1:Normal"}, n3
    assert [n["status"] for n in got["nodes"][:3]] == ["match"] * 3, got


@case
def verify_bad_files(c):
    bad = {
        "unknown_version": (SNAP, lambda t: t.replace("zonelens-format 1", "zonelens-format 6", 1),
                            "unknown format 'zonelens-format 6', this zonelens reads formats 1 to 5: "
                            "use a matching zonelens"),
        "truncated": (SNAP, lambda t: t[: t.index("zonelist 2")],
                      "truncated (no 'end' line): read it again"),
        "unstable": (SNAP, lambda t: t.replace("stable 1", "stable 0"),
                     "unstable, zonelists changed during every read pass (read once): read it again, "
                     "or wait longer with --wait SECONDS"),
        "fingerprint": (SNAP, lambda t: t.replace("zonelist 3 nofallback -",
                                                  "zonelist 3 nofallback 0:DMA"),
                        "does not match the zonelist lines"),
        "keyword": (SNAP, lambda t: t.replace("passes 2", "passes 2\nthp 1"),
                    "unknown keyword 'thp' in format 1"),
        "events_truncated": (EVENTS, lambda t: t.replace("end\n", ""),
                             "truncated (no 'end' line): read it again"),
    }
    for name, (rel, fn, msg) in bad.items():
        with Scratch(c, "four-node-runtime") as s:
            s.edit(rel, fn)
            for cmd in ("verify", "show"):
                c.expect([cmd, "--root", s.path], 2, stderr_has=[f"zonelens: {s.file(rel)}: ", msg])


INFLIGHT = ("a memory online of node 2 (pfn 0x110000, 32768 pages, from event 277) is in progress")


@case
def module_in_flight(c):
    """A snapshot the module rendered during a memory online (a real one, roots/6.1-online-unsettled):
    every reader of the module's files waits --wait seconds for a settled state, then names the
    operation; never 'malformed', never a module bug, nothing written."""
    root = c.root("6.1-online-unsettled")
    snap = os.path.join(root, SNAP)
    for cmd in (["verify"], ["show"], ["predict"], ["explain", "0"], ["verify", "--json"]):
        t0 = time.monotonic()
        _, err = c.expect([*cmd, "--root", root, "--wait", "0.4"], 2,
                          stderr_is=f"zonelens: {snap}: {INFLIGHT} (waited 0.4 s for it to end): run "
                                    "again when it has ended, or wait longer with --wait SECONDS\n")
        assert time.monotonic() - t0 >= 0.4, f"{cmd}: did not wait 0.4 s"
    c.expect(["verify", "--root", root, "--wait", "0"], 2,
             stderr_has=[f"{INFLIGHT} (not waiting for it)"])
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "snap.json")
        c.expect(["snapshot", "--root", root, "--wait", "0", "-o", out], 2, stderr_has=[INFLIGHT])
        assert not os.path.exists(out), "snapshot wrote a document of an unsettled state"
        cap = os.path.join(d, "cap")
        c.expect(["capture", "--root", root, "--wait", "0", cap], 2, stderr_has=[INFLIGHT])
        assert not os.path.exists(cap), "capture left a root of an unsettled state"
    for bad in ("-1", "nan", "1e9"):
        c.expect(["verify", "--root", root, "--wait", bad], 2,
                 stderr_has=["--wait takes seconds from 0 to 86400"])


@case
def module_settles_while_waiting(c):
    """The operation ends while verify waits: it answers about the state after it (exit 0)."""
    with Scratch(c, "6.1-online-unsettled") as s:
        settled = s.file(SNAP) + ".settled"
        with open(s.file(SNAP)) as f:
            text = f.read()
        # the same lists, rendered once no operation was in flight (what the module writes then)
        text = text.replace("stable 0\npasses 8\ninflight online nid 2 pfn 0x110000 nr 32768 seq 277\n",
                            "stable 1\npasses 2\ninflight none\n")
        with open(settled, "w") as f:
            f.write(text)
        p = subprocess.Popen([c.bin, "verify", "--root", s.path, "--wait", "10", "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        os.replace(settled, s.file(SNAP))
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, f"verify after the operation: exit {p.returncode}: {err}"
        got = json.loads(out)
        assert got["result"] == "match" and got["module_reads"] > 1, got


@case
def diff_of_a_snapshot_taken_in_flight(c):
    """A snapshot document whose events were read during an operation is refused by diff, naming it."""
    with tempfile.TemporaryDirectory() as d, Scratch(c, "6.1-online-unsettled") as s:
        s.edit(SNAP, lambda t: t.replace(
            "stable 0\npasses 8\ninflight online nid 2 pfn 0x110000 nr 32768 seq 277\n",
            "stable 1\npasses 2\ninflight none\n"))
        doc = os.path.join(d, "a.json")
        c.expect(["snapshot", "--root", s.path, "-o", doc], 0)
        with open(doc) as f:
            j = json.load(f)
        j["raw"]["events"] = j["raw"]["events"].replace(
            "inflight none", "inflight offline nid 3 pfn 0x138000 nr 32768 seq 282")
        bad = os.path.join(d, "b.json")
        with open(bad, "w") as f:
            json.dump(j, f)
        c.expect(["diff", doc, bad], 2, stderr_has=[
            f"{bad} (events): taken while a memory offline of node 3 (pfn 0x138000, 32768 pages, from "
            "event 282) was in progress: take the snapshot again when it has ended"])


@case
def verify_permission_denied(c):
    with Scratch(c, "four-node-runtime") as s:
        os.chmod(s.dir, 0o755)
        os.chmod(s.file(SNAP), 0o400)  # like debugfs: root only
        if os.geteuid() == 0:
            if not hasattr(os, "setuid"):
                raise Skip("running as root and cannot drop privileges")
            user = 65534  # nobody: root ignores file modes, so run the binary unprivileged
            if not os.access(c.bin, os.X_OK):
                raise Skip("binary not executable")
            try:
                rc, out, err = c.run("--version", user=user)
            except (PermissionError, OSError) as e:
                raise Skip(f"cannot run as nobody: {e}")
            if rc != 0:
                raise Skip(f"nobody cannot run {c.bin} (its directories are private): {err.strip()}")
        else:
            user = None
        c.expect(["verify", "--root", s.path], 2, user=user,
                 stderr_is=f"zonelens: {s.file(SNAP)}: permission denied: run as root\n")


# ---- zone order (<= 4.13) ----
ZONE_TOPO = "zone-order-4.9.json"


def zone_topo(c):
    return os.path.join(c.fixtures, "topologies", ZONE_TOPO)


@case
def json_escapes_zone_names(c):
    # A zone name is data: with `"` and `\` in it every JSON output still parses (issue 19).
    topo = os.path.join(c.fixtures, "topologies", "quoted-zone-names.json")
    for args in (["predict"], ["explain", "0"], ["compare-eras", "--kernel", "5.4.0"]):
        out, _ = c.expect([*args, "--topology", topo, "--json"], 0)
        doc = json.loads(out)
        assert doc["schema"] == 1, doc
    doc = json.loads(c.expect(["predict", "--topology", topo, "--json"], 0)[0])
    assert doc["nodes"][0]["fallback"] == ["0:Nor\\mal", '0:DMA"32', "1:Nor\\mal"], doc


@case
def zonelist_order_help(c):
    for cmd in ("predict", "verify", "explain", "compare-eras"):
        c.expect([cmd, "--help"], 0, stdout_has=["--zonelist-order"])


# zone-order-4.9.json: nodes 0 (DMA, DMA32, Normal) and 1 (DMA32, Normal) with memory, node 2 online
# and memoryless, all at 20; nr_online 3, boot. Node orders (<= 4.13): 0 -> 0 1 (node_load[1] = 2);
# 1 -> 1 0 (node 0 scores 20+1, node_load[0] = 2); 2 -> 2 first (memoryless, <= 4.13), then 0 and
# 1 tie at 21*3072 + 2, lowest id 0, then 1.
# Zone order: Normal of each node in the order, then DMA32, then DMA:
#   node 0: 0:Normal 1:Normal 0:DMA32 1:DMA32 0:DMA  (node order: 0:Normal 0:DMA32 0:DMA 1:Normal 1:DMA32)
#   node 1: 1:Normal 0:Normal 1:DMA32 0:DMA32 0:DMA  (node order: 1:Normal 1:DMA32 0:Normal 0:DMA32 0:DMA)
#   node 2: 0:Normal 1:Normal 0:DMA32 1:DMA32 0:DMA  (node order: 0:Normal 0:DMA32 0:DMA 1:Normal 1:DMA32)
ZONE_LISTS = ["fallback    0:Normal 1:Normal 0:DMA32 1:DMA32 0:DMA",
              "fallback    1:Normal 0:Normal 1:DMA32 0:DMA32 0:DMA",
              "nofallback  0:Normal 0:DMA32 0:DMA", "nofallback  1:Normal 1:DMA32"]
NODE_LISTS = ["fallback    0:Normal 0:DMA32 0:DMA 1:Normal 1:DMA32",
              "fallback    1:Normal 1:DMA32 0:Normal 0:DMA32 0:DMA"]


@case
def zonelist_order_predict_topology(c):
    out, _ = c.expect(["predict", "--topology", zone_topo(c), "--kernel", "4.9.0",
                       "--zonelist-order", "zone"], 0,
                      stdout_has=["zonelist order: zone (--zonelist-order says zone)"] + ZONE_LISTS)
    assert out.count("fallback    0:Normal 1:Normal 0:DMA32 1:DMA32 0:DMA") == 2, out  # nodes 0, 2
    # 4.9 without any setting: the 64-bit default since 3.18 is node order.
    c.expect(["predict", "--topology", zone_topo(c)], 0,
             stdout_has=["zonelist order: node (nothing set: the 64-bit default since 3.18"]
             + NODE_LISTS)
    out, _ = c.expect(["predict", "--topology", zone_topo(c), "--zonelist-order", "zone",
                       "--json"], 0)
    doc = json.loads(out)
    assert doc["zonelist_order"] == "zone", doc
    assert doc["nodes"][2]["fallback"] == ["0:Normal", "1:Normal", "0:DMA32", "1:DMA32", "0:DMA"]
    # 4.14+ has the same keys, null (docs/json.md: the keys do not change with the era).
    out, _ = c.expect(["predict", "--topology", zone_topo(c), "--kernel", "6.1.0", "--json"], 0)
    doc = json.loads(out)
    assert doc["zonelist_order"] is None and doc["zonelist_order_reason"] is None, doc


@case
def zonelist_order_refused(c):
    c.expect(["predict", "--topology", zone_topo(c), "--kernel", "4.14.0", "--zonelist-order",
              "zone"], 2, stderr_has=["4.14 removed it (c9bff3eebc09"])
    c.expect(["verify", "--root", c.root("four-node-boot"), "--zonelist-order", "zone"], 2,
             stderr_has=["has no zone order"])
    c.expect(["predict", "--topology", zone_topo(c), "--zonelist-order", "Zone"], 2,
             stderr_has=["--zonelist-order is node, zone or default, not 'Zone'"])
    c.expect(["compare-eras", "--topology", zone_topo(c), "--kernel", "5.4.0", "--kernel", "6.1.0",
              "--zonelist-order", "zone"], 2, stderr_has=["5.4.0 has no zone order"])


@case
def zonelist_order_root_sources(c):
    base = ["predict", "--root", None, "--kernel", "4.9.0"]
    with Scratch(c, "four-node-sysfs") as s:
        args = list(base)
        args[2] = s.path
        want, _ = c.expect(args + ["--zonelist-order", "zone"], 0)
        want_lists = want.split("\n", 4)[4]  # after the header, context, arch and order lines
        cmdline = s.file("proc/cmdline")
        with open(cmdline, "w") as f:
            f.write("BOOT_IMAGE=/vmlinuz ro numa_zonelist_order=Zone quiet\n")
        out, err = c.expect(args, 0, stdout_has=[f"zonelist order: zone ({cmdline} says zone)"],
                            stderr_is="")
        assert out.split("\n", 4)[4] == want_lists, out
        # An invalid later value is ignored with a warning, as the kernel does: still zone.
        with open(cmdline, "w") as f:
            f.write("numa_zonelist_order=zone numa_zonelist_order=bogus\n")
        c.expect(args, 0, stdout_has=["zonelist order: zone"],
                 stderr_has=["warning:", "numa_zonelist_order=bogus is ignored"])
        # The sysctl holds the live value and wins over the command line.
        os.makedirs(s.file("proc/sys/vm"), exist_ok=True)
        sysctl = s.file("proc/sys/vm/numa_zonelist_order")
        with open(sysctl, "w") as f:
            f.write("Node\n")
        c.expect(args, 0, stdout_has=[f"zonelist order: node ({sysctl} says node)"])
        # --zonelist-order overrides both.
        c.expect(args + ["--zonelist-order", "zone"], 0, stdout_has=["zonelist order: zone"])
        with open(sysctl, "w") as f:
            f.write("sideways\n")
        c.expect(args, 2, stderr_has=[f"{sysctl}: 'sideways' is not a numa_zonelist_order value"])
        # 4.14+ ignores both files (the kernel does): node order, the text as before.
        out, _ = c.expect(args[:3] + ["--kernel", "6.1.0"], 0)
        assert "zonelist order" not in out, out


@case
def zonelist_order_explain(c):
    out, _ = c.expect(["explain", "2", "--topology", zone_topo(c), "--zonelist-order", "zone"], 0,
                      stdout_has=["fallback list in zone order",
                                  "[0] 0:Normal: zone type Normal, node 0 (position 1 of the "
                                  "fallback order)",
                                  "[3] 1:DMA32: zone type DMA32, node 1 (position 2",
                                  "[4] 0:DMA: zone type DMA, node 0 (position 1"])
    out, _ = c.expect(["explain", "2", "--topology", zone_topo(c), "--zonelist-order", "zone",
                       "--json"], 0)
    doc = json.loads(out)
    assert [f["zoneref"] for f in doc["fallback"]] == [
        "0:Normal", "1:Normal", "0:DMA32", "1:DMA32", "0:DMA"], doc["fallback"]
    assert doc["fallback"][1]["order_position"] == 2, doc["fallback"]
    # Node order prints no zone-order section.
    out, _ = c.expect(["explain", "2", "--topology", zone_topo(c)], 0)
    assert "fallback list in zone order" not in out, out


@case
def zonelist_order_compare_eras(c):
    out, _ = c.expect(["compare-eras", "--topology", zone_topo(c), "--kernel", "4.9.0",
                       "--kernel", "6.1.0", "--zonelist-order", "zone"], 0,
                      stdout_has=["compare 4.9.0 (era <=4.13, zone order) -> 6.1.0 (era 5.19-6.6)",
                                  "from     0:Normal 1:Normal 0:DMA32 1:DMA32 0:DMA",
                                  "to       0:Normal 0:DMA32 0:DMA 1:Normal 1:DMA32",
                                  "result: 3 of 3 nodes change"])
    # Node order on both sides: the same lists, nothing changes (node orders are equal here).
    c.expect(["compare-eras", "--topology", zone_topo(c), "--kernel", "4.9.0", "--kernel",
              "6.1.0"], 0, stdout_has=["(era <=4.13, node order)", "result: 0 of 3 nodes change"])

# ---- bad input: every class of docs/bad-input.md is refused with exit 2 and one sentence ----
def refused(c, root, rel, msg, cmds=("predict",), edit=None, write=None):
    """Copy fixture ROOT, change REL (edit: text -> text, or write: the new bytes), expect exit 2
    with one line that names the file and contains MSG, for every command of CMDS."""
    with Scratch(c, root) as s:
        if edit is not None:
            s.edit(rel, edit)
        if write is not None:
            with open(s.file(rel), "wb") as f:
                f.write(write)
        for cmd in cmds:
            c.expect([cmd, "--root", s.path], 2, stderr_has=[f"zonelens: {s.file(rel)}", msg])


def refused_edits(c, rel, cases):
    """refused() on four-node-runtime's REL (verify) for each (edit, message) of CASES; an edit
    given as (old, new) replaces the first old by new."""
    for edit, msg in cases:
        if isinstance(edit, tuple):
            edit = lambda t, old=edit[0], new=edit[1]: t.replace(old, new, 1)  # noqa: E731
        refused(c, "four-node-runtime", rel, msg, ("verify",), edit=edit)


SYS = "sys/devices/system/node"
ZONEINFO = "proc/zoneinfo"


@case
def bad_zoneinfo_empty_or_garbage(c):
    for text in (b"", b"garbage\nmore garbage\n", b"\x00\x01\x02"):
        refused(c, "four-node-sysfs", ZONEINFO, "no 'Node N, zone NAME' block", write=text)
    refused(c, "four-node-sysfs", ZONEINFO, "bad or repeated page count",
            edit=lambda t: t.replace("        present  3998", "        present  3998\n"
                                     "        present  3998", 1))


@case
def bad_node_list_empty_or_huge(c):
    refused(c, "four-node-sysfs", f"{SYS}/online", "is empty, but a running kernel always has",
            write=b"")
    refused(c, "four-node-sysfs", f"{SYS}/possible", "is not a node list with ids below 1024",
            write=b"0-1000000\n")
    refused(c, "four-node-sysfs", f"{SYS}/node0/cpulist", "is not a CPU list with ids below 8192",
            write=b"0-99999\n")


@case
def bad_node_states_inconsistent(c):
    # has_memory names node 3, which has no populated zone in /proc/zoneinfo
    with Scratch(c, "four-node-sysfs") as s:
        with open(s.file(f"{SYS}/has_memory"), "w") as f:
            f.write("0-3\n")
        c.expect(["predict", "--root", s.path], 2,
                 stderr_has=["node 3 is in N_MEMORY but has no populated zone",
                             "which no kernel shows"])
    refused(c, "four-node-runtime", SNAP, "node 3 has a populated zone but is not in N_MEMORY",
            ("verify", "show"), edit=lambda t: t.replace(
                "zone 3 2 Normal present 0 managed 0 spanned 0",
                "zone 3 2 Normal present 8 managed 8 spanned 8"))
    refused(c, "four-node-runtime", SNAP, "bad list '0-4', ids must be below nr_node_ids 4",
            ("show",), edit=lambda t: t.replace("node_states online 0-3", "node_states online 0-4"))


@case
def bad_snapshot_values_out_of_range(c):
    refused_edits(c, SNAP, [
        (("distance 0 1 20", "distance 0 1 -5"), "bad number '-5'"),
        (("distance 0 1 20", "distance 0 1 256"), "distance 256 is outside 10..255"),
        (("distance 1 1 10", "distance 1 1 12"), "a node's distance to itself is 10"),
        (("nr_node_ids 4", "nr_node_ids 2000"), "nr_node_ids 2000 is outside 1..1024"),
        (("nr_node_ids 4", "nr_node_ids 5"), "is not the highest possible node + 1"),
        (("max_numnodes 1024", "max_numnodes 1000"), "a power of two"),
        (("cpumask 3 4-5", "cpumask 3 4-6"), "ids must be below nr_cpu_ids 6"),
        (("present 3998 managed 3998", "present 1099511627777 managed 3998"),
         "is outside 0..1099511627776"),
        (("present 3998 managed 3998", "present 3998 managed 3999"),
         "managed <= present <= spanned"),
    ])


@case
def bad_snapshot_structure(c):
    refused_edits(c, SNAP, [
        (lambda t: t.replace("kernel_release 6.12.0-zonelens-fixture\n",
                             "kernel_release 6.12.0-zonelens-fixture\nkernel_release 6.1.0\n"),
         "repeated 'kernel_release' line, the format has one"),
        (lambda t: t.replace("distance 2 3 20\n", ""), "breaks the distance table"),
        (lambda t: t.replace("zone 0 4 Device present 0 managed 0 spanned 0\n", ""),
         "node 0 has fewer than max_nr_zones zones"),
        (lambda t: t.replace("cpumask 2 -\n", ""), "the cpumask lines are not one per possible node"),
        (lambda t: t.replace("max_numnodes 1024\n", ""), "no 'max_numnodes' line"),
        (lambda t: t.replace("\n", "\r\n"), "CRLF line endings"),
        (lambda t: t.replace("passes 2", "passes 2\n\x1b[31mred"),
         "unknown keyword '\\x1b[31mred' in format 1"),
    ])


@case
def bad_events(c):
    refused_edits(c, EVENTS, [
        (("event 2 ", "event 7 "), "event sequence numbers run from first_seq"),
        (("first_seq 1 last_seq 3", "first_seq 1 last_seq 4"), "promises events 1 to 4 but 3 follow"),
        (("mem_online nid 2", "mem_online nid 9"), "event 3 names node 9, not below nr_node_ids 4"),
        (("cpu_online cpu 5", "cpu_online cpu 6"), "event 1 names CPU 6, not below nr_cpu_ids 6"),
    ])


@case
def bad_file_kinds(c):
    # a FIFO, a link to /dev/zero, a file beyond 256 MiB: refused at once, nothing is read
    for make, msg in (
            (lambda p: os.mkfifo(p), "is a FIFO, not a regular file"),
            (lambda p: os.symlink("/dev/zero", p), "is a device, not a regular file"),
            (lambda p: open(p, "wb").truncate(300 << 20), "is larger than 256 MiB")):
        with Scratch(c, "four-node-runtime") as s:
            os.remove(s.file(SNAP))
            make(s.file(SNAP))
            c.expect(["verify", "--root", s.path], 2, stderr_has=[f"zonelens: {s.file(SNAP)} ", msg])
    with tempfile.TemporaryDirectory() as d:
        fifo = os.path.join(d, "topology.json")
        os.mkfifo(fifo)
        c.expect(["predict", "--topology", fifo], 2, stderr_has=[fifo, "is a FIFO"])


@case
def bad_topology_values(c):
    cases = [
        ('{"kernel_release": "6.1.0", "nodes": [{"id": 0, "memory_mb": 72057594037927936}]}',
         "nodes[0].memory_mb: must be a size in MiB from 0 to 2^32"),
        ('{"kernel_release": 1E999999}', "not valid JSON"),  # fuzz finding: was "internal error"
        ('{"kernel_release": "6.1.0", "nodes": [{"id": 1024}]}',
         "nodes[0].id: must be a node id (an integer from 0 to 1023)"),
        ('{"kernel_release": "6.1.0", "nodes": [{"id": 0, "memory_mb": 1, "memory": false, "normal_memory": false}]}',
         "node 0 has a populated zone but is not in N_MEMORY"),
        ('{"kernel_release": "6.1.0", "nodes": [{"id": 0, "memory_mb": 1}], '
         '"distance": {"0": {"0": 12}}}', "the distance from node 0 to node 0 is 12"),
        ('{"kernel_release": "6.1.0", "max_numnodes": 4, "nodes": [{"id": 7, "memory_mb": 1}]}',
         "not the highest possible node + 1 within max_numnodes"),
    ]
    for text, msg in cases:
        with tempfile.NamedTemporaryFile("w", suffix=".json") as t:
            t.write(text)
            t.flush()
            c.expect(["predict", "--topology", t.name], 2, stderr_has=[f"zonelens: {t.name}: ", msg])


@case
def bad_root_shape(c):
    with tempfile.NamedTemporaryFile() as t:
        c.expect(["predict", "--root", t.name], 2,
                 stderr_is=f"zonelens: {t.name} is not a directory: pass a captured root directory "
                           "or archive (.tar, .tar.gz, .tgz, .tar.bz2, .tar.xz) to --root\n")
    with Scratch(c, "four-node-runtime") as s:
        os.remove(s.file(EVENTS))
        _, err = c.expect(["verify", "--root", s.path], 2,
                          stderr_has=[f"{s.file(EVENTS)} not found: capture the root again with "
                                      "the module loaded"])
        assert "insmod" not in err, err


@case
def bad_capture_side_effects(c):
    with tempfile.TemporaryDirectory() as d:
        with Scratch(c, "four-node-sysfs") as s:
            os.remove(s.file(ZONEINFO))
            for out in (os.path.join(d, "new"), os.path.join(d, "new.tar.gz")):
                c.expect(["capture", "--root", s.path, out], 2, stderr_has=["proc/zoneinfo not found"])
                assert not os.path.exists(out), f"a failed capture left {out}"
        out, _ = c.expect(["capture", "--root", c.root("four-node-sysfs"), os.path.join(d, "ok")], 0)
        assert "predict --root DIR" in out and "verify --root" not in out, out
        c.expect(["verify", "--root", os.path.join(d, "ok")], 2)
        c.expect(["predict", "--root", os.path.join(d, "ok")], 0)


# ---- hwloc captures (issue 22) ----

NODE = "sys/devices/system/node/"


def hwlocify(s, remove_release=True):
    """Make a four-node-sysfs copy look like an hwloc capture of an old kernel: no zoneinfo, no
    osrelease, no has_memory/possible, per-node meminfo, and hwloc's "\\n\\0" after lists."""
    os.remove(s.file("proc/zoneinfo"))
    if remove_release:
        os.remove(s.file("proc/sys/kernel/osrelease"))
    for f in ("has_memory", "possible"):
        os.remove(s.file(NODE + f))
    for i, kb in enumerate((524288, 524288, 262144, 0)):  # node 3 has no memory (has_memory 0-2)
        with open(s.file(f"{NODE}node{i}/meminfo"), "w") as f:
            f.write(f"Node {i} MemTotal:       {kb} kB\nNode {i} MemFree:        100 kB\n")
    for f in ("online", "has_cpu", "node3/cpulist"):
        s.edit(NODE + f, lambda t: t + "\0")


def tarball(s, name):
    out = os.path.join(s.dir, name)
    subprocess.run(["tar", "-caf", out, "-C", s.dir, os.path.basename(s.path)], check=True)
    return out


@case
def hwloc_capture_node_level(c):
    # The node order does not depend on zones: a node-level answer from the hwloc-like capture
    # must give every node the node order the complete root gives with the same kernel.
    full, _ = c.expect(["predict", "--root", c.root("four-node-sysfs"), "--kernel", "6.7.0",
                        "--json"], 0)
    whole = json.loads(full)
    want = {n["node"]: n["node_order"] for n in whole["nodes"]}
    # a complete root lacks nothing: the same keys, with what was read
    assert (whole["release_assumed"], whole["release_file"], whole["zones_known"],
            whole["derived"]) == (False, "proc/sys/kernel/osrelease", True, []), whole
    with Scratch(c, "four-node-sysfs") as s:
        hwlocify(s)
        for root in (s.path, tarball(s, "cap.tar.bz2"), tarball(s, "cap.tar.gz")):
            out, _ = c.expect(["predict", "--root", root, "--json"], 0)
            doc = json.loads(out)
            assert doc["kernel"] == "unknown" and doc["era"] == "6.7+", doc
            assert doc["release_assumed"] is True and doc["zones_known"] is False, doc
            assert [d["file"] for d in doc["derived"]] == [NODE + "possible", NODE + "has_memory"], doc
            assert doc["origin"] == f"root {root}", doc
            got = {n["node"]: n["node_order"] for n in doc["nodes"]}
            assert got == want, (got, want)
            # zones unknown: the keys are there, null (docs/json.md)
            assert all(set(n) == {"node", "fallback", "nofallback", "node_order"}
                       and n["fallback"] is None and n["nofallback"] is None
                       for n in doc["nodes"]), doc["nodes"]
            assert doc["release_file"] is None, doc
            assert [d["from"] for d in doc["derived"]] == ["node_directories", "meminfo_memtotal"], doc
        out, _ = c.expect(["predict", "--root", s.path], 0)
        lines = out.splitlines()
        assert lines[0] == (f"predicted zonelists for unknown (era 6.7+, zones unknown, boot rebuild) "
                            f"of root {s.path} (sysfs)"), lines[0]
        assert lines[2] == "arch: x86_64 (the source names none; pass --arch for another)", lines[2]
        assert lines[3] == ("kernel: unknown, era 6.7+ assumed (the newest): the capture has neither "
                            "proc/sys/kernel/osrelease nor proc/version; pass --kernel REL for an "
                            "older kernel"), lines[3]
        assert lines[4] == "zones: unknown (no proc/zoneinfo): the node order of each fallback list only"
        assert lines[5] == f"derived: {NODE}possible from the nodeN directories present", lines[5]
        assert lines[6] == f"derived: {NODE}has_memory from nodeN/meminfo MemTotal > 0", lines[6]
        assert "fallback" not in "\n".join(lines[7:]), out
        # --kernel overrides the assumed era, and the header no longer assumes
        out, _ = c.expect(["predict", "--root", s.path, "--kernel", "4.9.0"], 0)
        assert "era <=4.13" in out.splitlines()[0] and "assumed" not in out, out
        # proc/version names the release when osrelease is absent
        with open(s.file("proc/version"), "w") as f:
            f.write("Linux version 5.10.0-28-amd64 (debian-kernel@lists.debian.org) #1 SMP\n")
        out, _ = c.expect(["predict", "--root", s.path], 0,
                          stdout_has=["predicted zonelists for 5.10.0-28-amd64 (era 4.14-5.15",
                                      "kernel: release from proc/version"])
        c.expect(["predict", "--root", s.path, "--svg", os.path.join(s.dir, "x.svg")], 2,
                 stderr_has=["--svg draws zones"])


@case
def hwloc_capture_refusals(c):
    # zonelens unpacks archives under TMPDIR: a private one, so that no other test unpacking at the
    # same time (hwloc-corpus) puts a directory there while this one looks
    saved = os.environ.get("TMPDIR")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TMPDIR"] = tmp
        try:
            hwloc_capture_refusals_in(c, tmp)
        finally:
            if saved is None:
                del os.environ["TMPDIR"]
            else:
                os.environ["TMPDIR"] = saved


def hwloc_capture_refusals_in(c, tmp):
    with Scratch(c, "four-node-sysfs") as s:
        hwlocify(s)
        # a present file that is wrong is still refused, even in an archive (named by the archive)
        with open(s.file(NODE + "has_normal_memory"), "w") as f:
            f.write("0-7\n\0")
        arch = tarball(s, "cap.tar.xz")
        c.expect(["predict", "--root", arch], 2,
                 stderr_is=f"zonelens: {arch}:four-node-sysfs: node 4 in 'has_normal_memory' is not "
                           "a possible node: check the captured files\n")
        # the NUL is tolerated only where hwloc writes it: not in a distance row
        with open(s.file(NODE + "has_normal_memory"), "w") as f:
            f.write("0-2\n")
        s.edit(NODE + "node0/distance", lambda t: t + "\0")
        c.expect(["predict", "--root", s.path], 2, stderr_has=["node0/distance: expected 4 distances"])
        # two top-level directories: the root is not guessed
        shutil.copytree(s.path, os.path.join(s.dir, "other"))
        two = os.path.join(s.dir, "two.tar.gz")
        subprocess.run(["tar", "-czf", two, "-C", s.dir, "four-node-sysfs", "other"], check=True)
        c.expect(["predict", "--root", two], 2,
                 stderr_is=f"zonelens: {two}: neither the archive's top nor its one top-level "
                           "directory holds sys/devices/system/node: pass an hwloc-gather-topology "
                           "or zonelens capture archive\n")
        # absolute or '..' members are refused before anything is unpacked
        evil = os.path.join(s.dir, "evil.tar")
        subprocess.run(["tar", "-P", "-cf", evil, "../other/proc"], check=True, cwd=s.path)
        c.expect(["predict", "--root", evil], 2, stderr_has=["member '../other/proc",
                                                               "has a '..' component"])
        # no temporary directory is left behind by any of these runs
        left = [d for d in os.listdir(tmp) if d.startswith("zonelens-root.")]
        assert not left, left


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonelens", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    if a.list:
        print(";".join(CASES))
        return 0
    ctx = Ctx(a.zonelens, a.fixtures)
    failed = skipped = 0
    for name in a.cases or list(CASES):
        try:
            CASES[name](ctx)
            print(f"PASS {name}")
        except Skip as e:
            skipped += 1
            print(f"SKIP {name}: {e}")
        except AssertionError as e:
            failed += 1
            print(f"FAIL {name}: {e}")
    if failed:
        return 1
    return SKIP if skipped and len(a.cases) == 1 else 0


if __name__ == "__main__":
    sys.exit(main())
