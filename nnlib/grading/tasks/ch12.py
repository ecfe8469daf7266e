"""Chapter 12 tasks: a residual block of one's own, what a separable convolution
saves, a small ResNet trained on the digits, and the gradient a skip path carries.

References: ``12.residual_block`` is computed with ``functional.conv2d`` and
``functional.relu`` from nnlib.scratch (float64); ``12.conv_costs`` with
``nnlib.blocks.model_cost`` on an ``nn.Conv2d`` and a ``SeparableConv2d`` (torch,
imported when a case runs); ``12.train_resnet`` (train) on validation in the
notebook and on the disguised held-out digits in the batch grader (``_train``);
``12.skip_gradient`` (measure) within tolerances set from the solution's spread
over seeds (below).
"""

from __future__ import annotations

import math

import numpy as np

from nnlib.scratch import functional as F

from ..compare import variant
from ..spec import Case, TaskSpec
from ._common import normal
from ._measure import Choice, Quantity, measure_task
from ._train import train_and_predict, train_task

# Sums of 9 C products of O(1) numbers, twice, in float64: 1e-7 relative.
RTOL, ATOL = 1e-7, 1e-10
TRAIN_BUDGET = 60.0  # seconds; the solution trains in about 5 s here


# ------------------------------------------------------------ the residual block


