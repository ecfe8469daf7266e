"""Grade one submitted notebook in its own fresh, sandboxed kernel.

The notebook's code cells run in order in a new kernel (inside bubblewrap, see
``sandbox``). Right after the cell that holds a task's ``check("NN.task", ...)``
(or at the end, if that cell is gone) the grader grades the task: it generates
the hidden cases from the instructor's secret, sends their inputs into the
kernel as plain data, has the kernel call the learner's function on them
(``remote``), gets back plain data and compares it with nnlib's reference here,
in the grader's process. So nothing the notebook prints, and no change it makes
to ``check`` or to ``nnlib.grading`` in its kernel, can change a score, and the
expected answers never enter the sandbox.

Faults: a cell that raises (including SystemExit, MemoryError and a refused
write) just fails, and the notebook goes on. When the notebook runs past its
time limit, prints more than its output limit or its kernel dies, grading
stops there: tasks graded before keep their points, the rest get 0 with the
reason. (No kernel restart: re-running earlier cells could repeat the fault.)
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import nbformat

from nnlib.grading.codec import encode
from nnlib.grading.result import FAILED, CheckResult, evaluate
from nnlib.grading.runner import Outcome
from nnlib.grading.spec import TaskSpec
from nnlib.grading.tasks import chapter_specs

from .answers import outcome_from, parse_answers, read_refusals
from .chapters import chapters_for
from .kernel import CANCELLED, DIED, FLOOD, TIMEOUT, Kernel, Limits
from .naming import read_notebook_bytes
from .records import SubmissionResult, TaskGrade, safe_text
from .scan import static_flags
from .secret import case_seed

# a self-check call; the optional backslash also finds it in raw notebook JSON
CHECK_CALL = re.compile(r"""check\(\s*\\?["'](\d\d\.\w+)\\?["']""")


def only_checks(source: str) -> bool:
    """True for a cell made only of ``check(...)`` calls (and comments)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and all(
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and _is_check(node.value.func)
        for node in body
    )


def _is_check(func: ast.expr) -> bool:
    """``check`` or ``nnlib.grading.check`` (the form nbgrader's hidden tests use)."""
    if isinstance(func, ast.Name):
        return func.id == "check"
    return isinstance(func, ast.Attribute) and func.attr == "check"


def grade_notebook(
    path: Path,
    student: str,
    chapters: list[str] | None,
    limits: Limits,
    secret: bytes,
    cancel: threading.Event | None = None,
    key: str = "",
) -> SubmissionResult:
    """Run and grade one notebook; never raises for anything the notebook does."""
    start = time.monotonic()
    try:
        raw, unreadable = read_notebook_bytes(path), None
    except OSError as exc:
        raw, unreadable = b"", exc
    result = SubmissionResult(
        student,
        str(path),
        hashlib.sha256(raw).hexdigest() if raw else "",
        [],
        key or path.name,
    )
    try:
        if unreadable is not None:
            raise unreadable
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
        cells = [c for c in nb.cells if c.cell_type == "code"]
        sources = [c.source for c in cells if isinstance(c.source, str)]
        if len(sources) != len(cells):
            raise ValueError("a code cell's source is not text")
    except Exception as exc:  # not JSON, not a notebook, wrong structure...
        what = "could not be read" if unreadable else "not a valid notebook"
        reason = f"{what} ({type(exc).__name__}: {safe_text(str(exc), 200)})"
        result.chapters = chapters or []
        result.faults.append(reason)
        specs = [spec for ch in result.chapters for spec in chapter_specs(ch)]
        result.tasks = [_zero(spec, reason) for spec in specs]
        return result.clean().finish(start)
    result.chapters = chapters or chapters_for(path, nb)
    specs = [spec for ch in result.chapters for spec in chapter_specs(ch)]
    if not specs:
        result.faults.append(
            "could not tell which chapter this is (no release metadata, no NN_ "
            "prefix): pass --chapter NN"
        )
        return result.clean().finish(start)
    grader = _Grader(specs, cells, limits, secret, cancel)
    try:
        grader.run()
    finally:
        grader.close()
    result.tasks = [grader.grades[spec.id] for spec in specs]
    result.faults += grader.faults
    result.flags = static_flags(cells) + grader.refused
    return result.clean().finish(start)


def _zero(spec: TaskSpec, reason: str) -> TaskGrade:
    check = CheckResult(spec.id, FAILED, 0, message=f"not graded: {reason}.")
    return TaskGrade.from_check(spec, check)


class _Grader:
    """Runs the cells and grades each task at its check cell."""

    def __init__(
        self,
        specs: list[TaskSpec],
        cells: list,
        limits: Limits,
        secret: bytes,
        cancel: threading.Event | None,
    ) -> None:
        self.specs, self.cells, self.limits = specs, cells, limits
        self.secret = secret
        # a short path: Unix socket paths (in base/grader/sockets) have 107 bytes
        short = len(tempfile.gettempdir()) > 40 and Path("/tmp").is_dir()
        self.base = Path(
            tempfile.mkdtemp(prefix="nnlib-grade-", dir="/tmp" if short else None)
        )
        (self.base / "grader").mkdir()
        self.kernel = Kernel(self.base / "work", self.base / "grader", limits, cancel)
        self.grades: dict[str, TaskGrade] = {}
        self.faults: list[str] = []
        self.refused: list[str] = []
        self.cell_errors: dict[int, str] = {}
        self.stopped = ""  # why grading stopped early, if it did
        self.deadline = 0.0

    def _schedule(self) -> dict[int, list[TaskSpec]]:
        by_id = {spec.id: spec for spec in self.specs}
        plan: dict[int, list[TaskSpec]] = {}
        for i, cell in enumerate(self.cells):
            for task_id in CHECK_CALL.findall(cell.source):
                spec = by_id.pop(task_id, None)
                if spec is not None:
                    plan.setdefault(i, []).append(spec)
        plan.setdefault(len(self.cells), []).extend(by_id.values())  # graded at the end
        return plan

    def run(self) -> None:
        try:
            self.kernel.start()
        except Exception as exc:
            self._stop(f"its kernel did not start ({type(exc).__name__}: {exc})")
            return
        self.deadline = time.monotonic() + self.limits.timeout
        plan = self._schedule()
        for i, cell in enumerate(self.cells):
            if i in plan and only_checks(cell.source):
                run = None  # the grader's own grading below replaces the self-check
            else:
                run = self.kernel.execute(cell.source, self.deadline)
            if run is not None:
                if run.error:
                    self.cell_errors[i] = run.error
                if not self._survived(run, f"code cell {i + 1}"):
                    return
            for spec in plan.get(i, []):
                if not self._grade(spec):
                    return
        for spec in plan.get(len(self.cells), []):
            if not self._grade(spec):
                return

    def _survived(self, run: Any, where: str) -> bool:
        limit = f"{self.limits.timeout:g} s"
        if run.status == TIMEOUT:
            self._stop(f"the notebook ran past its time limit of {limit} in {where}")
        elif run.status == DIED:
            self._stop(f"its kernel died in {where} ({self.kernel.exit_reason()})")
        elif run.status == CANCELLED:
            self._stop("grading was cancelled")
        elif run.status == FLOOD:
            self._stop(f"{where} printed more than {self.limits.max_output_mb:g} MB")
        return not self.stopped

    def _stop(self, reason: str) -> None:
        self.stopped = reason
        self.faults.append(reason)

    def _grade(self, spec: TaskSpec) -> bool:
        """Grade one task in the kernel; False when the kernel can take no more."""
        # a train task's held-out images are here only, never in a self-check
        cases = spec.grader_cases(case_seed(self.secret, spec.id))
        expected = [spec.expected(case) for case in cases]  # here, never in the kernel
        job = {
            "names": [c.name for c in cases],
            "cases": encode([c.args for c in cases]),
        }
        payload = base64.b64encode(json.dumps(job).encode("ascii")).decode("ascii")
        # an import statement, not a name lookup: a notebook that rebinds `np`,
        # `__import__` or `run` cannot break (or catch) this call
        code = (
            "import nnlib.grader.remote as _nnlib_grader\n"
            f"_nnlib_grader.run({spec.id!r}, {payload!r})\n"
            "del _nnlib_grader"
        )
        run = self.kernel.execute(code, self.deadline, silent=True)
        records, broken = parse_answers(run.answers)
        if run.refused:
            broken = f"its function returned {run.refused}."
        alive = self._survived(run, f"grading {spec.id}")
        check = self._verdict(spec, cases, expected, records, broken, run)
        self.grades[spec.id] = TaskGrade.from_check(spec, check)
        return alive

    def _verdict(
        self,
        spec: TaskSpec,
        cases: list,
        expected: list,
        records: list[dict],
        broken: str,
        run: Any,
    ) -> CheckResult:
        head = records[0] if records else {}
        if head.get("status") in ("missing", "not callable"):
            return CheckResult(
                spec.id, FAILED, len(cases), message=self._missing(spec, head)
            )
        if broken:
            return CheckResult(spec.id, FAILED, len(cases), message=broken)
        try:
            outcomes = [
                outcome_from(r)
                for r in records
                if r.get("status") in ("ok", "error", "not_attempted")
            ]
        except (ValueError, KeyError, TypeError) as exc:
            return CheckResult(
                spec.id,
                FAILED,
                len(cases),
                message=f"its answer could not be read ({exc}).",
            )
        outcomes = outcomes[: len(cases)]
        finished = bool(outcomes) and outcomes[-1].status != "ok"
        if len(outcomes) < len(cases) and not finished:  # cut short, or tampered with
            why = self.stopped or (
                f"the grading call failed ({run.error})"
                if run.error
                else "no answer came back"
            )
            outcomes.append(Outcome("stopped", error=why))
        n = len(outcomes)
        return evaluate(spec, cases[:n], expected[:n], outcomes)

    def _missing(self, spec: TaskSpec, head: dict) -> str:
        name = spec.function
        if head.get("status") == "not callable":
            return f"`{name}` is a {head.get('type')}, not a function."
        define = re.compile(rf"^\s*def\s+{re.escape(name)}\s*\(", re.M)
        for i, cell in enumerate(self.cells):
            if define.search(cell.source) and i in self.cell_errors:
                return (
                    f"function `{name}` is not defined: its cell raised "
                    f"{self.cell_errors[i]}."
                )
        return f"function `{name}` is not defined."

    def close(self) -> None:
        self.kernel.shutdown()
        for spec in self.specs:
            if spec.id not in self.grades:
                self.grades[spec.id] = _zero(spec, self.stopped or "not reached")
        if not self.limits.sandbox:
            self.refused = read_refusals(self.kernel.log_path)
        shutil.rmtree(self.base, ignore_errors=True)
