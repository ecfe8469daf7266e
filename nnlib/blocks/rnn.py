"""A recurrent encoder-decoder for the sequence tasks, to compare with the Transformer.

Letters: B batch, T sequence length, E embedding size, H hidden size, V vocabulary.

Why encoder-decoder: to reverse a sequence, the first output token is the *last*
input token, so a model that emits token t after reading only tokens 0..t cannot do
it. Here the encoder reads the whole input and its final state is the only thing
passed on; the decoder then writes T outputs, driven by one learned "position query"
per output step (no teacher forcing, no access to the input tokens). Everything the
decoder knows about the input has to squeeze through that fixed-size state: the
bottleneck of Sutskever et al. (2014) that attention (Bahdanau et al., 2015; then the
Transformer) removed. A tanh RNN, a GRU or an LSTM can be plugged in.

``AttentionRNNSequenceModel`` is the same encoder-decoder with that bottleneck
removed: every decoder step attends over *all* encoder outputs (Luong et al., 2015,
"general" scores), so, like the Transformer, each output can reach each input
directly; only the encoder and decoder themselves stay sequential.
``gradient_reach`` measures how strongly each output's gradient reaches each input.
"""

import torch
from torch import nn

from nnlib._checks import check_choice, check_int, check_tensor, check_tokens
from nnlib.blocks.attention import dot_product_attention

_CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


class RNNSequenceModel(nn.Module):
    """Encoder-decoder RNN/GRU/LSTM mapping T input tokens to T output logits.

    Args:
        vocab_size: V, the number of token values.
        kind: ``"rnn"`` (tanh), ``"gru"`` or ``"lstm"``. Default: ``"gru"``.
        hidden_size: H, the size of the hidden state. Default: ``128``.
        n_layers: the cells stacked in both encoder and decoder. Default: ``1``.
        max_len: the longest sequence it takes. Default: ``64``.
        embed_size: the size of the token embeddings; ``None`` uses
            ``hidden_size``. Default: ``None``.

    Shape:
        - Input: (B, T) integer tokens in [0, V), T <= max_len
        - Output: (B, T, V) logits

    Example:
        >>> import torch
        >>> from nnlib.blocks import RNNSequenceModel
        >>> model = RNNSequenceModel(10, kind="lstm", hidden_size=16)
        >>> model(torch.zeros(2, 8, dtype=torch.long)).shape
        torch.Size([2, 8, 10])
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int = 128,
        n_layers: int = 1,
        max_len: int = 64,
        embed_size: int | None = None,
        *,
        kind: str = "gru",
    ) -> None:
        super().__init__()
        for name, value in (
            ("vocab_size", vocab_size),
            ("hidden_size", hidden_size),
            ("n_layers", n_layers),
            ("max_len", max_len),
        ):
            check_int("RNNSequenceModel", name, value)
        if embed_size is not None:
            check_int("RNNSequenceModel", "embed_size", embed_size)
        check_choice("RNNSequenceModel", "kind", kind, sorted(_CELLS))
        self.vocab_size = vocab_size
        self.kind = kind
        self.max_len = max_len
        E = hidden_size if embed_size is None else embed_size
        cell = _CELLS[kind]
        self.embed = nn.Embedding(vocab_size, E)
        self.encoder = cell(E, hidden_size, n_layers, batch_first=True)
        self.queries = nn.Embedding(max_len, E)  # one learned input per output step
        self.decoder = cell(E, hidden_size, n_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Read the whole input, then write one logit vector per position."""
        check_tokens("RNNSequenceModel", tokens, self.max_len, self.vocab_size)
        B, T = tokens.shape
        # state: (n_layers, B, H); for the LSTM a pair (h, c) of those
        _, state = self.encoder(self.embed(tokens))  # (B, T) -> (B, T, E) -> state
        steps = torch.arange(T, device=tokens.device)  # (T,)
        q = self.queries(steps).expand(B, T, -1)  # (T, E) -> (B, T, E)
        out, _ = self.decoder(q, state)  # (B, T, E) -> (B, T, H)
        return self.head(out)  # (B, T, H) -> (B, T, V)


