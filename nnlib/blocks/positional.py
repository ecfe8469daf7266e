"""Positional encodings: tell a Transformer where each token sits.

Letters: B batch, T sequence length, D = d_model.

Self-attention alone treats its input as a set (shuffle the tokens and the outputs
shuffle the same way), so order has to be added to the token vectors. Two ways:

- sinusoidal (Vaswani et al., 2017): fixed waves of geometrically spaced frequencies,
  $PE_{t, 2i} = \\sin(t / 10000^{2i/D})$, $PE_{t, 2i+1} = \\cos(t / 10000^{2i/D})$;
- learned (BERT, GPT-2, ViT): one trainable vector per position.
"""

import math

import torch
from torch import nn

from nnlib._checks import check_int, check_number, check_tensor, format_shape


def sinusoidal_table(
    max_len: int, d_model: int, *, device: torch.device | str | None = None
) -> torch.Tensor:
    """The (max_len, d_model) table of sines and cosines; d_model must be even.

    Args:
        max_len: the number of positions T.
        d_model: D, the features per position, even.
        device: where to create the table; ``None`` is torch's default device.
            Default: ``None``.

    Shape:
        - Output: (T, D) with T = max_len, D = d_model

    Example:
        >>> from nnlib.blocks import sinusoidal_table
        >>> table = sinusoidal_table(16, 8)
        >>> table.shape, table[0].tolist()  # position 0: sin 0 = 0, cos 0 = 1
        (torch.Size([16, 8]), [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    """
    check_int("sinusoidal_table", "max_len", max_len)
    check_int("sinusoidal_table", "d_model", d_model)
    if d_model % 2 != 0:
        raise ValueError(f"sinusoidal_table expected an even d_model, got {d_model}")
    t = torch.arange(max_len, dtype=torch.float32, device=device)[:, None]  # (T, 1)
    i = torch.arange(0, d_model, 2, dtype=torch.float32, device=device)  # (D/2,)
    freq = torch.exp(-math.log(10000.0) * i / d_model)  # 1 / 10000^(2i/D), (D/2,)
    angles = t * freq  # (T, 1) * (D/2,) -> (T, D/2)
    table = torch.zeros(max_len, d_model, device=device)
    table[:, 0::2] = torch.sin(angles)  # even columns
    table[:, 1::2] = torch.cos(angles)  # odd columns
    return table


class _AddPositions(nn.Module):
    """Shared part of both encodings: add ``self.table[:T]`` to a (B, T, D) input."""

    def __init__(self, d_model: int, max_len: int, *, dropout: float) -> None:
        super().__init__()
        owner = type(self).__name__
        self.d_model = check_int(owner, "d_model", d_model)
        self.max_len = check_int(owner, "max_len", max_len)
        self.drop = nn.Dropout(check_number(owner, "dropout", dropout, low=0, high=1))

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, max_len={self.max_len}"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return x plus the vectors of positions 0..T-1."""
        where = type(self).__name__
        check_tensor(where, x, ("B", "T", self.d_model), floating=False)
        if not x.is_floating_point():  # x + table would round the table to ints
            raise TypeError(
                f"{where} expected floating-point vectors, got {x.dtype}; "
                "embed token ids first, e.g. with nn.Embedding"
            )
        T = x.shape[1]
        if T > self.max_len:
            raise ValueError(
                f"{where} expected at most max_len={self.max_len} positions, "
                f"got input {format_shape(x.shape)}"
            )
        return self.drop(x + self.table[:T].to(x.dtype))  # (B, T, D) + (T, D)


class PositionalEncoding(_AddPositions):
    """Add the fixed sinusoidal encoding to a sequence of vectors.

    The table is a buffer (moves with ``.to(device)``, is not trained and is not
    saved in the state dict).

    Args:
        d_model: D, the features per position, even.
        max_len: the longest sequence it takes. Default: ``512``.
        dropout: the dropout probability after the addition. Default: ``0.0``.

    Shape:
        - Input: (B, T, D) with T <= max_len
        - Output: (B, T, D)

    Example:
        >>> import torch
        >>> from nnlib.blocks import PositionalEncoding
        >>> pe = PositionalEncoding(8, max_len=16)
        >>> pe(torch.zeros(2, 5, 8)).shape, len(pe.state_dict())
        (torch.Size([2, 5, 8]), 0)
    """

    def __init__(
        self, d_model: int, max_len: int = 512, *, dropout: float = 0.0
    ) -> None:
        super().__init__(d_model, max_len, dropout=dropout)
        table = sinusoidal_table(max_len, d_model)  # (max_len, D)
        self.register_buffer("table", table, persistent=False)


class LearnedPositionalEncoding(_AddPositions):
    """Add one trainable vector per position (initialised with std 0.02).

    Args:
        d_model: D, the features per position.
        max_len: the longest sequence it takes. Default: ``512``.
        dropout: the dropout probability after the addition. Default: ``0.0``.

    Shape:
        - Input: (B, T, D) with T <= max_len
        - Output: (B, T, D)

    Example:
        >>> import torch
        >>> from nnlib.blocks import LearnedPositionalEncoding
        >>> pe = LearnedPositionalEncoding(8, max_len=16)
        >>> pe(torch.zeros(2, 5, 8)).shape, pe.table.shape, pe.table.requires_grad
        (torch.Size([2, 5, 8]), torch.Size([16, 8]), True)
    """

    def __init__(
        self, d_model: int, max_len: int = 512, *, dropout: float = 0.0
    ) -> None:
        super().__init__(d_model, max_len, dropout=dropout)
        self.table = nn.Parameter(torch.randn(max_len, d_model) * 0.02)
