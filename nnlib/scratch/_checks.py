"""Input validation shared by every scratch layer (private).

Each layer describes the shape it expects as a tuple whose entries are either an
int (that size exactly) or a letter (any size), e.g. ``("N", 64)``. A mismatch
raises ``ValueError("Dense expected input (N, 64), got (32, 63)")``.
"""

import math
from collections.abc import Sequence

import numpy as np

Dim = int | str


def format_shape(shape: Sequence[Dim]) -> str:
    """Write a shape the way Python writes tuples: ``(N, 64)``, ``(5,)``."""
    inner = ", ".join(str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def as_float_array(x: object, who: str = "nnlib", what: str = "input") -> np.ndarray:
    """Return ``x`` as an ndarray; ints and bools become float64.

    Complex numbers, objects (``None``, mixed lists) and text raise ``TypeError``:
    casting them to float would drop the imaginary part or hide the mistake.
    """
    try:
        x = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(
            f"{who} expected a rectangular {what} array, got {err}"
        ) from None
    if x.dtype.kind != "f":  # kind "f" is every float type
        if x.dtype.kind not in "iub":  # signed, unsigned, bool
            raise TypeError(
                f"{who} expected a real-valued numeric {what} (float, int or bool), "
                f"got dtype {x.dtype}"
            )
        x = x.astype(np.float64)
    return x


def check_shape(
    x: object, who: str, expected: Sequence[Dim], what: str = "input"
) -> np.ndarray:
    """Return ``x`` as a float array after checking its rank and fixed sizes."""
    x = as_float_array(x, who, what)
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
    x = as_float_array(x, who)
    if x.ndim < ndim:
        got = format_shape(x.shape)
        raise ValueError(f"{who} expected input {expected}, got {got}")
    return x


def check_last_dim(x: object, who: str, size: int) -> np.ndarray:
    """Return ``x`` as a float array after checking its last axis has ``size``."""
    x = as_float_array(x, who)
    if x.ndim == 0 or x.shape[-1] != size:
        raise ValueError(
            f"{who} expected input (..., {size}), got {format_shape(x.shape)}"
        )
    return x


def check_grad(dy: object, who: str, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``dy`` as a float array after checking it matches the output shape."""
    dy = as_float_array(dy, f"{who}.backward", "dy")
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


def is_int(value: object) -> bool:
    """A Python or numpy integer, but not a bool (``True`` is not a size)."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def pair(value: int | Sequence[int], name: str) -> tuple[int, int]:
    """Turn ``3`` into ``(3, 3)``; keep ``(3, 2)``; reject anything else."""
    if is_int(value):
        return int(value), int(value)
    if isinstance(value, tuple | list) and all(is_int(v) for v in value):
        if len(value) == 2:
            return int(value[0]), int(value[1])
        raise ValueError(
            f"{name} expected an int or a pair of ints, got {len(value)} values "
            f"{tuple(value)}"
        )
    raise TypeError(
        f"{name} expected an int or a pair of ints, got {type(value).__name__} "
        f"{value!r}"
    )


def check_positive(value: int, name: str, allow_zero: bool = False) -> int:
    """Reject sizes that are not ints (``TypeError``) or not positive (``ValueError``).

    With ``allow_zero``, 0 is accepted too.
    """
    kind = "a non-negative" if allow_zero else "a positive"
    if not is_int(value):
        raise TypeError(
            f"{name} expected {kind} int, got {type(value).__name__} {value!r}"
        )
    if value < (0 if allow_zero else 1):
        raise ValueError(f"{name} expected {kind} int, got {value!r}")
    return int(value)


def check_number(
    value: object, name: str, *, low: float = -math.inf, low_open: bool = False
) -> float:
    """``value`` as a finite float ``>= low`` (``> low`` with ``low_open``).

    A non-number (or a bool) is a ``TypeError``; NaN, inf or a value out of range
    a ``ValueError``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name} expected a number, got {type(value).__name__}")
    value = float(value)
    above = value > low if low_open else value >= low
    if not (math.isfinite(value) and above):
        bound = f" {'>' if low_open else '>='} {low:g}" if low > -math.inf else ""
        raise ValueError(f"{name} expected a finite number{bound}, got {value}")
    return value


def check_bool(value: object, name: str) -> bool:
    """``value`` if it is a bool (``causal="no"`` would otherwise mean True)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} expected True or False, got {type(value).__name__}")
    return bool(value)
