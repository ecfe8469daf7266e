"""Neuron: each activation against torch and central differences."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    GRADCHECK_TOL,
    TORCH_TOL,
    batch_sizes,
    features,
    randn,
    randomize_params,
    seeds,
)

from nnlib.scratch import Neuron, gradient_errors

pytestmark = [pytest.mark.ch01, pytest.mark.ch02]

ACTIVATIONS = ["identity", "sigmoid", "relu", "tanh"]
TORCH_ACT = {
    "identity": lambda z: z,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "tanh": torch.tanh,
}


@given(n=batch_sizes, d=features, act=st.sampled_from(ACTIVATIONS), seed=seeds)
def test_neuron_gradcheck(n, d, act, seed):
    rng = np.random.default_rng(seed)
    layer = Neuron(d, activation=act, rng=rng)
    randomize_params(layer, rng)
    errors = gradient_errors(layer, randn(rng, n, d))
    assert set(errors) == {"x", "w", "b"}
    assert max(errors.values()) < GRADCHECK_TOL, errors


@given(n=batch_sizes, d=features, act=st.sampled_from(ACTIVATIONS), seed=seeds)
def test_neuron_matches_torch(n, d, act, seed):
    rng = np.random.default_rng(seed)
    layer = Neuron(d, activation=act, rng=rng)
    randomize_params(layer, rng)
    x, dy = randn(rng, n, d), randn(rng, n)
    y = layer.forward(x)
    dx = layer.backward(dy)

    xt = torch.tensor(x, requires_grad=True)
    w = torch.tensor(layer.params["w"], requires_grad=True)
    b = torch.tensor(layer.params["b"], requires_grad=True)
    yt = TORCH_ACT[act](xt @ w + b)
    yt.backward(torch.tensor(dy))
    assert y.shape == (n,)
    np.testing.assert_allclose(y, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(layer.grads["w"], w.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(layer.grads["b"], b.grad.numpy(), **TORCH_TOL)
    assert layer.grads["b"].shape == ()


def test_neuron_rejects_unknown_activation_and_bad_input():
    with pytest.raises(ValueError, match="Neuron expected activation .*got 'softplus'"):
        Neuron(3, activation="softplus")
    with pytest.raises(
        ValueError, match=r"Neuron expected input \(N, 3\), got \(5, 2\)"
    ):
        Neuron(3).forward(np.zeros((5, 2)))


def test_neuron_fits_a_line_with_gradient_descent():
    # y = 2x - 1 exactly: plain gradient descent on MSE must recover a and b.
    x = np.linspace(-1, 1, 20)[:, None]
    y = 2 * x[:, 0] - 1
    neuron = Neuron(1, rng=np.random.default_rng(0))
    for _ in range(500):
        pred = neuron.forward(x)
        neuron.backward(2 * (pred - y) / len(y))
        for name in neuron.params:
            neuron.params[name] -= 0.5 * neuron.grads[name]
    # the loss is a convex quadratic; 500 steps shrink the error far below 1e-6
    assert neuron.params["w"][0] == pytest.approx(2, abs=1e-6)
    assert float(neuron.params["b"]) == pytest.approx(-1, abs=1e-6)
    assert repr(neuron) == "Neuron(1, activation='identity')"
