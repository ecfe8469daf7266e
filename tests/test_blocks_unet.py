"""nnlib.blocks.unet: UNet with and without skip connections (chapter 13)."""

import pytest
import torch
from blocks_checks import assert_every_parameter_learns, gradcheck_module
from dtype_rule import check_float16_input, check_float64_input
from torch import nn

from nnlib.blocks import UNet

pytestmark = pytest.mark.ch13


@pytest.mark.parametrize(
    ("depth", "size"), [(1, (8, 8)), (2, (32, 32)), (2, (16, 24)), (3, (8, 16))]
)
@pytest.mark.parametrize("skips", [True, False])
def test_output_has_a_score_per_class_and_pixel(depth, size, skips):
    model = UNet(2, 5, base=4, depth=depth, skips=skips).eval()
    out = model(torch.randn(2, 2, *size))
    assert tuple(out.shape) == (2, 5, *size)


def test_encoder_features_double_channels_and_halve_sides():
    model = UNet(1, 3, base=4, depth=3)
    bottom, features = model.encode(torch.randn(2, 1, 16, 16))
    assert [tuple(f.shape) for f in features] == [
        (2, 4, 16, 16),
        (2, 8, 8, 8),
        (2, 16, 4, 4),
    ]
    assert tuple(bottom.shape) == (2, 32, 2, 2)


def test_without_skips_the_decoder_ignores_the_encoder_features():
    torch.manual_seed(0)
    x = torch.randn(2, 1, 16, 16)
    for skips in (False, True):
        model = UNet(1, 3, base=4, skips=skips).eval()
        bottom, features = model.encode(x)
        zeroed = [torch.zeros_like(f) for f in features]
        same = torch.equal(model.decode(bottom, features), model.decode(bottom, zeroed))
        assert same is (not skips)  # with skips, the features change the output
    torch.testing.assert_close(model.decode(*model.encode(x)), model(x))


def test_skips_double_the_decoder_inputs():
    for skips, factor in ((True, 2), (False, 1)):
        model = UNet(1, 2, base=4, depth=2, skips=skips)
        first_convs = [merge[0].conv.in_channels for merge in model.merge]
        assert first_convs == [8 * factor, 4 * factor]  # deepest level first
    n = {
        s: sum(p.numel() for p in UNet(1, 2, skips=s).parameters())
        for s in (True, False)
    }
    assert n[True] > n[False]


@pytest.mark.parametrize("skips", [True, False])
def test_a_float64_input_computes_in_float64(skips):
    torch.manual_seed(0)
    block, x = UNet(1, 3, base=2, skips=skips), torch.randn(2, 1, 8, 8)
    check_float64_input(block, x)
    check_float16_input(block, x)
    with pytest.raises(TypeError, match="UNet.encode expected torch.float32 input"):
        block.encode(x.double())


@pytest.mark.parametrize("skips", [True, False])
def test_every_parameter_gets_a_gradient(skips):
    torch.manual_seed(0)
    assert_every_parameter_learns(
        UNet(1, 3, base=4, skips=skips), torch.randn(2, 1, 8, 8)
    )


@pytest.mark.parametrize("skips", [True, False])
def test_gradcheck_tiny_unet(skips):
    torch.manual_seed(0)
    gradcheck_module(UNet(1, 2, base=2, depth=1, skips=skips), torch.randn(2, 1, 4, 4))


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (torch.randn(2, 1, 12, 16), ValueError, r"H and W divisible by 8 \(depth=3"),
        (torch.randn(2, 3, 16, 16), ValueError, r"UNet expected input \(B, 1, H, W\)"),
        (torch.randn(1, 16, 16), ValueError, r"got \(1, 16, 16\)"),
    ],
)
def test_unet_refuses_bad_input(x, error, match):
    with pytest.raises(error, match=match):
        UNet(1, 2, base=2, depth=3)(x)


def test_unet_refuses_bad_options():
    with pytest.raises(ValueError, match="UNet expected depth >= 1"):
        UNet(1, 2, depth=0)
    with pytest.raises(TypeError, match="skips as True or False"):
        UNet(1, 2, skips=0)
    with pytest.raises(TypeError, match="base as an int"):
        UNet(1, 2, base=4.0)
    with pytest.raises(TypeError):
        UNet(1, 2, 16)  # base is keyword-only
    assert not any(
        isinstance(m, nn.BatchNorm2d) for m in UNet(1, 2, norm=False).modules()
    )
    assert "skips=False" in repr(UNet(1, 2, skips=False))
