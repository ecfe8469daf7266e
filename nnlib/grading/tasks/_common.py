"""Helpers shared by the chapter task modules: layers with given weights, inputs."""

from __future__ import annotations

from typing import Any

import numpy as np


def with_params(layer: Any, **values: Any) -> Any:
    """Return ``layer`` after copying ``values`` into its parameters in place."""
    for name, value in values.items():
        target = layer.params[name]
        value = np.asarray(value, dtype=np.float64)
        if target.shape != value.shape:
            raise ValueError(
                f"{layer!r} expected {name} of shape {target.shape}, got {value.shape}"
            )
        target[...] = value
    return layer


def normal(rng: np.random.Generator, *shape: int, scale: float = 1.0) -> np.ndarray:
    """Standard-normal float64 values of the given shape, times ``scale``."""
    return scale * rng.standard_normal(shape)


def labels(rng: np.random.Generator, n: int, n_classes: int) -> np.ndarray:
    """``n`` integer class labels in ``0 .. n_classes - 1``."""
    return rng.integers(0, n_classes, size=n)
