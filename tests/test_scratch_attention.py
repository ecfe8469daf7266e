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


def attention_loops(layer, x, dy):
    """Slow, obviously correct attention: one sample and one head at a time.

    Returns the output, the attention weights, dx and the parameter gradients.
    """
    p = layer.params
    N, T, D = x.shape
    h = layer.n_heads
    d = D // h
    y, A_all = np.zeros_like(x), np.zeros((N, h, T, T))
    dx = np.zeros_like(x)
    grads = {name: np.zeros_like(value) for name, value in p.items()}
    for n in range(N):
        Q = x[n] @ p["Wq"] + p["bq"]  # (T, D)
        K = x[n] @ p["Wk"] + p["bk"]
        V = x[n] @ p["Wv"] + p["bv"]
        context = np.zeros((T, D))
        for head in range(h):
            f = slice(head * d, (head + 1) * d)  # this head's features
            for t in range(T):  # one query at a time
                s = Q[t, f] @ K[:, f].T / np.sqrt(d)  # (T,)
                if layer.causal:
                    s[t + 1 :] = -np.inf
                e = np.exp(s - s.max())
                A_all[n, head, t] = e / e.sum()
            context[:, f] = A_all[n, head] @ V[:, f]
        y[n] = context @ p["Wo"] + p["bo"]
        # backward, the chain rule one product at a time
        grads["Wo"] += context.T @ dy[n]
        grads["bo"] += dy[n].sum(axis=0)
        dcontext = dy[n] @ p["Wo"].T
        dQ, dK, dV = np.zeros((T, D)), np.zeros((T, D)), np.zeros((T, D))
        for head in range(h):
            f = slice(head * d, (head + 1) * d)
            A = A_all[n, head]
            dA = dcontext[:, f] @ V[:, f].T
            dV[:, f] = A.T @ dcontext[:, f]
            dS = np.zeros((T, T))
            for t in range(T):  # softmax's Jacobian, row by row
                J = np.diag(A[t]) - np.outer(A[t], A[t])
                dS[t] = J @ dA[t]
            dQ[:, f] = dS @ K[:, f] / np.sqrt(d)
            dK[:, f] = dS.T @ Q[:, f] / np.sqrt(d)
        for name, dP in (("q", dQ), ("k", dK), ("v", dV)):
            grads[f"W{name}"] += x[n].T @ dP
            grads[f"b{name}"] += dP.sum(axis=0)
            dx[n] += dP @ p[f"W{name}"].T
    return y, A_all, dx, grads


@given(cfg=attention_configs(), seed=seeds)
def test_attention_matches_a_loop_reference(cfg, seed):
    # float64 to 1e-12 of the largest entry: the batched layer changes only
    # the order of the sums (bk's gradient is 0 up to rounding, so it is
    # compared against the scale of all the weight gradients)
    rng = np.random.default_rng(seed)
    layer, x = make(cfg, rng)
    y = layer.forward(x)
    dy = randn(rng, *y.shape)
    dx = layer.backward(dy)
    y_ref, A_ref, dx_ref, grads_ref = attention_loops(layer, x, dy)
    for actual, expected in ((y, y_ref), (layer.attention, A_ref), (dx, dx_ref)):
        scale = np.abs(expected).max()
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12 * scale)
    scale = max(np.abs(g).max() for g in grads_ref.values())
    for name, expected in grads_ref.items():
        np.testing.assert_allclose(
            layer.grads[name], expected, rtol=1e-12, atol=1e-12 * scale, err_msg=name
        )
