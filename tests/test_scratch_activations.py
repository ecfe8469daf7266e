"""Activation layers (ReLU, LeakyReLU, Sigmoid, Tanh, Softmax) and Flatten."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK_TOL, TORCH_TOL, randn, seeds

from nnlib.scratch import (
    Flatten,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    gradcheck,
)

pytestmark = pytest.mark.ch02

LAYERS = {
    "ReLU": (ReLU, torch.relu),
    "LeakyReLU": (lambda: LeakyReLU(alpha=0.2), lambda t: TF.leaky_relu(t, 0.2)),
    "Sigmoid": (Sigmoid, torch.sigmoid),
    "Tanh": (Tanh, torch.tanh),
    "Softmax": (Softmax, lambda t: torch.softmax(t, dim=-1)),
    "Flatten": (Flatten, lambda t: t.flatten(1)),
}
shapes = st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple)


@given(name=st.sampled_from(sorted(LAYERS)), shape=shapes, seed=seeds)
def test_activation_gradcheck(name, shape, seed):
    layer = LAYERS[name][0]()
    x = 2 * randn(np.random.default_rng(seed), *shape)
    assert gradcheck(layer, x) < GRADCHECK_TOL


@given(name=st.sampled_from(sorted(LAYERS)), shape=shapes, seed=seeds)
def test_activation_matches_torch(name, shape, seed):
    make, torch_fn = LAYERS[name]
    layer = make()
    rng = np.random.default_rng(seed)
    x = 3 * randn(rng, *shape)
    y = layer.forward(x)
    dy = randn(rng, *y.shape)
    dx = layer.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_fn(xt)
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)


def test_gradient_at_the_kink_follows_torch():
    # at exactly 0 torch uses slope 0 for ReLU and alpha for LeakyReLU
    x = np.array([[-1.0, 0.0, 1.0]])
    relu, leaky = ReLU(), LeakyReLU(alpha=0.1)
    relu.forward(x)
    leaky.forward(x)
    np.testing.assert_array_equal(relu.backward(np.ones((1, 3))), [[0, 0, 1]])
    np.testing.assert_allclose(leaky.backward(np.ones((1, 3))), [[0.1, 0.1, 1]])


def test_sigmoid_and_softmax_are_stable_for_huge_inputs():
    x = np.array([[-1000.0, 0.0, 1000.0]])
    with np.errstate(
        over="raise", invalid="raise", divide="raise"
    ):  # underflow is fine
        s = Sigmoid().forward(x)
        p = Softmax().forward(x)
    np.testing.assert_array_equal(s, [[0.0, 0.5, 1.0]])
    np.testing.assert_array_equal(p, [[0.0, 0.0, 1.0]])


def test_softmax_rows_sum_to_one_and_leaky_repr():
    p = Softmax().forward(randn(np.random.default_rng(0), 5, 7))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)
    assert repr(LeakyReLU(alpha=0.2)) == "LeakyReLU(alpha=0.2)"
    assert repr(ReLU()) == "ReLU()"


def test_flatten_shapes_and_errors():
    layer = Flatten()
    x = np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)
    y = layer.forward(x)
    assert y.shape == (2, 60)
    assert layer.backward(np.ones((2, 60))).shape == (2, 3, 4, 5)
    with pytest.raises(
        ValueError, match=r"Flatten expected input \(N, \.\.\.\), got \(5,\)"
    ):
        layer.forward(np.zeros(5))
    with pytest.raises(ValueError, match=r"expected dy \(2, 60\)"):
        layer.backward(np.ones((2, 59)))
