"""Argument and input checks for every part of nnlib (private).

One voice for every error (``../shared/API.md``): a wrong type raises ``TypeError``,
a wrong value or shape ``ValueError``, and the message reads
``<where> expected <what>, got <what>``, for example::

    Dense expected input (N, 64), got (32, 63)
    make_xor expected n as an int, got float 2.5
    Adam expected lr as a finite number > 0, got nan

Every function takes ``where`` (the public name the user called) first, then the
argument's ``name``, then its value. Shapes are written as Python writes tuples.
A shape layout lists one entry per axis: an int must match exactly, a letter
(``"N"``, ``"T"``) matches any size and only names the axis in the message.

This module imports numpy only: the numpy chapters never load torch. The tensor
checks find torch in ``sys.modules``, where it must already be if a tensor exists.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

Dim = int | str


# --- formatting -----------------------------------------------------------------


def format_shape(shape: Sequence[Dim]) -> str:
    """``(N, 64)``, ``(5,)``, ``()``: a shape the way Python writes a tuple."""
    inner = ", ".join(str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def describe(value: object) -> str:
    """``float 2.5``, ``str 'a'``: the type and a short repr of what arrived."""
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def _fits(shape: Sequence[int], layout: Sequence[Dim]) -> bool:
    return len(shape) == len(layout) and all(
        isinstance(want, str) or want == got
        for want, got in zip(layout, shape, strict=True)
    )


# --- scalars --------------------------------------------------------------------


def is_int(value: object) -> bool:
    """A Python or numpy integer, but not a bool (``True`` is not a size)."""
    return isinstance(value, numbers.Integral) and not isinstance(
        value, bool | np.bool_
    )


def check_int(where: str, name: str, value: object, *, minimum: int | None = 1) -> int:
    """``value`` as an int ``>= minimum`` (no lower bound with ``minimum=None``).

    A float, bool or text is a ``TypeError``; a number below ``minimum`` a
    ``ValueError``.
    """
    if not is_int(value):
        raise TypeError(f"{where} expected {name} as an int, got {describe(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{where} expected {name} >= {minimum}, got {value}")
    return int(value)


def check_number(
    where: str,
    name: str,
    value: object,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite float in the range given (closed unless ``*_open``).

    A non-number (or a bool) is a ``TypeError``; NaN, inf or a value out of range
    a ``ValueError``.
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where} expected {name} as a number, got {describe(value)}")
    value = float(value)
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    if not (math.isfinite(value) and above and below):
        bounds = _range(low, high, low_open, high_open)
        raise ValueError(
            f"{where} expected {name} as a finite number{bounds}, got {value}"
        )
    return value


def _range(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if low > -math.inf and high < math.inf:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        return f" in {left}{low:g}, {high:g}{right}"
    if low > -math.inf:
        return f" {'>' if low_open else '>='} {low:g}"
    if high < math.inf:
        return f" {'<' if high_open else '<='} {high:g}"
    return ""


def check_bool(where: str, name: str, value: object) -> bool:
    """``value`` if it is a bool (``causal="no"`` would otherwise mean True)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(
            f"{where} expected {name} as True or False, got {describe(value)}"
        )
    return bool(value)


def check_choice(where: str, name: str, value: object, choices: Sequence[Any]) -> Any:
    """``value`` if it is one of ``choices`` (compared with ``==``).

    A value of none of the choices' types (``activation=3``) is a ``TypeError``,
    another value of their type (``activation="swish"``) a ``ValueError``.
    """
    if not any(value is c or (type(value) is type(c) and value == c) for c in choices):
        options = ", ".join(repr(c) for c in choices)
        known_type = any(type(value) is type(c) for c in choices)
        error = ValueError if known_type else TypeError
        raise error(f"{where} expected {name} as one of {options}, got {value!r}")
    return value


