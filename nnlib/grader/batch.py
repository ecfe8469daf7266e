"""Grade many notebooks in parallel and keep the results safe on disk.

Each submission's result is written to ``OUT/results/`` (signed, see ``store``)
the moment it is done, and ``grades.csv``, ``tasks.csv`` and ``report.json`` are
rewritten from all results so far; with ``resume=True`` a submission whose
signed result is on disk for the same file contents is not graded again. An
interrupted batch therefore loses at most the notebooks that were running.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .kernel import Limits
from .naming import Submission, find_submissions, read_notebook_bytes
from .records import SubmissionResult, safe_text
from .secret import load_secret
from .store import ResultStore
from .submission import grade_notebook
from .summary import grades_csv, task_summary, tasks_csv

__all__ = [
    "find_submissions",
    "grade_batch",
    "grades_csv",
    "task_summary",
    "tasks_csv",
]


def _grade_safely(
    sub: Submission,
    chapters: list[str] | None,
    limits: Limits,
    secret: bytes,
    cancel: threading.Event,
) -> SubmissionResult:
    """``grade_notebook``, with a failure of the grader itself confined to this one."""
    try:
        return grade_notebook(
            sub.path, sub.name, chapters, limits, secret, cancel, key=sub.key
        )
    except Exception as exc:
        result = SubmissionResult(sub.name, str(sub.path), "", chapters or [], sub.key)
        result.faults.append(
            f"could not be graded ({type(exc).__name__}: {safe_text(str(exc))})"
        )
        return result.clean()
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


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(read_notebook_bytes(path)).hexdigest()
    except OSError:
        return ""


def grade_batch(
    paths: Sequence[Path | str | Submission],
    limits: Limits,
    *,
    out: Path | None = None,
    chapters: list[str] | None = None,
    jobs: int = 2,
    secret: bytes | None = None,
    secret_file: Path | None = None,
    resume: bool = False,
    on_result: Callable[[SubmissionResult, bool], None] | None = None,
) -> list[SubmissionResult]:
    """Grade ``paths`` with ``jobs`` kernels at a time; return results in input order.

    ``paths`` are notebooks or folders (named by ``naming``'s rule) or
    ``Submission``s. The secret is ``secret``, else ``secret.load_secret``.
    ``on_result(result, skipped)`` is called as each submission finishes.

    Raises:
        naming.NameClash: two files would get one name (before anything runs).
        store.StoreBusy, store.SecretMismatch: see ``store``.
    """
    subs = [p for p in paths if isinstance(p, Submission)]
    subs += find_submissions([p for p in paths if not isinstance(p, Submission)])
    if secret is None:
        secret = load_secret(secret_file, out)
    store = ResultStore(out, secret, resume=resume) if out is not None else None
    try:
        return _grade_all(
            subs, limits, store, chapters, jobs, secret, resume, on_result
        )
    finally:
        if store is not None:
            store.close()


def _grade_all(
    subs: list[Submission],
    limits: Limits,
    store: ResultStore | None,
    chapters: list[str] | None,
    jobs: int,
    secret: bytes,
    resume: bool,
    on_result: Callable[[SubmissionResult, bool], None] | None,
) -> list[SubmissionResult]:
    results: dict[str, SubmissionResult] = {}
    todo = []
    for sub in subs:
        if resume and store is not None and store.done(sub.key, _sha256(sub.path)):
            results[sub.key] = store.results[sub.key]
            if on_result:
                on_result(results[sub.key], True)
        else:
            todo.append(sub)
    cancel = threading.Event()
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {
            pool.submit(_grade_safely, sub, chapters, limits, secret, cancel): sub
            for sub in todo
        }
        for future in as_completed(futures):
            result = future.result()
            results[futures[future].key] = result
            if store is not None:
                store.save(result)
            if on_result:
                on_result(result, False)
    except BaseException:  # Ctrl-C: stop the running kernels; saved results stay
        cancel.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [results[s.key] for s in subs if s.key in results]
