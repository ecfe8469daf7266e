"""Conv2D: gradients by central differences and against torch's conv2d."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from strategies import (
    GRADCHECK_TOL,
    TORCH_TOL,
    conv_configs,
    randn,
    randomize_params,
    seeds,
)

from nnlib.scratch import Conv2D, functional, gradient_errors

pytestmark = pytest.mark.ch08


def make(cfg, rng):
    layer = Conv2D(
        cfg["C"], cfg["F"], cfg["k"], stride=cfg["s"], padding=cfg["p"], rng=rng
    )
    randomize_params(layer, rng)
    x = randn(rng, cfg["N"], cfg["C"], cfg["H"], cfg["W"])
    return layer, x


@given(cfg=conv_configs(), seed=seeds)
def test_conv_gradcheck(cfg, seed):
    layer, x = make(cfg, np.random.default_rng(seed))
    errors = gradient_errors(layer, x)
    assert max(errors.values()) < GRADCHECK_TOL, errors


@given(cfg=conv_configs(), seed=seeds)
def test_conv_matches_torch(cfg, seed):
    rng = np.random.default_rng(seed)
    layer, x = make(cfg, rng)
    y = layer.forward(x)
    Ho = (cfg["H"] + 2 * cfg["p"] - cfg["k"]) // cfg["s"] + 1
    Wo = (cfg["W"] + 2 * cfg["p"] - cfg["k"]) // cfg["s"] + 1
    assert y.shape == (cfg["N"], cfg["F"], Ho, Wo)
    dy = randn(rng, *y.shape)
    dx = layer.backward(dy)

    xt = torch.tensor(x, requires_grad=True)
    W = torch.tensor(layer.params["W"], requires_grad=True)
    b = torch.tensor(layer.params["b"], requires_grad=True)
    yt = TF.conv2d(xt, W, b, stride=cfg["s"], padding=cfg["p"])
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(layer.grads["W"], W.grad.numpy(), **TORCH_TOL)
    np.testing.assert_allclose(layer.grads["b"], b.grad.numpy(), **TORCH_TOL)
    # the functional form is the same computation
    np.testing.assert_allclose(
        functional.conv2d(x, layer.params["W"], layer.params["b"], cfg["s"], cfg["p"]),
        y,
        **TORCH_TOL,
    )


def test_conv_rectangular_kernel_stride_padding():
    rng = np.random.default_rng(3)
    layer = Conv2D(2, 3, (3, 2), stride=(2, 1), padding=(1, 0), rng=rng)
    randomize_params(layer, rng)
    x = randn(rng, 2, 2, 7, 6)
    y = layer.forward(x)
    yt = TF.conv2d(
        torch.tensor(x),
        torch.tensor(layer.params["W"]),
        torch.tensor(layer.params["b"]),
        stride=(2, 1),
        padding=(1, 0),
    )
    np.testing.assert_allclose(y, yt.numpy(), **TORCH_TOL)
    assert gradient_errors(layer, x)["W"] < GRADCHECK_TOL
    assert (
        repr(layer) == "Conv2D(2, 3, kernel_size=(3, 2), stride=(2, 1), padding=(1, 0))"
    )


def test_conv_errors_name_expected_and_received_shapes():
    layer = Conv2D(3, 8, 3)
    with pytest.raises(
        ValueError, match=r"Conv2D expected input \(N, 3, H, W\), got \(2, 1, 8, 8\)"
    ):
        layer.forward(np.zeros((2, 1, 8, 8)))
    with pytest.raises(
        ValueError, match=r"expected input \(N, 3, H, W\), got \(3, 8, 8\)"
    ):
        layer.forward(np.zeros((3, 8, 8)))  # a single image without the batch axis
    with pytest.raises(
        ValueError, match=r"H \+ 2\*padding >= kernel_size.*got input \(1, 3, 2, 8\)"
    ):
        layer.forward(np.zeros((1, 3, 2, 8)))
    with pytest.raises(ValueError, match="stride expected a positive int, got 0"):
        Conv2D(1, 1, 3, stride=0)


def test_im2col_and_col2im_are_adjoint():
    # <im2col(x), c> == <x, col2im(c)> for every x and c: col2im sends gradients
    # back exactly where im2col took the values from (overlaps included).
    rng = np.random.default_rng(0)
    x = randn(rng, 2, 3, 7, 6)
    cols = functional.im2col(x, (3, 2), (2, 1))
    c = randn(rng, *cols.shape)
    lhs = np.sum(cols * c)
    rhs = np.sum(x * functional.col2im(c, x.shape, (3, 2), (2, 1)))
    assert lhs == pytest.approx(rhs, rel=1e-12)  # the same sum in another order
