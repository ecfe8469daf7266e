"""Grade many notebooks in parallel and keep the results safe on disk.

Each submission's result is written to ``OUT/results/<student>.json`` the
moment it is done, and ``grades.csv`` and ``report.json`` are rewritten from
all results so far; with ``resume=True`` a submission whose result is on disk
for the same file content is not graded again. An interrupted batch therefore
loses at most the notebooks that were running.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .kernel import Limits
from .records import SubmissionResult
from .result import NOT_ATTEMPTED, PASSED
from .submission import grade_notebook

CSV_COLUMNS = ["student", "task", "points", "max_points", "feedback"]


def find_notebooks(paths: Sequence[str | Path]) -> list[Path]:
    """The notebooks named, with folders searched (checkpoints skipped), sorted."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(
                q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts
            )
        else:
            found.append(p)
    return found


def student_names(paths: Sequence[Path]) -> dict[Path, str]:
    """A name per submission: the file's stem, or folder/stem where stems repeat."""
    stems = [p.stem for p in paths]
    return {
        p: p.stem if stems.count(p.stem) == 1 else f"{p.parent.name}/{p.stem}"
        for p in paths
    }


def _file_key(student: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "__", student).strip("._") or "submission"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class ResultStore:
    """The output folder: one JSON per submission, plus the CSV and the report."""

    def __init__(self, out: Path) -> None:
        self.out = out
        (out / "results").mkdir(parents=True, exist_ok=True)
        self.results: dict[str, SubmissionResult] = {}
        for f in sorted((out / "results").glob("*.json")):
            try:
                r = SubmissionResult.from_dict(json.loads(f.read_text("utf-8")))
            except (ValueError, TypeError, KeyError):
                continue  # a damaged file: that submission is graded again
            self.results[r.student] = r

    def done(self, student: str, sha256: str) -> bool:
        """True when this student's result for this exact file is already saved."""
        r = self.results.get(student)
        return r is not None and r.sha256 == sha256

    def save(self, result: SubmissionResult) -> None:
        """Write one result, then the CSV and report over everything saved."""
        self.results[result.student] = result
        text = json.dumps(result.to_dict(), indent=1, ensure_ascii=False)
        _write_atomic(self.out / "results" / f"{_file_key(result.student)}.json", text)
        ordered = [self.results[k] for k in sorted(self.results)]
        _write_atomic(self.out / "grades.csv", grades_csv(ordered))
        report = {
            "submissions": [r.to_dict() for r in ordered],
            "total_points": sum(r.points for r in ordered),
            "total_max_points": sum(r.max_points for r in ordered),
            "tasks": task_summary(ordered),
        }
        _write_atomic(self.out / "tasks.csv", tasks_csv(ordered))
        _write_atomic(
            self.out / "report.json", json.dumps(report, indent=1, ensure_ascii=False)
        )


TASK_COLUMNS = [
    "task",
    "title",
    "max_points",
    "submissions",
    "passed",
    "failed",
    "not_attempted",
    "mean_points",
]


def task_summary(results: Sequence[SubmissionResult]) -> list[dict]:
    """Per task, over the class: how many passed, failed, did not try; mean points.

    "failed" includes tasks left ungraded by a fault (a hang, a crash).
    """
    by_task: dict[str, list] = {}
    for r in results:
        for t in r.tasks:
            by_task.setdefault(t.task, []).append(t)
    rows = []
    for task in by_task:  # first appearance: the chapters' own task order
        grades = by_task[task]
        passed = sum(t.status == PASSED for t in grades)
        skipped = sum(t.status == NOT_ATTEMPTED for t in grades)
        rows.append(
            {
                "task": task,
                "title": grades[0].title,
                "max_points": grades[0].max_points,
                "submissions": len(grades),
                "passed": passed,
                "failed": len(grades) - passed - skipped,
                "not_attempted": skipped,
                "mean_points": round(sum(t.points for t in grades) / len(grades), 2),
            }
        )
    return rows


def tasks_csv(results: Sequence[SubmissionResult]) -> str:
    """``task_summary`` as CSV, one row per task."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, TASK_COLUMNS)
    writer.writeheader()
    writer.writerows(task_summary(results))
    return buf.getvalue()


def grades_csv(results: Sequence[SubmissionResult]) -> str:
    """One row per student and task: student, task, points, max_points, feedback."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for r in results:
        for t in r.tasks:
            writer.writerow([r.student, t.task, t.points, t.max_points, t.feedback])
    return buf.getvalue()


def _grade_safely(
    path: Path,
    student: str,
    chapters: list[str] | None,
    limits: Limits,
    seed: int,
    cancel: threading.Event,
) -> SubmissionResult:
    """``grade_notebook``, with a failure of the grader itself confined to this one."""
    try:
        return grade_notebook(path, student, chapters, limits, seed, cancel)
    except Exception as exc:
        result = SubmissionResult(student, str(path), "", chapters or [])
        result.faults.append(f"could not be graded ({type(exc).__name__}: {exc})")
        return result
    finally:
        _close_thread_loop()


def _close_thread_loop() -> None:
    """Close the event loop jupyter_client left in this worker thread."""
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:  # this thread has none
        return
    if not loop.is_running():
        loop.close()
        asyncio.set_event_loop(None)


def grade_batch(
    paths: Sequence[Path],
    limits: Limits,
    *,
    out: Path | None = None,
    chapters: list[str] | None = None,
    jobs: int = 2,
    seed: int = 1,
    resume: bool = False,
    on_result: Callable[[SubmissionResult, bool], None] | None = None,
) -> list[SubmissionResult]:
    """Grade ``paths`` with ``jobs`` kernels at a time; return results in input order.

    ``on_result(result, skipped)`` is called as each submission finishes.
    """
    import hashlib

    names = student_names(list(paths))
    store = ResultStore(out) if out is not None else None
    results: dict[Path, SubmissionResult] = {}
    todo = []
    for p in paths:
        sha = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        if resume and store is not None and store.done(names[p], sha):
            results[p] = store.results[names[p]]
            if on_result:
                on_result(results[p], True)
        else:
            todo.append(p)
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {
            pool.submit(_grade_safely, p, names[p], chapters, limits, seed, cancel): p
            for p in todo
        }
        for future in as_completed(futures):
            result = future.result()
            results[futures[future]] = result
            if store is not None:
                store.save(result)
            if on_result:
                on_result(result, False)
    except BaseException:  # Ctrl-C: stop the running kernels; saved results stay
        cancel.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [results[p] for p in paths if p in results]
