"""Compare a learner's answer with the reference and say, in one line, what differs.

The shape is checked before the values, so the message can name the expected
and the received shape. Values are compared with ``np.isclose`` at the task's
stated tolerance; integers and booleans must match exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def describe(value: Any) -> str:
    """A short description of a value's kind and shape, for messages."""
    if value is None:
        return "None"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        shape = tuple(value.shape)
        return "a single number" if shape == () else f"an array of shape {shape}"
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, int | float | np.number):
        return f"the number {value:.6g}" if isinstance(value, float) else f"{value}"
    if isinstance(value, tuple | list):
        kind = type(value).__name__
        return f"a {kind} of {len(value)} value{'s' * (len(value) != 1)}"
    if type(value).__name__ == "Unsupported":  # codec's stand-in, from the grader
        return f"something that cannot be sent back ({value.type_name})"
    return f"an object of type {type(value).__name__}"


def compare(
    expected: Any,
    received: Any,
    rtol: float,
    atol: float,
    outputs: Sequence[str] = (),
) -> str | None:
    """None when ``received`` matches ``expected``, else the first difference found.

    ``outputs`` names the items when the answer is a tuple, e.g. ``("dx", "dW")``.
    """
    if isinstance(expected, tuple):
        n = len(expected)
        names = f" ({', '.join(outputs)})" if len(outputs) == n else ""
        if not isinstance(received, tuple | list) or len(received) != n:
            return f"expected a tuple of {n} values{names}, got {describe(received)}"
        for i, (e, r) in enumerate(zip(expected, received, strict=True)):
            problem = compare(e, r, rtol, atol)
            if problem is not None:
                label = outputs[i] if len(outputs) == n else f"item {i}"
                return f"{label}: {problem}"
        return None
    if isinstance(expected, dict):
        if not isinstance(received, dict) or set(received) != set(expected):
            keys = sorted(expected)
            return f"expected a dict with keys {keys}, got {describe(received)}"
        for key in expected:
            problem = compare(expected[key], received[key], rtol, atol)
            if problem is not None:
                return f"[{key!r}]: {problem}"
        return None
    if expected is None or isinstance(expected, str):
        return (
            None if received == expected else f"expected {expected!r}, got {received!r}"
        )
    return _compare_arrays(np.asarray(expected), received, rtol, atol)


def _as_numbers(received: Any) -> np.ndarray | None:
    """The answer as a numeric array, or None when it is not numbers at all."""
    if received is None or isinstance(received, str | dict):
        return None
    try:
        r = np.asarray(received)
    except (ValueError, TypeError):  # ragged lists and the like
        return None
    if r.dtype.kind not in "biuf":
        return None
    return r


def _index(idx: tuple[int, ...]) -> str:
    return str(idx[0]) if len(idx) == 1 else str(tuple(int(i) for i in idx))


def _compare_arrays(
    e: np.ndarray, received: Any, rtol: float, atol: float
) -> str | None:
    r = _as_numbers(received)
    want = "a single number" if e.ndim == 0 else f"an array of shape {e.shape}"
    if r is None:
        return f"expected {want}, got {describe(received)}"
    if r.shape != e.shape:
        if e.ndim == 0:
            return f"expected a single number, got an array of shape {r.shape}"
        return f"expected shape {e.shape}, got {r.shape}"
    if e.dtype.kind in "biu":
        bad = r != e
        if not bad.any():
            return None
        return _first_bad(e, r, bad, "exactly")
    r = r.astype(np.float64)
    if np.isnan(r).any() and not np.isnan(e).any():
        where = np.argwhere(np.isnan(r))[0]
        at = "" if e.ndim == 0 else f" at index {_index(tuple(where))}"
        return f"got nan{at} (an overflow or a 0/0 somewhere?)"
    bad = ~np.isclose(r, e, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return None
    return _first_bad(e, r, bad, f"within rtol={rtol:g}, atol={atol:g}")


def _first_bad(e: np.ndarray, r: np.ndarray, bad: np.ndarray, how: str) -> str:
    if e.ndim == 0:
        return f"expected {_num(e[()])}, got {_num(r[()])} (compared {how})"
    idx = tuple(np.argwhere(bad)[0])
    count = int(bad.sum())
    return (
        f"at index {_index(idx)} expected {_num(e[idx])}, got {_num(r[idx])} "
        f"({count} of {e.size} entries differ; compared {how})"
    )


def _num(x: Any) -> str:
    if isinstance(x, np.bool_ | bool):
        return str(bool(x))
    if isinstance(x, np.integer | int):
        return str(int(x))
    return f"{float(x):.6g}"