def residual_block(
    x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    """Reference: ReLU(conv(ReLU(conv(x, W1) + b1), W2) + b2 + x), 'same' padding."""
    p = W1.shape[-1] // 2  # odd k x k kernels: padding k // 2 keeps H and W
    h = F.relu(F.conv2d(x, W1, b1, padding=p))  # (N, C, H, W)
    f = F.conv2d(h, W2, b2, padding=p)  # (N, C, H, W): F(x)
    return F.relu(f + x)


def _residual_of(x, W1, b1, W2, b2) -> np.ndarray:
    """F(x) alone: the two convolutions with the ReLU between them."""
    p = W1.shape[-1] // 2
    return F.conv2d(F.relu(F.conv2d(x, W1, b1, padding=p)), W2, b2, padding=p)


def _no_final_relu(x, W1, b1, W2, b2):
    return _residual_of(x, W1, b1, W2, b2) + x


def _relu_then_add(x, W1, b1, W2, b2):
    return F.relu(_residual_of(x, W1, b1, W2, b2)) + x


def _no_skip(x, W1, b1, W2, b2):
    return F.relu(_residual_of(x, W1, b1, W2, b2))


def _block_case(rng: np.random.Generator, N: int, C: int, H: int, W: int, k: int):
    scale = 1.0 / np.sqrt(C * k * k)  # keeps F(x) about as large as x
    return (
        normal(rng, N, C, H, W),
        normal(rng, C, C, k, k, scale=scale),
        normal(rng, C, scale=0.1),
        normal(rng, C, C, k, k, scale=scale),
        normal(rng, C, scale=0.1),
    )


def _block_cases(rng: np.random.Generator) -> list[Case]:
    x, W1, b1, W2, b2 = _block_case(rng, 2, 3, 4, 4, 3)
    zeros = (x, np.zeros_like(W1), np.zeros(3), np.zeros_like(W2), np.zeros(3))
    return [
        Case("2 images, 3 channels, 5x5, 3x3 kernels", _block_case(rng, 2, 3, 5, 5, 3)),
        Case("batch of 1, one channel", _block_case(rng, 1, 1, 4, 4, 3)),
        Case("zero weights: the block passes ReLU(x) on", zeros),
        Case("a 4x6 image", _block_case(rng, 2, 2, 4, 6, 3)),
        Case("1x1 kernels (no padding)", _block_case(rng, 3, 4, 3, 3, 1)),
        Case("5x5 kernels on 3x3 images", _block_case(rng, 1, 2, 3, 3, 5)),
    ]


# ------------------------------------------------------------- counting the cost


def conv_costs(c_in: int, c_out: int, k: int, h: int, w: int) -> tuple:
    """Reference: (params, multiply-adds) of a full k x k convolution and of a
    depthwise-separable one, both with biases on their outputs, stride 1, 'same'
    padding, on one (c_in, h, w) input; counted by ``model_cost``."""
    from torch import nn

    from nnlib.blocks import SeparableConv2d, model_cost

    full = model_cost(nn.Conv2d(c_in, c_out, k, padding=k // 2), (c_in, h, w))
    sep = model_cost(SeparableConv2d(c_in, c_out, k, padding=k // 2), (c_in, h, w))
    return full.params, full.macs, sep.params, sep.macs


def _by_formula(c_in, c_out, k, h, w, *, bias=True, positions=True, full_depth=False):
    """The counts by formula; the keywords make the mistakes."""
    b = c_out if bias else 0
    n = h * w if positions else 1
    depthwise = c_in * (c_in if full_depth else 1) * k * k
    return (
        c_in * c_out * k * k + b,
        n * c_out * c_in * k * k,
        depthwise + c_in * c_out + b,
        n * (depthwise + c_in * c_out),
    )


def _size_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("3 -> 8 channels, 3x3, on 28x28", (3, 8, 3, 28, 28)),
        Case("16 -> 32 channels, 3x3, on 14x14", (16, 32, 3, 14, 14)),
        Case("32 -> 64 channels, 5x5, on 8x8", (32, 64, 5, 8, 8)),
        Case("8 -> 16 channels, 3x3, one pixel", (8, 16, 3, 1, 1)),
        Case("1x1 kernels, 4 -> 4 channels", (4, 4, 1, 6, 6)),
        Case("one channel in, one out", (1, 1, 3, 5, 5)),
    ]


# ------------------------------------------------------------- train and measure


def probe_resnet(fn, X_train, y_train, X_val, y_val, X_eval) -> dict:
    """Train with the learner's function (60 s budget); label ``X_eval``."""
    return train_and_predict(
        fn, X_train, y_train, X_val, y_val, X_eval, budget=TRAIN_BUDGET
    )


# 12.skip_gradient: ResNet(1, 10, depth=20, width=8, norm=False), with skip=True
# and skip=False, each built after torch.manual_seed(seed); cross-entropy of its
# logits on the first 64 training digits of the exercises' split; one backward
# pass; the norm of the stem's weight gradient, as a base-10 logarithm. The
# solution's experiment, seeds 0-4, with torch's native kernels and with
# ATEN_CPU_CAPABILITY=default (the same to 3 decimals): residual -2.32 to -1.97,
# plain -10.74 to -9.41 (their difference 7.4 to 8.4). The tolerances are about
# three and two times the half-ranges; each range stays far from the other's and
# from the natural logarithms (about 2.3 times the values).
_NATURAL = "that is a natural logarithm; the question asks for base 10"
LN10 = math.log(10)  # a natural logarithm is this many times the base-10 one
SKIP_GRADIENT = measure_task(
    "12.skip_gradient",
    quantities=[
        Quantity(
            "log10_residual",
            -2.15,
            0.5,
            "base-10 log of the stem's gradient norm, with skips",
            confusions=[(-2.15 * LN10, 0.5 * LN10, _NATURAL)],
        ),
        Quantity(
            "log10_plain",
            -10.1,
            1.5,
            "base-10 log of the stem's gradient norm, without skips",
            confusions=[(-10.1 * LN10, 1.5 * LN10, _NATURAL)],
        ),
    ],
    choices=[Choice("why", "c", ("a", "b", "c"))],
    swapped=[("log10_residual", "log10_plain")],
    hints=(
        "Build the two networks with the same seed, one with skips and one "
        "without, push the same batch through each and go backward once. Read "
        "the size of the gradient of the very first convolution.",
        "Take the length of that gradient, all its entries at once, and its "
        "logarithm to base 10. The two answers lie several powers of ten apart.",
    ),
)


SPECS = [
    TaskSpec(
        id="12.residual_block",
        make_cases=_block_cases,
        reference=residual_block,
        hints=(
            "The block computes a change to its input: a convolution, a ReLU and "
            "a second convolution. Add the input back onto that change, and only "
            "then apply the last ReLU.",
            "Pad every convolution by half the kernel side, rounded down, so the "
            "change keeps the input's shape and the two can be added. Keep double "
            "precision throughout.",
        ),
        rtol=RTOL,
        atol=ATOL,
        forbidden=("nnlib.blocks.ResidualBlock",),
        mistakes=(
            variant(
                "no final ReLU",
                "negative outputs remain: the block ends with a ReLU applied after "
                "the input is added back",
                _no_final_relu,
            ),
            variant(
                "ReLU before the addition",
                "the ReLU came before the input was added back: add first, then "
                "apply the ReLU to the sum",
                _relu_then_add,
            ),
            variant(
                "no skip",
                "the input is not added back: that is the plain block; a residual "
                "block adds its input to the change it computes",
                _no_skip,
            ),
        ),
    ),
    TaskSpec(
        id="12.conv_costs",
        make_cases=_size_cases,
        reference=conv_costs,
        hints=(
            "A full convolution has one kernel over all input channels for each "
            "output channel. The separable one has a single small kernel per input "
            "channel, then a one-by-one mix of the channels. Multiply-adds count "
            "every weight used at every output position.",
            "Biases count as parameters but cost no multiply-adds; only the outputs "
            "get them. Padding keeps the output as large as the input, so every "
            "weight is used once per position of the image.",
        ),
        outputs=(
            "full params",
            "full multiply-adds",
            "separable params",
            "separable multiply-adds",
        ),
        forbidden=("nnlib.blocks.model_cost",),
        mistakes=(
            variant(
                "biases forgotten",
                "a few parameters short: each output channel has a bias too",
                lambda c_in, c_out, k, h, w: _by_formula(
                    c_in, c_out, k, h, w, bias=False
                ),
            ),
            variant(
                "one position",
                "the multiply-adds of one output position: every weight is used "
                "again at each of the output's positions",
                lambda c_in, c_out, k, h, w: _by_formula(
                    c_in, c_out, k, h, w, positions=False
                ),
            ),
            variant(
                "depthwise as full",
                "the depthwise part counted as a full convolution: it has one "
                "kernel per input channel, each seeing only its own channel",
                lambda c_in, c_out, k, h, w: _by_formula(
                    c_in, c_out, k, h, w, full_depth=True
                ),
            ),
        ),
    ),
    train_task(
        "12.train_resnet",
        flatten=False,
        goal=0.985,
        budget=TRAIN_BUDGET,
        hints=(
            "Train a small residual network with batch normalisation on the "
            "training split and keep the weights of the epoch with the best "
            "validation accuracy.",
            "Eight layers with sixteen channels in the first stage are plenty for "
            "these digits. AdamW with a one-cycle schedule, batches of 64 and "
            "about 15 epochs reach the goal in seconds. Evaluate in evaluation "
            "mode.",
        ),
        probe=probe_resnet,
    ),
    SKIP_GRADIENT,
]
