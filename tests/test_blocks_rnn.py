"""nnlib.blocks.rnn: the encoder-decoder sequence model."""

import pytest
import torch

from nnlib.blocks import AttentionRNNSequenceModel, RNNSequenceModel, gradient_reach

pytestmark = pytest.mark.ch09


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_every_output_depends_on_every_input(kind):
    # Reversal needs output 0 to see input T-1: the encoder reads everything first.
    torch.manual_seed(0)
    model = RNNSequenceModel(10, kind=kind, hidden_size=16, max_len=8).double()
    emb = model.embed(torch.randint(0, 10, (1, 6))).detach().requires_grad_(True)
    _, state = model.encoder(emb)
    steps = torch.arange(6)
    out, _ = model.decoder(model.queries(steps)[None], state)
    out[0, 0].sum().backward()  # the first output ...
    assert emb.grad[0, -1].abs().sum() > 0  # ... depends on the last input


def test_decoder_sees_the_input_only_through_the_encoder_state():
    torch.manual_seed(0)
    model = RNNSequenceModel(10, kind="gru", hidden_size=8, max_len=8).eval()
    a = torch.randint(0, 10, (1, 5))
    b = a.clone()
    b[0, 2] = (b[0, 2] + 1) % 10
    _, state_a = model.encoder(model.embed(a))
    _, state_b = model.encoder(model.embed(b))
    assert not torch.allclose(state_a, state_b)
    assert not torch.allclose(model(a), model(b))


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="RNNSequenceModel expected kind as one of"):
        RNNSequenceModel(10, kind="transformer")
    model = RNNSequenceModel(10, max_len=4)
    with pytest.raises(ValueError, match="max_len=4"):
        model(torch.zeros(2, 5, dtype=torch.long))
    with pytest.raises(TypeError, match="integer token ids"):
        model(torch.zeros(2, 3))


# --- lecture 10: the attention encoder-decoder and gradient_reach -------------------


@pytest.mark.ch10
@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_attention_model_shapes_and_weights(kind):
    from blocks_checks import assert_every_parameter_learns

    torch.manual_seed(0)
    model = AttentionRNNSequenceModel(10, hidden_size=16, max_len=8, kind=kind)
    tokens = torch.randint(0, 10, (3, 7))
    logits, weights = model(tokens, return_attention=True)
    assert logits.shape == (3, 7, 10) and weights.shape == (3, 7, 7)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 7))
    torch.testing.assert_close(model(tokens), logits, rtol=0, atol=0)
    assert_every_parameter_learns(model, tokens)


@pytest.mark.ch10
def test_gradient_reach_equals_the_projected_jacobian():
    # the definition, entry by entry, from the full Jacobian (float64)
    torch.manual_seed(0)
    model = AttentionRNNSequenceModel(10, hidden_size=6, max_len=8, kind="gru")
    model = model.double()
    tokens = torch.randint(0, 10, (2, 5))
    vectors = model.embed(tokens).detach()  # (B, T, E)

    def logits_of(v):
        hook = model.embed.register_forward_hook(lambda m, i, out: v)
        try:
            return model(tokens)
        finally:
            hook.remove()

    J = torch.autograd.functional.jacobian(logits_of, vectors)  # (B, T, V, B, T, E)
    r = torch.randn((2, 5, 10), generator=torch.Generator().manual_seed(0))
    r = r.double()
    expected = torch.zeros(5, 5, dtype=torch.float64)
    for b in range(2):
        # sum_v r[b, t, v] * d logits[b, t, v] / d vectors[b, s, :]
        g = torch.einsum("tv,tvse->tse", r[b], J[b, :, :, b])  # (T, T, E)
        expected += g.norm(dim=-1) / 2
    torch.testing.assert_close(
        gradient_reach(model, tokens), expected, atol=1e-12, rtol=0
    )


@pytest.mark.ch10
def test_attention_removes_the_vanishing_path():
    # At length 32, untrained: the plain LSTM encoder-decoder's output 31 reaches
    # input 0 only through 62 recurrent steps; with attention it reaches it directly.
    # Measured (seed 0): plain ~1e-14, attention ~5e-3; thresholds leave 1e3 each way.
    torch.manual_seed(0)
    tokens = torch.randint(0, 10, (16, 32))
    plain = RNNSequenceModel(10, hidden_size=26, max_len=32, kind="lstm")
    attention = AttentionRNNSequenceModel(10, hidden_size=26, max_len=32, kind="lstm")
    assert gradient_reach(plain, tokens)[31, 0] < 1e-10
    assert gradient_reach(attention, tokens)[31, 0] > 1e-5


@pytest.mark.ch10
def test_gradient_reach_of_a_causal_model_is_zero_above_the_diagonal():
    from nnlib.blocks import SequenceTransformer

    torch.manual_seed(0)
    model = SequenceTransformer(10, max_len=8, d_model=16, n_heads=2, causal=True)
    G = gradient_reach(model, torch.randint(0, 10, (4, 6)))
    allowed = torch.ones(6, 6, dtype=torch.bool).tril()  # s <= t
    assert (G[~allowed] == 0).all() and (G[allowed] > 0).all()


@pytest.mark.ch10
def test_attention_model_and_gradient_reach_reject_bad_input():
    with pytest.raises(ValueError, match="AttentionRNNSequenceModel expected kind"):
        AttentionRNNSequenceModel(10, kind="transformer")
    with pytest.raises(TypeError):
        AttentionRNNSequenceModel(10, 16, 1, 8, None, "gru")  # kind is keyword-only
    model = AttentionRNNSequenceModel(10, hidden_size=8, max_len=4)
    with pytest.raises(ValueError, match="max_len=4"):
        model(torch.zeros(2, 5, dtype=torch.long))
    with pytest.raises(TypeError, match="gradient_reach expected a token model"):
        gradient_reach(torch.nn.Linear(2, 2), torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"gradient_reach expected tokens \(B, T\)"):
        gradient_reach(model, torch.zeros(3, dtype=torch.long))
