"""Input checks shared by the blocks: say what shape was expected and what arrived."""

from collections.abc import Sequence

import torch


def check_input(owner: str, x: torch.Tensor, layout: Sequence[int | str]) -> None:
    """Raise ``ValueError`` unless ``x`` matches ``layout``.

    ``layout`` lists one entry per axis: an int must match exactly, a string
    (``"B"``, ``"T"``) matches any size and only names the axis in the message.
    Example: ``MultiHeadSelfAttention expected input (B, T, 64), got (2, 5, 63)``.
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


def check_tokens(owner: str, tokens: torch.Tensor, max_len: int) -> None:
    """Raise unless ``tokens`` is a (B, T) integer tensor with T <= ``max_len``."""
    check_input(owner, tokens, ("B", "T"))
    if tokens.dtype.is_floating_point or tokens.dtype == torch.bool:
        raise TypeError(
            f"{owner} expected integer token ids (torch.long), got {tokens.dtype}"
        )
    if tokens.shape[1] > max_len:
        raise ValueError(
            f"{owner} was built for sequences up to max_len={max_len}, "
            f"got length {tokens.shape[1]}"
        )