class AttentionRNNSequenceModel(nn.Module):
    """Encoder-decoder RNN/GRU/LSTM whose decoder attends over every encoder output.

    The decoder runs as in ``RNNSequenceModel`` (learned position queries, started
    from the encoder's final state); then decoder state $s_t$ scores every encoder
    output $h_j$ by $s_t W_a \\cdot h_j / \\sqrt{H}$, takes the softmax-weighted
    average $c_t$ of the $h_j$, and predicts from $\\tanh(W_c [s_t; c_t])$.

    Args:
        vocab_size: V, the number of token values.
        hidden_size: H, the size of the hidden state. Default: ``128``.
        n_layers: the cells stacked in both encoder and decoder. Default: ``1``.
        max_len: the longest sequence it takes. Default: ``64``.
        embed_size: the size of the token embeddings; ``None`` uses
            ``hidden_size``. Default: ``None``.
        kind: ``"rnn"`` (tanh), ``"gru"`` or ``"lstm"``. Default: ``"gru"``.

    Shape:
        - Input: (B, T) integer tokens in [0, V), T <= max_len
        - Output: (B, T, V) logits, and with ``return_attention=True`` also the
          weights (B, T, T) (row t: output step t over the input positions)

    Example:
        >>> import torch
        >>> from nnlib.blocks import AttentionRNNSequenceModel
        >>> model = AttentionRNNSequenceModel(10, hidden_size=16, kind="lstm")
        >>> logits, weights = model(
        ...     torch.zeros(2, 8, dtype=torch.long), return_attention=True
        ... )
        >>> logits.shape, weights.shape
        (torch.Size([2, 8, 10]), torch.Size([2, 8, 8]))
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int = 128,
        n_layers: int = 1,
        max_len: int = 64,
        embed_size: int | None = None,
        *,
        kind: str = "gru",
    ) -> None:
        super().__init__()
        where = "AttentionRNNSequenceModel"
        for name, value in (
            ("vocab_size", vocab_size),
            ("hidden_size", hidden_size),
            ("n_layers", n_layers),
            ("max_len", max_len),
        ):
            check_int(where, name, value)
        if embed_size is not None:
            check_int(where, "embed_size", embed_size)
        check_choice(where, "kind", kind, sorted(_CELLS))
        self.vocab_size = vocab_size
        self.kind = kind
        self.max_len = max_len
        E, H = (hidden_size if embed_size is None else embed_size), hidden_size
        cell = _CELLS[kind]
        self.embed = nn.Embedding(vocab_size, E)
        self.encoder = cell(E, H, n_layers, batch_first=True)
        self.queries = nn.Embedding(max_len, E)  # one learned input per output step
        self.decoder = cell(E, H, n_layers, batch_first=True)
        self.score = nn.Linear(H, H, bias=False)  # W_a of the "general" score
        self.combine = nn.Linear(2 * H, H)  # W_c: [s_t; c_t] -> H
        self.head = nn.Linear(H, vocab_size)

    def forward(
        self, tokens: torch.Tensor, *, return_attention: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Read the input, write T outputs, each attending over all inputs."""
        check_tokens("AttentionRNNSequenceModel", tokens, self.max_len, self.vocab_size)
        B, T = tokens.shape
        enc, state = self.encoder(self.embed(tokens))  # (B, T) -> (B, T, H), state
        steps = torch.arange(T, device=tokens.device)  # (T,)
        q = self.queries(steps).expand(B, T, -1)  # (T, E) -> (B, T, E)
        dec, _ = self.decoder(q, state)  # (B, T, E) -> (B, T, H)
        # (B, T, H) @ (B, H, T) -> (B, T, T) weights; (B, T, T) @ (B, T, H) -> context
        context, weights = dot_product_attention(self.score(dec), enc, enc)
        out = torch.tanh(self.combine(torch.cat([dec, context], dim=-1)))  # (B, T, H)
        logits = self.head(out)  # (B, T, H) -> (B, T, V)
        return (logits, weights) if return_attention else logits


def gradient_reach(
    model: nn.Module, tokens: torch.Tensor, *, seed: int = 0
) -> torch.Tensor:
    """How strongly each output's gradient reaches each input token's vector.

    Entry (t, s) is the norm of the gradient of $r_t \\cdot \\mathrm{logits}_t$
    (a random projection of output t, as in ``scratch.gradcheck``) with respect to
    the vector of input token s, averaged over the batch. The model must be a token
    model with an ``embed`` layer (``SequenceTransformer``, ``RNNSequenceModel``,
    ``AttentionRNNSequenceModel``); its mode is left as it is.

    Args:
        model: the token model.
        tokens: integer tokens.
        seed: the seed of the random projections. Default: ``0``.

    Shape:
        - tokens: (B, T)
        - Output: (T, T), row t = output position, column s = input position

    Example:
        >>> import torch
        >>> from nnlib.blocks import RNNSequenceModel, gradient_reach
        >>> model = RNNSequenceModel(10, hidden_size=8, kind="gru")
        >>> gradient_reach(model, torch.zeros(2, 5, dtype=torch.long)).shape
        torch.Size([5, 5])
    """
    embed = getattr(model, "embed", None)
    if not isinstance(embed, nn.Embedding):
        raise TypeError(
            "gradient_reach expected a token model with an nn.Embedding `embed`, "
            f"got {type(model).__name__}"
        )
    check_tensor("gradient_reach", tokens, ("B", "T"), name="tokens", floating=False)
    captured = []
    handle = embed.register_forward_hook(lambda m, i, out: captured.append(out))
    try:
        logits = model(tokens)  # (B, T, V); captured[0]: the token vectors (B, T, E)
    finally:
        handle.remove()
    vectors = captured[0]
    generator = torch.Generator().manual_seed(seed)
    r = torch.randn(logits.shape, generator=generator).to(logits)  # same r any dtype
    rows = []
    for t in range(logits.shape[1]):
        projected = (logits[:, t] * r[:, t]).sum()
        (grad,) = torch.autograd.grad(projected, vectors, retain_graph=True)
        rows.append(grad.norm(dim=-1).mean(dim=0))  # (B, T, E) -> (T,)
    return torch.stack(rows).detach()  # (T, T)
