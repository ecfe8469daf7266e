"""The course's language: English, or Chinese (中文) for the Chinese edition.

Which language a figure speaks is decided when it is drawn, in this order:

1. ``NNLIB_LANG`` (``zh``, ``zh_CN``, ``zh-Hans``, ... or ``en``), if set;
2. else the folder of the notebook: a kernel started for a notebook in a folder named
   ``zh`` (``notebooks/zh/``, ``solutions/zh/``, ``exercises/zh/``) speaks Chinese.
   Jupyter Server gives its kernels the notebook's path in ``JPY_SESSION_NAME``;
   where that is not set (nbval, nbclient, ``tools/execute.py``) the kernel's working
   directory, which all of them set to the notebook's folder, says the same;
3. else English.

So the Chinese edition's code cells are the English ones, byte for byte: nothing in
them names a language. Only what is drawn changes: ``nnlib.viz.style.CourseFigure``
passes each title, axis label, legend entry and annotation through
:func:`translate` for the moment it draws, and puts them back afterwards, so every
printed value and every object a cell can inspect is the same in both editions.

``FIGURE_TEXT`` holds the translations, keyed by the English text. A key with ``{}``
is a pattern: ``"loss per step (lr = {})"`` matches ``loss per step (lr = 0.1)``, and
the Chinese text receives the matched parts in order (``{0}``, ``{1}`` to reorder
them); each part is itself looked up, so ``"{}: lr = {}"`` turns ``too small: lr =
0.01`` into ``太小：lr = 0.01``. Text with no entry is drawn as it is (symbols,
numbers, $maths$). Terms follow the course glossary (``nnlib/course_map.json``).

Example:
    >>> translate("descent path", lang="zh")
    '下降路径'
    >>> translate("too small: lr = 0.01", lang="zh")
    '太小：lr = 0.01'
    >>> translate("descent path", lang="en")
    'descent path'
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

__all__ = ["FIGURE_TEXT", "LANGUAGES", "has_cjk", "language", "translate"]

LANGUAGES = ("en", "zh")
EDITION_FOLDER = {"zh": "zh"}  # language -> the folder name of its edition

# English text of a figure -> its Chinese. Terms as in the glossary: 权重 weight,
# 梯度下降 gradient descent, 学习率 learning rate, 特征图 feature map, ...
FIGURE_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        # nnlib.viz: chapter 1, the line and the loss surface
        "data": "数据",
        "residuals": "残差",
        "MSE over (a, b)": "(a, b) 上的 MSE",
        "minimum": "最小值",
        "descent path": "下降路径",
        "start": "起点",
        "end": "终点",
        "a (slope)": "a（斜率）",
        "b (intercept)": "b（截距）",
        # activations, classification, evaluation, optimizers
        "derivative": "导数",
        "tangent": "切线",
        "class {}": "类别 {}",
        "accuracy {} %": "准确率 {} %",
        "predicted": "预测类别",
        "true": "真实类别",
        "{} ({} steps)": "{0}（{1} 步）",
        # training curves: metrics, splits and the x axis
        "loss": "损失",
        "accuracy": "准确率",
        "train": "训练集",
        "val": "验证集",
        "test": "测试集",
        "epoch": "轮次",
        "step": "步数",
        # convolutions
        "input": "输入",
        "map {}": "特征图 {}",
        "input #{} {}": "输入 #{0} {1}",
        "kernel: {}": "卷积核：{}",
        "feature map {}": "特征图 {}",
        # attention
        "key (attended to)": "键（被关注的位置）",
        "query (attending)": "查询（发出关注的位置）",
        "weight": "权重",
        "head {}": "注意力头 {}",
        "all queries": "所有查询",
        "attention weight": "注意力权重",
        "query {} '{}' attends to": "查询 {0}「{1}」关注的位置",
        "sequence length L": "序列长度 L",
        "time (s)": "时间（秒）",
        "time": "时间",
        "memory (MB)": "内存（MB）",
        "memory": "内存",
        # nnlib.widgets
        "descent path, lr = {}": "下降路径，lr = {}",
        "MSE per step (log scale): {}": "每一步的 MSE（对数坐标）：{}",
        "diverges": "发散",
        "converging": "正在收敛",
        "MSE over (a, b): {} steps": "(a, b) 上的 MSE：已走 {} 步",
        # chapter 1's own figures (titles and labels written in its code cells)
        "the data and y = 2x + 1": "数据与直线 y = 2x + 1",
        "{} steps of gradient descent, lr = {}": "梯度下降 {0} 步，lr = {1}",
        "loss per step (lr = {})": "每一步的损失（lr = {}）",
        "rule stops: step {}": "停止规则：第 {} 步",
        "relative fall": "相对降幅",
        "improvement over the last {} steps": "最近 {} 步的相对降幅",
        "{}: lr = {}": "{0}：lr = {1}",
        "too small": "太小",
        "good": "合适",
        "too large": "太大",
        "MSE (log scale)": "MSE（对数坐标）",
        # widgets of the second edition: capacity, generalisation, recurrence, patches
        "{} x {} hidden: {}": "{0} x {1} 隐藏层：{2}",
        "training images": "训练图像数",
        "training loss": "训练集损失",
        "validation loss": "验证集损失",
        "loss (log scale)": "损失（对数坐标）",
        "{} = {}: lowest validation loss at epoch {}": (
            "{0} = {1}：验证集损失在第 {2} 轮最低"
        ),
        "gap training - validation: {}": "训练集与验证集之差：{}",
        "{}, last epoch": "{}，最后一轮",
        "{}×{} patches: {} + 1 tokens": "{0}×{1} 的图像分块：{2} + 1 个标记",
        "patch side": "分块边长",
        "attention weights per block": "每个模块的注意力权重数",
        "test accuracy (%), stored runs": "测试集准确率（%），已保存的运行结果",
        "distance in time T - t (steps)": "时间距离 T - t（步）",
        "gradient norm / at distance 0": "梯度范数 / 距离 0 处的梯度范数",
        "x {} per step: the gradient {}": "每步 x {0}：梯度{1}",
        "vanishes": "消失",
        "explodes": "爆炸",
        "holds": "保持",
    }
}

_PLACEHOLDER = "{}"
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _normalise(value: str) -> str:
    """``zh_CN.UTF-8``, ``zh-Hans``, ``ZH`` -> ``zh``; ``en_US`` -> ``en``."""
    base = re.split(r"[-_.@]", value.strip().lower(), maxsplit=1)[0]
    return base if base in LANGUAGES else "en"


def _edition_language(folder: Path) -> str | None:
    """The language whose edition lives in ``folder`` (``.../zh``), if any."""
    for lang, name in EDITION_FOLDER.items():
        if folder.name == name:
            return lang
    return None


def language() -> str:
    """The language to draw in now: ``"en"`` or ``"zh"`` (see the module docstring)."""
    chosen = os.environ.get("NNLIB_LANG")
    if chosen:
        return _normalise(chosen)
    session = os.environ.get("JPY_SESSION_NAME")
    if session:
        return _edition_language(Path(session).parent) or "en"
    try:
        return _edition_language(Path.cwd()) or "en"
    except OSError:  # the working directory was removed
        return "en"


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds Chinese (CJK) characters or full-width punctuation."""
    return bool(_CJK.search(text))


