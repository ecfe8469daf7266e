"""``nnlib-grade``: grade exercise notebooks, a whole class or your own.

    nnlib-grade course/submitted --chapter 01 --out grades/ --jobs 4   # a class
    nnlib-grade exercises/                                  # your own progress

With ``--out`` the grader writes ``grades.csv`` (student, task, points,
max_points, feedback), ``report.json`` and one signed JSON file per submission
as it finishes, each notebook in its own bubblewrap sandbox; ``--resume`` skips
submissions already graded. Without ``--out`` it prints a table of tasks passed
per chapter (your own notebooks: no sandbox needed).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from nnlib import course

from . import require_extras
from .records import SubmissionResult, TaskGrade


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nnlib-grade",
        description="Grade nnlib exercise notebooks, each in its own fresh kernel.",
    )
    p.add_argument("paths", nargs="+", help="notebooks, or folders to search for them")
    p.add_argument(
        "--out", type=Path, help="folder for grades.csv, report.json, results/"
    )
    p.add_argument(
        "--chapter",
        action="append",
        dest="chapters",
        metavar="NN",
        help="grade these chapters' tasks (default: from each file name)",
    )
    p.add_argument("--jobs", type=int, default=2, help="kernels at a time (default 2)")
    p.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds per notebook, grading included (default 300)",
    )
    p.add_argument(
        "--memory-mb",
        type=int,
        default=4096,
        help="memory (heap + private writable) per kernel in MB, 0 for none "
        "(default 4096)",
    )
    p.add_argument(
        "--max-output-mb",
        type=float,
        default=50.0,
        help="output per cell before it is interrupted (default 50)",
    )
    p.add_argument(
        "--file-mb",
        type=int,
        default=512,
        help="largest file a notebook may write, in MB (default 512)",
    )
    p.add_argument(
        "--secret-file",
        type=Path,
        help="the instructor's secret that seeds the hidden cases and signs the "
        "results (default: $NNLIB_GRADER_SECRET, else OUT/.secret, made once)",
    )
    p.add_argument(
        "--disk-mb",
        type=int,
        default=1024,
        help="size of each sandbox's home and of its /tmp, in MB (default 1024)",
    )
    p.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="grade other people's notebooks without bubblewrap (they run as you)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="skip submissions whose result is already in --out",
    )
    p.add_argument(
        "--allow-programs",
        action="store_true",
        help="let notebooks start other programs (subprocess, os.system)",
    )
    return p


def _summary(result: SubmissionResult, skipped: bool) -> str:
    note = "  (already graded)" if skipped else f"  ({result.seconds:.1f} s)"
    lines = [
        f"{result.student:<24} {result.points:>3}/{result.max_points:<3} points{note}"
    ]
    lines += [f"    fault: {f}" for f in result.faults]
    lines += [
        f"    flag: {f}"
        for f in result.flags + [x for t in result.tasks for x in t.flags]
    ]
    return "\n".join(lines)


def progress_table(results: Sequence[SubmissionResult]) -> str:
    """Tasks passed and points per chapter (the best attempt at each task when a
    chapter was given twice), then the feedback on the tasks not yet passed."""
    best: dict[str, TaskGrade] = {}
    for r in results:
        for t in r.tasks:
            if t.task not in best or t.points > best[t.task].points:
                best[t.task] = t
    head = f"{'chapter':<46} {'tasks':>5}  {'points':>7}"
    lines, todo = [head, "-" * len(head)], []
    totals = [0, 0, 0, 0]
    for ch in course.chapters():
        grades = [t for tid, t in best.items() if tid.startswith(ch["id"] + ".")]
        if not grades:
            continue
        row = [
            sum(t.status == "passed" for t in grades),
            len(grades),
            sum(t.points for t in grades),
            sum(t.max_points for t in grades),
        ]
        totals = [x + y for x, y in zip(totals, row, strict=True)]
        title = f"{ch['id']}  {ch['title']}"
        lines.append(f"{title:<46} {row[0]:>2}/{row[1]:<2}  {row[2]:>3}/{row[3]:<3}")
        todo += [t.feedback for t in grades if t.status != "passed"]
    lines += [
        "-" * len(head),
        f"{'all':<46} {totals[0]:>2}/{totals[1]:<2}  {totals[2]:>3}/{totals[3]:<3}",
    ]
    faults = [f"{r.student}: {f}" for r in results for f in r.faults]
    if todo or faults:
        lines += ["", *todo, *faults]
    return "\n".join(lines)


def class_table(rows: Sequence[dict]) -> str:
    """The per-task summary of a class as an aligned text table."""
    head = (
        f"{'task':<24} {'passed':>7} {'failed':>7} {'not tried':>9} {'mean points':>12}"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        mean = f"{row['mean_points']:g}/{row['max_points']}"
        lines.append(
            f"{row['task']:<24} {row['passed']:>3}/{row['submissions']:<3} "
            f"{row['failed']:>7} {row['not_attempted']:>9} {mean:>12}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``nnlib-grade`` and ``python -m nnlib.grader``."""
    args = _parser().parse_args(argv)
    if args.resume and args.out is None:
        _parser().error("--resume needs --out (the folder with earlier results)")
    missing = require_extras()
    if missing:
        print(missing, file=sys.stderr)
        return 2
    from .batch import find_submissions, grade_batch, task_summary
    from .kernel import Limits
    from .naming import NameClash
    from .sandbox import UNSAFE_HELP, sandbox_works
    from .store import SecretMismatch, StoreBusy

    try:
        subs = find_submissions(args.paths)
    except NameClash as exc:
        _parser().error(str(exc))
    if not subs:
        _parser().error("no notebooks found in " + " ".join(args.paths))
    # a class's notebooks (--out) run only in a sandbox; a learner's own need none
    use_sandbox = args.out is not None and not args.unsafe_no_sandbox
    if use_sandbox:
        why = sandbox_works()
        if why:
            print(f"nnlib-grade: {why}.\n{UNSAFE_HELP}", file=sys.stderr)
            return 2
        if os.geteuid() == 0:  # Linux exempts root from the per-user process limit
            print(
                "nnlib-grade: running as root: each sandbox still has its own uid, "
                "time, memory and disk limits, but the number of processes a "
                "submission starts is bounded only by those; run as an ordinary "
                "user to limit it too.",
                file=sys.stderr,
            )
    jobs = max(1, args.jobs)
    limits = Limits(
        sandbox=use_sandbox,
        disk_mb=args.disk_mb,
        timeout=args.timeout,
        memory_mb=args.memory_mb,
        file_mb=args.file_mb,
        max_output_mb=args.max_output_mb,
        threads=max(1, (os.cpu_count() or 1) // jobs),
        allow_programs=args.allow_programs,
    )

    def report(result: SubmissionResult, skipped: bool) -> None:
        if args.out is not None:
            print(_summary(result, skipped), flush=True)

    try:
        results = grade_batch(
            subs,
            limits,
            out=args.out,
            chapters=args.chapters,
            jobs=jobs,
            secret_file=args.secret_file,
            resume=args.resume,
            on_result=report,
        )
    except (StoreBusy, SecretMismatch, ValueError, OSError) as exc:
        text = str(exc)
        print(
            text if text.startswith("nnlib-grade") else f"nnlib-grade: {text}",
            file=sys.stderr,
        )
        return 2
    if args.out is None:
        print(progress_table(results))
    else:
        total = sum(r.points for r in results)
        most = sum(r.max_points for r in results)
        print(f"\n{class_table(task_summary(results))}\n")
        print(
            f"{len(results)} submissions, {total}/{most} points; wrote "
            f"{args.out / 'grades.csv'}, {args.out / 'tasks.csv'} and "
            f"{args.out / 'report.json'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
