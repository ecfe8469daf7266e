"""Grade one submitted notebook in its own fresh kernel.

The notebook's code cells run in order in a new kernel whose working folder
and HOME are a new temporary folder. Right after the cell that holds a task's
``check("NN.task", ...)`` (or at the end, if that cell is gone) the grader
grades the task: it writes the case inputs to a file, has the kernel call the
learner's function on them (``remote``), reads back plain data and compares
it with nnlib's reference here, in the grader's process. So nothing the
notebook prints, and no change it makes to ``check`` or to ``nnlib.grading``
in its kernel, can change a score.

Faults: a cell that raises (including SystemExit, MemoryError and a refused
write) just fails, and the notebook goes on. When the notebook runs past its
time limit, prints more than its output limit or its kernel dies, grading
stops there: tasks graded before keep their points, the rest get 0 with the
reason. (No kernel restart: re-running earlier cells could repeat the fault.)
"""

from __future__ import annotations

import ast
import hashlib
import pickle
import re
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import nbformat

from .answers import outcome_from, read_answers, read_refusals
from .kernel import CANCELLED, DIED, FLOOD, TIMEOUT, Kernel, Limits
from .records import SubmissionResult, TaskGrade
from .result import FAILED, CheckResult, evaluate
from .runner import Outcome
from .scan import static_flags
from .spec import TaskSpec
from .tasks import chapter_specs

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
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "check"
        for node in body
    )


def chapters_for(path: Path, text: str | None) -> list[str]:
    """The chapters a notebook belongs to: its file name's "NN_" prefix, else the
    task ids in its check calls."""
    from nnlib import course

    known = {ch["id"] for ch in course.chapters()}
    prefix = re.match(r"(\d\d)_", path.name)
    if prefix and prefix.group(1) in known:
        return [prefix.group(1)]
    found = sorted({t.split(".")[0] for t in CHECK_CALL.findall(text or "")} & known)
    return found


def grade_notebook(
    path: Path,
    student: str,
    chapters: list[str] | None,
    limits: Limits,
    seed: int = 1,
    cancel: threading.Event | None = None,
) -> SubmissionResult:
    """Run and grade one notebook; never raises for anything the notebook does."""
    start = time.monotonic()
    try:
        raw, unreadable = path.read_bytes(), None
    except OSError as exc:
        raw, unreadable = b"", exc
    text = raw.decode("utf-8", errors="replace")
    chapters = chapters or chapters_for(path, text)
    specs = [spec for ch in chapters for spec in chapter_specs(ch)]
    result = SubmissionResult(
        student, str(path), hashlib.sha256(raw).hexdigest(), chapters
    )
    if not specs:
        result.faults.append("could not tell which chapter this is: pass --chapter NN")
    try:
        if unreadable is not None:
            raise unreadable
        nb = nbformat.reads(text, as_version=4)
        cells = [c for c in nb.cells if c.cell_type == "code"]
    except Exception as exc:  # not JSON, not a notebook, wrong structure...
        reason = f"not a valid notebook ({type(exc).__name__}: {str(exc)[:200]})"
        result.faults.append(reason)
        result.tasks = [_zero(spec, reason) for spec in specs]
        return result.finish(start)
    grader = _Grader(specs, cells, limits, seed, cancel)
    try:
        grader.run()
    finally:
        grader.close()
    result.tasks = [grader.grades[spec.id] for spec in specs]
    result.faults += grader.faults
    result.flags = static_flags(cells, specs) + grader.refused
    return result.finish(start)


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
        seed: int,
        cancel: threading.Event | None,
    ) -> None:
        self.specs, self.cells, self.limits, self.seed = specs, cells, limits, seed
        self.base = Path(tempfile.mkdtemp(prefix="nnlib-grade-"))
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
        cases = spec.cases(self.seed)
        expected = [spec.expected(case) for case in cases]  # here, never in the kernel
        nonce = secrets.token_hex(8)
        folder = self.kernel.workdir / ".nnlib_grader"
        folder.mkdir(exist_ok=True)
        if (
            folder.is_symlink()
            or folder.resolve().parent != self.kernel.workdir.resolve()
        ):
            self._stop("the notebook replaced the grader's folder .nnlib_grader")
            return False
        in_path, out_path = folder / f"{nonce}.in.pkl", folder / f"{nonce}.out.jsonl"
        job = {
            "task": spec.id,
            "function": spec.function,
            "names": [c.name for c in cases],
            "cases": [c.args for c in cases],
        }
        in_path.write_bytes(pickle.dumps(job))
        # an import statement, not a name lookup: a notebook that rebinds `np`,
        # `__import__` or `run` cannot break (or catch) this call
        code = (
            "import nnlib.grading.remote as _nnlib_grader\n"
            f"_nnlib_grader.run({str(in_path)!r}, {str(out_path)!r})\n"
            "del _nnlib_grader"
        )
        run = self.kernel.execute(code, self.deadline, silent=True)
        records, broken = read_answers(out_path)
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
        self.refused = read_refusals(self.kernel.log_path)
        shutil.rmtree(self.base, ignore_errors=True)
