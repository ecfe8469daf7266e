"""The pre-norm Transformer block and a sequence-to-sequence Transformer built from it.

Letters: B batch, T sequence length, D = d_model, V vocabulary size.

Pre-norm (Xiong et al., 2020; GPT-2, nanoGPT): normalise *before* each sub-layer and
add the result to an untouched residual stream,
$x \\leftarrow x + \\mathrm{Attn}(\\mathrm{LN}_1(x))$, then
$x \\leftarrow x + \\mathrm{FF}(\\mathrm{LN}_2(x))$. This trains without the warm-up the
original post-norm layout needs. ``TransformerBlock`` computes what
``nn.TransformerEncoderLayer(norm_first=True, batch_first=True)`` computes.
"""

import torch
import torch.nn.functional as F
from torch import nn

from nnlib._checks import (
    check_bool,
    check_choice,
    check_heads,
    check_int,
    check_number,
    check_tensor,
    check_tokens,
)
from nnlib.blocks._dtype import needs_cast, run_in_dtype
from nnlib.blocks.attention import MultiHeadSelfAttention
from nnlib.blocks.positional import LearnedPositionalEncoding, PositionalEncoding

_ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


class FeedForward(nn.Module):
    """Position-wise MLP: Linear(D, d_ff) -> activation -> dropout -> Linear(d_ff, D).

    Args:
        d_model: D, the features per position.
        d_ff: the width of the hidden layer.
        dropout: the dropout probability after the activation. Default: ``0.0``.
        activation: ``"gelu"`` or ``"relu"``. Default: ``"gelu"``.

    Shape:
        - Input: (B, T, D)
        - Output: (B, T, D)

    Example:
        >>> import torch
        >>> from nnlib.blocks import FeedForward
        >>> FeedForward(8, 32)(torch.zeros(2, 5, 8)).shape
        torch.Size([2, 5, 8])
    """

    def __init__(
        self, d_model: int, d_ff: int, *, dropout: float = 0.0, activation: str = "gelu"
    ) -> None:
        super().__init__()
        self.d_model = check_int("FeedForward", "d_model", d_model)
        check_int("FeedForward", "d_ff", d_ff)
        dropout = check_number("FeedForward", "dropout", dropout, low=0.0, high=1.0)
        check_choice("FeedForward", "activation", activation, sorted(_ACTIVATIONS))
        self.activation = activation
        self.fc1 = nn.Linear(d_model, d_ff)
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(d_ff, d_model)

    def extra_repr(self) -> str:
        return f"activation={self.activation!r}"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the MLP to every position independently."""
        check_tensor("FeedForward", x, ("B", "T", self.d_model))
        if needs_cast("FeedForward", x, self.fc1.weight):
            return run_in_dtype(self, x.dtype, x)
        hidden = _ACTIVATIONS[self.activation](self.fc1(x))  # (B, T, D) -> (B, T, d_ff)
        return self.fc2(self.drop(hidden))  # (B, T, d_ff) -> (B, T, D)


class TransformerBlock(nn.Module):
    """Pre-norm block: ``x + attn(ln1(x))``, then ``x + ff(ln2(x))``.

    ``forward(x, *, mask=None, return_attention=False)`` passes ``mask`` and
    ``return_attention`` to the attention layer.

    Args:
        d_model: D, the features per position.
        n_heads: h, the attention heads; it must divide ``d_model``.
        d_ff: the width of the feed-forward layer.
        dropout: the dropout probability in attention, feed-forward and on both
            residual branches. Default: ``0.0``.
        causal: if ``True``, position t sees only positions up to t.
            Default: ``False``.
        activation: ``"gelu"`` (as in GPT-2) or ``"relu"`` (PyTorch's default for
            ``nn.TransformerEncoderLayer``). Default: ``"gelu"``.
        residual: if ``False``, each sub-layer's output *replaces* its input
            (``x = attn(ln1(x))``) instead of being added to it: the residual
            connection switched off, to measure what it does. Default: ``True``.
        layer_norm: if ``False``, ``ln1`` and ``ln2`` are identities: LayerNorm
            switched off. Default: ``True``.

    Shape:
        - Input: (B, T, D)
        - Output: (B, T, D), and with ``return_attention=True`` also the
          weights (B, h, T, T)

    Example:
        >>> import torch
        >>> from nnlib.blocks import TransformerBlock
        >>> block = TransformerBlock(16, 4, 64, causal=True)
        >>> out, weights = block(torch.zeros(2, 5, 16), return_attention=True)
        >>> out.shape, weights.shape
        (torch.Size([2, 5, 16]), torch.Size([2, 4, 5, 5]))
        >>> TransformerBlock(16, 4, 64, residual=False, layer_norm=False).ln1
        Identity()
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        *,
        dropout: float = 0.0,
        causal: bool = False,
        activation: str = "gelu",
        residual: bool = True,
        layer_norm: bool = True,
    ) -> None:
        super().__init__()
        check_heads("TransformerBlock", d_model, n_heads)
        check_int("TransformerBlock", "d_ff", d_ff)
        self.d_model = d_model
        self.residual = check_bool("TransformerBlock", "residual", residual)
        self.layer_norm = check_bool("TransformerBlock", "layer_norm", layer_norm)
        self.ln1 = nn.LayerNorm(d_model) if layer_norm else nn.Identity()
        self.attn = MultiHeadSelfAttention(
            d_model, n_heads, dropout=dropout, causal=causal
        )
        self.drop1 = nn.Dropout(dropout)
        self.ln2 = nn.LayerNorm(d_model) if layer_norm else nn.Identity()
        self.ff = FeedForward(d_model, d_ff, dropout=dropout, activation=activation)
        self.drop2 = nn.Dropout(dropout)

    def extra_repr(self) -> str:
        return f"residual={self.residual}, layer_norm={self.layer_norm}"

    def forward(
        self,
        x: torch.Tensor,
        *,
        mask: torch.Tensor | None = None,
        return_attention: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Apply attention and the MLP, each on a normalised copy, as residuals."""
        check_tensor("TransformerBlock", x, ("B", "T", self.d_model))
        if needs_cast("TransformerBlock", x, self.attn.qkv.weight):
            return run_in_dtype(
                self, x.dtype, x, mask=mask, return_attention=return_attention
            )
        if return_attention:
            a, weights = self.attn(self.ln1(x), mask=mask, return_attention=True)
        else:
            a = self.attn(self.ln1(x), mask=mask)
        a = self.drop1(a)  # (B, T, D)
        x = x + a if self.residual else a  # without residual: the input is lost
        f = self.drop2(self.ff(self.ln2(x)))  # (B, T, D)
        x = x + f if self.residual else f
        return (x, weights) if return_attention else x


class SequenceTransformer(nn.Module):
    """Token embedding + positions + ``n_layers`` blocks + final norm + linear head.

    An encoder: every output position sees the whole input (unless ``causal``), which
    suits the course's sequence tasks (reverse, sort, copy, add), where the output has
    the input's length.

    Args:
        vocab_size: V, the number of token values.
        max_len: the longest sequence it takes. Default: ``64``.
        d_model: D, the features per position. Default: ``64``.
        n_heads: h, the attention heads; it must divide ``d_model``. Default: ``4``.
        n_layers: the number of ``TransformerBlock``s. Default: ``2``.
        d_ff: the width of the feed-forward layers; ``None`` uses ``4 * d_model``.
            Default: ``None``.
        dropout: the dropout probability inside the blocks. Default: ``0.0``.
        causal: if ``True``, position t sees only positions up to t.
            Default: ``False``.
        positional: ``"sinusoidal"``, ``"learned"`` or ``None`` (no positions:
            then the model cannot tell order, a useful failure to show).
            Default: ``"sinusoidal"``.
        activation: ``"gelu"`` or ``"relu"``, in the blocks. Default: ``"gelu"``.
        residual: ``False`` switches off the residual connections of every block.
            Default: ``True``.
        layer_norm: ``False`` switches off every LayerNorm (the blocks' and the
            final one). Default: ``True``.

    Shape:
        - Input: (B, T) integer tokens in [0, V), T <= max_len
        - Output: (B, T, V) logits

    Example:
        >>> import torch
        >>> from nnlib.blocks import SequenceTransformer
        >>> model = SequenceTransformer(10, d_model=16, n_heads=2)
        >>> tokens = torch.zeros(3, 8, dtype=torch.long)
        >>> model(tokens).shape, [a.shape for a in model.attention_maps(tokens)]
        (torch.Size([3, 8, 10]), [torch.Size([3, 2, 8, 8]), torch.Size([3, 2, 8, 8])])
    """

    def __init__(
        self,
        vocab_size: int,
        max_len: int = 64,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 2,
        d_ff: int | None = None,
        *,
        dropout: float = 0.0,
        causal: bool = False,
        positional: str | None = "sinusoidal",
        activation: str = "gelu",
        residual: bool = True,
        layer_norm: bool = True,
    ) -> None:
        super().__init__()
        for name, value in (
            ("vocab_size", vocab_size),
            ("max_len", max_len),
            ("n_layers", n_layers),
        ):
            check_int("SequenceTransformer", name, value)
        check_bool("SequenceTransformer", "layer_norm", layer_norm)
        check_heads("SequenceTransformer", d_model, n_heads)
        if d_ff is not None:
            check_int("SequenceTransformer", "d_ff", d_ff)
        self.vocab_size = vocab_size
        self.max_len = max_len
        self.d_model = d_model
        self.embed = nn.Embedding(vocab_size, d_model)
        if positional == "sinusoidal":
            self.pos = PositionalEncoding(d_model, max_len)
        elif positional == "learned":
            self.pos = LearnedPositionalEncoding(d_model, max_len)
        elif positional is None:
            self.pos = nn.Identity()
        else:
            raise ValueError(
                "SequenceTransformer expected positional as 'sinusoidal', 'learned' "
                f"or None, got {positional!r}"
            )
        d_ff = 4 * d_model if d_ff is None else d_ff
        self.blocks = nn.ModuleList(
            TransformerBlock(
                d_model,
                n_heads,
                d_ff,
                dropout=dropout,
                causal=causal,
                activation=activation,
                residual=residual,
                layer_norm=layer_norm,
            )
            for _ in range(n_layers)
        )
        self.ln_f = nn.LayerNorm(d_model) if layer_norm else nn.Identity()
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Return logits over the vocabulary for every position."""
        check_tokens("SequenceTransformer", tokens, self.max_len, self.vocab_size)
        x = self.pos(self.embed(tokens))  # (B, T) -> (B, T, D)
        for block in self.blocks:
            x = block(x)  # (B, T, D) -> (B, T, D)
        return self.head(self.ln_f(x))  # (B, T, D) -> (B, T, V)

    @torch.no_grad()
    def attention_maps(self, tokens: torch.Tensor) -> list[torch.Tensor]:
        """Attention weights of every block for ``tokens``, each (B, n_heads, T, T).

        Call ``model.eval()`` first if the model uses dropout.
        """
        check_tokens("SequenceTransformer", tokens, self.max_len, self.vocab_size)
        x = self.pos(self.embed(tokens))
        maps = []
        for block in self.blocks:
            x, weights = block(x, return_attention=True)
            maps.append(weights)
        return maps
