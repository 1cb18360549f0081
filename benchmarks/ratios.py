#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs the benchmarks once and prints each figure beside its floor, as ratios.

  benchmarks/ratios.py BUILD_DIR [--model]

BUILD_DIR/benchmarks/zonelens_bench_io gives, at 8, 64, 256 and 1024 nodes:
  root      `predict --root R --context runtime --json` / reading every file of R + writing as
            many bytes (RootFloor), wall and child CPU time, and the peak RSS of the predict run
  text      the same without --json / RootFloor (what --json adds is root - text)
  json      writing the JSON (Root - RootText + WriteFloor) against writing its bytes (WriteFloor)
  snapshot  read + parse of a format-3 module snapshot / reading the file, and format 2 / format 3
With --model also BUILD_DIR/benchmarks/zonelens_bench: the model against the literal
transcription (tests/unit/model/reference_model.cpp) at 1024 nodes (about 3 s).
The targets of issues 13 and 19 are printed beside the figures; nothing here fails on them.
"""
import argparse
import json
import subprocess
import sys
from pathlib import Path


def run(binary, *args):
    out = subprocess.run([str(binary), "--benchmark_format=json", *args], check=True,
                         capture_output=True, text=True).stdout
    res = {}
    for b in json.loads(out)["benchmarks"]:
        res[b["name"]] = b
    return res


def ms(b, key="real_time"):
    unit = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b["time_unit"]]
    return b[key] * unit


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_dir", type=Path)
    ap.add_argument("--model", action="store_true", help="also the model against the reference")
    a = ap.parse_args()
    io = run(a.build_dir / "benchmarks" / "zonelens_bench_io")
    print(f"{'nodes':>5} {'what':10} {'time ms':>9} {'floor ms':>9} {'ratio':>6} "
          f"{'cpu ms':>8} {'floor cpu':>9} {'ratio':>6} {'peak RSS MiB':>12}")
    for n in (8, 64, 256, 1024):
        root, text = io[f"BM_Root/{n}"], io[f"BM_RootText/{n}"]
        floor, wfloor = io[f"BM_RootFloor/{n}"], io[f"BM_WriteFloor/{n}"]
        for name, b, f in (("root", root, floor), ("text", text, floor)):
            print(f"{n:>5} {name:10} {ms(b):9.2f} {ms(f):9.2f} {ms(b) / ms(f):6.2f} "
                  f"{b['child_cpu_ms']:8.2f} {f['child_cpu_ms']:9.2f} "
                  f"{b['child_cpu_ms'] / f['child_cpu_ms']:6.2f} {b['peak_rss_MiB']:12.1f}")
        js = ms(root) - ms(text) + ms(wfloor)
        js_cpu = root["child_cpu_ms"] - text["child_cpu_ms"] + wfloor["child_cpu_ms"]
        print(f"{n:>5} {'json':10} {js:9.2f} {ms(wfloor):9.2f} {js / ms(wfloor):6.2f} "
              f"{js_cpu:8.2f} {wfloor['child_cpu_ms']:9.2f} {js_cpu / wfloor['child_cpu_ms']:6.2f}")
        s3, s2, sf = io[f"BM_Snapshot/{n}"], io[f"BM_Snapshot2/{n}"], io[f"BM_SnapshotFloor/{n}"]
        print(f"{n:>5} {'snapshot':10} {ms(s3):9.3f} {ms(sf):9.3f} {ms(s3) / ms(sf):6.1f} "
              f"{ms(s3, 'cpu_time'):8.3f} {ms(sf, 'cpu_time'):9.3f} "
              f"{ms(s3, 'cpu_time') / ms(sf, 'cpu_time'):6.1f}   format 2: {ms(s2, 'cpu_time'):.3f} ms cpu "
              f"({ms(s2, 'cpu_time') / ms(s3, 'cpu_time'):.2f}x format 3)")
    for n, bound in ((64, 1.2), (1024, 3.0)):
        print(f"target (issue 19): root at {n} nodes <= {bound}x its floor (wall): "
              f"{ms(io[f'BM_Root/{n}']) / ms(io[f'BM_RootFloor/{n}']):.2f}x")
    r = io["BM_Root/1024"]
    print(f"target: root at 1024 nodes <= 1.5x its floor: {ms(r) / ms(io['BM_RootFloor/1024']):.2f}x wall, "
          f"{r['child_cpu_ms'] / io['BM_RootFloor/1024']['child_cpu_ms']:.2f}x cpu")
    print(f"target: peak RSS at 1024 nodes <= 64 MiB: {r['peak_rss_MiB']:.1f} MiB")
    if a.model:
        m = run(a.build_dir / "benchmarks" / "zonelens_bench", "--benchmark_filter=/1024")
        fast = ms(m["BM_Predict/era_6_7/1024"], "cpu_time")
        ref = ms(m["BM_Reference/era_6_7_1024/1024/iterations:1"], "cpu_time")
        print(f"target: model >= 50x the transcription at 1024 nodes: {ref:.0f} ms / {fast:.1f} ms "
              f"= {ref / fast:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
