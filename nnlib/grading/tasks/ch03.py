"""Chapter 03 tasks: a dense layer, the forward pass of an MLP, parameter counts,
and an initialisation scale found by measurement.

References: ``Dense`` and ``ReLU`` from nnlib.scratch, chained by hand.
``03.init_scale`` (measure) is graded within tolerances set from the spread of
the solution's experiment (below).
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import Dense, ReLU

from ..compare import TRANSPOSED, variant
from ..spec import Case, TaskSpec
from ._common import normal, with_params
from ._measure import Choice, Quantity, measure_task

# Sums of products of O(1) numbers (a few hundred at most): 1e-7 relative.
RTOL, ATOL = 1e-7, 1e-9


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Reference: x @ W + b via ``Dense``."""
    return with_params(Dense(*W.shape), W=W, b=b).forward(x)


def mlp_forward(x: np.ndarray, layers: list) -> np.ndarray:
    """Reference: Dense layers from the (W, b) pairs, ReLU between, none at the end."""
    h = x
    for i, (W, b) in enumerate(layers):
        h = with_params(Dense(*W.shape), W=W, b=b).forward(h)
        if i < len(layers) - 1:
            h = ReLU().forward(h)
    return h


def param_count(sizes: list) -> int:
    """Reference: the number of weights and biases of an MLP with these layer sizes."""
    layers = [
        Dense(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False)
    ]
    return int(sum(p.size for layer in layers for p in layer.params.values()))


def _relu_everywhere(x: np.ndarray, layers: list) -> np.ndarray:
    """The mistake of a ReLU after the output layer too."""
    return ReLU().forward(mlp_forward(x, layers))


def _no_relu(x: np.ndarray, layers: list) -> np.ndarray:
    """The mistake of chaining the layers without any ReLU."""
    h = x
    for W, b in layers:
        h = h @ W + b
    return h


def _weights_only(sizes: list) -> int:
    return int(sum(m * n for m, n in zip(sizes[:-1], sizes[1:], strict=False)))


def _bias_per_input(sizes: list) -> int:
    return int(sum(m * n + m for m, n in zip(sizes[:-1], sizes[1:], strict=False)))


def _mlp(rng: np.random.Generator, sizes: list[int]) -> list:
    return [
        (normal(rng, n_in, n_out), normal(rng, n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=False)
    ]


def _dense_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            "4 samples, 3 -> 2", (normal(rng, 4, 3), normal(rng, 3, 2), normal(rng, 2))
        ),
        Case("batch of 1", (normal(rng, 1, 5), normal(rng, 5, 3), normal(rng, 3))),
        Case(
            "one feature in, one out",
            (normal(rng, 6, 1), normal(rng, 1, 1), normal(rng, 1)),
        ),
        Case(
            "zero weights: only the bias",
            (normal(rng, 2, 3), np.zeros((3, 4)), normal(rng, 4)),
        ),
        Case(
            "64 -> 10, batch of 32",
            (normal(rng, 32, 64), normal(rng, 64, 10), normal(rng, 10)),
        ),
    ]


def _mlp_cases(rng: np.random.Generator) -> list[Case]:
    dead = _mlp(rng, [3, 4, 2])
    dead[0] = (
        dead[0][0],
        np.full(4, -100.0),
    )  # every hidden unit negative: ReLU gives 0
    return [
        Case("one layer: no ReLU", (normal(rng, 5, 3), _mlp(rng, [3, 2]))),
        Case("two layers 3 -> 8 -> 2", (normal(rng, 5, 3), _mlp(rng, [3, 8, 2]))),
        Case(
            "three layers 4 -> 6 -> 5 -> 3",
            (normal(rng, 7, 4), _mlp(rng, [4, 6, 5, 3])),
        ),
        Case("batch of 1", (normal(rng, 1, 2), _mlp(rng, [2, 3, 1]))),
        Case("every hidden unit off", (normal(rng, 3, 3), dead)),
    ]


def _count_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("[2, 1]: one neuron", ([2, 1],)),
        Case("[64, 128, 10]", ([64, 128, 10],)),
        Case("[3, 3, 3, 3]", ([3, 3, 3, 3],)),
        Case("[1, 1]", ([1, 1],)),
        Case("[784, 256, 128, 10]", ([784, 256, 128, 10],)),
    ]


