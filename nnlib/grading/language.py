"""Self-check, hint and grader feedback in the course's language (English or 中文).

The feedback is made in English, where the grading code builds it. In the Chinese
edition (``nnlib.i18n.language() == "zh"``: ``NNLIB_LANG=zh``, or a notebook in a
``zh`` folder) :func:`say` turns a feedback line into Chinese just before it is
shown:

- what a task says in its own words (its title, its two hints, the messages of its
  recognised mistakes) comes from ``zh.json`` beside this module, one entry per
  task, kept with the SHA-256 of the English it translates (:func:`fingerprint`).
  An entry whose English has changed since is stale and not used: the English is
  shown, and ``tests/test_grading_language.py`` lists the stale tasks;
- the phrases the grading code builds for every task (``expected shape (3, 4),
  got (4, 3)``, ``raised ValueError``, ``within the 20 s budget``) are rewritten by
  the patterns of ``PHRASES``, in order. Numbers, shapes, names and code stay
  as they are.

Chapters whose tasks are not translated yet are listed in ``PENDING``: their
feedback stays English in the Chinese edition, and says so once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from importlib import resources
from typing import Any

from nnlib import i18n

__all__ = ["PENDING", "PHRASES", "fingerprint", "say", "task_text"]

# Chapters whose task texts have no Chinese yet (issue 19 translates them once their
# English is stable).
PENDING: tuple[str, ...] = ()

ENGLISH_ONLY = "（本题的反馈暂为英文）"

# (English pattern, Chinese) applied in this order with re.sub. The patterns match
# the phrases of nnlib.grading (compare, result, hints, tasks/_train, _measure).
_SHAPE = r"(\([\d, ]*\))"
_NUM = r"([-+]?[\w.+\-]+)"
_INDEX = r"(\([\d, ]*\)|\d+)"
PHRASES: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    # the frame of a line (CheckResult.line)
    (r"^✓ (\S+) passed \((\d+) cases\)", r"✓ \1 通过（\2 个用例）"),
    (r"^✓ (\S+) passed: ", r"✓ \1 通过："),
    (
        r"^… (\S+) not attempted \(the function still raises NotImplementedError\)",
        r"… \1 尚未作答（函数仍会抛出 NotImplementedError）",
    ),
    (r"^✗ (\S+) case '(.*?)': ", r"✗ \1 用例“\2”："),
    (r"^✗ (\S+): ", r"✗ \1："),
    (
        r'For a hint: hint\("([^"]+)"\) \(from nnlib\.grading import hint\)\.',
        r'提示：运行 hint("\1")（from nnlib.grading import hint）。',
    ),
    (r"\[flagged: calls nnlib's own (\S+)\]", r"[已标记：调用了 nnlib 自带的 \1]"),
    (
        r"\[flagged: removed the grader's watch on calls \(sys\.setprofile\)\]",
        r"[已标记：移除了评分器对函数调用的监视（sys.setprofile）]",
    ),
    # comparisons (compare.py)
    (
        rf"at index {_INDEX} expected {_NUM}, got {_NUM}",
        r"在索引 \1 处应为 \2，得到 \3",
    ),
    (r"(\d+) of (\d+) entries differ; ", r"\2 个元素中有 \1 个不同；"),
    (rf"compared within rtol={_NUM}, atol={_NUM}", r"比较容差 rtol=\1，atol=\2"),
    (r"compared exactly", "精确比较"),
    (rf"expected {_NUM}, got {_NUM} \(", r"应为 \1，得到 \2 ("),
    (rf"expected shape {_SHAPE}, got {_SHAPE}", r"形状应为 \1，得到 \2"),
    (
        rf"got nan( at index {_INDEX})? \(an overflow or a 0/0 somewhere\?\)",
        r"得到 nan\1（某处溢出或出现了 0/0？）",
    ),
    (rf" at index {_INDEX}", r"（索引 \1）"),
    (r"expected a tuple of (\d+) values", r"应返回含 \1 个值的元组"),
    (r"expected a dict with (?:the )?keys", "应返回一个字典，键为"),
    (r"expected an array of shape", "应为形状如下的数组："),
    (r"expected a single number", "应为一个数"),
    (r"expected a number", "应为一个数"),
    (
        r"changed its input (.+?) in place; work on a copy",
        r"原地修改了输入 \1；请在副本上计算",
    ),
    (r"\braised (\w+)", r"抛出了 \1"),
    (rf"an array of shape {_SHAPE}", r"形状为 \1 的数组"),
    (r"\ba single number\b", "一个数"),
    (rf"\bthe number {_NUM}", r"数 \1"),
    (r"\bthe bool (True|False)", r"布尔值 \1"),
    (r"\ba (tuple|list) of (\d+) values?", r"含 \2 个值的 \1"),
    (r"\ban object of type (\w+)", r"类型为 \1 的对象"),
    (r"something that cannot be sent back \((\w+)\)", r"无法传回的对象（\1）"),
    # the items of an answer that tasks name (outputs)
    (r"\bloss of epoch (\d+)", r"第 \1 轮的损失"),
    (r"\baccuracy of epoch (\d+)", r"第 \1 轮的准确率"),
    (r"(\w+) must return \((.+?)\), got ", r"\1 应返回 (\2)，得到 "),
    # train tasks (tasks/_train.py: not_trained, over_budget; chapters 06-13)
    (
        r"training ran past twice its ([\d.]+) s budget and was stopped: train for ",
        r"训练超过了预算 \1 秒的两倍，已被停止：请",
    ),
    (r"fewer epochs, or on larger batches", "减少轮数，或使用更大的批次"),
    (r"fewer steps, or a narrower network", "减少训练步数，或使用更窄的网络"),
    (
        r"the test set used: your training function uses (.+?)\. Train only on the "
        r"arrays it is given; ",
        r"用到了测试集：你的训练函数使用了 \1。只用传给它的数组训练；",
    ),
    (
        r"the test digits must play no part in training, or their accuracy says "
        r"nothing about new handwriting",
        "测试集的数字不能参与训练，否则它们的准确率说明不了模型对新笔迹的表现",
    ),
    (
        r"new sequences must play no part in training, or their accuracy says "
        r"nothing about sequences the model has not seen",
        "新的序列不能参与训练，否则它们的准确率说明不了模型对没见过的序列的表现",
    ),
    (r"new scenes must play no part in training", "新的场景不能参与训练"),
    (
        r"the grader checks your model on sequences no notebook shows",
        "评分器会在任何笔记本都没有给出过的序列上检查你的模型",
    ),
    (
        r"expected your function to return the trained model \(a model or a function "
        r"that maps (.+?)\); the model: ",
        r"函数应返回训练好的模型（一个模型，或一个把\1的函数）；实际：",
    ),
    (r"(?<=把)images to class scores", "图像映射为各类别得分"),
    (r"(?<=把)images to score maps", "图像映射为得分图"),
    (r"(?<=把)token sequences to scores per position", "词元序列映射为每个位置上得分"),
    (r"(?<=把)token sequences to scores", "词元序列映射为得分"),
    (
        r"expected the model to give 10 scores per image \((\d+) images\), got output "
        rf"of shape (None|{_SHAPE})",
        r"模型应为每张图像给出 10 个得分（共 \1 张图像），实际输出形状为 \2",
    ),
    (
        rf"expected the model to give 10 scores per position, {_SHAPE} for (\d+) "
        rf"sequences of (\d+) tokens, got output of shape (None|{_SHAPE})",
        r"模型应为每个位置给出 10 个得分，即 \1（\2 个序列，每个 \3 个词元），"
        r"实际输出形状为 \4",
    ),
    (
        rf"expected the model to give 10 scores per position, \(N, T, 10\) for "
        rf"N, T = {_SHAPE}, got predictions of shape {_SHAPE}",
        r"模型应为每个位置给出 10 个得分，形状 (N, T, 10)，其中 N, T = \1，"
        r"实际预测的形状为 \2",
    ),
    (
        r": the positions of all sequences were flattened into one axis; keep one "
        r"row per sequence",
        "：所有序列的位置被压平成了一个轴；请让每个序列占一行",
    ),
    (
        rf"expected the model to give (\d+) score maps per image, {_SHAPE}, got "
        rf"output of shape (None|\[[\d, ]*\])",
        r"模型应为每张图像给出 \1 张得分图，形状 \2，实际输出形状为 \3",
    ),
    (
        r"your model gives the input backwards whatever the training targets say: "
        r"it follows a rule written by hand, not what it learned from the arrays it "
        r"was given \(the grader's targets use other labels for the digits\)",
        "不管训练目标是什么，你的模型都把输入倒过来输出：它遵循的是手写的规则，"
        "而不是从传给它的数组中学到的东西（评分器的目标给数字用了另一套标签）",
    ),
    (
        r"([\d.]+) of the tokens are right, but the goal counts whole sequences, "
        r"every one of their tokens right; train longer",
        r"有 \1 的词元是对的，但目标按整个序列计算，序列的每个词元都要对；请训练更久",
    ),
    (
        r": the model calls every pixel background; weigh the rare shape pixels "
        r"more, or train longer",
        "：模型把每个像素都判为背景；请加大稀少的形状像素的权重，或训练更久",
    ),
    (r" ?\(per token ([\d.]+ ±[\d.]+)\)", r"（按词元 \1）"),
    (
        r"training took ([\d.e+]+) s, over its ([\d.]+) s budget",
        r"训练用时 \1 秒，超出预算 \2 秒",
    ),
    (r", within the ([\d.]+) s budget", r"，在 \1 秒的预算之内"),
    (r"\bheld-out exact-sequence accuracy\b", "留出集整序列准确率"),
    (r"\bvalidation exact-sequence accuracy\b", "验证集整序列准确率"),
    (r"\bheld-out exact sequences\b", "留出集整序列准确率"),
    (r"\bvalidation exact sequences\b", "验证集整序列准确率"),
    (r"\bheld-out mean IoU\b", "留出集平均交并比"),
    (r"\bvalidation mean IoU\b", "验证集平均交并比"),
    (r"\bheld-out accuracy\b", "留出集准确率"),
    (r"\bvalidation accuracy\b", "验证集准确率"),
    (r", the goal is ", "，目标为 "),
    (r"(目标为 [\d.]+): ", r"\1："),
    (r" ?\(goal ([\d.]+)\)", r"（目标 \1）"),
    (r" ?\(needs ([\d.]+)\)", r"（需达到 \1）"),
    # measure tasks (tasks/_measure.py)
    (
        r"'(\w+)' and '(\w+)' look swapped: each fits the other's question",
        r"'\1' 和 '\2' 似乎填反了：各自符合对方的问题",
    ),
    (r"(\S+) is not right; count again", r"\1 不对；请再数一遍"),
    (
        r"(\d+) measurements within their tolerances, (\d+) conclusions? right",
        r"\1 个测量值都在容差之内，\2 个结论正确",
    ),
    (r"(\['\w+'\]) \((.+?)\): ", r"\1（\2）："),
    (
        r"100 times the right value: a percentage where a fraction between 0 and 1 "
        r"is asked for",
        "是正确值的 100 倍：题目要的是 0 到 1 之间的比例，而不是百分数",
    ),
    (
        r"([-+\w.]+) is (lower|higher) than any careful run of this experiment "
        r"gives, on any machine and seed; check the recipe",
        lambda m: (
            f"{m[1]} {'低' if m[2] == 'lower' else '高'}于这个实验任何一次认真的运行"
            "所得的值（在任何机器上、用任何种子）；请检查实验步骤"
        ),
    ),
    (r"expected one of the letters (.+?), got ", r"应为字母 \1 之一，得到 "),
    (
        r"the conclusion ('\w+') does not fit what the measurements show; read them "
        r"again",
        r"结论 \1 与测量结果不符；请再看一遍测量结果",
    ),
    # joining words and punctuation
    (r"\bexpected (.+?), got ", r"应为 \1，得到 "),
    (r", got ", "，得到 "),
    (r"; or ", "；或者 "),
)


@functools.cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p), zh) for p, zh in PHRASES)


@functools.cache
def _table() -> dict[str, Any]:
    text = resources.files("nnlib.grading").joinpath("zh.json").read_text("utf-8")
    return json.loads(text)["tasks"]


def fingerprint(spec: Any) -> str:
    """The SHA-256 of the English that a task's Chinese texts translate."""
    english = [
        spec.title,
        list(spec.hints),
        [[m.name, m.message] for m in spec.mistakes],
    ]
    if spec.phrases:  # only tasks that have them: the others' entries stay current
        english.append(list(spec.phrases))
    return hashlib.sha256(json.dumps(english).encode("utf-8")).hexdigest()


