"""Measure tasks: run an experiment, answer with numbers and a choice.

The learner runs the experiment in the notebook and writes a function with no
arguments that returns a dict of the answers: numbers (``Quantity``) and the
letter of a multiple-choice conclusion (``Choice``). Each number is graded within
a tolerance stated in the task's module, set from the spread of the solution's
experiment over training seeds and over CPU instruction sets (torch's plain
kernels against the native ones, ``ATEN_CPU_CAPABILITY=default``), so that any
careful run on any machine lands inside it.

A number outside its range is never answered with the range (that would give the
answer away); the message says whether it is lower or higher than any correct run,
and names a recognised mistake when the number shows one: a percentage where a
fraction is asked for, two answers swapped, or a quantity the task names as a
confusion (the training accuracy where the validation accuracy is asked for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..compare import describe
from ..spec import Case, TaskSpec


@dataclass(frozen=True)
class Quantity:
    """One number to measure: ``center`` within ``tol`` (exact when ``exact``).

    ``confusions`` are (value, tolerance, message) triples: what a common mistake
    gives instead, and what to say when the answer is that.
    """

    key: str
    center: float
    tol: float
    what: str
    exact: bool = False
    confusions: Sequence[tuple[float, float, str]] = field(default_factory=tuple)

    def holds(self, value: float) -> bool:
        """Is ``value`` a right answer?"""
        if self.exact:
            return value == self.center
        return abs(value - self.center) <= self.tol


@dataclass(frozen=True)
class Choice:
    """A multiple-choice conclusion: the right letter among ``options``."""

    key: str
    right: str
    options: Sequence[str]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        if not (hasattr(value, "shape") and np.shape(value) in ((), (1,))):
            return None
    try:
        number = float(np.asarray(value).reshape(()))
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def measure_task(
    task_id: str,
    *,
    quantities: Sequence[Quantity],
    choices: Sequence[Choice],
    hints: tuple[str, str],
    swapped: Sequence[tuple[str, str]] = (),
) -> TaskSpec:
    """The spec of a measure task (see the module docstring).

    ``swapped`` lists pairs of keys whose answers are easily exchanged (the CNN's
    and the MLP's accuracy); such a pair is named when each fits the other.
    """
    by_key = {q.key: q for q in quantities}
    keys = sorted([q.key for q in quantities] + [c.key for c in choices])

    def reference() -> dict:
        answers: dict[str, Any] = {q.key: q.center for q in quantities}
        answers.update({c.key: c.right for c in choices})
        return answers

    def judge(expected: Any, got: Any, case: Case) -> str | None:
        if not isinstance(got, dict) or sorted(got) != keys:
            return f"expected a dict with the keys {keys}, got {describe(got)}"
        values = {}
        for q in quantities:
            value = _number(got[q.key])
            if value is None:
                return f"[{q.key!r}]: expected a number, got {describe(got[q.key])}"
            values[q.key] = value
        for a, b in swapped:
            qa, qb = by_key[a], by_key[b]
            if not (qa.holds(values[a]) and qb.holds(values[b])) and (
                qa.holds(values[b]) and qb.holds(values[a])
            ):
                return f"{a!r} and {b!r} look swapped: each fits the other's question"
        for q in quantities:
            value = values[q.key]
            if q.holds(value):
                continue
            label = f"[{q.key!r}] ({q.what})"
            if not q.exact and abs(value - 100 * q.center) <= 100 * q.tol:
                return (
                    f"{label}: 100 times the right value: a percentage where a "
                    "fraction between 0 and 1 is asked for"
                )
            for other, tol, message in q.confusions:
                if abs(value - other) <= tol:
                    return f"{label}: {message}"
            if q.exact:
                return f"{label}: {value:g} is not right; count again"
            side = "lower" if value < q.center else "higher"
            return (
                f"{label}: {value:.4g} is {side} than any careful run of this "
                "experiment gives, on any machine and seed; check the recipe"
            )
        for c in choices:
            answer = got[c.key]
            letter = answer.strip().lower() if isinstance(answer, str) else None
            if letter not in c.options:
                return (
                    f"[{c.key!r}]: expected one of the letters "
                    f"{', '.join(repr(o) for o in c.options)}, got {describe(answer)}"
                )
            if letter != c.right:
                return (
                    f"[{c.key!r}]: the conclusion {letter!r} does not fit what the "
                    "measurements show; read them again"
                )
        return None

    def report(expected: Any, got: Any, case: Case) -> str:
        return (
            f"{len(quantities)} measurements within their tolerances, "
            f"{len(choices)} conclusion{'s' * (len(choices) != 1)} right"
        )

    return TaskSpec(
        id=task_id,
        make_cases=lambda rng: [Case("your measurements", ())],
        reference=reference,
        hints=hints,
        judge=judge,
        report=report,
        check_inputs_unchanged=False,
        phrases=tuple(
            dict.fromkeys(
                [q.what for q in quantities]
                + [message for q in quantities for _, _, message in q.confusions]
            )
        ),
    )
