#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed corpus of a fuzz target, from the repository's fixtures (nothing is kept in-tree).

  make_seeds.py TARGET TESTS_DIR OUT_DIR     TARGET: snapshot, root, topology, snapshot_doc

The input shapes are those of tests/fuzz/fuzz_*.cpp: SNAPSHOT \\0 EVENTS; PATH \\0 CONTENT pairs; a
topology file; a snapshot document.
"""
import glob
import json
import os
import sys

MODULE = "sys/kernel/debug/zonelens"
NODES = "sys/devices/system/node"


def roots(tests):
    found = set()
    for pattern in ("fixtures/captured/*/root", "fixtures/roots/*", "workflow/fixtures/*"):
        for d in glob.glob(os.path.join(tests, pattern)):
            if os.path.isdir(os.path.join(d, NODES)) or os.path.isdir(os.path.join(d, MODULE)):
                found.add(d)
    return sorted(found)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def module_pairs(tests):
    for d in roots(tests):
        snap, events = (os.path.join(d, MODULE, f) for f in ("snapshot", "events"))
        if os.path.exists(snap) and os.path.exists(events):
            yield d, read(snap), read(events)


def seeds(target, tests):
    if target == "snapshot":
        for _, snap, events in module_pairs(tests):
            yield snap + b"\0" + events
    elif target == "root":
        for d in roots(tests):
            if not os.path.isdir(os.path.join(d, NODES)):
                continue
            rels = [f"{NODES}/{f}" for f in ("possible", "online", "has_memory",
                                             "has_normal_memory", "has_cpu")]
            for node in sorted(glob.glob(os.path.join(d, NODES, "node[0-9]*"))):
                rels += [os.path.relpath(os.path.join(node, f), d) for f in ("cpulist", "distance")]
            rels += ["proc/zoneinfo", "proc/sys/kernel/osrelease"]
            out = b""
            for rel in rels:
                if os.path.exists(os.path.join(d, rel)):
                    out += rel.encode() + b"\0" + read(os.path.join(d, rel)) + b"\0"
            yield out
    elif target == "topology":
        for f in sorted(glob.glob(os.path.join(tests, "fixtures/topologies/*.json"))):
            yield read(f)
        yield json.dumps({"kernel_release": "6.1.0", "max_numnodes": 64, "nodes": [
            {"id": 0, "cpus": "0-3", "zones": [{"name": "DMA32", "present": 1000, "managed": 900},
                                               {"name": "Normal", "memory_mb": 512}]},
            {"id": 2, "cpus": [4, 5], "online": True},
            {"id": 3, "online": False, "has_pgdat": False}],
            "distance": {"0": {"2": 21, "3": 30}, "2": {"0": 22}}}).encode()
    elif target == "snapshot_doc":
        for d, snap, events in module_pairs(tests):
            text = snap.decode()
            fields = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
            yield json.dumps({
                "zonelens_snapshot": 1, "origin": "root " + os.path.basename(d),
                "taken_at": "2024-05-01T12:00:00Z", "osrelease": fields["kernel_release"],
                "kernel_release": fields["kernel_release"],
                "generation": int(fields["generation"]), "fingerprint": fields["fingerprint"],
                "raw": {"snapshot": text, "events": events.decode()}}).encode()
    else:
        raise SystemExit(f"unknown target {target}")


def main():
    target, tests, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    n = 0
    for n, seed in enumerate(seeds(target, tests), 1):
        with open(os.path.join(out, f"seed-{n:03d}"), "wb") as f:
            f.write(seed)
    if n == 0:
        raise SystemExit(f"no seeds for {target}")
    print(f"{n} seeds for {target} in {out}")


if __name__ == "__main__":
    main()
