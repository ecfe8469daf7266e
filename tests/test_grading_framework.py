"""The exercise framework: kinds, coverage, hints in tiers, and diagnosed mistakes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nnlib import course
from nnlib.grading import all_specs, get_spec, hint, run_check
from nnlib.grading.compare import HALF, Mistake
from nnlib.grading.hints import _failed, code_fragments, hint_text
from nnlib.grading.spec import KINDS, Case, copy_args

SPECS = {spec.id: spec for spec in all_specs()}
# Chapters whose coverage is pending (none: chapters 12 and 13 came with theirs).
PENDING: set[str] = set()


# ------------------------------------------------------------------ kinds, coverage


def test_every_task_has_a_kind_and_the_map_records_it() -> None:
    for t in course.tasks():
        assert t["kind"] in KINDS, t["id"]
        assert isinstance(t.get("transcription", False), bool), t["id"]
        assert SPECS[t["id"]].kind == t["kind"]
    assert len(course.tasks()) >= 33


def _coverage_problems(chapter_id: str) -> list[str]:
    tasks = course.chapter(chapter_id)["tasks"]
    kinds = [t["kind"] for t in tasks]
    problems = []
    if not 3 <= len(tasks) <= 6:
        problems.append(f"{len(tasks)} tasks, not 3-6")
    real = [
        t
        for t in tasks
        if t["kind"] in ("derive", "build") and not t.get("transcription")
    ]
    if int(chapter_id) >= 3 and not real:
        problems.append("no derive or build task that is more than a transcription")
    if int(chapter_id) >= 6:
        problems += [f"no {k} task" for k in ("train", "measure") if k not in kinds]
    return problems


@pytest.mark.parametrize(
    "chapter_id",
    [
        pytest.param(
            ch["id"],
            marks=pytest.mark.xfail(reason="issue 15, second session", strict=True)
            if ch["id"] in PENDING
            else (),
        )
        for ch in course.chapters()
    ],
)
def test_each_chapter_covers_the_four_kinds_it_should(chapter_id: str) -> None:
    assert _coverage_problems(chapter_id) == []


def test_train_tasks_state_a_goal_and_a_budget_in_their_title_and_spec() -> None:
    for spec in SPECS.values():
        if spec.kind == "train":
            assert spec.make_hidden_cases is not None, spec.id
            assert ">=" in spec.title and "validation" in spec.title, spec.id


# ----------------------------------------------------------------------- hints


@pytest.mark.parametrize("task_id", sorted(SPECS))
def test_every_hint_comes_in_two_tiers_of_plain_words(task_id: str) -> None:
    hints = SPECS[task_id].hints
    assert isinstance(hints, tuple) and len(hints) == 2 and all(hints), task_id
    assert hints[0] != hints[1]
    for text in hints:
        assert code_fragments(text) == [], (task_id, code_fragments(text), text)
        sentences = [s for s in text.replace(";", ".").split(". ") if s]
        assert max(len(s.split()) for s in sentences) <= 40, "short sentences"


@pytest.mark.parametrize(
    "code",
    [
        "dL/da = mean(2 * e * x)",  # the hint the issue quotes
        "use np.sum over the rows",
        "x @ W.T plus b",
        "call optimizer.zero_grad() first",
        "the kernel_size",
        "out[i, j] collects the window",
        "a - lr times the gradient",
        "use `reshape`",
        "sum with keepdims",
        "a CrossEntropyLoss",
        "scores / sqrt(d)",
    ],
)
def test_the_hint_scanner_finds_code(code: str) -> None:
    assert code_fragments(code)


def test_plain_words_pass_the_scanner() -> None:
    words = (
        "Work backwards from the loss, e.g. one layer at a time: the ReLU passes the "
        "gradient only where its input was positive. A 3 x 3 window on a 64-128-10 "
        "network in PyTorch, with cross-entropy, in shape (N, C, H, W)."
    )
    assert code_fragments(words) == []


def test_hint_shows_tier_one_then_tier_two_after_a_failed_check(capsys) -> None:
    task = "03.dense_forward"
    _failed.discard(task)
    hint(task)
    out = capsys.readouterr().out
    first, second = get_spec(task).hints
    assert first in out and second not in out and "once a check" in out
    line = run_check(task, lambda x, W, b: x @ W).line()  # fails: no bias
    assert f'hint("{task}")' in line and first not in line and second not in line
    hint(task)
    out = capsys.readouterr().out
    assert first in out and second in out
    assert hint_text(task, tiers=1).count("Hint") == 2  # tier 1 and the promise


def test_a_task_not_attempted_unlocks_nothing() -> None:
    task = "02.relu"
    _failed.discard(task)

    def stub(z):
        raise NotImplementedError

    run_check(task, stub)
    assert task not in _failed


# ---------------------------------------------------------------- the diagnoses


def _mistaken(spec: Any, mistake: Mistake) -> Any:
    """A learner's function that makes ``mistake`` (for its item, or every item)."""
    if mistake.variant is not None:
        return mistake.variant
    outputs = list(spec.outputs)
    item = outputs.index(mistake.output) if mistake.output else None

    def wrong(*args: Any) -> Any:
        right = spec.reference(*copy_args(args))
        case = Case("", args)
        if isinstance(right, tuple):
            items = list(right)
            for i in [item] if item is not None else range(len(items)):
                items[i] = mistake.wrong(right, case, i)
            return tuple(items)
        value = mistake.wrong(right, case, None)
        return type(right)(value) if isinstance(right, float | int) else value

    return wrong


MISTAKES = [
    (task_id, i)
    for task_id, spec in sorted(SPECS.items())
    for i in range(len(spec.mistakes))
]


@pytest.mark.parametrize(
    ("task_id", "index"),
    MISTAKES,
    ids=[f"{t}-{SPECS[t].mistakes[i].name}" for t, i in MISTAKES],
)
def test_each_recognised_mistake_gets_its_own_message(task_id: str, index: int) -> None:
    spec = SPECS[task_id]
    mistake = spec.mistakes[index]
    result = run_check(task_id, _mistaken(spec, mistake))
    assert not result.passed, f"{task_id}: {mistake.name} passed"
    # the first case the mistake shows in names it (a case where it changes
    # nothing passes, e.g. a transpose of a 1 x 1 answer)
    assert mistake.message.split("{n}")[0][:40] in result.message, result.line()


def test_the_issues_example_a_lost_factor_2_is_named() -> None:
    def no_two(x, y, a, b):
        e = a * x + b - y
        return float(np.mean(e * x)), float(np.mean(e))

    result = run_check("01.mse_gradient", no_two)
    assert "exactly half the right values" in result.message
    assert "expected" in result.message and "got" in result.message  # still shown
    assert HALF.message in result.message


def test_a_mistake_that_changes_nothing_in_a_case_proves_nothing() -> None:
    # the transpose of a symmetric answer is the answer: not a diagnosis
    right = np.array([[1.0, 2.0], [2.0, 1.0]])
    from nnlib.grading.compare import TRANSPOSED, diagnose

    case = Case("", ())
    assert diagnose([TRANSPOSED], right, right * 3, case, (1e-7, 0.0)) is None
    assert diagnose([TRANSPOSED], right.T * 0 + right, right, case, (1e-7, 0)) is None


def test_mean_versus_sum_names_the_batch_size() -> None:
    def summed(logits, labels):
        return get_spec("04.softmax_ce_grad").reference(logits, labels) * len(labels)

    result = run_check("04.softmax_ce_grad", summed)
    assert "exactly 5 times the right values" in result.message  # 5 samples
