"""``nnlib-grade``: grade exercise notebooks, a whole class or your own.

    nnlib-grade course/submitted --chapter 01 --out grades/ --jobs 4   # a class
    nnlib-grade exercises/                                  # your own progress
    nnlib-grade --gradescope-bundle 01 --out grades/        # a Gradescope autograder
    nnlib-grade --export canvas --out grades/ --roster roster.csv   # or moodle

With ``--out`` the grader writes ``grades.csv`` (student, task, points,
max_points, feedback), ``report.json`` and one signed JSON file per submission
as it finishes, each notebook in its own bubblewrap sandbox; ``--resume`` skips
submissions already graded. Without ``--out`` it prints a table of tasks passed
per chapter (your own notebooks: no sandbox needed). ``--gradescope-bundle``
writes ``OUT/nnlib_gradescope_chNN.zip`` (see ``gradescope``); ``--export``
turns ``OUT/grades.csv`` into ``OUT/canvas_import.csv`` or
``OUT/moodle_import.csv`` (see ``lms``).
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
    p.add_argument("paths", nargs="*", help="notebooks, or folders to search for them")
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
    gs = p.add_argument_group(
        "Gradescope",
        "--gradescope-bundle NN --out DIR writes DIR/nnlib_gradescope_chNN.zip, an "
        "autograder that grades one notebook of chapter NN as nnlib-grade does, "
        "with --timeout, --memory-mb, --max-output-mb, --file-mb, --disk-mb, "
        "--allow-programs and the secret (--secret-file, $NNLIB_GRADER_SECRET or "
        "OUT/.secret), which the zip contains: keep it private. With "
        "--unsafe-no-sandbox it also grades where bubblewrap cannot run.",
    )
    gs.add_argument(
        "--gradescope-bundle",
        metavar="NN",
        help="write a Gradescope autograder zip for chapter NN into --out",
    )
    gs.add_argument(
        "--gradescope-visibility",
        choices=["after_due_date", "after_published", "visible"],
        default="after_due_date",
        help="when students see each task's result on the hidden cases "
        "(default after_due_date)",
    )
    lms = p.add_argument_group(
        "LMS export",
        "--export canvas|moodle --out DIR turns DIR/grades.csv into "
        "DIR/canvas_import.csv or DIR/moodle_import.csv: one row per student, one "
        "column per chapter (--chapter keeps those), blank where nothing was "
        "graded. The roster CSV maps the grader's student names (column "
        "'student', or --roster-key) to the LMS's: Canvas 'Student', 'ID', "
        "'SIS User ID', 'SIS Login ID', 'Section'; Moodle 'username', 'email', "
        "'idnumber' (and 'firstname', 'lastname'). Students missing from it are "
        "an error.",
    )
    lms.add_argument(
        "--export", choices=["canvas", "moodle"], help="write the LMS import file"
    )
    lms.add_argument("--roster", type=Path, help="CSV of the students' LMS identities")
    lms.add_argument(
        "--roster-key",
        metavar="COLUMN",
        help="the roster column with the grader's names (default: student)",
    )
    lms.add_argument(
        "--assignment",
        action="append",
        default=[],
        metavar="NN=NAME",
        help="the LMS column of chapter NN (default 'Chapter NN: title'; Canvas: "
        "'Name (id)' for an existing assignment)",
    )
    return p


def _tools(args: argparse.Namespace) -> int | None:
    """Run --gradescope-bundle or --export; None when neither was asked for."""
    if args.gradescope_bundle is None and args.export is None:
        if args.roster or args.roster_key or args.assignment:
            _parser().error("--roster, --roster-key and --assignment go with --export")
        return None
    if args.gradescope_bundle is not None and args.export is not None:
        _parser().error("--gradescope-bundle and --export are separate runs")
    flag = "--export" if args.export else "--gradescope-bundle"
    if args.out is None:
        _parser().error(f"{flag} needs --out (the folder to write to)")
    if args.paths:
        _parser().error(f"{flag} takes no notebooks, got {' '.join(args.paths)}")
    if args.export:
        from .lms import ExportError, export, parse_assignments

        try:
            done = export(
                args.out,
                args.export,
                roster=args.roster,
                roster_key=args.roster_key,
                chapters=args.chapters,
                names=parse_assignments(args.assignment),
            )
        except ExportError as exc:
            print(exc, file=sys.stderr)
            return 2
        for note in done.notes:
            print(f"note: {note}")
        print(f"wrote {done.path} ({len(done.rows) - 1} rows after the header)")
        return 0
    from .gradescope import build_bundle
    from .secret import load_secret

    try:
        path = build_bundle(
            args.gradescope_bundle,
            args.out,
            load_secret(args.secret_file, args.out),
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            max_output_mb=args.max_output_mb,
            file_mb=args.file_mb,
            disk_mb=args.disk_mb,
            allow_programs=args.allow_programs,
            allow_unsandboxed=args.unsafe_no_sandbox,
            visibility=args.gradescope_visibility,
        )
    except KeyError as exc:
        _parser().error(str(exc.args[0]) if exc.args else str(exc))
    except (ValueError, RuntimeError, OSError) as exc:
        print(f"nnlib-grade: {exc}", file=sys.stderr)
        return 2
    print(
        f"wrote {path}: upload it as the assignment's autograder. It contains the "
        "grader's secret: keep it private."
    )
    return 0


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
    done = _tools(args)
    if done is not None:
        return done
    if not args.paths:
        _parser().error("expected notebooks or folders to grade")
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
