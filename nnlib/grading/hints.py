"""Hints in two tiers, in plain words: ``hint("08.conv2d_backward")``.

Every task has two hints (``TaskSpec.hints``): the idea, then the formula or the
shape reasoning, both in short sentences and never code. ``hint(task_id)`` shows
the first; once a check of that task has failed in this kernel it shows the
second as well. A failing check does not print the hints, it points here.

``code_fragments(text)`` finds what reads as code in a hint (a call, an index,
an assignment, an operator between names, a library name); the tests run it on
every hint of every task, so that a hint says what to think, not what to type.
"""

from __future__ import annotations

import re

__all__ = ["code_fragments", "hint", "hint_pointer", "hint_text"]

_failed: set[str] = set()  # tasks whose check failed in this process

TIERS = ("the idea", "the formula or the shapes")
TIERS_ZH = ("思路", "公式或形状")


def note_failure(task_id: str) -> None:
    """Record that a check of ``task_id`` failed here (unlocks its second hint)."""
    _failed.add(task_id)


def hint_pointer(task_id: str) -> str:
    """What a failing check line says instead of a hint."""
    return f'For a hint: hint("{task_id}") (from nnlib.grading import hint).'


def hint_text(task_id: str, tiers: int | None = None) -> str:
    """The hints of ``task_id`` as text: ``tiers`` of them (default: as unlocked).

    In the Chinese edition the hints are the task's Chinese ones
    (``nnlib.grading.language``), or the English with a note where it has none.
    """
    from nnlib import i18n

    from .language import ENGLISH_ONLY, task_text
    from .tasks import get_spec

    hints = get_spec(task_id).hints
    shown = tiers if tiers is not None else (2 if task_id in _failed else 1)
    if i18n.language() == "zh":
        entry = task_text(task_id)
        zh = entry["hints"] if entry else hints
        lines = [
            f"提示 {i + 1}（{task_id}，{TIERS_ZH[i]}）：{zh[i]}" for i in range(shown)
        ]
        if shown < len(hints):
            lines.append(
                f"提示 {shown + 1}（{TIERS_ZH[shown]}）会在本题的检查失败一次后出现。"
            )
        if entry is None:
            lines.append(ENGLISH_ONLY)
        return "\n".join(lines)
    lines = [
        f"Hint {i + 1} for {task_id} ({TIERS[i]}): {hints[i]}" for i in range(shown)
    ]
    if shown < len(hints):
        lines.append(
            f"Hint {shown + 1} ({TIERS[shown]}) appears here once a check of this "
            "task has failed."
        )
    return "\n".join(lines)


def hint(task_id: str) -> None:
    """Print the hints of ``task_id`` unlocked so far (the second after a failure)."""
    print(hint_text(task_id))


# What reads as code. Plain words, numbers, shapes such as (N, C, H, W), sizes such
# as 3 x 3 and hyphenated terms (cross-entropy, 64-128-10) all pass.
_CODE_PATTERNS = [
    ("a backtick", r"`"),
    ("a call or an index", r"[A-Za-z_]\w*[(\[]"),
    ("an assignment or a comparison", r"[=<>]"),
    ("an operator between names", r"\w\s*(?:\*\*|//|[*/@%+^])\s*[\w(]"),
    ("a minus between names", r"\w\s+-\s+\w"),
    ("a library name", r"\b(?:np|numpy|torch|nn|F|scipy)\.\w"),
    ("an attribute", r"\b[A-Za-z_]\w+\.(?!\s|$)[A-Za-z_]"),
    ("a name with an underscore", r"\b[A-Za-z]\w*_\w*"),
    (
        "a keyword or a numpy function",
        r"\b(?:def|return|lambda|import|keepdims|dtype|argmax|argmin|reshape|"
        r"einsum|arange|linspace|swapaxes|triu|tril|numel|ndarray)\b",
    ),
    (
        "a name in camel case",
        r"\b[a-z]+[A-Z]\w*|\b[A-Z][a-z]+[A-Z]\w*|\b[A-Z][a-z]+\d[A-Z]\w*",
    ),
]
# terms of the subject that look like camel case but are words of the course
_ALLOWED = {"ReLU", "PyTorch", "AdamW", "BatchNorm", "OneCycle", "DataLoader"}


def code_fragments(text: str) -> list[str]:
    """Everything in ``text`` that reads as code, each as "what: fragment"."""
    found = []
    for what, pattern in _CODE_PATTERNS:
        for match in re.finditer(pattern, text):
            fragment = match.group(0)
            if what == "a name in camel case" and fragment in _ALLOWED:
                continue
            found.append(f"{what}: {fragment!r}")
    return found
