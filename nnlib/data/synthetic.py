"""Small seeded 2-D data sets: a noisy line (regression) and four classification toys.

Every generator takes a ``seed`` and returns the same arrays for the same arguments.
The classifiers return ``X`` of shape (n, 2), float64, and ``y`` of shape (n,), int64,
with classes as balanced as ``n`` allows (counts differ by at most one), in shuffled
order.
"""

from __future__ import annotations

import numpy as np

from nnlib.data._checks import (
    balanced_labels,
    check_count,
    check_finite,
    check_nonnegative,
    check_seed,
)


def make_line(
    n: int = 100,
    a: float = 2.0,
    b: float = 1.0,
    noise: float = 0.5,
    seed: int = 0,
    x_range: tuple[float, float] = (-1.0, 1.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy points around the line $y = a x + b$ (chapter 1's regression data).

    ``x`` is uniform on ``x_range``; $y = a x + b + \\varepsilon$ with
    $\\varepsilon \\sim \\mathcal{N}(0, \\text{noise}^2)$.

    Shape:
        x: (n,) float64, y: (n,) float64
    """
    n = check_count("n", n)
    noise = check_nonnegative("noise", noise)
    a, b = check_finite("a", a), check_finite("b", b)
    if not (isinstance(x_range, tuple | list) and len(x_range) == 2):
        raise TypeError(f"x_range must be a pair (low, high), got {x_range!r}")
    low, high = (check_finite("x_range", v) for v in x_range)
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}")
    rng = np.random.default_rng(check_seed(seed))
    x = rng.uniform(low, high, size=n)
    y = a * x + b + noise * rng.standard_normal(n)
    return x, y


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order], y[order]


def make_xor(
    n: int = 200, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian clusters at (±1, ±1); the label is 1 when the signs differ.

    No straight line separates the classes: the classic case one neuron cannot solve.

    Shape:
        X: (n, 2) float64, y: (n,) int64 in {0, 1}
    """
    n = check_count("n", n)
    noise = check_nonnegative("noise", noise)
    rng = np.random.default_rng(check_seed(seed))
    corner = balanced_labels(n, 4)  # which of the four corners
    signs = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=np.float64)
    X = signs[corner] + noise * rng.standard_normal((n, 2))
    y = (corner >= 2).astype(np.int64)  # corners 2 and 3 have mixed signs
    return _shuffled(X, y, rng)


def make_moons(
    n: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles of radius 1 (class 0 on top, class 1 below).

    Shape:
        X: (n, 2) float64, y: (n,) int64 in {0, 1}
    """
    n = check_count("n", n)
    noise = check_nonnegative("noise", noise)
    rng = np.random.default_rng(check_seed(seed))
    y = balanced_labels(n, 2)
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)  # (n, 2)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)  # (n, 2)
    X = np.where(y[:, None] == 0, upper, lower)
    X = X + noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def make_spirals(
    n: int = 300,
    n_classes: int = 2,
    noise: float = 0.05,
    turns: float = 1.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class, winding out from the origin to radius 1.

    ``noise`` is the standard deviation of Gaussian noise added to each coordinate; the
    gap between neighbouring arms is ``1 / (turns * n_classes)``, so arms blur into
    each other as ``noise`` approaches it.

    Shape:
        X: (n, 2) float64, y: (n,) int64 in 0..n_classes-1
    """
    n = check_count("n", n)
    n_classes = check_count("n_classes", n_classes, minimum=2)
    noise = check_nonnegative("noise", noise)
    turns = check_finite("turns", turns)
    rng = np.random.default_rng(check_seed(seed))
    y = balanced_labels(n, n_classes)
    r = rng.uniform(0.05, 1.0, size=n)  # distance from the origin
    theta = (
        2 * np.pi * turns * r  # winding
        + 2 * np.pi * y / n_classes  # each arm starts at its own angle
    )
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)  # (n, 2)
    X = X + noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def make_blobs(
    n: int = 300, centers: int = 3, std: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs whose centres sit evenly on a circle of radius 2.

    Shape:
        X: (n, 2) float64, y: (n,) int64 in 0..centers-1
    """
    n = check_count("n", n)
    centers = check_count("centers", centers)
    std = check_nonnegative("std", std)
    rng = np.random.default_rng(check_seed(seed))
    y = balanced_labels(n, centers)
    angle = 2 * np.pi * np.arange(centers) / centers + np.pi / 2
    means = 2.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (centers, 2)
    X = means[y] + std * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)
