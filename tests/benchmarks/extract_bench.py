#!/usr/bin/env python3
"""Whole-process benchmark of `radnode extract` on PyRadiomics' reference cases.

Runs the release binary N times per case with the baseline parameter file (all original
features, binWidth 25, voxelArrayShift 2000) and prints min / median wall time per process,
including start-up, NRRD reading (gzip), extraction and CSV writing.

    python3 tests/benchmarks/extract_bench.py [--radnode build/release/tools/radnode] [--runs 20]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data", "pyradiomics")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--radnode", default=os.path.join(ROOT, "build", "release", "tools", "radnode"))
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    params = os.path.join(DATA, "params", "baseline_original.yaml")
    print(f"{'case':10} {'runs':>4} {'min s':>8} {'median s':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for case in ("brain1", "brain2", "breast1"):
            out = os.path.join(tmp, case + ".csv")
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                subprocess.run([args.radnode, "extract", "--image", os.path.join(DATA, case + "_image.nrrd"),
                                "--mask", os.path.join(DATA, case + "_label.nrrd"), "--params", params,
                                "--out", out], check=True, stderr=subprocess.DEVNULL)
                times.append(time.perf_counter() - start)
            print(f"{case:10} {args.runs:4d} {min(times):8.3f} {statistics.median(times):9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
