"""nnlib.blocks.efficientnet: separable convolution, compound scaling (chapter 12)."""

import pytest
import torch
from blocks_checks import assert_every_parameter_learns, gradcheck_module
from dtype_rule import check_float16_input, check_float64_input
from torch import nn
from torch.nn import functional as F

from nnlib.blocks import ScalableCNN, SeparableConv2d, compound_scaling, model_cost

pytestmark = pytest.mark.ch12


def n_params(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize(
    ("c_in", "c_out", "k", "bias"),
    [(1, 1, 1, True), (3, 8, 3, True), (8, 16, 5, False), (4, 2, (3, 1), True)],
)
def test_separable_parameter_count_is_the_formula(c_in, c_out, k, bias):
    kh, kw = (k, k) if isinstance(k, int) else k
    expected = c_in * kh * kw + c_in * c_out + (c_out if bias else 0)
    assert n_params(SeparableConv2d(c_in, c_out, k, bias=bias)) == expected
    full = c_in * c_out * kh * kw + c_out
    assert n_params(nn.Conv2d(c_in, c_out, k)) == full  # what it replaces


@pytest.mark.parametrize(
    ("k", "stride", "padding", "size"),
    [
        (3, 1, 1, 7),
        (3, 2, 0, 8),
        (5, 2, 2, 9),
        ((3, 1), (1, 2), (1, 0), 6),
        (1, 1, 0, 4),
    ],
)
def test_separable_equals_a_full_convolution_with_a_rank_one_weight(
    k, stride, padding, size
):
    torch.manual_seed(0)
    sep = SeparableConv2d(3, 4, k, stride=stride, padding=padding).double()
    x = torch.randn(2, 3, size, size + 1, dtype=torch.float64)
    dw = sep.depthwise.weight  # (C_in, 1, kH, kW)
    pw = sep.pointwise.weight  # (C_out, C_in, 1, 1)
    weight = pw * dw[:, 0][None]  # (C_out, C_in, 1, 1) * (1, C_in, kH, kW)
    expected = F.conv2d(x, weight, sep.pointwise.bias, stride=stride, padding=padding)
    torch.testing.assert_close(sep(x), expected, rtol=0, atol=1e-12)
    # and its output size is the convolution formula H' = (H + 2p - k) // s + 1
    conv = nn.Conv2d(3, 4, k, stride=stride, padding=padding).double()
    assert sep(x).shape == conv(x).shape


def test_gradcheck_separable_convolution():
    torch.manual_seed(0)
    gradcheck_module(
        SeparableConv2d(2, 3, 3, stride=2, padding=1), torch.randn(2, 2, 5, 5)
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0, 4, 3), {}, ValueError, "SeparableConv2d expected in_channels >= 1"),
        ((2, 4, 0), {}, ValueError, "kernel_size >= 1"),
        ((2, 4, (3, 3, 3)), {}, ValueError, "kernel_size as an int or a pair"),
        ((2, 4, 3.0), {}, TypeError, "kernel_size as an int or a pair"),
        ((2, 4, 3), {"stride": 0}, ValueError, "stride >= 1"),
        ((2, 4, 3), {"padding": -1}, ValueError, "padding >= 0"),
        ((2, 4, 3), {"bias": 1}, TypeError, "bias as True or False"),
    ],
)
def test_separable_refuses_bad_options(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        SeparableConv2d(*args, **kwargs)


def test_separable_refuses_bad_input():
    conv = SeparableConv2d(2, 4, 5)
    with pytest.raises(
        ValueError, match=r"SeparableConv2d expected input \(B, 2, H, W\)"
    ):
        conv(torch.randn(1, 3, 8, 8))
    with pytest.raises(ValueError, match="H \\+ 2\\*padding >= kernel_size"):
        conv(torch.randn(1, 2, 4, 8))
    with pytest.raises(TypeError):
        SeparableConv2d(2, 4, 3, 1)  # stride is keyword-only


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda: SeparableConv2d(2, 3, 3, stride=2, padding=1), (2, 2, 7, 7)),
        (lambda: ScalableCNN(width_mult=0.25, resolution=16), (4, 1, 12, 12)),
        (lambda: ScalableCNN(width_mult=0.25, separable=False), (4, 1, 12, 12)),
    ],
    ids=["SeparableConv2d", "ScalableCNN", "ScalableCNN-full"],
)
def test_a_float64_input_computes_in_float64(make, shape):
    torch.manual_seed(0)
    block, x = make(), torch.randn(shape)
    check_float64_input(block, x)
    check_float16_input(block, x)


