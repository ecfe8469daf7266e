"""A stratified, seeded train/validation/test split."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nnlib._checks import check_seed, format_shape

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
    *,
    fractions: Sequence[float] = (0.6, 0.2, 0.2),
    seed: int = 0,
) -> tuple[Pair, Pair, Pair]:
    """Split ``(X, y)`` into train, validation and test sets, stratified by label.

    The validation and test sizes are ``ceil(fraction * N)`` (train gets the rest), so
    the 1,797 digits with (0.6, 0.2, 0.2) give 1,077 / 360 / 360. Each class appears in
    every split in proportion to its size; the order inside each split is shuffled.
    The same ``seed`` gives the same split.

    Args:
        X: the inputs, one row per example.
        y: integer class labels, one per row of ``X``.
        fractions: the shares of train, validation and test, summing to 1.
            Default: ``(0.6, 0.2, 0.2)``.
        seed: the seed of the random generator. Default: ``0``.

    Shape:
        - X: (N, ...), y: (N,)

    Returns:
        ``(X_train, y_train), (X_val, y_val), (X_test, y_test)``

    Example:
        >>> from nnlib.data import load_digits, train_val_test_split
        >>> X, y = load_digits()
        >>> train, val, test = train_val_test_split(X, y)
        >>> len(train[1]), len(val[1]), len(test[1])
        (1077, 360, 360)
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if y.ndim != 1 or len(X) != len(y):
        raise ValueError(
            f"train_val_test_split expected X (N, ...) and labels y (N,), "
            f"got X {format_shape(X.shape)} and y {format_shape(y.shape)}"
        )
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(
            f"train_val_test_split expected y as integer class labels, "
            f"got dtype {y.dtype}"
        )
    f = [float(v) for v in fractions]
    if len(f) != 3 or min(f) < 0 or not math.isclose(sum(f), 1.0, abs_tol=1e-9):
        raise ValueError(
            f"train_val_test_split expected fractions as three non-negative numbers "
            f"summing to 1 (train, val, test), got {tuple(fractions)}"
        )
    N = len(y)
    n_val = math.ceil(f[1] * N - 1e-9)  # the tolerance keeps 0.2 * 1000 at 200
    n_test = math.ceil(f[2] * N - 1e-9)
    if n_val + n_test > N:
        raise ValueError(
            f"train_val_test_split expected enough samples for fractions "
            f"{tuple(fractions)}, got {N}"
        )

    classes, inverse = np.unique(y, return_inverse=True)
    counts = np.bincount(inverse)
    test_share = _share(counts, n_test)
    val_share = _share(counts - test_share, n_val)
    val_share = np.minimum(val_share, counts - test_share)

    rng = np.random.default_rng(check_seed("train_val_test_split", seed))
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
