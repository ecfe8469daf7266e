"""Chapter 04 tasks: stable cross-entropy, its gradient, and Dense.backward.

References: ``CrossEntropyLoss`` (fused log-softmax) and ``Dense`` from
nnlib.scratch.
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import CrossEntropyLoss, Dense
from nnlib.scratch import functional as F

from ..compare import SIGN, TRANSPOSED, Mistake, sum_not_mean, variant
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


def _rows(case: Case) -> int:
    return len(case.args[0])


def _softmax_over_batch(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The mistake of a softmax along the batch axis."""
    p = F.softmax(logits, axis=0)
    p[np.arange(len(labels)), labels] -= 1
    return p / len(labels)


KEPT_BATCH = Mistake(
    "kept the batch axis",
    "one row per sample: the bias gradient adds up the rows of the upstream gradient",
    transform=lambda a, case: np.repeat(a[None], _rows(case), axis=0) / _rows(case),
    shape_test=lambda right, got: len(got) == len(right) + 1 and got[1:] == right,
)


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
        mistakes=(sum_not_mean(_rows),),
        hints=(
            "Compute the log-probabilities with a shifted log-softmax so that no "
            "exponential overflows, then pick the true class of each row.",
            "Subtract each row's largest logit before taking exponentials; the shift "
            "cancels in the log-softmax. Average minus the log-probability of the true"
            " class over the rows.",
        ),
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
        mistakes=(
            sum_not_mean(_rows),
            variant(
                "softmax over the batch",
                "the softmax was taken along the wrong axis, over the samples: "
                "each row's probabilities (one per class) must add up to 1",
                _softmax_over_batch,
            ),
            SIGN,
        ),
        hints=(
            "The gradient at the logits compares the predicted probabilities with the "
            "true classes.",
            "Take the softmax of each row, shifted for stability, subtract one at the "
            "true class, and divide by the number of rows. The result has the logits' "
            "shape.",
        ),
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
        hints=(
            "Use the chain rule for each of the three gradients: the input's, the "
            "weights' and the bias's. Let the shapes guide you.",
            "Each gradient has the shape of what it belongs to. The input's comes from"
            " the upstream gradient and the weights, the weights' from the input and "
            "the upstream gradient, and the bias gradient adds up the rows of the "
            "upstream gradient. Never change the upstream gradient in place.",
        ),
        rtol=RTOL,
        atol=ATOL,
        outputs=("dx", "dW", "db"),
        mistakes=(TRANSPOSED, KEPT_BATCH),
        forbidden=("nnlib.scratch.Dense",),
    ),
]
