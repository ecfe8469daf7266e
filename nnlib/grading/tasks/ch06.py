"""Chapter 06 tasks: accuracy, the confusion matrix, the MLP's gradients derived by
hand, a trained digit recogniser, and how accuracy grows with the training data.

- ``06.mlp_gradients`` (derive) is checked against central differences of the
  loss: the reference never uses a backward pass.
- ``06.train_digits`` (train) is checked on the validation split in the
  notebook and on the held-out test digits, disguised, in the batch grader
  (``_train``).
- ``06.data_size`` (measure) is graded within tolerances set from the spread of
  the solution's experiment (below).
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import functional as F

from ..compare import PERCENT, TRANSPOSED, Mistake, sum_not_mean, variant
from ..spec import Case, TaskSpec
from ._common import labels, normal
from ._measure import Choice, Quantity, measure_task
from ._train import disguise, held_out_split, train_and_predict, train_task

__all__ = ["disguise", "held_out_split"]  # shared with the tests of chapter 06

TRAIN_BUDGET = 20.0  # seconds; the solution trains in about 1 s here


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Reference: the fraction of rows whose largest logit is at the true label."""
    return F.accuracy(logits, labels)


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int
) -> np.ndarray:
    """Reference: counts[i, j] = how many samples of class i were predicted as j."""
    return F.confusion_matrix(y_true, y_pred, n_classes)


# ------------------------------------------------------------- the MLP's gradients


def mlp_loss(
    X: np.ndarray,
    y: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
) -> float:
    """Mean cross-entropy of the 2-layer MLP softmax(relu(X W1 + b1) W2 + b2)."""
    h = np.maximum(X @ W1 + b1, 0.0)  # (N, D) @ (D, H) -> (N, H)
    logp = F.log_softmax(h @ W2 + b2, axis=1)  # (N, H) @ (H, K) -> (N, K)
    return float(-np.mean(logp[np.arange(len(y)), y]))