def task_text(task_id: str) -> dict[str, Any] | None:
    """The current Chinese texts of a task, or None (none yet, or stale).

    Returns:
        ``{"title": ..., "hints": [first, second], "mistakes": {name: message}}``,
        and ``"phrases": {English: Chinese}`` for a task with ``phrases``.
    """
    from .tasks import get_spec

    entry = _table().get(task_id)
    if entry is None or entry.get("sha256") != fingerprint(get_spec(task_id)):
        return None
    return entry


def _mistakes_in_chinese(task_id: str) -> list[tuple[re.Pattern[str], str]]:
    """(English as a pattern, Chinese) for the task's recognised mistakes and its
    phrases."""
    from .tasks import get_spec

    entry = task_text(task_id)
    if entry is None:
        return []
    spec = get_spec(task_id)
    pairs = []
    for mistake in spec.mistakes:
        zh = entry["mistakes"].get(mistake.name)
        if zh:
            # "{n}" (a batch size filled in per case) matches any number
            pattern = re.escape(mistake.message).replace(r"\{n\}", r"(\d+)")
            pairs.append((re.compile(pattern), zh))
    for english in spec.phrases:
        zh = entry.get("phrases", {}).get(english)
        if zh:
            pairs.append((re.compile(re.escape(english)), zh))
    return sorted(pairs, key=lambda p: -len(p[0].pattern))


