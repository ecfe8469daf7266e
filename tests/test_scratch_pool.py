"""MaxPool2D and AvgPool2D against torch and central differences."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK_TOL, TORCH_TOL, pool_configs, randn, seeds

from nnlib.scratch import AvgPool2D, MaxPool2D, gradcheck

pytestmark = pytest.mark.ch08

POOLS = {"max": (MaxPool2D, TF.max_pool2d), "avg": (AvgPool2D, TF.avg_pool2d)}


@given(kind=st.sampled_from(sorted(POOLS)), cfg=pool_configs(), seed=seeds)
def test_pool_gradcheck(kind, cfg, seed):
    layer = POOLS[kind][0](cfg["k"], stride=cfg["s"])
    x = randn(np.random.default_rng(seed), cfg["N"], cfg["C"], cfg["H"], cfg["W"])
    assert gradcheck(layer, x) < GRADCHECK_TOL


@given(kind=st.sampled_from(sorted(POOLS)), cfg=pool_configs(), seed=seeds)
def test_pool_matches_torch(kind, cfg, seed):
    make, torch_fn = POOLS[kind]
    layer = make(cfg["k"], stride=cfg["s"])
    rng = np.random.default_rng(seed)
    x = randn(rng, cfg["N"], cfg["C"], cfg["H"], cfg["W"])
    y = layer.forward(x)
    s = cfg["s"] or cfg["k"]
    assert y.shape[2:] == (
        (cfg["H"] - cfg["k"]) // s + 1,
        (cfg["W"] - cfg["k"]) // s + 1,
    )
    dy = randn(rng, *y.shape)
    dx = layer.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch_fn(xt, cfg["k"], cfg["s"])
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)


def test_maxpool_ties_send_the_gradient_to_the_first_maximum_like_torch():
    # all-equal windows (e.g. zeros after a ReLU) are where implementations differ
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 2:, 2:] = [[1.0, 1.0], [1.0, 0.0]]
    for k, s in [(2, 2), (2, 1), (3, 1)]:
        layer = MaxPool2D(k, stride=s)
        y = layer.forward(x)
        dx = layer.backward(np.ones_like(y))
        xt = torch.tensor(x, requires_grad=True)
        TF.max_pool2d(xt, k, s).sum().backward()
        np.testing.assert_array_equal(dx, xt.grad.numpy())


def test_pool_errors_and_repr():
    with pytest.raises(
        ValueError, match=r"MaxPool2D expected input \(N, C, H, W\), got \(4, 4\)"
    ):
        MaxPool2D(2).forward(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"kernel_size.*got input \(1, 1, 1, 4\)"):
        AvgPool2D(2).forward(np.zeros((1, 1, 1, 4)))
    assert repr(MaxPool2D(2)) == "MaxPool2D(kernel_size=2, stride=2)"
    assert repr(AvgPool2D(3, stride=1)) == "AvgPool2D(kernel_size=3, stride=1)"
