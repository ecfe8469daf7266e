"""Dense: gradients by central differences and against torch, and shape errors."""

import numpy as np
import pytest
import torch
from hypothesis import given
from strategies import (
    GRADCHECK_TOL,
    TORCH_TOL,
    batch_sizes,
    features,
    randn,
    randomize_params,
    seeds,
)

from nnlib.scratch import Dense, gradient_errors

pytestmark = pytest.mark.ch03


@given(n=batch_sizes, fin=features, fout=features, seed=seeds)
def test_dense_gradcheck(n, fin, fout, seed):
    rng = np.random.default_rng(seed)
    layer = Dense(fin, fout, rng=rng)
    randomize_params(layer, rng)
    errors = gradient_errors(layer, randn(rng, n, fin))
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < GRADCHECK_TOL, errors


@given(n=batch_sizes, fin=features, fout=features, seed=seeds)
def test_dense_matches_torch(n, fin, fout, seed):
    rng = np.random.default_rng(seed)
    layer = Dense(fin, fout, rng=rng)
    randomize_params(layer, rng)
    x, dy = randn(rng, n, fin), randn(rng, n, fout)
    y = layer.forward(x)
    dx = layer.backward(dy)

    xt = torch.tensor(x, requires_grad=True)
    W = torch.tensor(layer.params["W"], requires_grad=True)
    b = torch.tensor(layer.params["b"], requires_grad=True)
    yt = torch.nn.functional.linear(xt, W.T, b)  # torch keeps W as (out, in)
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(layer.grads["W"], W.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(layer.grads["b"], b.grad.numpy(), **TORCH_TOL)


def test_dense_error_names_expected_and_received_shape():
    layer = Dense(64, 10)
    with pytest.raises(
        ValueError, match=r"Dense expected input \(N, 64\), got \(32, 63\)"
    ):
        layer.forward(np.zeros((32, 63)))
    with pytest.raises(ValueError, match=r"got \(64,\)"):
        layer.forward(np.zeros(64))  # a single sample needs a batch axis


def test_dense_backward_checks_dy_shape():
    layer = Dense(3, 2)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"expected dy \(4, 2\).*got \(4, 3\)"):
        layer.backward(np.ones((4, 3)))


def test_dense_repr_and_param_shapes():
    layer = Dense(64, 128)
    assert repr(layer) == "Dense(64, 128)"
    assert layer.params["W"].shape == (64, 128)
    assert layer.params["b"].shape == (128,)


def test_dense_init_choices():
    he = Dense(400, 300, rng=np.random.default_rng(1))
    xavier = Dense(400, 300, rng=np.random.default_rng(1), init="xavier")
    # He normal: std sqrt(2/400) = 0.0707; Glorot uniform: std sqrt(2/700) = 0.0535.
    # 120,000 draws put the sample std within 1 % of the true one.
    assert he.params["W"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert xavier.params["W"].std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)
    with pytest.raises(ValueError, match="Dense expected init as one of 'xavier'"):
        Dense(2, 2, init="zeros")
