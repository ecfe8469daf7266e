"""LayerNorm against torch's layer_norm and central differences."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK_TOL, TORCH_TOL, randn, randomize_params, seeds

from nnlib.scratch import LayerNorm, gradient_errors

pytestmark = pytest.mark.ch10

lead_shapes = st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple)


@given(lead=lead_shapes, d=st.integers(1, 6), seed=seeds)
def test_layernorm_gradcheck(lead, d, seed):
    rng = np.random.default_rng(seed)
    layer = LayerNorm(d)
    randomize_params(layer, rng)
    errors = gradient_errors(layer, randn(rng, *lead, d))
    assert max(errors.values()) < GRADCHECK_TOL, errors


@given(lead=lead_shapes, d=st.integers(1, 6), seed=seeds)
def test_layernorm_matches_torch(lead, d, seed):
    rng = np.random.default_rng(seed)
    layer = LayerNorm(d)
    randomize_params(layer, rng)
    x = randn(rng, *lead, d)
    dy = randn(rng, *lead, d)
    y = layer.forward(x)
    dx = layer.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    g = torch.tensor(layer.params["gamma"], requires_grad=True)
    b = torch.tensor(layer.params["beta"], requires_grad=True)
    yt = TF.layer_norm(xt, (d,), g, b, eps=1e-5)
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(layer.grads["gamma"], g.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(layer.grads["beta"], b.grad.numpy(), **TORCH_TOL)


def test_layernorm_errors_and_repr():
    with pytest.raises(
        ValueError, match=r"LayerNorm expected input \(\.\.\., 8\), got \(2, 7\)"
    ):
        LayerNorm(8).forward(np.zeros((2, 7)))
    assert repr(LayerNorm(8)) == "LayerNorm(8, eps=1e-05)"
