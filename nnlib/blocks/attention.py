"""Multi-head self-attention, written out.

Letters: B batch, T sequence length, D = d_model, h heads, d = D / h per head.

$$\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}(Q K^\\top / \\sqrt{d}) V$$

References: Vaswani et al., "Attention Is All You Need" (2017); the layout follows
Karpathy's nanoGPT (one ``qkv`` projection, heads split by reshaping). As minGPT puts
it, the explicit version is here to show there is nothing too scary inside. The same
module also calls ``torch.nn.functional.scaled_dot_product_attention``, which computes
the same result without ever storing the (T, T) weight matrix; it is the default
whenever the weights are not requested.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from nnlib._checks import (
    check_bool,
    check_heads,
    check_number,
    check_tensor,
    format_shape,
)
from nnlib.blocks._dtype import needs_cast, run_in_dtype


def causal_mask(T: int, *, device: torch.device | str | None = None) -> torch.Tensor:
    """Boolean (T, T) mask, True where position t may look at position s (s <= t).

    Args:
        T: the sequence length.
        device: where to create the mask; ``None`` is torch's default device.
            Default: ``None``.

    Shape:
        - Output: (T, T), lower triangular

    Example:
        >>> from nnlib.blocks import causal_mask
        >>> causal_mask(3).int()
        tensor([[1, 0, 0],
                [1, 1, 0],
                [1, 1, 1]], dtype=torch.int32)
    """
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()


def dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    *,
    mask: torch.Tensor | None = None,
    dropout: nn.Module | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention, step by step; returns (output, weights).

    Args:
        q: the queries.
        k: the keys.
        v: the values.
        mask: boolean and broadcastable to (..., T, T): True where attention is
            allowed (the convention of ``F.scaled_dot_product_attention``). A row
            with no allowed position gives NaN. ``None`` allows everything.
            Default: ``None``.
        dropout: a module that drops attention weights, such as ``nn.Dropout``;
            ``None`` drops nothing. Default: ``None``.

    Shape:
        - q, k, v: (..., T, d)
        - output: (..., T, d); weights: (..., T, T)

    Returns:
        ``(output, weights)``. The weights are those before dropout, so every row
        sums to 1.

    Example:
        >>> import torch
        >>> from nnlib.blocks import causal_mask, dot_product_attention
        >>> q = k = v = torch.ones(2, 3, 4)
        >>> out, weights = dot_product_attention(q, k, v, mask=causal_mask(3))
        >>> out.shape, weights[0, 1].tolist()  # position 1 sees positions 0 and 1
        (torch.Size([2, 3, 4]), [0.5, 0.5, 0.0])
    """
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1)  # (.., T, d) @ (.., d, T) -> (.., T, T)
    scores = scores / math.sqrt(d)  # keeps the scores' variance near 1
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # forbidden -> weight 0
    weights = scores.softmax(dim=-1)  # each row is a distribution over positions
    used = dropout(weights) if dropout is not None else weights
    out = used @ v  # (.., T, T) @ (.., T, d) -> (.., T, d)
    return out, weights


