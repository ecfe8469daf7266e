"""Chapter 04 tasks: stable cross-entropy, its gradient, and Dense.backward.

References: ``CrossEntropyLoss`` (fused log-softmax) and ``Dense`` from
nnlib.scratch.
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import CrossEntropyLoss, Dense

from ..spec import Case, TaskSpec
from ._common import labels, normal, with_params

# Log-sum-exp and products of O(1) numbers: ~1e-15 rounding; 1e-7 relative.
RTOL, ATOL = 1e-7, 1e-10


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Reference: mean cross-entropy of softmax(logits) against integer labels."""
    return CrossEntropyLoss().forward(logits, labels)


def softmax_ce_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Reference: d(mean cross-entropy)/d(logits) = (softmax - one_hot) / N."""
    loss = CrossEntropyLoss()
    loss.forward(logits, labels)
    return loss.backward()


def dense_backward(x: np.ndarray, W: np.ndarray, dy: np.ndarray) -> tuple:
    """Reference: (dx, dW, db) of y = x @ W + b given dL/dy."""
    layer = with_params(Dense(*W.shape), W=W)
    layer.forward(x)
    dx = layer.backward(dy)
    return dx, layer.grads["W"], layer.grads["b"]


def _ce_cases(rng: np.random.Generator) -> list[Case]:
    big = np.array([[1000.0, 0.0, -1000.0], [-500.0, 500.0, 0.0]])
    sure = np.array([[20.0, 0.0], [0.0, 20.0]])
    return [
        Case("5 samples, 3 classes", (normal(rng, 5, 3), labels(rng, 5, 3))),
        Case("batch of 1", (normal(rng, 1, 4), np.array([2]))),
        Case("two classes", (normal(rng, 6, 2), labels(rng, 6, 2))),
        Case("10 classes", (normal(rng, 8, 10, scale=3.0), labels(rng, 8, 10))),
        Case("confident and right", (sure, np.array([0, 1]))),
        Case("large logits (exp would overflow)", (big, np.array([2, 0]))),
    ]


def _dense_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            "4 samples, 3 -> 2",
            (normal(rng, 4, 3), normal(rng, 3, 2), normal(rng, 4, 2)),
        ),
        Case("batch of 1", (normal(rng, 1, 5), normal(rng, 5, 3), normal(rng, 1, 3))),
        Case("one output", (normal(rng, 6, 2), normal(rng, 2, 1), normal(rng, 6, 1))),
        Case(
            "zero upstream gradient",
            (normal(rng, 3, 4), normal(rng, 4, 2), np.zeros((3, 2))),
        ),
        Case(
            "64 -> 10, batch of 32",
            (normal(rng, 32, 64), normal(rng, 64, 10), normal(rng, 32, 10)),
        ),
    ]


SPECS = [
    TaskSpec(
        id="04.stable_cross_entropy",
        make_cases=_ce_cases,
        reference=cross_entropy,
        hint="subtract each row's max before exp (log-softmax = z - log(sum(exp(z)))), "
        "pick the log-probability of the true class, average over the batch.",
        rtol=RTOL,
        atol=ATOL,
        forbidden=(
            "nnlib.scratch.CrossEntropyLoss",
            "nnlib.scratch.functional.log_softmax",
            "nnlib.scratch.functional.softmax",
        ),
        strict_float=True,
    ),
    TaskSpec(
        id="04.softmax_ce_grad",
        make_cases=_ce_cases,
        reference=softmax_ce_grad,
        hint="the gradient is (softmax(logits) - one_hot(labels)) / N, shape (N, K); "
        "compute softmax with the row max subtracted.",
        rtol=RTOL,
        atol=ATOL,
        forbidden=(
            "nnlib.scratch.CrossEntropyLoss",
            "nnlib.scratch.functional.softmax",
            "nnlib.scratch.functional.log_softmax",
        ),
        strict_float=True,
    ),
    TaskSpec(
        id="04.dense_backward",
        make_cases=_dense_cases,
        reference=dense_backward,
        hint="dx = dy @ W.T (N, in), dW = x.T @ dy (in, out), db = dy summed over the "
        "batch (out,); do not modify dy.",
        rtol=RTOL,
        atol=ATOL,
        outputs=("dx", "dW", "db"),
        forbidden=("nnlib.scratch.Dense",),
    ),
]