# 03.init_scale: a 10-layer ReLU network of width 256 without biases, inputs a
# (512, 256) standard-normal batch, weights drawn N(0, std^2); the gain per layer
# is (RMS of the last layer's output / RMS of the input) ** (1 / 10). The
# solution's experiment, seeds 0-19: std 1 -> 10.95-11.74, std 1/16 (one over the
# square root of the width) -> 0.684-0.733, std sqrt(2/256) = 0.0884 -> 0.968-1.037
# (so a std found by search within 4 % of 0.0884 gives a gain within 0.04 of 1).
# Tolerances are about three times the half-ranges; the std's covers a search on a
# grid of steps of 0.005.
_TENTH_ROOT = "that is the RMS after ten layers; the gain per layer is its tenth root"
INIT_SCALE = measure_task(
    "03.init_scale",
    quantities=[
        Quantity(
            "gain_std_1",
            11.3,
            1.5,
            "gain per layer, std 1",
            confusions=[(3.5e10, 3.4e10, _TENTH_ROOT)],
        ),
        Quantity(
            "gain_std_1_16",
            0.707,
            0.08,
            "gain per layer, std 1/16",
            confusions=[(0.031, 0.02, _TENTH_ROOT)],
        ),
        Quantity(
            "std_keep",
            0.0884,
            0.01,
            "the std that keeps the gain at 1",
            confusions=[
                (
                    0.0078,
                    0.002,
                    "that is a variance; the std is the square root of the variance",
                ),
                (
                    0.0625,
                    0.004,
                    "that std keeps a linear layer's output as large as its input, "
                    "but the ReLU sets about half of the outputs to zero",
                ),
            ],
        ),
    ],
    choices=[Choice("why", "b", ("a", "b", "c"))],
    hints=(
        "Run the same deep network several times, changing only the spread of the "
        "random weights, and compare the size of the last layer's output with the "
        "size of the input.",
        "A weighted sum of many independent inputs has a variance that grows with "
        "the number of inputs and with the weights' variance. The ReLU then keeps "
        "about half of it. Choose the spread so that the two effects cancel.",
    ),
)


SPECS = [
    TaskSpec(
        id="03.dense_forward",
        make_cases=_dense_cases,
        reference=dense_forward,
        hints=(
            "Every output is a weighted sum of all the inputs plus its bias, for every"
            " sample at once.",
            "A batch of N rows with in features, times weights with in rows and out "
            "columns, gives N rows of out values. The bias row is added to each of "
            "them.",
        ),
        rtol=RTOL,
        atol=ATOL,
        forbidden=("nnlib.scratch.Dense",),
        mistakes=(
            variant(
                "bias forgotten",
                "the weighted sums without the bias: add the bias to every row",
                lambda x, W, b: x @ W,
            ),
            TRANSPOSED,
        ),
    ),
    TaskSpec(
        id="03.mlp_forward",
        make_cases=_mlp_cases,
        reference=mlp_forward,
        hints=(
            "Go through the layers in order and feed each one the output of the one "
            "before.",
            "Apply ReLU after every layer except the last, which gives raw scores. "
            "With a single layer there is no ReLU at all.",
        ),
        rtol=RTOL,
        atol=ATOL,
        forbidden=("nnlib.scratch.Dense", "nnlib.scratch.Sequential"),
        mistakes=(
            variant(
                "ReLU on the output",
                "a ReLU after the last layer too: the output layer gives raw scores, "
                "which may be negative",
                _relu_everywhere,
            ),
            variant(
                "no ReLU",
                "no ReLU between the layers: every hidden layer's output goes "
                "through a ReLU before the next layer",
                _no_relu,
            ),
        ),
    ),
    TaskSpec(
        id="03.param_count",
        make_cases=_count_cases,
        reference=param_count,
        hints=(
            "Count the weights and the biases of each layer, then add the layers up.",
            "A layer from m to n units has m times n weights and n biases. The list of"
            " sizes gives one layer for each pair of neighbours. Give the total as an "
            "integer.",
        ),
        forbidden=("nnlib.scratch.Dense",),
        mistakes=(
            variant(
                "biases forgotten",
                "only the weights were counted: each layer also has one bias per "
                "output unit",
                _weights_only,
            ),
            variant(
                "a bias per input",
                "one bias per input unit: a layer's biases belong to its outputs, "
                "one for each unit it computes",
                _bias_per_input,
            ),
        ),
    ),
    INIT_SCALE,
]
