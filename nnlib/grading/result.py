"""Turn the outcomes of a task's cases into one verdict and one line of feedback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .hints import hint_pointer
from .language import say
from .runner import WATCH_REMOVED, Outcome, changed_inputs
from .spec import Case, TaskSpec

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"


@dataclass
class CheckResult:
    """The verdict on one task: passed, failed (with the first failing case) or
    not attempted; ``flags`` lists suspicious findings such as calling nnlib's
    own reference for this very task; ``note`` is what a passing task measured
    (a validation accuracy), shown instead of the count of cases."""

    task_id: str
    status: str
    n_cases: int
    case: str = ""
    message: str = ""
    flags: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def passed(self) -> bool:
        """True when every case passed."""
        return self.status == PASSED

    def line(self) -> str:
        """The one-line feedback a learner sees, in the course's language."""
        if self.status == PASSED and self.note:
            text = f"✓ {self.task_id} passed: {self.note}"
        elif self.status == PASSED:
            text = f"✓ {self.task_id} passed ({self.n_cases} cases)"
        elif self.status == NOT_ATTEMPTED:
            text = (
                f"… {self.task_id} not attempted "
                "(the function still raises NotImplementedError)"
            )
        else:
            where = f" case '{self.case}'" if self.case else ""
            text = f"✗ {self.task_id}{where}: {self.message}"
            if self.case:  # a case failed: the hints may help (not for a fault)
                text += f" {hint_pointer(self.task_id)}"
        for flag in self.flags:
            text += f" [flagged: {flag}]"
        return say(text, self.task_id)

    def __repr__(self) -> str:
        return self.line()


def verdict(spec: TaskSpec, case: Case, expected: Any, outcome: Outcome) -> str | None:
    """None when the case passed, else what went wrong."""
    if outcome.status == "error":
        return f"raised {outcome.error}"
    if outcome.status == "stopped":  # the grader got no answer for this case
        return outcome.error
    problem = spec.judge_answer(expected, outcome.value, case)
    if problem is not None:
        return problem
    if spec.check_inputs_unchanged:
        changed = changed_inputs(spec, case.args, outcome.args_after)
        if changed:
            return f"changed its input {', '.join(changed)} in place; work on a copy"
    return None


def evaluate(
    spec: TaskSpec,
    cases: Sequence[Case],
    expected: Sequence[Any],
    outcomes: Sequence[Outcome],
) -> CheckResult:
    """Judge every case in order; the first failure decides the message.

    When every case passed, the task's reports on them (if any) become the note.
    """
    used = sorted({name for o in outcomes for name in o.reference_calls})
    flags = [
        f"calls nnlib's own {name}"
        if name != WATCH_REMOVED
        else "removed the grader's watch on calls (sys.setprofile)"
        for name in used
    ]
    for i, (case, exp, outcome) in enumerate(
        zip(cases, expected, outcomes, strict=True)
    ):
        if outcome.status == "not_attempted":
            if i == 0:
                return CheckResult(spec.id, NOT_ATTEMPTED, len(cases), flags=flags)
            outcome = Outcome("error", error="NotImplementedError")
        problem = verdict(spec, case, exp, outcome)
        if problem is not None:
            return CheckResult(
                spec.id,
                FAILED,
                len(cases),
                case.name,
                _short(problem) + ".",
                flags,
            )
    notes = [
        note
        for case, exp, outcome in zip(cases, expected, outcomes, strict=True)
        if (note := spec.report_on(exp, outcome.value, case))
    ]
    return CheckResult(spec.id, PASSED, len(cases), flags=flags, note="; ".join(notes))


def _short(text: str, limit: int = 600) -> str:
    text = " ".join(text.split())
    text = text.rstrip(".")
    return text if len(text) <= limit else text[: limit - 1] + "…"
