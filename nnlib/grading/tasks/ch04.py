"""Chapter 04 tasks: stable cross-entropy, its gradient, Dense.backward, and a
two-layer network's gradients derived by hand.

References: ``CrossEntropyLoss`` (fused log-softmax) and ``Dense`` from
nnlib.scratch. ``04.softmax_ce_grad`` and ``04.dense_backward`` (derive) are
stated without their formulas; ``04.two_layer_gradients`` (derive) is checked
against central differences of the loss, never against a backward pass.
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import CrossEntropyLoss, Dense
from nnlib.scratch import functional as F

from ..compare import HALF, SIGN, TRANSPOSED, Mistake, sum_not_mean, variant
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


def _ce_over_batch(logits: np.ndarray, labels: np.ndarray) -> float:
    """The mistake of a log-softmax along the batch axis."""
    logp = F.log_softmax(logits, axis=0)
    return float(-np.mean(logp[np.arange(len(labels)), labels]))


# ------------------------------------------------------ a two-layer network's gradients


def two_layer_loss(
    x: np.ndarray,
    y: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
) -> float:
    """Mean squared error over all N * K entries of sigmoid(x W1 + b1) W2 + b2."""
    h = F.sigmoid(x @ W1 + b1)  # (N, D) @ (D, H) -> (N, H)
    err = h @ W2 + b2 - y  # (N, H) @ (H, K) -> (N, K)
    return float(np.mean(err * err))


def two_layer_gradients(
    x: np.ndarray,
    y: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
) -> tuple:
    """Reference: (dW1, db1, dW2, db2) by central differences of ``two_layer_loss``.

    The loss is smooth; with steps of 1e-6 the truncation error is about 1e-12
    and the rounding error about 1e-10 relative to the O(1) loss.
    """
    params = [W1.astype(np.float64), b1.astype(np.float64)]
    params += [W2.astype(np.float64), b2.astype(np.float64)]
    grads = []
    h = 1e-6
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            up = two_layer_loss(x, y, *params)
            p[idx] = old - h
            down = two_layer_loss(x, y, *params)
            p[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return tuple(grads)


def _two_layer_by_hand(x, y, W1, b1, W2, b2, *, slope=True):
    """The backward pass by the chain rule; ``slope=False`` forgets sigmoid'."""
    h = F.sigmoid(x @ W1 + b1)  # (N, H)
    dout = 2 * (h @ W2 + b2 - y) / y.size  # (N, K): d(mean over N*K)/d(output)
    dh = dout @ W2.T  # (N, K) @ (K, H) -> (N, H)
    dz = dh * h * (1 - h) if slope else dh
    return x.T @ dz, dz.sum(axis=0), h.T @ dout, dout.sum(axis=0)


def _no_sigmoid_slope(x, y, W1, b1, W2, b2):
    return _two_layer_by_hand(x, y, W1, b1, W2, b2, slope=False)


def _two_layer(rng: np.random.Generator, N: int, D: int, H: int, K: int) -> tuple:
    return (
        normal(rng, N, D),
        normal(rng, N, K),
        normal(rng, D, H, scale=0.7),
        normal(rng, H, scale=0.3),
        normal(rng, H, K, scale=0.7),
        normal(rng, K, scale=0.3),
    )


def _two_layer_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("5 samples, 3 -> 4 -> 2", _two_layer(rng, 5, 3, 4, 2)),
        Case("batch of 1", _two_layer(rng, 1, 2, 3, 2)),
        Case("one output (regression)", _two_layer(rng, 6, 3, 5, 1)),
        Case("8 samples, 4 -> 6 -> 3", _two_layer(rng, 8, 4, 6, 3)),
    ]


def _outputs_k(case: Case) -> int:
    return case.args[1].shape[1]


MEAN_OVER_ROWS = Mistake(
    "mean over the rows only",
    "exactly {n} times the right values: the mean is over all N x K entries of "
    "the error, not over the N rows alone",
    transform=lambda a, case: a * _outputs_k(case),
    n=_outputs_k,
)


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
        mistakes=(
            sum_not_mean(_rows),
            variant(
                "log-softmax over the batch",
                "the log-softmax was taken along the wrong axis, over the samples: "
                "each row's probabilities (one per class) must add up to 1",
                _ce_over_batch,
            ),
        ),
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
        mistakes=(
            TRANSPOSED,
            KEPT_BATCH,
            Mistake(
                "db averaged",
                "exactly 1/{n} of the right bias gradient: the bias is added to "
                "every one of the {n} rows, so its gradient is the sum of the rows "
                "of the upstream gradient, not their mean",
                transform=lambda a, case: a / _rows(case),
                output="db",
                n=_rows,
            ),
        ),
        forbidden=("nnlib.scratch.Dense",),
    ),
    TaskSpec(
        id="04.two_layer_gradients",
        make_cases=_two_layer_cases,
        reference=two_layer_gradients,
        hints=(
            "Work backwards from the loss: first its gradient at the network's "
            "output, then through the second dense layer, the sigmoid and the first "
            "dense layer, in that order.",
            "Every gradient has the shape of what it belongs to. The gradient at the "
            "output is the error times two, divided by the number of its entries. "
            "The sigmoid multiplies the gradient by its own slope, which you "
            "derived in chapter 2.",
        ),
        # central differences of a smooth loss: about 1e-10 of rounding (above)
        rtol=1e-5,
        atol=1e-7,
        outputs=("dW1", "db1", "dW2", "db2"),
        forbidden=(
            "nnlib.scratch.Dense",
            "nnlib.scratch.Sequential",
            "nnlib.scratch.MSELoss",
            "nnlib.scratch.Sigmoid",
        ),
        mistakes=(
            HALF,
            variant(
                "no sigmoid slope",
                "the gradient passed the sigmoid unchanged: multiply it by the "
                "sigmoid's slope at each hidden unit",
                _no_sigmoid_slope,
            ),
            MEAN_OVER_ROWS,
        ),
    ),
]