class MultiHeadSelfAttention(nn.Module):
    """Multi-head self-attention with one stacked ``qkv`` projection and ``proj``.

    ``qkv = nn.Linear(d_model, 3 * d_model)`` holds the query, key and value weights
    stacked in that order, exactly like ``nn.MultiheadAttention.in_proj_weight``, so
    the two modules give the same output when their weights are copied.

    ``forward(x, *, mask=None, return_attention=False)``: ``mask`` is an optional
    boolean tensor broadcastable to (B, h, T, T) (a (T, T) or (B, T, T) mask works),
    True where attention is allowed; ``causal=True`` adds the causal mask.

    Args:
        d_model: D, the features of each position.
        n_heads: h, the number of heads; it must divide ``d_model``.
        dropout: the probability of dropping an attention weight in training.
            Default: ``0.0``.
        causal: if ``True``, position t sees only positions up to t.
            Default: ``False``.

    Shape:
        - Input: (B, T, D) with D = d_model
        - Output: (B, T, D), and with ``return_attention=True`` also the
          weights (B, h, T, T)

    Example:
        >>> import torch
        >>> from nnlib.blocks import MultiHeadSelfAttention
        >>> attn = MultiHeadSelfAttention(8, 2, causal=True)
        >>> out, weights = attn(torch.ones(4, 5, 8), return_attention=True)
        >>> out.shape, weights.shape
        (torch.Size([4, 5, 8]), torch.Size([4, 2, 5, 5]))
    """

    def __init__(
        self, d_model: int, n_heads: int, *, dropout: float = 0.0, causal: bool = False
    ) -> None:
        super().__init__()
        where = "MultiHeadSelfAttention"
        d_model, n_heads = check_heads(where, d_model, n_heads)
        dropout = check_number(where, "dropout", dropout, low=0.0, high=1.0)
        causal = check_bool(where, "causal", causal)
        self.d_model = d_model
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.dropout = dropout
        self.causal = causal
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.attn_drop = nn.Dropout(dropout)

    def extra_repr(self) -> str:
        return (
            f"d_model={self.d_model}, n_heads={self.n_heads}, "
            f"dropout={self.dropout}, causal={self.causal}"
        )

    def _allowed(
        self, mask: torch.Tensor | None, T: int, device: torch.device
    ) -> torch.Tensor | None:
        """Combine the user's mask and the causal mask into one boolean mask."""
        if mask is not None:
            if mask.dtype != torch.bool:
                raise TypeError(
                    f"MultiHeadSelfAttention expected a boolean mask (True = allowed), "
                    f"got {mask.dtype}"
                )
            if mask.dim() == 3:  # (B, T, T) -> (B, 1, T, T): same mask for every head
                mask = mask.unsqueeze(1)
            try:  # shapes only, no data: free next to the attention itself
                torch.broadcast_shapes(mask.shape, (1, 1, T, T))
            except RuntimeError:
                raise ValueError(
                    f"MultiHeadSelfAttention expected a mask broadcastable to "
                    f"(B, n_heads, {T}, {T}), got {format_shape(tuple(mask.shape))}"
                ) from None
        if self.causal:
            tril = causal_mask(
                T, device=device
            )  # (T, T), created where the input lives
            mask = tril if mask is None else mask & tril
        return mask

    def forward(
        self,
        x: torch.Tensor,
        *,
        mask: torch.Tensor | None = None,
        return_attention: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Attend over the sequence; optionally also return the attention weights."""
        check_tensor("MultiHeadSelfAttention", x, ("B", "T", self.d_model))
        if needs_cast("MultiHeadSelfAttention", x, self.qkv.weight):
            return run_in_dtype(
                self, x.dtype, x, mask=mask, return_attention=return_attention
            )
        B, T, D = x.shape
        h, d = self.n_heads, self.d_head
        q, k, v = self.qkv(x).split(D, dim=-1)  # (B, T, 3C) -> 3 x (B, T, D)
        q = q.view(B, T, h, d).transpose(1, 2)  # (B, T, D) -> (B, h, T, d)
        k = k.view(B, T, h, d).transpose(1, 2)  # (B, T, D) -> (B, h, T, d)
        v = v.view(B, T, h, d).transpose(1, 2)  # (B, T, D) -> (B, h, T, d)

        if return_attention:
            allowed = self._allowed(mask, T, x.device)
            out, weights = dot_product_attention(
                q, k, v, mask=allowed, dropout=self.attn_drop
            )
        elif mask is None:
            # Fused kernel; is_causal builds the causal mask internally.
            p = self.dropout if self.training else 0.0
            out = F.scaled_dot_product_attention(
                q, k, v, dropout_p=p, is_causal=self.causal
            )
        else:
            p = self.dropout if self.training else 0.0
            allowed = self._allowed(mask, T, x.device)
            out = F.scaled_dot_product_attention(
                q, k, v, attn_mask=allowed, dropout_p=p
            )

        out = out.transpose(1, 2).reshape(B, T, D)  # (B, h, T, d) -> (B, T, D)
        out = self.proj(out)  # (B, T, D) @ (D, D) -> (B, T, D)
        return (out, weights) if return_attention else out
