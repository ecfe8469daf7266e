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


def check_nonnegative(name: str, value: float) -> float:
    """Return ``value`` as a float, or raise if it is negative or not a number."""
    value = float(value)
    if not value >= 0.0:  # also rejects NaN
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def balanced_labels(n: int, n_classes: int) -> np.ndarray:
    """Labels 0..n_classes-1, as equal in number as ``n`` allows (first classes +1).

    Shape: (n,) int64, sorted; shuffle afterwards.
    """
    counts = np.full(n_classes, n // n_classes)
    counts[: n % n_classes] += 1
    return np.repeat(np.arange(n_classes, dtype=np.int64), counts)
