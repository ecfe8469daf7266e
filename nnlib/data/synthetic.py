"""Small seeded 2-D data sets: a noisy line (regression) and four classification toys.

Every generator takes a ``seed`` and returns the same arrays for the same arguments.
The classifiers return ``X`` of shape (n, 2), float64, and ``y`` of shape (n,), int64,
with classes as balanced as ``n`` allows (counts differ by at most one), in shuffled
order.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import check_int, check_number, check_seed


def balanced_labels(n: int, n_classes: int) -> np.ndarray:
    """Labels 0..n_classes-1, as equal in number as ``n`` allows (first classes +1).

    Shape: (n,) int64, sorted; shuffle afterwards.
    """
    counts = np.full(n_classes, n // n_classes)
    counts[: n % n_classes] += 1
    return np.repeat(np.arange(n_classes, dtype=np.int64), counts)


def make_line(
    n: int = 100,
    *,
    a: float = 2.0,
    b: float = 1.0,
    noise: float = 0.5,
    seed: int = 0,
    x_range: tuple[float, float] = (-1.0, 1.0),
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy points around the line $y = a x + b$ (chapter 1's regression data).

    ``x`` is uniform on ``x_range``; $y = a x + b + \\varepsilon$ with
    $\\varepsilon \\sim \\mathcal{N}(0, \\text{noise}^2)$.

    Args:
        n: the number of points. Default: ``100``.
        a: the slope. Default: ``2.0``.
        b: the intercept. Default: ``1.0``.
        noise: the standard deviation of $\varepsilon$. Default: ``0.5``.
        seed: the seed of the random generator. Default: ``0``.
        x_range: ``(low, high)``, the interval of ``x``. Default: ``(-1.0, 1.0)``.

    Shape:
        - x: (n,) float64
        - y: (n,) float64

    Returns:
        ``(x, y)``.

    Example:
        >>> from nnlib.data import make_line
        >>> x, y = make_line(50, a=2.0, b=1.0, noise=0.0)
        >>> x.shape, bool(np.allclose(y, 2 * x + 1))
        ((50,), True)
    """
    n = check_int("make_line", "n", n)
    noise = check_number("make_line", "noise", noise, low=0.0)
    a, b = check_number("make_line", "a", a), check_number("make_line", "b", b)
    if not isinstance(x_range, tuple | list):
        raise TypeError(
            f"make_line expected x_range as a pair (low, high), got {x_range!r}"
        )
    if len(x_range) != 2:
        raise ValueError(
            f"make_line expected x_range as a pair (low, high), got {tuple(x_range)}"
        )
    low, high = (check_number("make_line", "x_range", v) for v in x_range)
    if not low < high:
        raise ValueError(
            f"make_line expected x_range (low, high) with low < high, got {x_range}"
        )
    rng = np.random.default_rng(check_seed("make_line", seed))
    x = rng.uniform(low, high, size=n)
    y = a * x + b + noise * rng.standard_normal(n)
    return x, y


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order], y[order]


