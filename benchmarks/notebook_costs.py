"""Execution time and peak memory of every notebook, each in its own fresh kernel.

Usage: python benchmarks/notebook_costs.py [--threads N] [NOTEBOOK ...]
Copies each notebook to a temporary folder and executes it there with
tools/execute.py in a child process, sampling the resident memory of the kernel (the
largest process in the child's tree) every 0.1 s. Prints a markdown table. Numbers vary
with the load of the machine; run it on an idle one. ``--threads`` sets the BLAS/torch
thread count of the kernels (default 1, as ``make test`` and ``make execute``; a learner
in ``make lab`` gets the library default, one thread per core).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def measure(path: Path) -> tuple[float, float, int]:
    """Wall seconds, peak kernel MB and exit code of executing one notebook."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / path.parent.name
        folder.mkdir()
        copy = folder / path.name
        shutil.copy(path, copy)
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, str(ROOT / "tools" / "execute.py"), str(copy)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        parent = psutil.Process(child.pid)
        peak = 0
        while child.poll() is None:
            try:
                for proc in parent.children(recursive=True):
                    peak = max(peak, proc.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.1)
        seconds = time.perf_counter() - start
    return seconds, peak / 2**20, child.returncode


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--threads", type=int, default=1, help="BLAS/torch threads")
    args = parser.parse_args(argv)
    for name in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]:
        os.environ[name] = str(args.threads)
    paths = args.notebooks or sorted(
        [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("solutions/*.ipynb")]
    )
    print(f"cores: {len(os.sched_getaffinity(0))}; threads per kernel: {args.threads}")
    print("| notebook | seconds (incl. kernel start) | peak kernel MB | status |")
    print("|---|---:|---:|---|")
    worst = 0
    for path in paths:
        seconds, peak, rc = measure(path.resolve())
        worst = max(worst, rc)
        status = "ok" if rc == 0 else "FAILED"
        print(f"| {path.name} | {seconds:.1f} | {peak:.0f} | {status} |", flush=True)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