def mlp_gradients(
    X: np.ndarray,
    y: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
) -> tuple:
    """Reference: (dW1, db1, dW2, db2) by central differences of ``mlp_loss``.

    The loss is piecewise smooth; with steps of 1e-6 the truncation error is
    about 1e-12 and the rounding error about 1e-10 (unless a hidden unit sits
    within 1e-6 of zero, which random cases do with probability about 1e-6).
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
            up = mlp_loss(X, y, *params)
            p[idx] = old - h
            down = mlp_loss(X, y, *params)
            p[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return tuple(grads)


def _by_hand(X, y, W1, b1, W2, b2, *, mask=True, axis=1):
    """The backward pass by the chain rule; the flags make the common mistakes."""
    z1 = X @ W1 + b1  # (N, H)
    h = np.maximum(z1, 0.0)
    p = F.softmax(h @ W2 + b2, axis=axis)  # (N, K)
    dz2 = (p - F.one_hot(y, W2.shape[1])) / len(y)  # d(mean CE)/d(logits)
    dh = dz2 @ W2.T  # (N, K) @ (K, H) -> (N, H)
    dz1 = dh * (z1 > 0) if mask else dh
    return X.T @ dz1, dz1.sum(axis=0), h.T @ dz2, dz2.sum(axis=0)


def _no_relu_mask(X, y, W1, b1, W2, b2):
    return _by_hand(X, y, W1, b1, W2, b2, mask=False)


def _softmax_over_batch(X, y, W1, b1, W2, b2):
    return _by_hand(X, y, W1, b1, W2, b2, axis=0)


def _mlp(rng: np.random.Generator, N: int, D: int, H: int, K: int) -> tuple:
    return (
        normal(rng, N, D),
        labels(rng, N, K),
        normal(rng, D, H, scale=0.5),
        normal(rng, H, scale=0.1),
        normal(rng, H, K, scale=0.5),
        normal(rng, K, scale=0.1),
    )


def _gradient_cases(rng: np.random.Generator) -> list[Case]:
    X, y, W1, _, W2, b2 = _mlp(rng, 4, 3, 5, 3)
    return [
        Case("5 samples, 4 -> 6 -> 3", _mlp(rng, 5, 4, 6, 3)),
        Case("batch of 1", _mlp(rng, 1, 3, 4, 2)),
        Case("every hidden unit off", (X, y, W1, np.full(5, -100.0), W2, b2)),
        Case("digits-sized: 32 samples, 64 -> 16 -> 10", _mlp(rng, 32, 64, 16, 10)),
    ]


def _batch(case: Case) -> int:
    return len(case.args[0])


KEPT_BATCH = Mistake(
    "kept the batch axis",
    "one row per sample: a bias gradient adds up the contributions of every "
    "sample in the batch",
    transform=lambda a, case: np.repeat(a[None], _batch(case), axis=0) / _batch(case),
    shape_test=lambda right, got: len(got) == len(right) + 1 and got[1:] == right,
)


# ------------------------------------------------------------ accuracy and counts


def _accuracy_cases(rng: np.random.Generator) -> list[Case]:
    logits = normal(rng, 20, 5)
    right = np.argmax(logits, axis=1)
    return [
        Case("20 samples, 5 classes", (logits, labels(rng, 20, 5))),
        Case("all right", (logits, right)),
        Case("all wrong", (logits, (right + 1) % 5)),
        Case("batch of 1, right", (np.array([[0.1, 2.0, -1.0]]), np.array([1]))),
        Case("batch of 1, wrong", (np.array([[0.1, 2.0, -1.0]]), np.array([2]))),
    ]


def _confusion_cases(rng: np.random.Generator) -> list[Case]:
    y = labels(rng, 30, 4)
    return [
        Case("30 samples, 4 classes", (y, labels(rng, 30, 4), 4)),
        Case("perfect predictions", (y, y.copy(), 4)),
        Case("one class never predicted", (y, np.where(y == 3, 0, y), 4)),
        Case("batch of 1", (np.array([2]), np.array([0]), 3)),
        Case("more classes than seen", (np.array([0, 1, 1]), np.array([1, 1, 0]), 10)),
    ]


SIZED_FROM_DATA = Mistake(
    "sized from the data",
    "too small: the matrix has one row and one column for each of the n classes, "
    "also for classes that never occur in this batch",
    transform=lambda a, case: a[:2, :2],
    shape_test=lambda right, got: len(got) == 2 and got[0] == got[1] < right[0],
)


# ---------------------------------------------------------------- train, measure


def probe_digits(fn, X_train, y_train, X_val, y_val, X_eval) -> dict:
    """Train with the learner's function (20 s budget); label ``X_eval``."""
    return train_and_predict(
        fn, X_train, y_train, X_val, y_val, X_eval, budget=TRAIN_BUDGET
    )


# 06.data_size: the 64-128-10 MLP, Adam 3e-3, batch 32, 40 epochs, trained on the
# first n images of the exercises' training split; validation accuracy after the last
# epoch. The solution's experiment, seeds 0-4 (numpy's native SIMD loops and without
# its widest ones, torch's plain kernels: the same bits): n = 50: 0.794-0.822,
# n = 300: 0.947-0.961, n = 1077: 0.981-0.983; training accuracy 1.0 at every size.
# (On the lectures' split, seeds 0-4: 0.79-0.84, 0.944-0.956, 0.972-0.978.) The
# tolerances are about four times the half-ranges, and exclude the training
# accuracy at n = 1077.
_TRAINING_ACCURACY = (
    1.0,
    0.004,
    "that is the training accuracy; the validation accuracy is asked for",
)
DATA_SIZE = measure_task(
    "06.data_size",
    quantities=[
        Quantity(
            "val_acc_50",
            0.81,
            0.06,
            "validation accuracy, 50 images",
            confusions=[_TRAINING_ACCURACY],
        ),
        Quantity(
            "val_acc_300",
            0.955,
            0.03,
            "validation accuracy, 300 images",
            confusions=[_TRAINING_ACCURACY],
        ),
        Quantity(
            "val_acc_1077",
            0.982,
            0.015,
            "validation accuracy, 1077 images",
            confusions=[_TRAINING_ACCURACY],
        ),
    ],
    choices=[Choice("gap", "b", ("a", "b", "c"))],
    hints=(
        "Train the same network three times, changing only how many training "
        "images it sees. Measure each run on the same validation images.",
        "The first 50 images of the training split already contain every digit. "
        "Compare each validation accuracy with the training accuracy of the same "
        "run: the difference is the gap the question is about.",
    ),
)