def make_xor(
    n: int = 200, *, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian clusters at (±1, ±1); the label is 1 when the signs differ.

    No straight line separates the classes: the classic case one neuron cannot solve.

    Args:
        n: the number of points. Default: ``200``.
        noise: the standard deviation of each cluster. Default: ``0.2``.
        seed: the seed of the random generator. Default: ``0``.

    Shape:
        - X: (n, 2) float64
        - y: (n,) int64 in {0, 1}

    Returns:
        ``(X, y)``: the points and their labels.

    Example:
        >>> from nnlib.data import make_xor
        >>> X, y = make_xor(100, noise=0.1)
        >>> X.shape, np.bincount(y).tolist()
        ((100, 2), [50, 50])
        >>> bool(((X[:, 0] * X[:, 1] < 0) == (y == 1)).all())  # signs differ: 1
        True
    """
    n = check_int("make_xor", "n", n)
    noise = check_number("make_xor", "noise", noise, low=0.0)
    rng = np.random.default_rng(check_seed("make_xor", seed))
    corner = balanced_labels(n, 4)  # which of the four corners
    signs = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=np.float64)
    X = signs[corner] + noise * rng.standard_normal((n, 2))
    y = (corner >= 2).astype(np.int64)  # corners 2 and 3 have mixed signs
    return _shuffled(X, y, rng)


def make_moons(
    n: int = 200, *, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles of radius 1 (class 0 on top, class 1 below).

    Args:
        n: the number of points. Default: ``200``.
        noise: the standard deviation of the noise on each coordinate.
            Default: ``0.1``.
        seed: the seed of the random generator. Default: ``0``.

    Shape:
        - X: (n, 2) float64
        - y: (n,) int64 in {0, 1}

    Returns:
        ``(X, y)``: the points and their labels.

    Example:
        >>> from nnlib.data import make_moons
        >>> X, y = make_moons(100)
        >>> X.shape, np.bincount(y).tolist()
        ((100, 2), [50, 50])
    """
    n = check_int("make_moons", "n", n)
    noise = check_number("make_moons", "noise", noise, low=0.0)
    rng = np.random.default_rng(check_seed("make_moons", seed))
    y = balanced_labels(n, 2)
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)  # (n, 2)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)  # (n, 2)
    X = np.where(y[:, None] == 0, upper, lower)
    X = X + noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def make_spirals(
    n: int = 300,
    *,
    n_classes: int = 2,
    noise: float = 0.05,
    turns: float = 1.5,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class, winding out from the origin to radius 1.

    ``noise`` is the standard deviation of Gaussian noise added to each coordinate; the
    gap between neighbouring arms is ``1 / (turns * n_classes)``, so arms blur into
    each other as ``noise`` approaches it.

    Args:
        n: the number of points. Default: ``300``.
        n_classes: the number of arms (classes), at least 2. Default: ``2``.
        noise: the standard deviation of the noise on each coordinate.
            Default: ``0.05``.
        turns: how many times each arm winds around the origin. Default: ``1.5``.
        seed: the seed of the random generator. Default: ``0``.

    Shape:
        - X: (n, 2) float64
        - y: (n,) int64 in 0..n_classes-1

    Returns:
        ``(X, y)``: the points and their labels.

    Example:
        >>> from nnlib.data import make_spirals
        >>> X, y = make_spirals(300, n_classes=3)
        >>> X.shape, np.bincount(y).tolist()
        ((300, 2), [100, 100, 100])
    """
    n = check_int("make_spirals", "n", n)
    n_classes = check_int("make_spirals", "n_classes", n_classes, minimum=2)
    noise = check_number("make_spirals", "noise", noise, low=0.0)
    turns = check_number("make_spirals", "turns", turns)
    rng = np.random.default_rng(check_seed("make_spirals", seed))
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
    n: int = 300, *, centers: int = 3, std: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs whose centres sit evenly on a circle of radius 2.

    Args:
        n: the number of points. Default: ``300``.
        centers: the number of blobs (classes). Default: ``3``.
        std: the standard deviation of each blob. Default: ``0.5``.
        seed: the seed of the random generator. Default: ``0``.

    Shape:
        - X: (n, 2) float64
        - y: (n,) int64 in 0..centers-1

    Returns:
        ``(X, y)``: the points and their labels.

    Example:
        >>> from nnlib.data import make_blobs
        >>> X, y = make_blobs(300, centers=3)
        >>> X.shape, np.bincount(y).tolist()
        ((300, 2), [100, 100, 100])
    """
    n = check_int("make_blobs", "n", n)
    centers = check_int("make_blobs", "centers", centers)
    std = check_number("make_blobs", "std", std, low=0.0)
    rng = np.random.default_rng(check_seed("make_blobs", seed))
    y = balanced_labels(n, centers)
    angle = 2 * np.pi * np.arange(centers) / centers + np.pi / 2
    means = 2.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (centers, 2)
    X = means[y] + std * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)
