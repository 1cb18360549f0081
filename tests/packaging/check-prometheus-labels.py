#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Prometheus label values come from closed sets (issue 19, docs/json.md "Prometheus").

Runs `zonelens verify --prometheus FILE` on every root with the module's files: the captured
hotplug roots (tests/fixtures/captured/*/root), tests/fixtures/roots/* and the workflow fixtures
(tests/workflow/fixtures/*), and checks every label of every sample: node and nid are node ids,
context a context kind, inferred and self_only booleans, era an era name, arch an architecture and
event an event type (all three read from the sources that define them), release the root's
module's kernel_release. A sentence or an event number in a label would start a new time series at
every rebuild.

  check-prometheus-labels.py ZONELENS SOURCE_DIR
Python 3 standard library only. Exit 0 pass, 1 fail.
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

CONTEXT_KINDS = {"boot", "runtime_current", "runtime_event", "runtime_inferred"}
BOOLEANS = {"true", "false"}
SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"(?:,|$)')


def names(source, pattern):
    return set(re.findall(pattern, source.read_text()))


def main():
    zl, src = sys.argv[1], Path(sys.argv[2])
    # the era table (kEraTable, one row per era)
    eras = names(src / "userspace/src/model/include/zonelens/model.hpp", r'\.name = "([^"]+)"')
    events = names(src / "userspace/src/io/snapshot.cpp", r'\{EventType::\w+, "([a-z_]+)"\}')
    arches = names(src / "userspace/src/model/include/zonelens/arch.hpp", r'\.name = "([^"]+)"')
    assert len(eras) >= 6 and len(events) >= 15 and len(arches) >= 3, (eras, events, arches)
    roots = sorted(src.glob("tests/fixtures/captured/*/root")) + sorted(
        src.glob("tests/fixtures/roots/*")) + sorted(src.glob("tests/workflow/fixtures/*"))
    roots = [r for r in roots if (r / "sys/kernel/debug/zonelens").is_dir()]
    fails, samples = [], 0
    if len(roots) < 10:
        fails.append(f"only {len(roots)} roots with the module's files under {src}")
    with tempfile.TemporaryDirectory() as t:
        for root in roots:
            prom = Path(t) / "zonelens.prom"
            p = subprocess.run([zl, "verify", "--root", str(root), "--prometheus", str(prom)],
                               capture_output=True, text=True, timeout=60)
            if p.returncode == 2 and "is in progress" in p.stderr:
                continue  # a root captured mid-operation (roots/*-unsettled): no answer, no file
            if p.returncode > 1 or not prom.exists():
                fails.append(f"{root}: verify exited {p.returncode}: {p.stderr.strip()}")
                continue
            # the release the module's header names (what verify models; a root of the module's
            # files alone, roots/ppc64el-6.1-t3-cpuless, has no osrelease)
            snap = (root / "sys/kernel/debug/zonelens/snapshot").read_text()
            release = re.search(r"^kernel_release (\S+)$", snap, re.M).group(1)
            closed = {"node": None, "nid": None, "context": CONTEXT_KINDS, "inferred": BOOLEANS,
                      "self_only": BOOLEANS, "era": eras, "event": events, "release": {release},
                      "arch": arches}
            for line in prom.read_text().splitlines():
                if line.startswith("#"):
                    continue
                m = SAMPLE.match(line)
                if not m:
                    fails.append(f"{root}: not a sample: {line!r}")
                    continue
                samples += 1
                for name, value in LABEL.findall(m.group(2) or ""):
                    if name not in closed:
                        fails.append(f"{root}: label {name} has no closed set: {line!r}")
                    elif closed[name] is None:
                        if not re.fullmatch(r"[0-9]*", value) or (name == "node" and not value):
                            fails.append(f"{root}: {name}={value!r} is not a node id: {line!r}")
                    elif value not in closed[name]:
                        fails.append(f"{root}: {name}={value!r} is not one of "
                                     f"{sorted(closed[name])}: {line!r}")
            if "zonelens_verify_context_event_seq " not in prom.read_text():
                fails.append(f"{root}: no zonelens_verify_context_event_seq gauge")
    for f in fails:
        print("FAIL:", f)
    print(f"check-prometheus-labels: {len(roots)} roots, {samples} samples, "
          + ("ok" if not fails else f"{len(fails)} failures"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
