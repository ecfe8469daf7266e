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
        functional.conv2d(
            x, layer.params["W"], layer.params["b"], stride=cfg["s"], padding=cfg["p"]
        ),
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
    with pytest.raises(ValueError, match="Conv2D expected stride >= 1, got 0"):
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


def conv_loops(x, W, b, dy, s, p):
    """Slow, obviously correct Conv2D: one window at a time, forward and backward."""
    N, C, H, W_ = x.shape
    F, _, kH, kW = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    Ho, Wo = (H + 2 * p - kH) // s + 1, (W_ + 2 * p - kW) // s + 1
    y = np.zeros((N, F, Ho, Wo))
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    rows, cols = slice(i * s, i * s + kH), slice(j * s, j * s + kW)
                    y[n, f, i, j] = np.sum(xp[n, :, rows, cols] * W[f]) + b[f]
                    dxp[n, :, rows, cols] += dy[n, f, i, j] * W[f]
                    dW[f] += dy[n, f, i, j] * xp[n, :, rows, cols]
    dx = dxp[:, :, p : p + H, p : p + W_]
    return y, dx, dW, dy.sum(axis=(0, 2, 3))


def assert_close_to(actual, expected, rel=1e-12):
    """Equal up to ``rel`` of the largest entry: rounding, nothing more."""
    scale = max(np.abs(expected).max(initial=0.0), 1e-300)
    np.testing.assert_allclose(actual, expected, rtol=rel, atol=rel * scale)


@given(cfg=conv_configs(), seed=seeds)
def test_conv_matches_a_loop_reference(cfg, seed):
    # float64 to 1e-12: the vectorised layer changes only the order of the sums
    rng = np.random.default_rng(seed)
    layer, x = make(cfg, rng)
    y = layer.forward(x)
    dy = randn(rng, *y.shape)
    dx = layer.backward(dy)
    W, b = layer.params["W"], layer.params["b"]
    y_ref, dx_ref, dW_ref, db_ref = conv_loops(x, W, b, dy, cfg["s"], cfg["p"])
    assert_close_to(y, y_ref)
    assert_close_to(dx, dx_ref)
    assert_close_to(layer.grads["W"], dW_ref)
    assert_close_to(layer.grads["b"], db_ref)


def test_conv_loop_reference_at_a_course_size():
    # the benchmark's shapes, smaller batch: 16 -> 32 channels, 3x3, padding 1
    rng = np.random.default_rng(1)
    layer = Conv2D(16, 32, 3, padding=1, rng=rng)
    randomize_params(layer, rng)
    x = randn(rng, 2, 16, 12, 12)
    dy = randn(rng, 2, 32, 12, 12)
    y, dx = layer.forward(x), layer.backward(dy)
    y_ref, dx_ref, dW_ref, db_ref = conv_loops(
        x, layer.params["W"], layer.params["b"], dy, 1, 1
    )
    assert_close_to(y, y_ref)
    assert_close_to(dx, dx_ref)
    assert_close_to(layer.grads["W"], dW_ref)
    assert_close_to(layer.grads["b"], db_ref)
