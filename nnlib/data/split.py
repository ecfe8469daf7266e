"""A stratified, seeded train/validation/test split."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nnlib.data._checks import check_seed

Pair = tuple[np.ndarray, np.ndarray]


def _share(counts: np.ndarray, total: int) -> np.ndarray:
    """Split ``total`` over classes in proportion to ``counts`` (largest remainder).

    Ties go to the lower class index, so the result is deterministic.
    """
    ideal = counts * total / counts.sum()
    share = np.floor(ideal).astype(np.int64)
    leftover = total - int(share.sum())
    order = np.argsort(-(ideal - share), kind="stable")
    share[order[:leftover]] += 1
    return share


def train_val_test_split(
    X: np.ndarray,
    y: np.ndarray,
    fractions: Sequence[float] = (0.6, 0.2, 0.2),
    seed: int = 0,
) -> tuple[Pair, Pair, Pair]:
    """Split ``(X, y)`` into train, validation and test sets, stratified by label.

    The validation and test sizes are ``ceil(fraction * N)`` (train gets the rest), so
    the 1,797 digits with (0.6, 0.2, 0.2) give 1,077 / 360 / 360. Each class appears in
    every split in proportion to its size; the order inside each split is shuffled.
    The same ``seed`` gives the same split.

    Returns:
        ``(X_train, y_train), (X_val, y_val), (X_test, y_test)``
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if y.ndim != 1 or len(X) != len(y):
        raise ValueError(
            f"expected X (N, ...) and labels y (N,), got X {X.shape} and y {y.shape}"
        )
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
    f = [float(v) for v in fractions]
    if len(f) != 3 or min(f) < 0 or not math.isclose(sum(f), 1.0, abs_tol=1e-9):
        raise ValueError(
            f"fractions must be three non-negative numbers summing to 1 "
            f"(train, val, test), got {tuple(fractions)}"
        )
    N = len(y)
    n_val = math.ceil(f[1] * N - 1e-9)  # the tolerance keeps 0.2 * 1000 at 200
    n_test = math.ceil(f[2] * N - 1e-9)
    if n_val + n_test > N:
        raise ValueError(f"{N} samples are too few for fractions {tuple(fractions)}")

    classes, inverse = np.unique(y, return_inverse=True)
    counts = np.bincount(inverse)
    test_share = _share(counts, n_test)
    val_share = _share(counts - test_share, n_val)
    val_share = np.minimum(val_share, counts - test_share)

    rng = np.random.default_rng(check_seed(seed))
    parts: list[list[np.ndarray]] = [[], [], []]
    for c in range(len(classes)):
        idx = rng.permutation(np.flatnonzero(inverse == c))
        t, v = test_share[c], val_share[c]
        parts[2].append(idx[:t])
        parts[1].append(idx[t : t + v])
        parts[0].append(idx[t + v :])
    result = []
    for chunks in parts:
        idx = rng.permutation(np.concatenate(chunks))
        result.append((X[idx], y[idx]))
    return result[0], result[1], result[2]
