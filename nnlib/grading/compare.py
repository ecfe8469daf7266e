"""Compare a learner's answer with the reference and say, in one line, what differs.

The shape is checked before the values, so the message can name the expected
and the received shape. Values are compared with ``np.isclose`` at the task's
stated tolerance; integers and booleans must match exactly.

When an answer fails, ``diagnose`` asks the task's declared ``Mistake``s whether
the answer is one of them (exactly half the right values, their transpose, a sum
where a mean is asked for, a variant such as a backward pass without the ReLU)
and names the one it is, in words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


# ------------------------------------------------------------------ diagnosis
#
# A failed comparison says where the answer differs; a diagnosis says why. Each task
# declares the mistakes its learners commonly make (``TaskSpec.mistakes``); when an
# answer fails, each declared mistake computes the answer it would give for this
# case, and the first one the answer matches names itself in words.


@dataclass(frozen=True)
class Mistake:
    """A common mistake, how to recognise it, and what to say about it.

    Exactly one way of computing the mistaken answer is given:

    - ``transform(right, case)``: the mistaken answer from the right one (half of
      it, its transpose, N times it); it applies to the item named by ``output``,
      or to whichever item of the answer failed when ``output`` is None;
    - ``variant``: a function with the learner's signature that makes the mistake
      (e.g. a backward pass that forgets the ReLU); its answer goes through the
      task's ``call`` probe like the learner's, and ``output`` picks the item;
    - ``shape_test(right_shape, got_shape)``: the mistake shows in the shape alone
      (one position too many); ``transform`` then only builds an example for tests.

    ``message`` names the mistake in words, for the learner; ``{n}`` in it is
    replaced by the number ``n(case)`` returns (e.g. the batch size).
    """

    name: str
    message: str
    transform: Callable[[np.ndarray, Any], Any] | None = None
    variant: Callable[..., Any] | None = None
    output: str | None = None
    shape_test: Callable[[tuple, tuple], bool] | None = None
    n: Callable[[Any], int] | None = None

    def describe(self, case: Any) -> str:
        """The message, with ``{n}`` filled in for this case."""
        if self.n is None or "{n}" not in self.message:
            return self.message
        return self.message.replace("{n}", str(self.n(case)))

    def wrong(self, right: Any, case: Any, item: int | None, call: Any = None) -> Any:
        """The answer (or its item ``item``) this mistake gives for ``case``."""
        if self.variant is not None:
            args = _copied(case.args)
            value = call(self.variant, *args) if call else self.variant(*args)
            return value if item is None else value[item]
        assert self.transform is not None, f"mistake {self.name} has no transform"
        part = right if item is None else right[item]
        return self.transform(np.asarray(part, dtype=np.float64), case)

    def seen(
        self,
        right: Any,
        got: Any,
        case: Any,
        item: int | None,
        tol: tuple[float, float],
        call: Any = None,
    ) -> bool:
        """Does ``got`` (the item ``item`` of the answer, or all of it) show it?"""
        e = right if item is None else right[item]
        g = _as_numbers(got)
        if g is None or not (hasattr(e, "shape") or isinstance(e, int | float)):
            return False
        e = np.asarray(e)
        if self.shape_test is not None:
            return g.shape != e.shape and self.shape_test(e.shape, g.shape)
        try:
            w = _as_numbers(self.wrong(right, case, item, call))
        except Exception:  # the mistake cannot even be computed for this case
            return False
        if w is None or w.shape != g.shape:
            return False
        rtol, atol = max(tol[0], 1e-6), max(tol[1], 1e-9)
        if w.shape == e.shape and np.allclose(w, e, rtol=rtol, atol=atol):
            return False  # here the mistake gives the right answer: it proves nothing
        return bool(np.allclose(g, w, rtol=rtol, atol=atol, equal_nan=False))


def _copied(args: tuple) -> tuple:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def diagnose(
    mistakes: Sequence[Mistake],
    right: Any,
    got: Any,
    case: Any,
    tol: tuple[float, float],
    outputs: Sequence[str] = (),
    call: Any = None,
) -> str | None:
    """The message of the declared mistake that ``got`` shows, else None.

    For a tuple answer only the first item that differs is examined, and a mistake
    with an ``output`` only applies to that item. When a case cannot tell two
    mistakes apart (padding counted once and a forgotten +1 give the same size
    for padding 1), both are named.
    """
    if isinstance(right, tuple):
        if not isinstance(got, tuple | list) or len(got) != len(right):
            return None
        for i, (e, g) in enumerate(zip(right, got, strict=True)):
            if compare(e, g, *tol) is None:
                continue
            label = outputs[i] if len(outputs) == len(right) else None
            found = [
                m.describe(case)
                for m in mistakes
                if m.output in (None, label) and m.seen(right, g, case, i, tol, call)
            ]
            text = _either(found)
            return f"{label}: {text}" if label and text else text
        return None
    found = [
        m.describe(case)
        for m in mistakes
        if m.output is None and m.seen(right, got, case, None, tol, call)
    ]
    return _either(found)


def _either(messages: list[str]) -> str | None:
    """One message, or two mistakes this case cannot tell apart, both named."""
    if not messages:
        return None
    return "; or ".join(dict.fromkeys(messages))


def _swap_last(a: np.ndarray, case: Any) -> np.ndarray:
    return np.swapaxes(a, -1, -2) if a.ndim >= 2 else a


def _off_by_one(right: tuple, got: tuple) -> bool:
    if len(right) != len(got) or len(right) == 0:
        return False
    gaps = [abs(r - g) for r, g in zip(right, got, strict=True)]
    return max(gaps) == 1


def _drop_last(a: np.ndarray, case: Any) -> np.ndarray:
    return a[tuple(slice(0, max(n - 1, 0)) for n in a.shape)] if a.ndim else a


# The mistakes every kind of numeric answer can show; tasks add their own variants.
HALF = Mistake(
    "half",
    "exactly half the right values: a factor 2 is lost (the derivative of a square "
    "brings down a 2)",
    transform=lambda a, case: a / 2,
)
DOUBLE = Mistake(
    "double",
    "exactly double the right values: a factor 2 too many",
    transform=lambda a, case: 2 * a,
)
SIGN = Mistake(
    "sign",
    "the right values with the sign flipped: check which term is subtracted from "
    "which, and the direction of the step",
    transform=lambda a, case: -a,
)
TRANSPOSED = Mistake(
    "transposed",
    "the right values, transposed: rows and columns are swapped",
    transform=_swap_last,
)
OFF_BY_ONE = Mistake(
    "off by one",
    "one position too many or too few along a side: count the places a window fits "
    "(the side minus the window, plus one)",
    transform=_drop_last,
    shape_test=_off_by_one,
)
PERCENT = Mistake(
    "percent",
    "100 times the right value: a percentage where a fraction between 0 and 1 is "
    "asked for",
    transform=lambda a, case: 100 * a,
)


def sum_not_mean(n: Callable[[Any], int]) -> Mistake:
    """The answer is ``n`` times too large: a sum where the task averages."""
    return Mistake(
        "sum instead of mean",
        "exactly {n} times the right values: a sum where the mean over the {n} "
        "samples is asked for (divide by the batch size)",
        transform=lambda a, case: a * n(case),
        n=n,
    )


def mean_not_sum(n: Callable[[Any], int]) -> Mistake:
    """The answer is ``n`` times too small: a mean where the task sums."""
    return Mistake(
        "mean instead of sum",
        "exactly 1/{n} of the right values: a mean where a sum over the {n} "
        "samples is asked for",
        transform=lambda a, case: a / n(case),
        n=n,
    )


def variant(
    name: str, message: str, fn: Callable[..., Any], output: str | None = None
) -> Mistake:
    """A task-specific mistake, given as a function that makes it."""
    return Mistake(name, message, variant=fn, output=output)