def _full_width_brackets(text: str) -> str:
    """Brackets around Chinese text become full-width ones, as Chinese prints them."""
    chars, stack = list(text), []
    for i, ch in enumerate(chars):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            start = stack.pop()
            if any("\u4e00" <= c <= "\u9fff" for c in chars[start + 1 : i]):
                chars[start], chars[i] = "（", "）"
                if start > 0 and chars[start - 1] == " ":
                    chars[start - 1] = ""
    return "".join(chars)


def _fill(zh: str, match: re.Match[str]) -> str:
    return zh.replace("{n}", match.group(1)) if match.groups() else zh


def say(text: str, task_id: str | None = None, *, lang: str | None = None) -> str:
    """``text``, a feedback line of ``task_id``, in the course's language.

    Example:
        >>> from nnlib.grading.language import say
        >>> say("✓ 06.accuracy passed (4 cases)", lang="zh")
        '✓ 06.accuracy 通过（4 个用例）'
        >>> say("✓ 06.accuracy passed (4 cases)", lang="en")
        '✓ 06.accuracy passed (4 cases)'
    """
    lang = i18n.language() if lang is None else lang
    if lang != "zh" or not text:
        return text
    if task_id is not None:
        for pattern, zh in _mistakes_in_chinese(task_id):
            text = pattern.sub(lambda m, zh=zh: _fill(zh, m), text)
    for pattern, zh in _compiled():
        text = pattern.sub(zh, text)
    text = _full_width_brackets(text)
    text = re.sub(r"(?<=[\u4e00-\u9fff）\d')\]])\.(?= |$)", "。", text).replace(
        "。 ", "。"
    )
    if task_id is not None and task_text(task_id) is None and text.startswith("✗"):
        text += ENGLISH_ONLY
    return text
