"""RNN (backpropagation through time) against torch.nn.RNN and central differences."""

import numpy as np
import pytest
import torch
from hypothesis import given
from strategies import (
    GRADCHECK_TOL,
    TORCH_TOL,
    randn,
    randomize_params,
    rnn_configs,
    seeds,
)

from nnlib.scratch import RNN, gradient_errors

pytestmark = pytest.mark.ch09


def make(cfg, rng):
    layer = RNN(cfg["D"], cfg["H"], rng=rng)
    randomize_params(layer, rng)
    return layer, randn(rng, cfg["N"], cfg["T"], cfg["D"])


@given(cfg=rnn_configs(), seed=seeds)
def test_rnn_gradcheck(cfg, seed):
    layer, x = make(cfg, np.random.default_rng(seed))
    errors = gradient_errors(layer, x)
    assert set(errors) == {"x", "Wx", "Wh", "b"}
    assert max(errors.values()) < GRADCHECK_TOL, errors


@given(cfg=rnn_configs(), seed=seeds)
def test_rnn_matches_torch_rnn(cfg, seed):
    rng = np.random.default_rng(seed)
    layer, x = make(cfg, rng)
    y = layer.forward(x)
    dy = randn(rng, *y.shape)
    dx = layer.backward(dy)

    ref = torch.nn.RNN(cfg["D"], cfg["H"], batch_first=True).double()
    with torch.no_grad():  # torch stores transposed weights and two biases
        ref.weight_ih_l0.copy_(torch.tensor(layer.params["Wx"].T))
        ref.weight_hh_l0.copy_(torch.tensor(layer.params["Wh"].T))
        ref.bias_ih_l0.copy_(torch.tensor(layer.params["b"]))
        ref.bias_hh_l0.zero_()
    xt = torch.tensor(x, requires_grad=True)
    yt, _ = ref(xt)
    yt.backward(torch.tensor(dy))
    assert y.shape == (cfg["N"], cfg["T"], cfg["H"])
    np.testing.assert_allclose(y, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(
        layer.grads["Wx"], ref.weight_ih_l0.grad.T.numpy(), **TORCH_TOL
    )
    np.testing.assert_allclose(
        layer.grads["Wh"], ref.weight_hh_l0.grad.T.numpy(), **TORCH_TOL
    )
    np.testing.assert_allclose(
        layer.grads["b"], ref.bias_ih_l0.grad.numpy(), **TORCH_TOL
    )


def test_rnn_gradient_vanishes_with_distance_in_time():
    # dL/dx_0 for a loss on the last step shrinks as the sequence grows: the
    # effect chapter 9 plots. Small recurrent weights make the shrinking certain.
    rng = np.random.default_rng(0)
    layer = RNN(4, 8, rng=rng)
    layer.params["Wh"] *= 0.5
    norms = []
    for T in (2, 10, 30):
        x = randn(rng, 1, T, 4)
        y = layer.forward(x)
        dy = np.zeros_like(y)
        dy[:, -1] = 1.0
        norms.append(np.linalg.norm(layer.backward(dy)[:, 0]))
    assert norms[0] > norms[1] > norms[2]


def test_rnn_errors_and_repr():
    layer = RNN(16, 64)
    with pytest.raises(
        ValueError, match=r"RNN expected input \(N, T, 16\), got \(32, 20, 15\)"
    ):
        layer.forward(np.zeros((32, 20, 15)))
    assert repr(layer) == "RNN(16, 64)"