def check_pair(where: str, name: str, value: object) -> tuple[int, int]:
    """``3`` -> ``(3, 3)``; ``(3, 2)`` stays; anything else raises."""
    if is_int(value):
        return int(value), int(value)
    if isinstance(value, tuple | list) and all(is_int(v) for v in value):
        if len(value) == 2:
            return int(value[0]), int(value[1])
        raise ValueError(
            f"{where} expected {name} as an int or a pair of ints, "
            f"got {len(value)} values {tuple(value)}"
        )
    raise TypeError(
        f"{where} expected {name} as an int or a pair of ints, got {describe(value)}"
    )


def check_seed(where: str, value: object, *, name: str = "seed") -> int:
    """A seed for ``np.random.default_rng``: an int >= 0."""
    return check_int(where, name, value, minimum=0)


def check_heads(where: str, d_model: object, n_heads: object) -> tuple[int, int]:
    """Sizes of an attention layer: ints >= 1, ``d_model`` divisible by ``n_heads``."""
    d_model = check_int(where, "d_model", d_model)
    n_heads = check_int(where, "n_heads", n_heads)
    if d_model % n_heads != 0:
        raise ValueError(
            f"{where} expected d_model divisible by n_heads, "
            f"got d_model={d_model}, n_heads={n_heads}"
        )
    return d_model, n_heads


# --- numpy arrays ---------------------------------------------------------------


def as_float_array(where: str, x: object, *, name: str = "input") -> np.ndarray:
    """``x`` as an ndarray of floats; ints and bools become float64.

    Complex numbers, objects (``None``, mixed lists) and text raise ``TypeError``:
    casting them to float would drop the imaginary part or hide the mistake.
    """
    try:
        x = np.asarray(x)
    except ValueError as err:  # ragged nested lists
        raise ValueError(
            f"{where} expected a rectangular {name} array, got {err}"
        ) from None
    if x.dtype.kind != "f":  # kind "f" is every float type
        if x.dtype.kind not in "iub":  # signed, unsigned, bool
            raise TypeError(
                f"{where} expected a real-valued numeric {name} (float, int or bool), "
                f"got dtype {x.dtype}"
            )
        x = x.astype(np.float64)
    return x


def check_shape(
    where: str, x: object, layout: Sequence[Dim], *, name: str = "input"
) -> np.ndarray:
    """``x`` as a float array, after checking its rank and fixed sizes."""
    x = as_float_array(where, x, name=name)
    if not _fits(x.shape, layout):
        want, got = format_shape(layout), format_shape(x.shape)
        raise ValueError(f"{where} expected {name} {want}, got {got}")
    return x


def check_min_ndim(where: str, x: object, ndim: int, layout: str) -> np.ndarray:
    """``x`` as a float array with at least ``ndim`` axes (``layout`` says which)."""
    x = as_float_array(where, x)
    if x.ndim < ndim:
        got = format_shape(x.shape)
        raise ValueError(f"{where} expected input {layout}, got {got}")
    return x


def check_last_dim(where: str, x: object, size: int) -> np.ndarray:
    """``x`` as a float array whose last axis has ``size`` entries."""
    x = as_float_array(where, x)
    if x.ndim == 0 or x.shape[-1] != size:
        raise ValueError(
            f"{where} expected input (..., {size}), got {format_shape(x.shape)}"
        )
    return x


def check_grad(where: str, dy: object, shape: tuple[int, ...]) -> np.ndarray:
    """``dy`` as a float array of the last output's shape (``where`` is the layer)."""
    dy = as_float_array(f"{where}.backward", dy, name="dy")
    if dy.shape != shape:
        raise ValueError(
            f"{where}.backward expected dy {format_shape(shape)} (the shape of the "
            f"last output), got {format_shape(dy.shape)}"
        )
    return dy


