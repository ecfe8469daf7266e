"""Chapter 08 tasks: a convolution, its backward pass derived by hand, max pooling,
output sizes, a trained CNN, and how a CNN and an MLP take a one-pixel shift.

References: ``functional.conv2d`` (cross-correlation as in PyTorch), ``MaxPool2D``
and ``functional.conv_output_size`` from nnlib.scratch. ``08.conv2d_backward``
(derive) is checked against central differences of the convolution, never
against a backward pass; ``08.train_cnn`` (train) on validation in the notebook
and on the disguised held-out digits in the batch grader (``_train``);
``08.shift_robustness`` (measure) within tolerances set from the solution's
spread (below).
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import MaxPool2D
from nnlib.scratch import functional as F

from ..compare import OFF_BY_ONE, SIGN, Mistake, mean_not_sum, variant
from ..spec import Case, TaskSpec
from ._common import normal
from ._measure import Choice, Quantity, measure_task
from ._train import train_and_predict, train_task

# Sums of k*k products of O(1) numbers: 1e-7 relative.
RTOL, ATOL = 1e-7, 1e-10
TRAIN_BUDGET = 60.0  # seconds; the solution trains in about 3 s here


def conv2d_single(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Reference: 'valid' cross-correlation of an (H, W) image, (kH, kW) kernel."""
    # (H, W) -> (1, 1, H, W) and (kH, kW) -> (1, 1, kH, kW); back to (H', W')
    return F.conv2d(image[None, None], kernel[None, None])[0, 0]


