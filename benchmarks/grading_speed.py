"""How fast does the batch grader get through a class, with and without its sandbox?

Builds N submissions per chapter (two thirds the solution notebook, one third
the unsolved exercise) and grades them with ``grade_batch`` at ``--jobs``
kernels at a time, once with each kernel in its own bubblewrap sandbox (the
default of ``nnlib-grade --out``) and once without (``--unsafe-no-sandbox``, the
old way), and prints submissions per minute and the sandbox's cost. With
``--execute`` it also times executing each notebook once with nbclient, as
``jupyter nbconvert --execute`` would.

Usage: python benchmarks/grading_speed.py [--chapter 01 --chapter 06] [--n 30]
       [--jobs 2] [--execute]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from nnlib import course
from nnlib.grader.batch import grade_batch
from nnlib.grader.kernel import Limits
from nnlib.grader.sandbox import sandbox_works

ROOT = Path(__file__).resolve().parents[1]


def make_submissions(chapter_id: str, n: int, folder: Path) -> Path:
    """An nbgrader tree of n students: the solution, every third the exercise."""
    ch = course.chapter(chapter_id)
    solved, unsolved = ROOT / ch["solution"], ROOT / ch["exercise"]
    for i in range(n):
        path = folder / "submitted" / f"student{i:02d}" / f"ch{chapter_id}"
        path.mkdir(parents=True)
        shutil.copy(
            unsolved if i % 3 == 2 else solved, path / Path(ch["exercise"]).name
        )
    return folder / "submitted"


def execute_each(folder: Path) -> float:
    """Seconds to execute every notebook once, sequentially, errors allowed."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

    start = time.perf_counter()
    for path in sorted(folder.rglob("*.ipynb")):
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


def grade(tree: Path, out: Path, chapter: str, jobs: int, sandbox: bool) -> tuple:
    """(seconds, points, max points) to grade the tree once."""
    threads = max(1, (os.cpu_count() or 1) // jobs)
    limits = Limits(timeout=300, sandbox=sandbox, threads=threads)
    start = time.perf_counter()
    results = grade_batch(
        [tree], limits, out=out, chapters=[chapter], jobs=jobs, secret=b"x" * 32
    )
    seconds = time.perf_counter() - start
    return seconds, sum(r.points for r in results), sum(r.max_points for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", action="append", dest="chapters")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--execute", action="store_true", help="nbclient baseline")
    args = parser.parse_args()
    chapters = args.chapters or ["01", "06"]
    why = sandbox_works()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'':28}{'seconds':>9}{'subs/min':>10}{'points':>12}")
    for chapter in chapters:
        with tempfile.TemporaryDirectory() as tmp:
            tree = make_submissions(chapter, args.n, Path(tmp))
            if args.execute:
                s = execute_each(tree)
                print(
                    f"{f'ch{chapter} execute each once':28}{s:9.1f}"
                    f"{60 * args.n / s:10.1f}"
                )
            rates = {}
            for sandbox in (False, True):
                if sandbox and why:
                    print(f"ch{chapter} sandboxed: skipped ({why})")
                    continue
                s, got, most = grade(
                    tree, Path(tmp) / f"out{sandbox}", chapter, args.jobs, sandbox
                )
                rates[sandbox] = 60 * args.n / s
                label = f"ch{chapter} --jobs {args.jobs} " + (
                    "sandboxed" if sandbox else "no sandbox"
                )
                print(f"{label:28}{s:9.1f}{rates[sandbox]:10.1f}{got:>7}/{most}")
            if len(rates) == 2:
                print(f"ch{chapter} sandbox cost: {rates[False] / rates[True]:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
