"""How long does grading a class take, next to just running the notebooks?

Builds N submissions of one chapter (two thirds are the solution notebook, one
third the unsolved exercise), then times

1. executing each notebook once, one after another, in a fresh kernel
   (nbclient, as `jupyter nbconvert --execute` would), and
2. grading all of them with the batch grader (`grade_batch`, ``--jobs`` kernels
   at a time), which also runs every notebook in a fresh kernel and then grades
   each task.

Usage: python benchmarks/grading_speed.py [--chapter 01] [--n 30] [--jobs 2]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

from nnlib import course
from nnlib.grading.batch import grade_batch
from nnlib.grading.kernel import Limits

ROOT = Path(__file__).resolve().parents[1]


def make_submissions(chapter_id: str, n: int, folder: Path) -> list[Path]:
    """n copies: solutions, with every third one the unsolved exercise."""
    ch = course.chapter(chapter_id)
    solved, unsolved = ROOT / ch["solution"], ROOT / ch["exercise"]
    paths = []
    for i in range(n):
        path = folder / f"student{i:02d}.ipynb"
        shutil.copy(unsolved if i % 3 == 2 else solved, path)
        paths.append(path)
    return paths


def execute_each(paths: list[Path]) -> float:
    """Seconds to execute every notebook once, sequentially, errors allowed."""
    start = time.perf_counter()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        km = KernelManager(
            kernel_name=CURRENT_ENV_KERNEL_NAME,
            kernel_spec_manager=NbvalKernelspecManager(),
        )
        NotebookClient(
            nb,
            km=km,
            timeout=300,
            allow_errors=True,
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="01")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make_submissions(args.chapter, args.n, folder)
        executed = execute_each(paths)
        start = time.perf_counter()
        results = grade_batch(
            paths, Limits(timeout=300), out=folder / "out", jobs=args.jobs
        )
        graded = time.perf_counter() - start
    points = sum(r.points for r in results)
    most = sum(r.max_points for r in results)
    print(
        f"chapter {args.chapter}: {args.n} submissions, {points}/{most} points in all"
    )
    print(f"{'':34}{'total s':>9}{'per notebook s':>16}")
    print(
        f"{'execute each once (sequential)':34}{executed:9.1f}{executed / args.n:16.2f}"
    )
    print(f"{f'grade all, --jobs {args.jobs}':34}{graded:9.1f}{graded / args.n:16.2f}")
    print(f"grading / executing: {graded / executed:.2f}")


if __name__ == "__main__":
    main()
