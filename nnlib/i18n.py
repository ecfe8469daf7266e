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
import json
import os
import re
from pathlib import Path

__all__ = [
    "FIGURE_TEXT",
    "LANGUAGES",
    "has_cjk",
    "has_words",
    "language",
    "note_untranslated",
    "translate",
]

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
        "dendrites: signals in": "树突：信号输入",
        "cell body: adds up,\nfires above a threshold": (
            "细胞体：把信号加起来，\n超过阈值就放电"
        ),
        "axon: pulse out": "轴突：输出脉冲",
        "out": "输出",
        "weighted sum plus bias,\nthen an activation $f$": (
            "加权求和再加偏置，\n然后经过激活函数 $f$"
        ),
        "a biological neuron (sketch)": "生物神经元（示意图）",
        "the model: weights, bias, activation": "模型：权重、偏置、激活函数",
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
        # chapter 2's figures (titles and labels its code cells draw)
        "Dense -> Dense": "Dense -> Dense（两层）",
        "one Dense (W1 W2)": "一个 Dense 层（W1 W2）",
        "output": "输出",
        "no activation: one straight line": "没有激活函数：一条直线",
        "Dense -> ReLU -> Dense": "Dense -> ReLU -> Dense（两层）",
        "best straight line": "最佳直线",
        "ReLU in between: a bent curve": "中间有 ReLU：弯折的曲线",
        "BCE loss": "BCE 损失",
        "log 2 (a coin flip)": "log 2（抛硬币）",
        "training loss on XOR": "XOR 上的训练集损失",
        # chapter 3's figures (titles and labels its code cells draw)
        "noisy samples": "带噪声的样本",
        "network output": "网络输出",
        "one neuron, {}: {}": "一个神经元，{0}：{1}",
        "moons": "月牙",
        "spirals": "螺旋线",
        "cross-entropy loss": "交叉熵损失",
        "depth {}, width {}: {}": "深度 {0}，宽度 {1}：{2}",
        "8 hidden units, {}": "8 个隐藏单元，{}",
        "all weights 0.5": "所有权重都为 0.5",
        "random start": "随机起点",
        "layer": "层",
        "std of activations": "激活值的标准差",
        "forward: activations": "前向：激活值",
        "std of $\\partial L/\\partial h$": "$\\partial L/\\partial h$ 的标准差",
        "backward: gradients, layer 10 down": "反向：梯度，从第 10 层往下",
        "ReLU, sigma 0.05 (too small)": "ReLU，sigma 0.05（太小）",
        "ReLU, sigma 0.3 (too large)": "ReLU，sigma 0.3（太大）",
        "ReLU, He (sigma {})": "ReLU，He（sigma {}）",
        "tanh, Xavier": "tanh，Xavier",
        "RMS of the layer's output": "该层输出的 RMS",
        "std {}": "标准差 {}",
        # chapter 4's figures (titles and labels its code cells draw)
        "cross-entropy $-\\log p$": "交叉熵 $-\\log p$",
        "MSE on probabilities $(1-p)^2$": "概率上的 MSE $(1-p)^2$",
        "probability given to the true class, $p$": "给真实类别的概率 $p$",
        "cross-entropy": "交叉熵",
        "MSE after softmax": "softmax 之后接 MSE",
        "logit $s$ of the wrong class (confidence of the mistake)": (
            "错误类别的 logit $s$（错误的自信程度）"
        ),
        (
            "blue: forward value of each node    orange: gradient $\\partial L/\\part"
            "ial(\\mathrm{node})$"
        ): (
            "蓝色：每个节点的前向值    橙色：梯度 $\\partial L/\\partial(\\mathrm{nod"
            "e})$"
        ),
        "step $\\epsilon$": "步长 $\\epsilon$",
        "|central difference - exact|": "|中心差分 - 精确值|",
        # chapter 5's figures (titles and labels its code cells draw)
        "gradient evaluations (10 epochs)": "梯度计算次数（10 个轮次）",
        "loss on all data": "全部数据上的损失",
        "per unit of work": "按计算量",
        "parameter updates (log scale)": "参数更新次数（对数刻度）",
        "per update": "按更新次数",
        "learning rate": "学习率",
        "the schedules": "学习率调度",
        "mini-batch SGD on the moons": "双月牙数据上的小批量 SGD",
        "plain descent, rate 0.019": "朴素梯度下降，学习率 0.019",
        "yours": "你的优化器",
        "goal": "目标",
        # chapter 6's figures (titles and labels its code cells draw)
        "the first 24 digits and their labels": "前 24 个数字及其标签",
        "64-128-10 MLP on the digits, Adam, batch 32": (
            "数字上的 64-128-10 MLP，Adam，批次大小 32"
        ),
        "training loss (log scale)": "训练损失（对数坐标）",
        "softmax regression, full-batch gradient descent": (
            "softmax 回归，全批量梯度下降"
        ),
        "digit {}": "数字 {}",
        "misclassified test digits": "被分错的测试数字",
        "the MLP on 100 training images": "在 100 张训练图像上训练的 MLP",
        "validation loss (log scale)": "验证损失（对数坐标）",
        "validation loss, 100 images, seed 1 (dashed: early stop)": (
            "验证损失，100 张图像，种子 1（虚线：早停）"
        ),
        # chapter 7's figures (titles and labels its code cells draw)
        "nnlib.scratch backward": "nnlib.scratch 反向计算",
        "PyTorch autograd": "PyTorch 自动微分",
        "first-layer weight gradients ({})": "第一层的权重梯度（{} 个）",
        "chapter 6's MLP in PyTorch, trained by fit": (
            "用 PyTorch 实现、由 fit 训练的第 6 章 MLP"
        ),
        # chapter 8's figures (titles and labels its code cells draw)
        "the layer's 4 kernels": "该层的 4 个卷积核",
        "one feature map per kernel": "每个卷积核一张特征图",
        "after 2x2 max pooling (per channel)": "2x2 最大池化之后（逐通道）",
        "parameters (log scale)": "参数个数（对数刻度）",
        "1x28x28 image -> 16 maps of 26x26": "1x28x28 图像 -> 16 张 26x26 特征图",
        "shifted {} px": "平移 {} 像素",
        "vertical-edge map": "竖直边缘特征图",
        "shift to the right (pixels)": "向右平移（像素）",
        "relative change of the output": "输出的相对变化",
        "conv maps": "卷积特征图",
        "+ 2x2 max pool": "+ 2x2 最大池化",
        "+ global max pool": "+ 全局最大池化",
        "dense layer": "全连接层",
        "SimpleCNN on the digits": "数字上的 SimpleCNN",
        "validation accuracy": "验证集准确率",
        "SimpleCNN on the digits, same recipe and seed": (
            "数字上的 SimpleCNN，训练方案和种子相同"
        ),
        "with BatchNorm": "使用 BatchNorm",
        "test accuracy": "测试准确率",
        "test digits moved by one pixel": "平移一个像素的测试数字",
        "layer 1 of the shape network": "形状网络的第 1 层",
        "each row: the 6 patches that excite one layer-2 unit most": (
            "每一行：最能激发某个第 2 层单元的 6 个图像小块"
        ),
        "unit {}": "单元 {}",
        "without": "不使用",
        # chapter 9's figures (titles and labels its code cells draw)
        "an RNN unrolled over four time steps: one cell, the same weights each step": (
            "沿四个时间步展开的 RNN：一个单元，每一步的权重都相同"
        ),
        "cell\n$W_x, W_h, b$": "单元\n$W_x, W_h, b$",
        "time step t": "时间步 t",
        "hidden unit": "隐藏单元",
        "hidden state $h_t$ (8 units)": "隐藏状态 $h_t$（8 个单元）",
        "the trace of a change at step 1": "第 1 步的改动留下的痕迹",
        "tanh RNN encoder-decoder, reverse length 6": (
            "tanh RNN 编码器-解码器，倒序任务，长度 6"
        ),
        "tanh RNN (nnlib, Glorot init): gradient vs distance": (
            "tanh RNN（nnlib，Glorot 初始化）：梯度与距离"
        ),
        "gradient norm / value at distance 0": "梯度范数 / 距离 0 处的值",
        "PyTorch cells at initialisation: gradient vs distance": (
            "初始化时的 PyTorch 单元：梯度与距离"
        ),
        # chapter 10's figures (titles and labels its code cells draw)
        "one head, random weights": "一个头，随机权重",
        "two heads, same input": "两个头，相同输入",
        "position t": "位置 t",
        "feature": "特征",
        "sinusoidal positional encoding": "正弦位置编码",
        "a few columns: fast to slow waves": "其中几列：从快波到慢波",
        "feature {}": "特征 {}",
        "updates": "更新次数",
        "per-token accuracy (held out)": "词元准确率（留出数据）",
        "output position t (copies input L-1-t)": "输出位置 t（复制输入 L-1-t）",
        "per-token accuracy (test)": "词元准确率（测试集）",
        "output position t (copies input 31 - t)": "输出位置 t（复制输入 31 - t）",
        "gradient at that input": "该输入处的梯度",
        "gradient reach, untrained, length 32": "梯度可达性，未训练，长度 32",
        "CPU seconds of training (one thread)": "训练用的 CPU 秒数（一个线程）",
        "dotted: before training": "虚线：训练前",
        "full run: length 32, same parameters, same time (shipped)": (
            "完整运行：长度 32，参数量相同，时间相同（随课程提供）"
        ),
        "{}, trained": "{}，训练后",
        "activation": "激活函数",
        "causal_mask(6): 1 = may look": "causal_mask(6)：1 = 可以看",
        "key position s": "键位置 s",
        "query position t": "查询位置 t",
        "masked weights (sequence 0, head 0)": "掩码后的权重（序列 0，头 0）",
        "attention forward + backward, this run (L up to {})": (
            "注意力前向 + 反向，本次运行（L 最大 {}）"
        ),
        "the full sweep, measured once (L up to 2048)": (
            "完整扫描，测量一次（L 最大 2048）"
        ),
        # chapter 11's figures (titles and labels its code cells draw)
        "{}×{} patches": "{0}×{1} 的图像分块",
        "pixel of the patch": "分块中的像素",
        "token (patch number)": "词元（分块编号）",
        "sequence {}": "序列 {}",
        "class token's\nattention": "分类标记的\n注意力",
        "test accuracy (%)": "测试集准确率（%）",
        "accuracy vs amount of training data": "准确率与训练数据量",
        "cosine similarity, {} training": "余弦相似度（{}）",
        "cosine similarity, before training": "训练前的余弦相似度",
        "cosine similarity, after training": "训练后的余弦相似度",
        "ViT, {}×{} patches": "ViT，{0}×{1} 的图像分块",
        "image of {}": "数字 {} 的图像",
        # chapter 12's figures (titles and labels its code cells draw)
        "the task": "任务",
        "layers (depth)": "层数（深度）",
        "gradient norm at layer 1": "第 1 层的梯度范数",
        "the gradient that reaches the first layer, at the start": (
            "训练开始时到达第一层的梯度"
        ),
        "training loss (running mean)": "训练集损失（滑动平均）",
        "ResNet-20, no norm": "ResNet-20，无归一化",
        "what reaches layer 1": "到达第 1 层的梯度",
        "the full run: ResNet-20 on 28x28 shapes": (
            "完整运行：在 28x28 形状上训练的 ResNet-20"
        ),
        "this run": "本次运行",
        "million multiply-adds per image": "每张图像的乘加运算次数（百万）",
        "growing a network: full run (mean of its seeds) and this run": (
            "让网络变大：完整运行（各随机种子的平均）与本次运行"
        ),
        # chapter 13's figures (titles and labels its code cells draw)
        "test scenes with their true boxes (the lines are clutter)": (
            "测试场景及其真实框（细线是干扰物）"
        ),
        "recall": "召回率",
        "precision": "精确率",
        "circles: precision along the ranked detections": (
            "圆形：沿排好序的检测结果的精确率"
        ),
        "the 9 anchors of one cell": "一个格子的 9 个锚框",
        "proposals (orange), true boxes (green)": "候选区域（橙色），真实框（绿色）",
        "lesion: truth (green) and the U-Net's outline (red)": (
            "病灶：真实轮廓（绿色）与 U-Net 勾出的轮廓（红色）"
        ),
        # text the figures build from data and variables (names, legends, ticks)
        "GRU, update bias +3": "GRU，更新门偏置 +3",
        "LSTM + attention": "LSTM + 注意力机制",
        "LSTM, forget bias +1": "LSTM，遗忘门偏置 +1",
        "MLP, {}: {}": "MLP，{0}：{1}",
        "Transformer, no positions": "Transformer，无位置编码",
        "acc": "准确率",
        "after NMS ({})": "NMS 之后（{}）",
        "augmentation": "数据增强",
        "baseline": "基线",
        "batch (B = {})": "批量（B = {}）",
        "mini-batch (B = {})": "小批量（B = {}）",
        "stochastic (B = {})": "随机（B = {}）",
        "boxes scoring >= {} ({})": "得分 >= {0} 的框（{1}）",
        "compound phi={}": "复合缩放 phi={}",
        "constant": "恒定",
        "cosine": "余弦",
        "exponential": "指数",
        "step decay": "阶梯衰减",
        "convolution": "卷积",
        "dense": "全连接",
        "locally connected": "局部连接",
        "depth only": "只加深",
        "width only": "只加宽",
        "resolution only": "只提高分辨率",
        "dropout {}": "随机失活 {}",
        "weight decay {}": "权重衰减 {}",
        "explicit": "显式",
        "fused": "融合",
        "gradient descent": "梯度下降",
        "momentum": "动量",
        "image": "图像",
        "no skips": "无跳跃连接",
        "plain": "普通网络",
        "plain, BatchNorm": "普通网络，BatchNorm",
        "residual": "残差网络",
        "residual, BatchNorm": "残差网络，BatchNorm",
        "original": "原图",
        "shift down": "下移",
        "shift left": "左移",
        "shift right": "右移",
        "shift up": "上移",
        "{}: f(x) = {}, f'(x) = {}": "{0}：f(x) = {1}，f'(x) = {2}",
        "true boxes ({})": "真实框（{}）",
        "true classes": "真实类别",
        "zero": "零",
        "one": "一",
        "two": "二",
        "three": "三",
        "four": "四",
        "five": "五",
        "six": "六",
        "seven": "七",
        "eight": "八",
        "nine": "九",
        "circle": "圆形",
        "square": "正方形",
        "triangle": "三角形",
        "cross": "十字",
        "right": "向右",
        "left": "向左",
        "down": "向下",
        "up": "向上",
        "step {} of {} ({}): {}": "第 {0} 步，共 {1} 步（{2}）：{3}",
        "forward": "前向",
        "backward": "反向",
        "step 0 of {}: only the inputs, weights, bias and t": (
            "第 0 步，共 {} 步：只有输入、权重、偏置和 t"
        ),
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