def check_labels(
    where: str, labels: object, n_classes: int, *, name: str = "labels"
) -> np.ndarray:
    """Integer class labels (N,) with every value in [0, n_classes)."""
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"{where} expected {name} as integer class indices, "
            f"got dtype {labels.dtype}"
        )
    if labels.ndim != 1:
        got = format_shape(labels.shape)
        raise ValueError(f"{where} expected {name} (N,), got {got}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"{where} expected {name} in [0, {n_classes}), "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def check_window(
    where: str,
    size: tuple[int, int],
    kernel: tuple[int, int],
    padding: tuple[int, int],
    shape: tuple[int, ...],
) -> None:
    """A kernel fits inside the (padded) image: ``H + 2p >= k``, and the same for W."""
    for n, k, p in zip(size, kernel, padding, strict=True):
        if n + 2 * p < k:
            raise ValueError(
                f"{where} expected H + 2*padding >= kernel_size and the same for W "
                f"(kernel {kernel}, padding {padding}), got input {format_shape(shape)}"
            )


def check_nonempty(where: str, x: Any, *, name: str = "input") -> None:
    """Every axis of ``x`` (an array or tensor) but the first, the batch, is >= 1."""
    if any(side == 0 for side in x.shape[1:]):
        raise ValueError(
            f"{where} expected every axis but the batch to be >= 1, "
            f"got {name} {format_shape(tuple(x.shape))}"
        )


def check_divisible(where: str, x: Any, factor: int, why: str) -> None:
    """The last two axes (H, W) of ``x`` are multiples of ``factor`` (``why`` says why,
    e.g. ``"two poolings by 2"``)."""
    H, W = x.shape[-2:]
    if H % factor or W % factor:
        raise ValueError(
            f"{where} expected H and W divisible by {factor} ({why}), "
            f"got input {format_shape(tuple(x.shape))}"
        )


# --- torch tensors ----------------------------------------------------------------


def check_tensor(
    where: str,
    x: object,
    layout: Sequence[Dim],
    *,
    name: str = "input",
    floating: bool = True,
) -> Any:
    """``x`` if it is a torch.Tensor matching ``layout``.

    With ``floating`` (layers that take real values), an integer or bool tensor is
    a ``TypeError``: it would meet float parameters in a raw torch error.
    """
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{where} expected {name} as a torch.Tensor, got {type(x).__name__}"
        )
    if not _fits(tuple(x.shape), layout):
        want, got = format_shape(layout), format_shape(tuple(x.shape))
        raise ValueError(f"{where} expected {name} {want}, got {got}")
    if floating and not (x.is_floating_point() or x.is_complex()):
        raise TypeError(
            f"{where} expected a floating-point {name}, got {x.dtype}; "
            "convert with x.float()"
        )
    return x


def check_tokens(
    where: str, tokens: object, max_len: int, vocab_size: int | None = None
) -> Any:
    """``tokens`` if it is a (B, T) integer tensor with 1 <= T <= ``max_len`` and,
    given ``vocab_size``, every id in [0, vocab_size).

    Float or bool ids are a ``TypeError`` (``nn.Embedding`` would fail inside);
    a length or an id out of range a ``ValueError``.
    """
    check_tensor(where, tokens, ("B", "T"), name="tokens", floating=False)
    torch = sys.modules["torch"]  # check_tensor found a tensor, so torch is loaded
    if tokens.is_floating_point() or tokens.is_complex() or tokens.dtype == torch.bool:
        raise TypeError(
            f"{where} expected integer token ids (torch.long), got {tokens.dtype}"
        )
    T = tokens.shape[1]
    if not 1 <= T <= max_len:
        raise ValueError(
            f"{where} expected sequences of 1 to max_len={max_len} tokens, "
            f"got tokens {format_shape(tuple(tokens.shape))}"
        )
    if vocab_size is not None and tokens.numel() and tokens.device.type != "meta":
        low, high = int(tokens.min()), int(tokens.max())  # one sync on a GPU
        if low < 0 or high >= vocab_size:
            raise ValueError(
                f"{where} expected token ids in [0, {vocab_size}) (its vocab_size), "
                f"got ids from {low} to {high}"
            )
    return tokens