@functools.cache
def _patterns(lang: str) -> list[tuple[re.Pattern[str], str]]:
    """(compiled English pattern, Chinese template), most specific first."""
    compiled = []
    for english, target in FIGURE_TEXT.get(lang, {}).items():
        if _PLACEHOLDER not in english:
            continue
        parts = [re.escape(p) for p in english.split(_PLACEHOLDER)]
        regex = re.compile("(.+?)".join(parts) + r"\Z", re.DOTALL)
        literal = len(english) - len(_PLACEHOLDER) * english.count(_PLACEHOLDER)
        compiled.append((literal, regex, target))
    compiled.sort(key=lambda item: -item[0])
    return [(regex, target) for _, regex, target in compiled]


def translate(text: str, *, lang: str | None = None, _depth: int = 2) -> str:
    """``text`` in ``lang`` (default: :func:`language`), or ``text`` if it has none.

    Multi-line text with no entry of its own is translated line by line.
    """
    lang = language() if lang is None else lang
    table = FIGURE_TEXT.get(lang)
    if not table or not text:
        return text
    if text in table:
        return table[text]
    for regex, target in _patterns(lang):
        match = regex.match(text)
        if match:
            parts = [
                translate(g, lang=lang, _depth=_depth - 1) if _depth > 0 else g
                for g in match.groups()
            ]
            return target.format(*parts)
    if "\n" in text:
        return "\n".join(translate(line, lang=lang) for line in text.split("\n"))
    return text
