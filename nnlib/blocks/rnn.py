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
"""

import torch
from torch import nn

from nnlib._checks import check_choice, check_int, check_tokens

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
