"""Chapter 03 tasks: a dense layer, the forward pass of an MLP, parameter counts.

References: ``Dense`` and ``ReLU`` from nnlib.scratch, chained by hand.
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import Dense, ReLU

from ..compare import TRANSPOSED, variant
from ..spec import Case, TaskSpec
from ._common import normal, with_params

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
    ),
]
