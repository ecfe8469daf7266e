"""Argument checks shared by the data generators (clear errors, one place)."""

from __future__ import annotations

import numpy as np


def check_count(name: str, value: int, minimum: int = 1) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_seed(value: int, name: str = "seed") -> int:
    """A seed for ``np.random.default_rng``: an int >= 0 (numpy's own errors for
    ``-1`` or ``2.5`` do not say which argument was wrong)."""
    return check_count(name, value, minimum=0)


def check_finite(name: str, value: float) -> float:
    """Return ``value`` as a finite float (NaN or inf would fill the data with them)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def check_nonnegative(name: str, value: float) -> float:
    """Return ``value`` as a finite float >= 0, or raise saying why not."""
    value = check_finite(name, value)
    if not value >= 0.0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def balanced_labels(n: int, n_classes: int) -> np.ndarray:
    """Labels 0..n_classes-1, as equal in number as ``n`` allows (first classes +1).

    Shape: (n,) int64, sorted; shuffle afterwards.
    """
    counts = np.full(n_classes, n // n_classes)
    counts[: n % n_classes] += 1
    return np.repeat(np.arange(n_classes, dtype=np.int64), counts)
