"""Feedback in Chinese: hints and diagnoses of every translated task, none stale."""

from __future__ import annotations

import inspect
import json
import re
from importlib import resources

import numpy as np
import pytest
from test_grading_framework import _mistaken

from nnlib import course
from nnlib.grading import all_specs, run_check
from nnlib.grading.hints import _failed, hint_text
from nnlib.grading.language import PENDING, fingerprint, say, task_text

SPECS = {spec.id: spec for spec in all_specs()}
TABLE = json.loads(
    resources.files("nnlib.grading").joinpath("zh.json").read_text("utf-8")
)["tasks"]
TRANSLATED = sorted(t for t in SPECS if t[:2] not in PENDING)
# English that may stay in a Chinese line: code, names and the units of a message
KEEP = re.compile(
    r"hint|from|nnlib|grading|import|rtol|atol|NotImplementedError|ReLU|model|train"
    r"|zero_grad|Module|dropout|logits|softmax|log-softmax|one-hot|numpy|PyTorch|AdamW"
    r"|Conv2D|Sigmoid|tanh|epsilon|beta|gamma|d_model|n_heads|reshape|[A-Za-z]+Error"
    r"|dict|list|tuple"
)


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NNLIB_LANG", "zh")


def english_words(line: str, task_id: str, case: str) -> list[str]:
    """Words of four letters or more left in English, outside the names."""
    line = line.replace(task_id, "").replace(case, "")
    for name in SPECS[task_id].outputs:  # the items of an answer, named as in code
        line = line.replace(f"{name}: ", "")
    line = re.sub(r"\S+\.\S+", "", line)  # dotted names are code
    return [
        w for w in re.findall(r"[A-Za-z][A-Za-z_-]{3,}", line) if not KEEP.fullmatch(w)
    ]


def test_every_task_outside_the_pending_chapters_is_translated_and_current() -> None:
    problems = []
    for task_id in TRANSLATED:
        entry = TABLE.get(task_id)
        if entry is None:
            problems.append(f"{task_id}: no Chinese")
        elif entry["sha256"] != fingerprint(SPECS[task_id]):
            problems.append(f"{task_id}: stale (its English changed)")
        else:
            names = {m.name for m in SPECS[task_id].mistakes}
            assert set(entry["mistakes"]) == names, task_id
            assert len(entry["hints"]) == 2 and all(entry["hints"]), task_id
    assert problems == []


def test_pending_chapters_are_chapters_of_the_course() -> None:
    ids = {ch["id"] for ch in course.chapters()}
    assert set(PENDING) <= ids and TRANSLATED


@pytest.mark.parametrize(
    ("task_id", "index"),
    [(t, i) for t in TRANSLATED for i in range(len(SPECS[t].mistakes))],
)
def test_each_diagnosis_reads_in_chinese(chinese, task_id: str, index: int) -> None:
    spec = SPECS[task_id]
    mistake = spec.mistakes[index]
    result = run_check(task_id, _mistaken(spec, mistake))
    line = result.line()
    zh = task_text(task_id)["mistakes"][mistake.name]
    assert zh.split("{n}")[0] in line, line
    assert english_words(line, task_id, result.case) == [], line


def test_the_frame_of_each_verdict_reads_in_chinese(chinese) -> None:
    def not_yet(logits, labels):
        raise NotImplementedError

    assert run_check("06.accuracy", not_yet).line() == (
        "… 06.accuracy 尚未作答（函数仍会抛出 NotImplementedError）"
    )
    right = SPECS["06.accuracy"].reference
    assert run_check("06.accuracy", right).line().startswith("✓ 06.accuracy 通过（")


def test_hints_come_in_chinese_tiers(chinese) -> None:
    _failed.discard("08.maxpool")
    text = hint_text("08.maxpool")
    first, second = task_text("08.maxpool")["hints"]
    assert first in text and second not in text and "失败一次后出现" in text
    assert second in hint_text("08.maxpool", tiers=2)


def test_a_task_without_chinese_says_its_feedback_is_still_english(
    chinese, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nnlib.grading import language

    monkeypatch.setattr(language, "_table", lambda: {})  # as for a pending chapter
    assert "暂为英文" in hint_text("06.accuracy")
    line = run_check("06.accuracy", lambda logits, labels: 100.0).line()
    assert line.endswith("（本题的反馈暂为英文）"), line


def test_english_stays_english() -> None:
    line = "✓ 06.accuracy passed (4 cases)"
    assert say(line, "06.accuracy", lang="en") == line
    assert say(line, "06.accuracy", lang="zh") == "✓ 06.accuracy 通过（4 个用例）"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "✓ 06.train_digits passed: validation accuracy 0.989 ±0.01 (goal 0.97), "
            "within the 20 s budget",
            "✓ 06.train_digits 通过：验证集准确率 0.989 ±0.01（目标 0.97），"
            "在 20 秒的预算之内",
        ),
        (
            "✗ 06.train_digits case 'held-out digits': held-out accuracy 0.93 ±0.01, "
            "the goal is 0.945.",
            "✗ 06.train_digits 用例“held-out digits”："
            "留出集准确率 0.93 ±0.01，目标为 0.945。",
        ),
        (
            "✗ 08.train_cnn case 'x': training took 130 s, over its 60 s budget.",
            "✗ 08.train_cnn 用例“x”：训练用时 130 秒，超出预算 60 秒。",
        ),
        (
            "✗ 06.data_size case 'x': 'gap_50' and 'gap_all' look swapped: each fits "
            "the other's question.",
            "✗ 06.data_size 用例“x”："
            "'gap_50' 和 'gap_all' 似乎填反了：各自符合对方的问题。",
        ),
    ],
)
def test_train_and_measure_phrases_read_in_chinese(english: str, chinese: str) -> None:
    assert say(english, lang="zh") == chinese


