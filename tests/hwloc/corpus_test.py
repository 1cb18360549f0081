#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-machine corpus: hwloc's Linux captures (Debian's hwloc source package, fetched at test time
by fetch-hwloc.sh, never kept in the repository) through `zonelens predict --root TARBALL --json`.

For each capture: a node-level answer (exit 0, JSON with one entry per node directory, each with a
node order) when every node directory has a distance row and a CPU list; otherwise exit 2, nothing
on stdout and one 'zonelens: ...' line on stderr. Never a crash or a hang (a timeout per run).
The captures named in goldens.json must give exactly the node orders derived there by hand
(README.md beside it). Exit 77 (ctest SKIP) only when the fetch is impossible.
usage: corpus_test.py --zonelens BIN --cache DIR
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
# Seconds per run: a hang fails. Nearly all of a run is tar unpacking the archive and the removal
# of the tree (11,495 members in 40intel64-2g2n4c+pci): under a second on a quiet machine, 12 s
# on a 2-core one with a load of 4, where 20 s failed beside the other tests.
TIMEOUT = 90


def node_dirs(tar_path):
    """{node id: set of file names in nodeN} of the capture's sys/devices/system/node."""
    nodes = {}
    with tarfile.open(tar_path) as t:
        for m in t.getmembers():
            parts = m.name.split("/")
            for i in range(len(parts) - 4):
                if parts[i:i + 4] == ["sys", "devices", "system", "node"]:
                    rest = parts[i + 4:]
                    g = re.fullmatch(r"node(\d+)", rest[0]) if rest else None
                    if g:
                        entry = nodes.setdefault(int(g.group(1)), set())
                        if len(rest) == 2 and (m.isfile() or m.issym()):
                            entry.add(rest[1])
                    break
    return nodes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zonelens", required=True)
    ap.add_argument("--cache", required=True)
    args = ap.parse_args()
    fetch = subprocess.run([os.path.join(HERE, "fetch-hwloc.sh"), args.cache])
    if fetch.returncode == 77:
        print("hwloc-corpus: SKIPPED: Debian's hwloc source package could not be fetched "
              "(see above); the real-machine corpus was NOT checked", file=sys.stderr)
        return 77
    if fetch.returncode != 0:
        print("hwloc-corpus: fetch-hwloc.sh failed", file=sys.stderr)
        return 1
    with open(os.path.join(HERE, "goldens.json")) as f:
        doc = json.load(f)
    goldens, refusals = doc["answers"], doc["refusals"]
    linux = os.path.join(args.cache, "linux")
    captures = sorted(f for f in os.listdir(linux) if f.endswith(".tar.bz2"))
    failures = []
    answered, refused = [], []
    for name in captures:
        path = os.path.join(linux, name)
        short = name[:-len(".tar.bz2")]
        nodes = node_dirs(path)
        complete = bool(nodes) and all(
            "distance" in files and ("cpulist" in files or "cpumap" in files)
            for files in nodes.values())
        # A capture hwloc's authors edited by hand into something no kernel shows: refused with
        # a sentence naming the broken file (goldens.json "refusals", reasons in README.md).
        broken = refusals.get(short)
        try:
            p = subprocess.run([args.zonelens, "predict", "--root", path, "--json"],
                               capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            failures.append(f"{short}: no answer within {TIMEOUT} s")
            continue
        if p.returncode < 0:
            failures.append(f"{short}: killed by signal {-p.returncode}")
            continue
        if complete and broken is None:
            if p.returncode != 0:
                failures.append(f"{short}: exit {p.returncode} for a complete capture: {p.stderr.strip()}")
                continue
            doc = json.loads(p.stdout)
            got = {n["node"]: n["node_order"] for n in doc["nodes"]}
            if sorted(got) != sorted(nodes) or any(not o for o in got.values()):
                failures.append(f"{short}: nodes {sorted(got)} with orders, expected {sorted(nodes)}")
                continue
            answered.append(short)
            want = goldens.get(short)
            if want is not None:
                for key in ("era", "zones_known"):
                    if key in want and doc.get(key) != want[key]:
                        failures.append(f"{short}: {key} {doc.get(key)!r}, expected {want[key]!r}")
                for node, order in want["node_order"].items():
                    if got.get(int(node)) != order:
                        failures.append(f"{short}: node {node} order {got.get(int(node))}, derived {order}")
        else:
            lines = p.stderr.strip().splitlines()
            if (p.returncode != 2 or p.stdout or len(lines) != 1
                    or not lines[0].startswith("zonelens: ")):
                failures.append(f"{short}: incomplete capture gave exit {p.returncode}, "
                                f"stdout {len(p.stdout)} bytes, stderr {lines}")
                continue
            if broken is not None and broken not in lines[0]:
                failures.append(f"{short}: refused, but not for {broken!r}: {lines[0]}")
                continue
            refused.append((short, lines[0]))
    missing = sorted(set(goldens) - set(answered))
    missing_refusals = sorted(set(refusals) - {r[0] for r in refused})
    for m in missing_refusals:
        failures.append(f"{m}: listed as refused but not refused (or not in the corpus)")
    for m in missing:
        failures.append(f"{m}: a golden capture got no node-level answer (or is not in the corpus)")
    print(f"hwloc-corpus: {len(captures)} captures, {len(answered)} node-level answers, "
          f"{len(refused)} refused, {len(goldens) - len(missing)} goldens matched, "
          f"{len(failures)} failures")
    for short, line in refused:
        print(f"  refused {short}: {line}")
    print(f"  answered: {' '.join(answered)}")
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    return 1 if failures or not captures else 0


if __name__ == "__main__":
    sys.exit(main())
