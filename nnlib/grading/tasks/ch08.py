"""Chapter 08 tasks: a single-channel convolution, max pooling, output sizes.

References: ``functional.conv2d`` (cross-correlation as in PyTorch),
``MaxPool2D`` and ``functional.conv_output_size`` from nnlib.scratch.
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import MaxPool2D
from nnlib.scratch import functional as F

from ..spec import Case, TaskSpec
from ._common import normal

# Sums of k*k products of O(1) numbers: 1e-7 relative.
RTOL, ATOL = 1e-7, 1e-10


def conv2d_single(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Reference: 'valid' cross-correlation of an (H, W) image, (kH, kW) kernel."""
    # (H, W) -> (1, 1, H, W) and (kH, kW) -> (1, 1, kH, kW); back to (H', W')
    return F.conv2d(image[None, None], kernel[None, None])[0, 0]


def max_pool(x: np.ndarray, kernel_size: int) -> np.ndarray:
    """Reference: max over non-overlapping k x k windows of (N, C, H, W)."""
    return MaxPool2D(kernel_size).forward(x)


def conv_output_size(n: int, kernel_size: int, stride: int, padding: int) -> int:
    """Reference: (n + 2 * padding - kernel_size) // stride + 1."""
    return F.conv_output_size(n, kernel_size, stride, padding)


def _conv_cases(rng: np.random.Generator) -> list[Case]:
    edge = np.array([[1.0, 0.0, -1.0]] * 3)  # a vertical-edge detector
    step = np.zeros((6, 6))
    step[:, 3:] = 1.0
    return [
        Case("5x5 image, 3x3 kernel", (normal(rng, 5, 5), normal(rng, 3, 3))),
        Case("kernel as large as the image", (normal(rng, 4, 4), normal(rng, 4, 4))),
        Case("1x1 kernel", (normal(rng, 3, 5), np.array([[2.0]]))),
        Case("non-square 4x6 with 2x3", (normal(rng, 4, 6), normal(rng, 2, 3))),
        Case("edge kernel on a step (not flipped)", (step, edge)),
    ]


def _pool_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("one 4x4 map, 2x2 windows", (normal(rng, 1, 1, 4, 4), 2)),
        Case("batch 2, 3 channels, 3x3 windows", (normal(rng, 2, 3, 6, 6), 3)),
        Case(
            "odd size 5x5: the last row and column are dropped",
            (normal(rng, 1, 2, 5, 5), 2),
        ),
        Case("all negative values", (-np.abs(normal(rng, 1, 1, 4, 4)) - 1, 2)),
        Case("1x1 windows change nothing", (normal(rng, 2, 1, 3, 3), 1)),
    ]


def _size_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("28, kernel 5", (28, 5, 1, 0)),
        Case("28, kernel 3, padding 1 ('same')", (28, 3, 1, 1)),
        Case("7, kernel 3, stride 2", (7, 3, 2, 0)),
        Case("8, kernel 2, stride 2 (pooling)", (8, 2, 2, 0)),
        Case("kernel as large as the input", (5, 5, 1, 0)),
        Case("stride that does not divide evenly", (10, 3, 3, 1)),
    ]


SPECS = [
    TaskSpec(
        id="08.conv2d_single",
        make_cases=_conv_cases,
        reference=conv2d_single,
        hint="slide the kernel without flipping it: out[i, j] = sum(image[i:i+kH, "
        "j:j+kW] * kernel); the output is (H - kH + 1, W - kW + 1).",
        rtol=RTOL,
        atol=ATOL,
        forbidden=(
            "nnlib.scratch.functional.conv2d",
            "nnlib.scratch.functional.im2col",
            "nnlib.scratch.Conv2D",
        ),
    ),
    TaskSpec(
        id="08.maxpool",
        make_cases=_pool_cases,
        reference=max_pool,
        hint="the output is (N, C, H // k, W // k); each entry is the max of one "
        "k x k window, taken per sample and per channel.",
        rtol=0.0,  # a max picks an input value: exact
        atol=0.0,
        forbidden=("nnlib.scratch.MaxPool2D",),
    ),
    TaskSpec(
        id="08.conv_output_size",
        make_cases=_size_cases,
        reference=conv_output_size,
        hint="count the kernel positions: "
        "(n + 2 * padding - kernel_size) // stride + 1, "
        "as an int.",
        forbidden=("nnlib.scratch.functional.conv_output_size",),
    ),
]
