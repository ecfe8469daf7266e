"""Chapter 06 tasks: accuracy, the confusion matrix, and a trained digit recogniser.

The recogniser is judged on the held-out test split of the shipped 8x8 digits
(``train_val_test_split(..., seed=0)``, 360 images), shuffled and slightly
perturbed by the cases' generator (``disguise``): its predictions
must reach 95 % accuracy. The learner's notebook trains on the training split
only. The batch grader draws that generator from the instructor's secret, so
the images it sends are in no shipped file: looking them up fails, and only a
model that generalises passes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from nnlib.data import load_digits, train_val_test_split

from ..compare import describe
from ..spec import Case, TaskSpec
from ._common import labels, normal

MIN_TEST_ACCURACY = 0.95
SPLIT_SEED = 0
# Pixels are k/16 (0..1). Every pixel gets a little noise (no exact match left),
# and 8 per image move by more than half a gray level, away from the nearer bound,
# so rounding to k/16 does not give the shipped image back either.
NOISE, NUDGE, NUDGED = 0.005, 0.035, 8


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Reference: the fraction of rows whose largest logit is at the true label."""
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int
) -> np.ndarray:
    """Reference: counts[i, j] = how many samples of class i were predicted as j."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def predict_digits(X: np.ndarray) -> np.ndarray:
    """Not a reference: the expected answers are the true labels of the test split."""
    raise NotImplementedError


@cache
def held_out_split() -> tuple[np.ndarray, np.ndarray]:
    """The held-out test images (360, 64) and labels (360,) of the course split."""
    X, y = load_digits(flatten=True)
    _, _, (X_test, y_test) = train_val_test_split(X, y, seed=SPLIT_SEED)
    return X_test, y_test


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


def disguise(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The images shuffled, nudged and with a little noise (see ``NOISE``)."""
    order = rng.permutation(len(y))
    X = X[order].astype(np.float64)
    N, D = X.shape
    rows = np.repeat(np.arange(N), NUDGED)  # (N * NUDGED,)
    cols = np.argsort(rng.random((N, D)), axis=1)[:, :NUDGED].ravel()
    X[rows, cols] += np.where(X[rows, cols] < 0.5, NUDGE, -NUDGE)
    noisy = X + NOISE * rng.standard_normal(X.shape)
    return np.clip(noisy, 0.0, 1.0).astype(np.float32), y[order]


def _digit_cases(rng: np.random.Generator) -> list[Case]:
    X, y = disguise(*held_out_split(), rng)
    i = int(rng.integers(len(y)))
    return [
        Case.with_expected("one image", (X[i : i + 1],), y[i : i + 1]),
        Case.with_expected("the 360 held-out test images", (X,), y),
    ]


def _judge_digits(expected: np.ndarray, received: Any, case: Case) -> str | None:
    try:
        pred = np.asarray(received)
    except (TypeError, ValueError):
        pred = None
    if pred is None or pred.dtype.kind not in "biuf":
        got = describe(received)
        return f"expected an array of labels of shape {expected.shape}, got {got}"
    if pred.shape != expected.shape:
        return (
            f"expected shape {expected.shape} (one label per image), got {pred.shape}"
        )
    if not np.all((pred >= 0) & (pred <= 9) & (pred == np.round(pred))):
        return "expected whole-number labels 0..9 (use argmax over the 10 scores)"
    if len(expected) == 1:
        return None  # a single image only checks the shape and the label range
    acc = float(np.mean(pred == expected))
    if acc < MIN_TEST_ACCURACY:
        return f"test accuracy {acc:.1%}, needs at least {MIN_TEST_ACCURACY:.0%}"
    return None


SPECS = [
    TaskSpec(
        id="06.accuracy",
        make_cases=_accuracy_cases,
        reference=accuracy,
        hint="take argmax over axis 1 (one predicted class per row), compare with the "
        "labels and average; return a number between 0 and 1.",
        rtol=0.0,  # a count divided by N: exact to rounding
        atol=1e-12,
    ),
    TaskSpec(
        id="06.confusion_matrix",
        make_cases=_confusion_cases,
        reference=confusion_matrix,
        hint="start from zeros of shape (n_classes, n_classes) and add 1 at "
        "[true, predicted] for every sample; rows are true classes.",
    ),
    TaskSpec(
        id="06.train_digits",
        make_cases=_digit_cases,
        reference=predict_digits,
        hint="train the MLP on the training split only, then return argmax of its "
        "scores; more epochs or a wider hidden layer usually help.",
        judge=_judge_digits,
    ),
]
