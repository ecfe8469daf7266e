"""``check(task_id, answer)``: the instant self-check under each exercise.

It runs the task's cases in the notebook's own process and prints one line.
It is feedback for the learner only; the batch grader never trusts it (it
scores in its own process, see ``nnlib.grader.submission``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .hints import note_failure
from .result import FAILED, CheckResult, evaluate
from .runner import run_case
from .tasks import get_spec


def run_check(task_id: str, answer: Callable[..., Any], seed: int = 0) -> CheckResult:
    """Run every case of ``task_id`` on the learner's function; return the verdict."""
    spec = get_spec(task_id)
    if not callable(answer):
        return CheckResult(
            task_id,
            FAILED,
            0,
            message=(
                f"check expects your function, e.g. check({task_id!r}, "
                f"{spec.function}), got {type(answer).__name__}."
            ),
        )
    cases = spec.cases(seed)
    expected = [spec.expected(case) for case in cases]
    outcomes = []
    for case in cases:
        outcome = run_case(answer, spec, case)
        outcomes.append(outcome)
        if outcome.status != "ok":  # later cases would fail the same way
            break
    n = len(outcomes)
    result = evaluate(spec, cases[:n], expected[:n], outcomes)
    if result.status == FAILED:
        note_failure(task_id)  # hint(task_id) now shows its second tier too
    return result


def check(
    task_id: str,
    answer: Callable[..., Any],
    *,
    seed: int = 0,
    assert_passed: bool = False,
) -> None:
    """Test ``answer`` (your function) on the task's cases and print one line.

    ``✓`` passed, ``✗`` with the first failing case, the expected and received
    shapes or values, the mistake when the task recognises it, and a pointer to
    ``hint(task_id)``, or ``…`` when the task is not attempted yet.
    With ``assert_passed=True`` it prints nothing and raises ``AssertionError``
    unless every case passed (the form nbgrader's hidden tests use, with
    another ``seed`` so that answers cannot be fitted to the visible cases).
    """
    result = run_check(task_id, answer, seed=seed)
    if assert_passed:
        if not result.passed:
            raise AssertionError(result.line())
        return
    print(result.line())
