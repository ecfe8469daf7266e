"""What a graded task is: named test cases, a reference, a tolerance, hints and
the mistakes it recognises.

A task spec never holds the learner's code. The same spec drives the instant
self-check in a notebook (``check``) and the batch grader (``nnlib-grade``):
both call the learner's function on every case, and the spec decides whether
the answer matches the reference. A task's kind (``derive``, ``build``,
``train``, ``measure``; see ``KINDS``) is recorded in the course map.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnlib import course

from .compare import Mistake, compare, diagnose

# A judge returns None when the answer is right, else a one-line reason.
Judge = Callable[[Any, Any, "Case"], "str | None"]
# A report says, for a case that passed, what was measured (e.g. an accuracy).
Report = Callable[[Any, Any, "Case"], "str | None"]

KINDS = {
    "derive": "work a gradient out and implement it, checked numerically",
    "build": "a layer, module or training loop of the learner's own",
    "train": "reach a stated accuracy on validation within a stated CPU budget; "
    "graded on held-out data the notebook never shows",
    "measure": "run an experiment and answer numeric or multiple-choice questions, "
    "graded within tolerances that hold on any machine",
}


@dataclass(frozen=True)
class Case:
    """One named input for a task, e.g. ``Case("batch of 1", (x, w, b))``.

    ``expected`` may be given directly (e.g. the true labels of held-out
    images); otherwise the task's reference computes it from ``args``.
    """

    name: str
    args: tuple
    expected: Any = None
    has_expected: bool = False

    @classmethod
    def with_expected(cls, name: str, args: tuple, expected: Any) -> Case:
        """A case whose right answer is stated rather than computed."""
        return cls(name, args, expected, True)


@dataclass(frozen=True)
class TaskSpec:
    """How one task of the course map is checked.

    Attributes:
        id: the task id from the course map, e.g. ``"01.gd_step"``.
        make_cases: builds the cases from a random generator (fixed seed).
        reference: nnlib's answer, called with a case's ``args``.
        hints: two tiers, in plain words, never code: the idea, then the formula
            or the shape reasoning. ``hint(task_id)`` shows the first, and the
            second once a check of the task has failed (``nnlib.grading.hints``).
        rtol, atol: tolerance for ``np.allclose`` (stated per task, with a reason).
        outputs: names of the returned values when a task returns a tuple.
        judge: replaces the default comparison (e.g. "accuracy >= 95 %").
        call: module-level function ``call(fn, *args)`` that turns the learner's
            function into plain data (e.g. builds a torch model and probes it);
            it runs in the learner's kernel, so it must be importable there.
        forbidden: dotted names of nnlib functions that solve this very task;
            a learner's function that calls one is flagged.
        strict_float: overflow, 0/0 and log(0) raise instead of warning, so an
            unstable formula fails the large-value cases.
        check_inputs_unchanged: an answer that modifies its input arrays fails.
        mistakes: the common mistakes this task recognises and names when an
            answer fails (``compare.Mistake``; judges of train and measure tasks
            name theirs themselves).
        make_hidden_cases: the batch grader's cases, when they differ from the
            notebook's: a train task's held-out images, which no self-check sees.
        report: for a passing case, what was measured (a validation accuracy),
            added to the passing line.
        phrases: the task's own English that its judge puts into messages (a
            measure task's quantities and the mistakes it recognises in them),
            translated with its title and hints (``nnlib.grading.language``).
    """

    id: str
    make_cases: Callable[[np.random.Generator], list[Case]]
    reference: Callable[..., Any]
    hints: tuple[str, str]
    rtol: float = 1e-6
    atol: float = 1e-9
    outputs: Sequence[str] = ()
    judge: Judge | None = None
    call: Callable[..., Any] | None = None
    forbidden: Sequence[str] = ()
    strict_float: bool = False
    check_inputs_unchanged: bool = True
    mistakes: Sequence[Mistake] = ()
    make_hidden_cases: Callable[[np.random.Generator], list[Case]] | None = None
    report: Report | None = None
    phrases: Sequence[str] = ()

    @property
    def chapter(self) -> str:
        """The chapter id, e.g. ``"01"``."""
        return self.id.split(".", 1)[0]

    @property
    def function(self) -> str:
        """Name of the learner's function (from the course map)."""
        return course.task(self.id)["function"]

    @property
    def points(self) -> int:
        """Points the task is worth (from the course map)."""
        return int(course.task(self.id)["points"])

    @property
    def kind(self) -> str:
        """``derive``, ``build``, ``train`` or ``measure`` (from the course map)."""
        return course.task(self.id)["kind"]

    @property
    def title(self) -> str:
        """The task's title (from the course map)."""
        return course.task(self.id)["title"]

    @property
    def arg_names(self) -> list[str]:
        """Parameter names of the reference, used to name inputs in messages."""
        return list(inspect.signature(self.reference).parameters)

    def cases(self, seed: int = 0) -> list[Case]:
        """The task's cases for a seed (0 and 1 in notebooks, another in the grader)."""
        return self.make_cases(np.random.default_rng(seed))

    def grader_cases(self, seed: int) -> list[Case]:
        """The batch grader's cases: the hidden ones where the task has them."""
        make = self.make_hidden_cases or self.make_cases
        return make(np.random.default_rng(seed))

    def expected(self, case: Case) -> Any:
        """The right answer for ``case``: stated, or from nnlib's reference."""
        if case.has_expected:
            return case.expected
        args = copy_args(case.args)
        if self.call is not None:
            return self.call(self.reference, *args)
        return self.reference(*args)

    def judge_answer(self, expected: Any, received: Any, case: Case) -> str | None:
        """None when ``received`` is right for ``case``, else the reason.

        The reason names the mistake when the answer shows one the task declares,
        followed by where it differs.
        """
        if self.judge is not None:
            problem = self.judge(expected, received, case)
        else:
            problem = compare(expected, received, self.rtol, self.atol, self.outputs)
        if problem is None or not self.mistakes:
            return problem
        named = diagnose(
            self.mistakes,
            expected,
            received,
            case,
            (self.rtol, self.atol),
            self.outputs,
            self.call,
        )
        if named is None:
            return problem
        label = named.split(": ", 1)[0] + ": " if ": " in named else ""
        if label and problem.startswith(label):  # name the item once
            problem = problem[len(label) :]
        return f"{named} ({problem})"

    def report_on(self, expected: Any, received: Any, case: Case) -> str | None:
        """What a passing case measured, if the task reports anything."""
        return None if self.report is None else self.report(expected, received, case)


def copy_args(args: tuple) -> tuple:
    """Deep copies of a case's arrays, so a learner's function cannot alter them."""
    return tuple(_copy(a) for a in args)


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list | tuple):
        return type(value)(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value