def test_compound_scaling():
    assert compound_scaling(0) == (1.0, 1.0, 1.0)
    d, w, r = compound_scaling(1)
    assert (d, w, r) == pytest.approx((1.2, 1.1, 1.15))
    assert d * w**2 * r**2 == pytest.approx(1.92, abs=0.01)  # FLOPs x ~2 per step
    assert compound_scaling(2, alpha=2.0, beta=1.0, gamma=1.0) == pytest.approx(
        (4, 1, 1)
    )
    with pytest.raises(ValueError, match="compound_scaling expected alpha"):
        compound_scaling(1, alpha=0)
    with pytest.raises(TypeError):
        compound_scaling(1, 1.2)


@pytest.mark.parametrize("phi", [1, 2, 3])
def test_each_step_of_phi_about_doubles_the_cost(phi):
    base = model_cost(ScalableCNN(), (1, 28, 28)).macs
    d, w, r = compound_scaling(phi)
    scaled = ScalableCNN(width_mult=w, depth_mult=d, resolution=round(28 * r))
    ratio = model_cost(scaled, (1, 28, 28)).macs / base
    assert 2**phi / 1.5 < ratio < 2**phi * 1.5


@pytest.mark.parametrize(
    ("kwargs", "size", "channels", "repeats"),
    [
        ({}, 28, (16, 24, 40, 80), (1, 2, 2, 2)),
        ({"width_mult": 0.5}, 20, (8, 12, 20, 40), (1, 2, 2, 2)),
        ({"depth_mult": 1.6}, 28, (16, 24, 40, 80), (2, 4, 4, 4)),
        ({"resolution": 36}, 28, (16, 24, 40, 80), (1, 2, 2, 2)),
        ({"width_mult": 0.1, "separable": False}, 9, (4, 4, 4, 8), (1, 2, 2, 2)),
    ],
)
def test_scalable_cnn_shapes_and_knobs(kwargs, size, channels, repeats):
    model = ScalableCNN(1, 5, **kwargs).eval()
    assert tuple(model(torch.randn(3, 1, size, size)).shape) == (3, 5)
    assert model.channels == channels and model.repeats == repeats
    units = [m for m in model.modules() if type(m).__name__ == "_ConvUnit"]
    assert len(units) == sum(repeats)


def test_resolution_resizes_the_input_before_the_stem():
    torch.manual_seed(0)
    resized = ScalableCNN(width_mult=0.5, resolution=32).eval()
    native = ScalableCNN(width_mult=0.5).eval()
    native.load_state_dict(resized.state_dict())
    x = torch.randn(2, 1, 28, 28)
    x32 = F.interpolate(x, size=(32, 32), mode="bilinear", align_corners=False)
    torch.testing.assert_close(resized(x), native(x32))
    costs = [model_cost(ScalableCNN(resolution=r), (1, 28, 28)).macs for r in (28, 56)]
    assert 3.5 < costs[1] / costs[0] < 4.5  # cost grows as the resolution squared


def test_separable_network_is_cheaper_than_the_full_one():
    sep, full = ScalableCNN(), ScalableCNN(separable=False)
    cost_sep, cost_full = model_cost(sep, (1, 28, 28)), model_cost(full, (1, 28, 28))
    assert cost_sep.params * 4 < cost_full.params
    assert cost_sep.macs * 4 < cost_full.macs


def test_every_parameter_gets_a_gradient():
    torch.manual_seed(0)
    for separable in (True, False):
        model = ScalableCNN(width_mult=0.25, separable=separable, resolution=16)
        assert_every_parameter_learns(model, torch.randn(4, 1, 12, 12))


def test_gradcheck_tiny_scalable_cnn():
    torch.manual_seed(0)
    gradcheck_module(ScalableCNN(1, 2, width_mult=0.1), torch.randn(2, 1, 8, 8))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"width_mult": 0}, ValueError, "ScalableCNN expected width_mult as a finite"),
        ({"depth_mult": float("inf")}, ValueError, "depth_mult"),
        ({"resolution": 4}, ValueError, "resolution >= 8"),
        ({"resolution": 28.0}, TypeError, "resolution as an int"),
        ({"separable": None}, TypeError, "separable as True or False"),
    ],
)
def test_scalable_cnn_refuses_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        ScalableCNN(**kwargs)


def test_scalable_cnn_refuses_bad_input_and_positional_options():
    with pytest.raises(ValueError, match=r"ScalableCNN expected input \(B, 1, H, W\)"):
        ScalableCNN()(torch.randn(2, 28, 28))
    with pytest.raises(TypeError):
        ScalableCNN(1, 10, 0.5)
