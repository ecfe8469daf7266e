"""Input checks shared by the blocks: say what shape was expected and what arrived."""

import math
import numbers
from collections.abc import Sequence

import torch


def check_input(
    owner: str,
    x: torch.Tensor,
    layout: Sequence[int | str],
    like: torch.Tensor | None = None,
) -> None:
    """Raise ``ValueError`` unless ``x`` matches ``layout``.

    ``layout`` lists one entry per axis: an int must match exactly, a string
    (``"B"``, ``"T"``) matches any size and only names the axis in the message.
    Example: ``MultiHeadSelfAttention expected input (B, T, 64), got (2, 5, 63)``.
    With ``like`` (a parameter of the module), ``x`` must also have its dtype
    (``TypeError``), except under ``torch.autocast``, which mixes dtypes on purpose.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{owner} expected a torch.Tensor, got {type(x).__name__}")
    shape = tuple(x.shape)
    fits = len(shape) == len(layout) and all(
        isinstance(want, str) or want == got
        for want, got in zip(layout, shape, strict=True)
    )
    if not fits:
        wanted = ", ".join(str(d) for d in layout)
        raise ValueError(f"{owner} expected input ({wanted}), got {shape}")
    if like is not None and x.dtype != like.dtype:
        if torch.is_autocast_enabled(x.device.type):
            return
        hint = "x.float()" if like.dtype == torch.float32 else f"x.to({like.dtype})"
        raise TypeError(
            f"{owner} expected {like.dtype} input (the dtype of its parameters), got "
            f"{x.dtype}; convert with {hint} (X.astype(np.float32) in numpy) or "
            "convert the model (model.to(dtype))"
        )


def check_tokens(
    owner: str, tokens: torch.Tensor, max_len: int, vocab_size: int | None = None
) -> None:
    """Raise unless ``tokens`` is a (B, T) integer tensor with T <= ``max_len``
    and, given ``vocab_size``, every id in [0, vocab_size)."""
    check_input(owner, tokens, ("B", "T"))
    if tokens.dtype.is_floating_point or tokens.dtype == torch.bool:
        raise TypeError(
            f"{owner} expected integer token ids (torch.long), got {tokens.dtype}"
        )
    if tokens.shape[1] == 0:
        raise ValueError(
            f"{owner} expected at least one token per sequence, "
            f"got tokens {tuple(tokens.shape)}"
        )
    if tokens.shape[1] > max_len:
        raise ValueError(
            f"{owner} was built for sequences up to max_len={max_len}, "
            f"got length {tokens.shape[1]}"
        )
    if vocab_size is not None and tokens.numel() and tokens.device.type != "meta":
        low, high = int(tokens.min()), int(tokens.max())  # one sync on a GPU
        if low < 0 or high >= vocab_size:
            raise ValueError(
                f"{owner} has a vocabulary of {vocab_size} tokens, so ids must be in "
                f"[0, {vocab_size}); got ids from {low} to {high}"
            )


def check_size(owner: str, name: str, value: object, minimum: int = 1) -> int:
    """A constructor's size argument: an int (``TypeError``) ``>= minimum``
    (``ValueError``); ``nn.Linear(0, 0)`` would otherwise build silently."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{owner} expected {name} as an int, got {type(value).__name__} {value!r}"
        )
    if value < minimum:
        raise ValueError(f"{owner} expected {name} >= {minimum}, got {value}")
    return int(value)


def check_dropout(owner: str, value: object) -> float:
    """A dropout probability in [0, 1] (named, unlike ``nn.Dropout``'s message)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner} expected dropout as a number, got {type(value).__name__}"
        )
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"{owner} expected dropout in [0, 1], got {value}")
    return float(value)


def check_flag(owner: str, name: str, value: object) -> bool:
    """A True/False option (``causal="no"`` would otherwise mean True)."""
    if not isinstance(value, bool):
        raise TypeError(
            f"{owner} expected {name} as True or False, got {type(value).__name__}"
        )
    return value


def check_heads(owner: str, d_model: object, n_heads: object) -> None:
    """Sizes of an attention layer: positive ints, d_model divisible by n_heads."""
    check_size(owner, "d_model", d_model)
    check_size(owner, "n_heads", n_heads)
    if d_model % n_heads != 0:
        raise ValueError(
            f"{owner} expected d_model divisible by n_heads, got d_model={d_model}, "
            f"n_heads={n_heads}"
        )
