"""nnlib.blocks.rnn: the encoder-decoder sequence model."""

import pytest
import torch

from nnlib.blocks import RNNSequenceModel

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
