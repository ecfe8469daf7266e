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

from nnlib.blocks._checks import check_dropout, check_flag, check_heads, check_input


def causal_mask(T: int, device: torch.device | str | None = None) -> torch.Tensor:
    """Boolean (T, T) mask, True where position t may look at position s (s <= t)."""
    return torch.ones(T, T, dtype=torch.bool, device=device).tril()


def dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    dropout: nn.Module | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention, step by step; returns (output, weights).

    ``mask`` is boolean and broadcastable to (..., T, T): True where attention is
    allowed (the convention of ``F.scaled_dot_product_attention``). A row with no
    allowed position gives NaN. ``dropout``, if given, drops attention weights;
    the returned weights are those before dropout, so every row sums to 1.

    Shape:
        - q, k, v: (..., T, d)
        - output: (..., T, d); weights: (..., T, T)
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

    ``forward(x, mask=None, return_attention=False)``: ``mask`` is an optional
    boolean tensor broadcastable to (B, h, T, T) (a (T, T) or (B, T, T) mask works),
    True where attention is allowed; ``causal=True`` adds the causal mask.

    Shape:
        - Input: (B, T, d_model)
        - Output: (B, T, d_model), and with ``return_attention=True`` also the
          weights (B, n_heads, T, T)
    """

    def __init__(
        self, d_model: int, n_heads: int, *, dropout: float = 0.0, causal: bool = False
    ) -> None:
        super().__init__()
        check_heads("MultiHeadSelfAttention", d_model, n_heads)
        dropout = check_dropout("MultiHeadSelfAttention", dropout)
        causal = check_flag("MultiHeadSelfAttention", "causal", causal)
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
                    f"mask must be boolean (True = allowed), got {mask.dtype}"
                )
            if mask.dim() == 3:  # (B, T, T) -> (B, 1, T, T): same mask for every head
                mask = mask.unsqueeze(1)
            try:  # shapes only, no data: free next to the attention itself
                torch.broadcast_shapes(mask.shape, (1, 1, T, T))
            except RuntimeError:
                raise ValueError(
                    f"MultiHeadSelfAttention expected a mask broadcastable to "
                    f"(B, n_heads, {T}, {T}), got {tuple(mask.shape)}"
                ) from None
        if self.causal:
            tril = causal_mask(T, device)  # (T, T), created where the input lives
            mask = tril if mask is None else mask & tril
        return mask

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        return_attention: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Attend over the sequence; optionally also return the attention weights."""
        check_input(
            "MultiHeadSelfAttention", x, ("B", "T", self.d_model), like=self.qkv.weight
        )
        B, T, D = x.shape
        h, d = self.n_heads, self.d_head
        q, k, v = self.qkv(x).split(D, dim=-1)  # (B, T, 3C) -> 3 x (B, T, D)
        q = q.view(B, T, h, d).transpose(1, 2)  # (B, T, D) -> (B, h, T, d)
        k = k.view(B, T, h, d).transpose(1, 2)  # (B, T, D) -> (B, h, T, d)
        v = v.view(B, T, h, d).transpose(1, 2)  # (B, T, D) -> (B, h, T, d)

        if return_attention:
            allowed = self._allowed(mask, T, x.device)
            out, weights = dot_product_attention(q, k, v, allowed, self.attn_drop)
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