TRAIN_TASKS = sorted(
    t["id"]
    for ch in course.chapters()
    for t in ch["tasks"]
    if t["kind"] == "train" and t["id"][:2] not in PENDING
)


def _failed_training(spec, case) -> list[dict]:
    """Records of training runs that fail in each way a train task's judge names."""
    expected = np.asarray(case.expected)
    wrong = np.roll(expected, 1, axis=0)  # right shape, wrong answers
    one_token_off = expected.copy()  # every 20th sequence: most tokens right
    one_token_off[::20] = (one_token_off[::20] + 1) % (int(expected.max()) + 1)
    inputs = np.asarray(case.args[-1])
    by_rule = inputs[:, ::-1] if inputs.shape == expected.shape else wrong
    base = {"loads": [], "test_names": [], "seconds": 1.0}
    return [
        dict(base, stopped=True),
        dict(base, loads=["nnlib.data.load_digits"]),
        dict(base, model="raised ValueError: x"),
        dict(base, model="ok", labels=np.zeros(3, dtype=np.int64), shape=[3]),
        dict(base, model="ok", labels=wrong),
        dict(base, model="ok", labels=np.zeros_like(expected)),
        dict(base, model="ok", labels=one_token_off),
        dict(base, model="ok", labels=by_rule),
        dict(base, model="ok", labels=expected, seconds=1e4),
    ]


@pytest.mark.parametrize("task_id", TRAIN_TASKS)
def test_every_train_failure_reads_in_chinese(task_id: str) -> None:
    """Each way a training run fails, as the judge of every train task words it
    (records made here, no training), reads in Chinese."""
    spec = SPECS[task_id]
    for case in spec.make_hidden_cases(np.random.default_rng(0)) + spec.make_cases(
        np.random.default_rng(0)
    ):
        for record in _failed_training(spec, case):
            message = spec.judge(np.asarray(case.expected), record, case)
            if message is None:
                continue
            line = f"✗ {task_id} case '{case.name}': {message}."
            zh = say(line, task_id, lang="zh")
            left = english_words(zh.replace("load_digits", ""), task_id, case.name)
            assert not left, f"{line}\n -> {zh}\n English left: {left}"


MEASURE_TASKS = sorted(t for t, s in SPECS.items() if s.kind == "measure")


def _wrong_measurements(spec) -> list[dict]:
    """Answers to a measure task that fail in each way its judge names: every
    quantity off in each recognised way, too low, too high and as a percentage,
    and every conclusion wrong or not a letter."""
    right = spec.reference()
    inside = inspect.getclosurevars(spec.judge).nonlocals  # its Quantity, Choice
    answers = [{k: v for k, v in right.items() if k != next(iter(right))}]
    for q in inside["quantities"]:
        values = [c[0] for c in q.confusions] + [q.center - 5 * q.tol - 1]
        values += [q.center + 5 * q.tol + 1]
        if not q.exact:
            values.append(100 * q.center)
        answers += [dict(right, **{q.key: v}) for v in values]
        answers.append(dict(right, **{q.key: "many"}))
    for c in inside["choices"]:
        wrong = next(o for o in c.options if o != c.right)
        answers += [dict(right, **{c.key: wrong}), dict(right, **{c.key: "z"})]
    return answers


@pytest.mark.parametrize("task_id", MEASURE_TASKS)
def test_every_measure_failure_reads_in_chinese(task_id: str) -> None:
    """Each way a measurement or a conclusion fails, as the task's judge words it
    (its quantities and their recognised mistakes included), reads in Chinese."""
    spec = SPECS[task_id]
    (case,) = spec.make_cases(np.random.default_rng(0))
    messages = set()
    for answer in _wrong_measurements(spec):
        message = spec.judge(None, answer, case)
        assert message is not None, answer
        messages.add(message)
        line = f"✗ {task_id} case '{case.name}': {message}."
        zh = say(line, task_id, lang="zh")
        left = english_words(re.sub(r"'\w+'", "", zh), task_id, case.name)
        assert not left, f"{line}\n -> {zh}\n English left: {left}"
    passed = f"✓ {task_id} passed: {spec.report(None, spec.reference(), case)}"
    assert not english_words(say(passed, task_id, lang="zh"), task_id, "")
    assert len(messages) >= 4  # the answers above reach several of its messages


def test_the_batch_grader_records_its_feedback_in_chinese(chinese) -> None:
    """``NNLIB_LANG=zh nnlib-grade ...``: each task's feedback in the grades (what the
    summary, the LMS files and Gradescope show) is the Chinese line."""
    from nnlib.grader.records import TaskGrade

    spec = SPECS["01.neuron_forward"]
    grade = TaskGrade.from_check(spec, run_check(spec.id, lambda x, w, b: x @ w))
    assert grade.feedback.startswith("✗ 01.neuron_forward 用例“"), grade.feedback
    assert "提示：运行 hint(" in grade.feedback