def has_words(text: str) -> bool:
    """Whether ``text`` holds words to translate: two lower-case letters in a row
    outside $maths$, ``{}`` placeholders and the symbols lr and tol (capitals such
    as MSE or ReLU stay as they are)."""
    bare = re.sub(r"\$[^$]*\$|\{\}|\b(?:lr|tol)\b", " ", text)
    return bool(re.search(r"[a-z]{2,}", bare))


# ``make editions`` sets it to a file: each figure text drawn untranslated is added
UNTRANSLATED_ENV = "NNLIB_UNTRANSLATED"


def note_untranslated(text: str) -> None:
    """Add ``text``, drawn in English in another language's figure, to the file that
    ``NNLIB_UNTRANSLATED`` names (nothing when it is not set)."""
    path = os.environ.get(UNTRANSLATED_ENV)
    if path and has_words(text):
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(text, ensure_ascii=False) + "\n")


@functools.cache
def _patterns(lang: str) -> list[tuple[re.Pattern[str], str]]:
    """(compiled English pattern, Chinese template), most specific first."""
    compiled = []
    for english, target in FIGURE_TEXT.get(lang, {}).items():
        if _PLACEHOLDER not in english:
            continue
        parts = [re.escape(p) for p in english.split(_PLACEHOLDER)]
        regex = re.compile("([^\n]+?)".join(parts) + r"\Z", re.DOTALL)
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
