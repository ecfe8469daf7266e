"""Feedback in Chinese: hints and diagnoses of every translated task, none stale."""

from __future__ import annotations

import json
import re
from importlib import resources

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
    r"|Conv2D|Sigmoid|tanh|epsilon|beta|gamma|d_model|n_heads|reshape"
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
