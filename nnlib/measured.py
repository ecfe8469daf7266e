"""Measured results: a number with the spread another machine may show.

A training run repeats millions of roundings. Another CPU, BLAS library or thread
count rounds the last bit differently, and twenty epochs can turn that into one test
image more or less. So a result of training is printed as ``0.992 ±0.01``: the value
this run measured and how far another machine's run may land from it. The stored
notebook outputs are checked against that tolerance (the repository's ``conftest.py``
asks :func:`match` whether two printouts agree); every other number must match exactly.

Example:
    >>> from nnlib.measured import below, match, measured
    >>> measured(0.99167, 0.01)
    '0.992 ±0.01'
    >>> measured(357, 4)
    '357 ±4'
    >>> match("accuracy 0.992 ±0.01", "accuracy 0.986 ±0.01")
    True
    >>> match("accuracy 0.992 ±0.01", "accuracy 0.975 ±0.01")
    False

Two computations that agree up to rounding (a matmul against a loop, nnlib against
PyTorch) differ by amounts like 1e-16 whose digits change from CPU to CPU; print
them with :func:`below`:

    >>> below(3e-17)
    '< 1e-12'
    >>> below(2.5e-4, bound=1e-6)
    '= 2.5e-04'
"""

from __future__ import annotations

import math
import re

__all__ = ["PATTERN", "below", "match", "measured"]

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
PATTERN = re.compile(rf"(?P<value>{_NUMBER}) ±(?P<tol>{_NUMBER})")
"""A measured number as :func:`measured` prints it: ``<value> ±<tolerance>``."""


def measured(value: float, tol: float) -> str:
    """Format ``value`` as a result another machine reproduces within ``tol``.

    Args:
        value: the result of this run (an accuracy, a loss, a count).
        tol: the largest difference another machine's run may show, stated in the
            cell where it is used and justified by measurement (``make test-portable``).

    Returns:
        ``"<value> ±<tol>"``, with one digit more than the tolerance's first digit.

    Example:
        >>> from nnlib.measured import measured
        >>> measured(0.99167, 0.01), measured(0.99167, 0.005), measured(357, 4)
        ('0.992 ±0.01', '0.9917 ±0.005', '357 ±4')
    """
    if not isinstance(value, int | float):
        try:
            if isinstance(value, str | bytes):
                raise TypeError
            value = float(value)  # numpy and torch scalars
        except (TypeError, ValueError):
            raise TypeError(
                f"measured expected a number for value, got {type(value).__name__}"
            ) from None
    if isinstance(tol, bool) or not isinstance(tol, int | float):
        raise TypeError(f"measured expected a number for tol, got {type(tol).__name__}")
    if not math.isfinite(value):
        raise ValueError(f"measured expected a finite value, got {value}")
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"measured expected tol > 0, got {tol}")
    decimals = 0 if tol >= 1 else 1 - math.floor(math.log10(tol))
    return f"{value:.{decimals}f} ±{tol:g}"


def below(difference: float, *, bound: float = 1e-12) -> str:
    """A difference as every machine prints it: ``"< bound"`` when it is smaller.

    Otherwise ``"= <difference>"``, so a real disagreement still shows.

    Args:
        difference: a non-negative difference, such as ``np.abs(a - b).max()``.
        bound: the agreement to show; 1e-12 suits float64, 1e-6 float32.
            Default: ``1e-12``.

    Returns:
        ``"< 1e-12"`` (the bound) or ``"= 2.5e-04"`` (the difference).

    Example:
        >>> from nnlib.measured import below
        >>> below(3e-17), below(2.5e-4, bound=1e-6)
        ('< 1e-12', '= 2.5e-04')
    """
    if hasattr(difference, "detach"):  # a torch tensor: no autograd warning
        difference = difference.detach()
    difference = float(difference)
    if not (difference >= 0):  # also catches NaN
        raise ValueError(f"below expected a difference >= 0, got {difference}")
    return f"< {bound:.0e}" if difference < bound else f"= {difference:.1e}"


def _last_digit(text: str) -> float:
    """The size of one unit in the last printed digit of a number."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def match(reference: str, test: str) -> bool:
    """Whether ``test`` equals ``reference`` up to the tolerances it states.

    Outside the ``value ±tol`` numbers the texts must be identical, and each pair of
    measured numbers must state the same tolerance. Two values agree when they differ
    by at most the tolerance plus one unit of their last printed digit (each printout
    is rounded to that digit).

    Args:
        reference: the stored printout.
        test: the new printout.

    Returns:
        ``True`` when the two agree.

    Example:
        >>> from nnlib.measured import match
        >>> match("accuracy 0.992 ±0.01", "accuracy 0.986 ±0.01")
        True
        >>> match("accuracy 0.992 ±0.01", "accuracy 0.975 ±0.01")
        False
    """
    ref_items, test_items = (
        list(PATTERN.finditer(reference)),
        list(PATTERN.finditer(test)),
    )
    if len(ref_items) != len(test_items):
        return False
    if PATTERN.sub("±", reference) != PATTERN.sub("±", test):
        return False
    for ref, new in zip(ref_items, test_items, strict=True):
        if ref["tol"] != new["tol"]:
            return False
        slack = max(_last_digit(ref["value"]), _last_digit(new["value"]))
        allowed = (float(ref["tol"]) + slack) * (1 + 1e-9)  # no float-rounding surprise
        if abs(float(ref["value"]) - float(new["value"])) > allowed:
            return False
    return True