def _flipped(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return conv2d_single(image, kernel[::-1, ::-1])


def max_pool(x: np.ndarray, kernel_size: int) -> np.ndarray:
    """Reference: max over non-overlapping k x k windows of (N, C, H, W)."""
    return MaxPool2D(kernel_size).forward(x)


def _pool_from_zero(x: np.ndarray, kernel_size: int) -> np.ndarray:
    return np.maximum(max_pool(x, kernel_size), 0.0)


def conv_output_size(n: int, kernel_size: int, stride: int, padding: int) -> int:
    """Reference: (n + 2 * padding - kernel_size) // stride + 1."""
    return F.conv_output_size(n, kernel_size, stride=stride, padding=padding)


# ------------------------------------------------------ the convolution's backward


def conv2d_backward(x: np.ndarray, W: np.ndarray, dy: np.ndarray) -> tuple:
    """Reference: (dx, dW, db) of y = conv2d(x, W) + b, by central differences.

    ``L = sum(y * dy)`` is linear in x, W and b, so a central difference is exact
    up to rounding: with steps of 1e-3, about 1e-12 relative.
    """

    def loss(x_: np.ndarray, W_: np.ndarray, b_: np.ndarray) -> float:
        return float(np.sum(F.conv2d(x_, W_, b_) * dy))

    b = np.zeros(W.shape[0])
    arrays = [x.astype(np.float64), W.astype(np.float64), b]
    grads = []
    h = 1e-3
    for a in arrays:
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + h
            up = loss(*arrays)
            a[idx] = old - h
            down = loss(*arrays)
            a[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return tuple(grads)


def _by_hand(x: np.ndarray, W: np.ndarray, dy: np.ndarray, *, flip: bool = True):
    """The backward pass by loops over the windows; ``flip=False`` is the mistake
    of sliding the kernel over the upstream gradient as it is."""
    N, C, H, Wd = x.shape
    Fn, _, kH, kW = W.shape
    dx, dW = np.zeros_like(x, dtype=np.float64), np.zeros_like(W, dtype=np.float64)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            window = x[:, :, i : i + kH, j : j + kW]  # (N, C, kH, kW)
            g = dy[:, :, i, j]  # (N, F)
            dW += np.einsum("nf,nchw->fchw", g, window)
            dx[:, :, i : i + kH, j : j + kW] += np.einsum("nf,fchw->nchw", g, W)
    if not flip:
        padded = np.pad(dy, [(0, 0), (0, 0), (kH - 1, kH - 1), (kW - 1, kW - 1)])
        dx = F.conv2d(padded, np.swapaxes(W, 0, 1))  # (N, C, H, W), kernel unturned
    return dx, dW, dy.sum(axis=(0, 2, 3))


def _unflipped(x, W, dy):
    return _by_hand(x, W, dy, flip=False)


def _conv_case(rng, N, C, H, Wd, Fn, kH, kW) -> tuple:
    x = normal(rng, N, C, H, Wd)
    W = normal(rng, Fn, C, kH, kW)
    dy = normal(rng, N, Fn, H - kH + 1, Wd - kW + 1)
    return x, W, dy


def _backward_cases(rng: np.random.Generator) -> list[Case]:
    x, W, dy = _conv_case(rng, 2, 2, 4, 4, 3, 2, 2)
    return [
        Case(
            "2 images, 2 -> 3 channels, 5x6, 3x3 kernels",
            _conv_case(rng, 2, 2, 5, 6, 3, 3, 3),
        ),
        Case("batch of 1, one channel", _conv_case(rng, 1, 1, 5, 5, 1, 3, 3)),
        Case("non-square 2x3 kernels", _conv_case(rng, 2, 1, 4, 6, 2, 2, 3)),
        Case("kernel as large as the image", _conv_case(rng, 2, 2, 3, 3, 2, 3, 3)),
        Case("1x1 kernels", _conv_case(rng, 2, 3, 3, 4, 2, 1, 1)),
        Case("zero upstream gradient", (x, W, np.zeros_like(dy))),
    ]


def _batch(case: Case) -> int:
    return len(case.args[0])


DW_PER_SAMPLE = Mistake(
    "dW per sample",
    "one kernel gradient per sample: dW adds up the contributions of every sample "
    "(and of every position), so it has the kernels' own shape",
    transform=lambda a, case: np.repeat(a[None], _batch(case), axis=0) / _batch(case),
    shape_test=lambda right, got: len(got) == len(right) + 1 and got[1:] == right,
    output="dW",
)
DW_SWAPPED = Mistake(
    "dW axes swapped",
    "the first two axes of dW are swapped: dW has the kernels' shape, output "
    "channels first, then input channels",
    transform=lambda a, case: np.swapaxes(a, 0, 1),
    output="dW",
)
DB_POSITIONS = Mistake(
    "db per position",
    "db keeps the positions: a kernel's bias is added at every position of every "
    "image, so its gradient adds up the upstream gradient over the batch and over "
    "all positions, one number per kernel",
    transform=lambda a, case: case.args[2].sum(axis=0),
    shape_test=lambda right, got: len(right) == 1 and len(got) == 3,
    output="db",
)
DW_FLIPPED = Mistake(
    "dW flipped",
    "dW is the right kernel gradient turned upside down and back to front: "
    "each weight meets the pixel at its own offset in the window",
    transform=lambda a, case: a[..., ::-1, ::-1],
    output="dW",
)


# ----------------------------------------------------------- forward, pool, sizes


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
        Case("stride that does not divide evenly", (10, 3, 3, 0)),
        Case("9, kernel 3, padding 2", (9, 3, 1, 2)),
    ]


POOL_LEFTOVER = Mistake(
    "leftover window",
    "one window too many along a side: rows and columns left over at the bottom "
    "and the right fill no whole window and are dropped",
    # an example for the tests: a window too many along H and W (ceil mode)
    transform=lambda a, case: np.pad(a, [(0, 0), (0, 0), (0, 1), (0, 1)], "edge"),
    shape_test=lambda right, got: (
        len(got) == len(right)
        and got[:2] == right[:2]
        and max(g - r for g, r in zip(got, right, strict=True)) == 1
    ),
)


# ------------------------------------------------------------- train and measure


def probe_cnn(fn, X_train, y_train, X_val, y_val, X_eval) -> dict:
    """Train with the learner's function (60 s budget); label ``X_eval``."""
    return train_and_predict(
        fn, X_train, y_train, X_val, y_val, X_eval, budget=TRAIN_BUDGET
    )


# 08.shift_robustness: the lecture's SimpleCNN(channels=(32, 64), hidden=128) with
# its recipe (AdamW 3e-3, weight decay 0.01, one-cycle schedule, batches of 64, 15
# epochs; the epoch best on validation) and chapter 7's MLP (Adam 2e-3, batches of
# 64, 30 epochs), each trained on the training split; accuracy on the validation
# digits moved by one pixel right, left, down and up (zeros fill in), averaged over
# the four moves. The solution's experiment, seeds 0-4 with torch's native kernels
# and seeds 0-2 with ATEN_CPU_CAPABILITY=default (up to 0.008 apart): CNN
# 0.758-0.784, MLP 0.449-0.464; unshifted about 0.99 and 0.975. The tolerances are
# about four times the half-ranges and stay clear of the unshifted accuracies.
_UNSHIFTED = "that is the accuracy on the digits as they are; move them first"
SHIFT = measure_task(
    "08.shift_robustness",
    quantities=[
        Quantity(
            "cnn_shifted",
            0.77,
            0.06,
            "CNN, digits moved by one pixel",
            confusions=[(0.985, 0.015, _UNSHIFTED)],
        ),
        Quantity(
            "mlp_shifted",
            0.46,
            0.05,
            "MLP, digits moved by one pixel",
            confusions=[(0.975, 0.025, _UNSHIFTED)],
        ),
    ],
    choices=[Choice("why", "c", ("a", "b", "c"))],
    swapped=[("cnn_shifted", "mlp_shifted")],
    hints=(
        "Train both networks, move every validation digit by one pixel, and "
        "measure each network on the moved digits. Do it for each of the four "
        "directions and average.",
        "A moved digit keeps its size: a row or column of zeros comes in on one "
        "side and one falls off the other. Compare the two averages with the "
        "accuracies on the digits as they are.",
    ),
)


SPECS = [
    TaskSpec(
        id="08.conv2d_single",
        make_cases=_conv_cases,
        reference=conv2d_single,
        hints=(
            "Place the kernel on the top-left corner, multiply what lies on top of "
            "each other and add it all up. Then slide one pixel, and repeat over "
            "every place where the kernel fits.",
            "The kernel is used as it is, not turned around. Along each side it "
            "fits the side minus the kernel's side, plus one, times.",
        ),
        rtol=RTOL,
        atol=ATOL,
        forbidden=(
            "nnlib.scratch.functional.conv2d",
            "nnlib.scratch.functional.im2col",
            "nnlib.scratch.Conv2D",
        ),
        mistakes=(
            variant(
                "flipped kernel",
                "the kernel was turned around (a true convolution): deep-learning "
                "libraries use it as it is (a cross-correlation)",
                _flipped,
            ),
            OFF_BY_ONE,
        ),
    ),
    TaskSpec(
        id="08.conv2d_backward",
        make_cases=_backward_cases,
        reference=conv2d_backward,
        hints=(
            "Each output value is a weighted sum over one window, plus a bias. A "
            "weight's gradient collects, over every window, the upstream gradient "
            "times the pixel that weight multiplied there. A pixel's gradient "
            "collects every weight that touched it.",
            "Each gradient has the shape of what it belongs to: the images, the "
            "kernels, one number per kernel for the bias. Sum over the samples and "
            "over the positions; nothing is averaged. Going back to the pixels, "
            "each window sends the upstream gradient times the kernel back onto "
            "the pixels it covered.",
        ),
        # central differences of a linear function: about 1e-12 relative (above)
        rtol=1e-6,
        atol=1e-9,
        outputs=("dx", "dW", "db"),
        forbidden=("nnlib.scratch.Conv2D", "nnlib.scratch.functional.col2im"),
        mistakes=(
            variant(
                "kernel not turned",
                "dx slides the kernel over the upstream gradient as it is: going "
                "back, the kernel is turned upside down and back to front (or add "
                "each window's share onto the pixels it covered)",
                _unflipped,
                output="dx",
            ),
            DW_PER_SAMPLE,
            DW_SWAPPED,
            DW_FLIPPED,
            DB_POSITIONS,
            mean_not_sum(_batch),
            SIGN,
        ),
    ),
    TaskSpec(
        id="08.maxpool",
        make_cases=_pool_cases,
        reference=max_pool,
        hints=(
            "Cut each feature map into square windows that do not overlap, and "
            "keep the largest value of each, separately for every sample and "
            "every channel.",
            "The output has the same samples and channels and each side divided "
            "by the window, rounded down. Start each maximum from the first value "
            "of its window, not from zero.",
        ),
        rtol=0.0,  # a max picks an input value: exact
        atol=0.0,
        forbidden=("nnlib.scratch.MaxPool2D",),
        mistakes=(
            variant(
                "maximum from zero",
                "negative windows come out as 0: the maximum started from zero; "
                "start it from the window's own values",
                _pool_from_zero,
            ),
            POOL_LEFTOVER,
        ),
    ),
    TaskSpec(
        id="08.conv_output_size",
        make_cases=_size_cases,
        reference=conv_output_size,
        hints=(
            "Count the places where the kernel fits, stepping by the stride, on "
            "the side after padding.",
            "Padding adds pixels at both ends. From the first place, every further "
            "step of the stride that still fits adds one place; a partial step "
            "does not count.",
        ),
        forbidden=("nnlib.scratch.functional.conv_output_size",),
        mistakes=(
            Mistake(
                "forgot the first position",
                "one less than the right size: the kernel's first place counts "
                "too (plus one)",
                transform=lambda a, case: a - 1,
            ),
            variant(
                "padding once",
                "padding adds its pixels at both ends of the side: count it twice",
                lambda n, k, s, p: (n + p - k) // s + 1,
            ),
            variant(
                "not rounded down",
                "not a whole number: a last, partial step of the stride does not "
                "count, so round down",
                lambda n, k, s, p: (n + 2 * p - k) / s + 1,
            ),
        ),
    ),
    train_task(
        "08.train_cnn",
        flatten=False,
        goal=0.985,
        budget=TRAIN_BUDGET,
        hints=(
            "Train the lecture's small CNN on the training split and keep the "
            "weights of the epoch with the best validation accuracy.",
            "The lecture's network and recipe reach the goal: two blocks of "
            "convolution, batch normalisation, ReLU and pooling, then a small "
            "dense head; AdamW with a one-cycle schedule, batches of 64, about 15 "
            "epochs. Evaluate in evaluation mode.",
        ),
        probe=probe_cnn,
    ),
    SHIFT,
]