SPECS = [
    TaskSpec(
        id="06.accuracy",
        make_cases=_accuracy_cases,
        reference=accuracy,
        hints=(
            "The prediction for a row is the class with the largest score. Count "
            "how often it equals the label.",
            "Compare the predicted classes with the labels, one per row, and take "
            "the fraction that agree: a number between 0 and 1, not a percentage "
            "and not a count.",
        ),
        rtol=0.0,  # a count divided by N: exact to rounding
        atol=1e-12,
        mistakes=(PERCENT, sum_not_mean(_batch)),
    ),
    TaskSpec(
        id="06.confusion_matrix",
        make_cases=_confusion_cases,
        reference=confusion_matrix,
        hints=(
            "Start from a table of zeros and add one for every sample, in the cell "
            "of its true class and its predicted class.",
            "The table is square, with as many rows and columns as there are "
            "classes. Rows are the true classes, columns the predictions.",
        ),
        mistakes=(TRANSPOSED, SIZED_FROM_DATA),
    ),
    TaskSpec(
        id="06.mlp_gradients",
        make_cases=_gradient_cases,
        reference=mlp_gradients,
        hints=(
            "Work backwards from the loss, one layer at a time. Chapter 4 gave the "
            "two pieces: the gradient of softmax with cross-entropy at the logits, "
            "and the backward pass of a dense layer. Between them sits the ReLU.",
            "Every gradient has the shape of its parameter. The gradient that "
            "reaches the hidden layer has one row per sample and one column per "
            "hidden unit; it passes only where the hidden unit was on. Bias "
            "gradients add up the rows.",
        ),
        # central differences of a smooth loss: about 1e-10 of rounding (above)
        rtol=1e-5,
        atol=1e-7,
        outputs=("dW1", "db1", "dW2", "db2"),
        forbidden=(
            "nnlib.scratch.Dense",
            "nnlib.scratch.Sequential",
            "nnlib.scratch.CrossEntropyLoss",
        ),
        mistakes=(
            sum_not_mean(_batch),
            variant(
                "no ReLU mask",
                "the hidden layer's gradient ignores the ReLU: it must be zero "
                "wherever the hidden unit was off (its input was negative)",
                _no_relu_mask,
            ),
            variant(
                "softmax over the batch",
                "the softmax was taken along the wrong axis, over the samples: "
                "each row's probabilities (one per class) must add up to 1",
                _softmax_over_batch,
            ),
            Mistake(
                "sign",
                "the right values with the sign flipped: the gradient at the "
                "logits is the probabilities minus the one-hot labels",
                transform=lambda a, case: -a,
            ),
            TRANSPOSED,
            KEPT_BATCH,
        ),
    ),
    train_task(
        "06.train_digits",
        flatten=True,
        goal=0.97,
        budget=TRAIN_BUDGET,
        hints=(
            "Train the network of the lecture on the training split in shuffled "
            "mini-batches, and keep the weights of the epoch with the best "
            "validation accuracy.",
            "The lecture's network reaches the goal: 64 inputs, 128 hidden units "
            "with ReLU, 10 scores, Adam with a learning rate of about 0.001, "
            "batches of 32, up to 100 epochs. A wider layer or a smaller learning "
            "rate late in training can add a few images.",
        ),
        probe=probe_digits,
    ),
    DATA_SIZE,
]
