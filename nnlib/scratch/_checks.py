"""Input validation shared by every scratch layer (private).

Each layer describes the shape it expects as a tuple whose entries are either an
int (that size exactly) or a letter (any size), e.g. ``("N", 64)``. A mismatch
raises ``ValueError("Dense expected input (N, 64), got (32, 63)")``.
"""

from collections.abc import Sequence

import numpy as np

Dim = int | str


def format_shape(shape: Sequence[Dim]) -> str:
    """Write a shape the way Python writes tuples: ``(N, 64)``, ``(5,)``."""
    inner = ", ".join(str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def as_float_array(x: object) -> np.ndarray:
    """Return ``x`` as an ndarray; non-floating data becomes float64."""
    x = np.asarray(x)
    if x.dtype.kind != "f":  # ints, bools, ... (kind "f" is every float type)
        x = x.astype(np.float64)
    return x


def check_shape(
    x: object, who: str, expected: Sequence[Dim], what: str = "input"
) -> np.ndarray:
    """Return ``x`` as a float array after checking its rank and fixed sizes."""
    x = as_float_array(x)
    ok = x.ndim == len(expected) and all(
        isinstance(e, str) or e == n for e, n in zip(expected, x.shape, strict=True)
    )
    if not ok:
        raise ValueError(
            f"{who} expected {what} {format_shape(expected)}, "
            f"got {format_shape(x.shape)}"
        )
    return x


def check_min_ndim(x: object, who: str, ndim: int, expected: str) -> np.ndarray:
    """Return ``x`` as a float array after checking it has at least ``ndim`` axes."""
    x = as_float_array(x)
    if x.ndim < ndim:
        got = format_shape(x.shape)
        raise ValueError(f"{who} expected input {expected}, got {got}")
    return x


def check_last_dim(x: object, who: str, size: int) -> np.ndarray:
    """Return ``x`` as a float array after checking its last axis has ``size``."""
    x = as_float_array(x)
    if x.ndim == 0 or x.shape[-1] != size:
        raise ValueError(
            f"{who} expected input (..., {size}), got {format_shape(x.shape)}"
        )
    return x


def check_grad(dy: object, who: str, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``dy`` as a float array after checking it matches the output shape."""
    dy = as_float_array(dy)
    if dy.shape != shape:
        raise ValueError(
            f"{who}.backward expected dy {format_shape(shape)} (the shape of the "
            f"last output), got {format_shape(dy.shape)}"
        )
    return dy


def check_window(
    who: str,
    size: tuple[int, int],
    kernel: tuple[int, int],
    padding: tuple[int, int],
    shape: tuple[int, ...],
) -> None:
    """Check that a kernel fits inside the (padded) image: ``H + 2p >= k``."""
    for n, k, p in zip(size, kernel, padding, strict=True):
        if n + 2 * p < k:
            raise ValueError(
                f"{who} expected H + 2*padding >= kernel_size and the same for W "
                f"(kernel {kernel}, padding {padding}), got input {format_shape(shape)}"
            )


def pair(value: int | Sequence[int], name: str) -> tuple[int, int]:
    """Turn ``3`` into ``(3, 3)``; keep ``(3, 2)``; reject anything else."""
    if isinstance(value, int | np.integer):
        return int(value), int(value)
    if len(value) == 2 and all(isinstance(v, int | np.integer) for v in value):
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} expected an int or a pair of ints, got {value!r}")


def check_positive(value: int, name: str, allow_zero: bool = False) -> int:
    """Reject sizes that are not positive (or negative, with ``allow_zero``)."""
    low = 0 if allow_zero else 1
    if not isinstance(value, int | np.integer) or value < low:
        kind = "a non-negative" if allow_zero else "a positive"
        raise ValueError(f"{name} expected {kind} int, got {value!r}")
    return int(value)
