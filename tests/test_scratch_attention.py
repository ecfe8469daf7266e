"""MultiHeadSelfAttention against torch.nn.MultiheadAttention and gradcheck."""

import numpy as np
import pytest
import torch
from hypothesis import given
from strategies import (
    GRADCHECK_TOL,
    TORCH_TOL,
    attention_configs,
    randn,
    randomize_params,
    seeds,
)

from nnlib.scratch import MultiHeadSelfAttention, gradient_errors

pytestmark = pytest.mark.ch10


def make(cfg, rng):
    layer = MultiHeadSelfAttention(
        cfg["d_model"], cfg["heads"], causal=cfg["causal"], rng=rng
    )
    randomize_params(layer, rng)
    return layer, randn(rng, cfg["N"], cfg["T"], cfg["d_model"])


@given(cfg=attention_configs(), seed=seeds)
def test_attention_gradcheck(cfg, seed):
    layer, x = make(cfg, np.random.default_rng(seed))
    errors = gradient_errors(layer, x)
    assert set(errors) == {"x", "Wq", "Wk", "Wv", "Wo", "bq", "bk", "bv", "bo"}
    assert max(errors.values()) < GRADCHECK_TOL, errors


@given(cfg=attention_configs(), seed=seeds)
def test_attention_matches_torch_multihead_attention(cfg, seed):
    rng = np.random.default_rng(seed)
    layer, x = make(cfg, rng)
    y = layer.forward(x)
    dy = randn(rng, *y.shape)
    dx = layer.backward(dy)

    D, T, p = cfg["d_model"], cfg["T"], layer.params
    ref = torch.nn.MultiheadAttention(D, cfg["heads"], batch_first=True).double()
    with torch.no_grad():  # torch stacks the transposed q, k, v weights
        ref.in_proj_weight.copy_(
            torch.tensor(np.concatenate([p["Wq"].T, p["Wk"].T, p["Wv"].T]))
        )
        ref.in_proj_bias.copy_(
            torch.tensor(np.concatenate([p["bq"], p["bk"], p["bv"]]))
        )
        ref.out_proj.weight.copy_(torch.tensor(p["Wo"].T))
        ref.out_proj.bias.copy_(torch.tensor(p["bo"]))
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1) if cfg["causal"] else None
    xt = torch.tensor(x, requires_grad=True)
    yt, weights = ref(xt, xt, xt, attn_mask=mask, average_attn_weights=False)
    yt.backward(torch.tensor(dy))

    np.testing.assert_allclose(y, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(layer.attention, weights.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)
    w_grads = ref.in_proj_weight.grad.numpy().reshape(3, D, D)
    b_grads = ref.in_proj_bias.grad.numpy().reshape(3, D)
    for i, name in enumerate("qkv"):
        np.testing.assert_allclose(layer.grads[f"W{name}"], w_grads[i].T, **TORCH_TOL)
        np.testing.assert_allclose(layer.grads[f"b{name}"], b_grads[i], **TORCH_TOL)
    np.testing.assert_allclose(
        layer.grads["Wo"], ref.out_proj.weight.grad.T.numpy(), **TORCH_TOL
    )
    np.testing.assert_allclose(
        layer.grads["bo"], ref.out_proj.bias.grad.numpy(), **TORCH_TOL
    )


def test_causal_attention_ignores_the_future():
    rng = np.random.default_rng(0)
    layer = MultiHeadSelfAttention(8, 2, causal=True, rng=rng)
    x = randn(rng, 1, 6, 8)
    y = layer.forward(x)
    assert np.all(np.triu(layer.attention[0, 0], 1) == 0)  # no weight on later keys
    x2 = x.copy()
    x2[:, 4:] += 10.0  # change only the last two positions
    y2 = layer.forward(x2)
    np.testing.assert_allclose(
        y2[:, :4], y[:, :4], rtol=1e-12
    )  # earlier outputs unchanged
    assert layer.attention.shape == (1, 2, 6, 6)


def test_attention_errors_and_repr():
    with pytest.raises(
        ValueError, match="d_model divisible by n_heads, got d_model=10, n_heads=4"
    ):
        MultiHeadSelfAttention(10, 4)
    layer = MultiHeadSelfAttention(64, 4)
    with pytest.raises(
        ValueError, match=r"expected input \(N, T, 64\), got \(2, 5, 32\)"
    ):
        layer.forward(np.zeros((2, 5, 32)))
    assert repr(layer) == "MultiHeadSelfAttention(d_model=64, n_heads=4, causal=False)"
