"""nnlib.blocks.resnet: ResidualBlock and ResNet (chapter 12)."""

import pytest
import torch
from blocks_checks import assert_every_parameter_learns, gradcheck_module
from dtype_rule import check_float16_input, check_float64_input
from torch import nn

from nnlib.blocks import ResidualBlock, ResNet

pytestmark = pytest.mark.ch12


@pytest.mark.parametrize(
    ("c_in", "c_out", "stride", "size", "out_size", "shortcut"),
    [
        (4, None, 1, 9, 9, nn.Identity),
        (4, 8, 1, 9, 9, nn.Sequential),  # more channels: projection
        (4, 4, 2, 9, 5, nn.Sequential),  # stride: projection
        (4, 6, 2, 8, 4, nn.Sequential),
        (3, 3, 3, 7, 3, nn.Sequential),
    ],
)
def test_residual_block_shapes_and_shortcut(
    c_in, c_out, stride, size, out_size, shortcut
):
    block = ResidualBlock(c_in, c_out, stride=stride)
    y = block(torch.randn(2, c_in, size, size + 1))
    w_out = (size + 1 - 1) // stride + 1
    assert tuple(y.shape) == (2, c_out or c_in, out_size, w_out)
    assert isinstance(block.shortcut, shortcut)
    assert ResidualBlock(c_in, c_out, stride=stride, skip=False).shortcut is None


def test_residual_block_computes_relu_of_branch_plus_shortcut():
    torch.manual_seed(0)
    x = torch.randn(3, 4, 6, 6)
    for skip in (True, False):
        block = ResidualBlock(4, skip=skip)
        branch = block.bn2(block.conv2(torch.relu(block.bn1(block.conv1(x)))))
        expected = torch.relu(branch + x) if skip else torch.relu(branch)
        torch.testing.assert_close(block(x), expected, rtol=0, atol=1e-6)


def test_a_residual_block_with_a_silent_branch_passes_its_input_on():
    # zero the last BatchNorm's scale and shift: F(x) = 0, so the block is
    # ReLU(x) with the skip and ReLU(0) = 0 without it
    x = torch.randn(2, 3, 5, 5)
    for skip, expected in ((True, torch.relu(x)), (False, torch.zeros_like(x))):
        block = ResidualBlock(3, skip=skip)
        nn.init.zeros_(block.bn2.weight)
        nn.init.zeros_(block.bn2.bias)
        torch.testing.assert_close(block(x), expected)


def _weighted_layers(model):
    """3x3 convolutions and linear layers: what He et al. count as depth."""
    return sum(
        isinstance(m, nn.Linear)
        or (isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3))
        for m in model.modules()
    )


@pytest.mark.parametrize("depth", [8, 14, 20, 26])
def test_resnet_depth_counts_its_weighted_layers(depth):
    for skip in (True, False):
        model = ResNet(depth=depth, width=4, skip=skip)
        assert _weighted_layers(model) == depth
        assert len(model.blocks) == 3 * (depth - 2) // 6


def test_plain_and_residual_networks_differ_only_by_the_shortcuts():
    res, plain = ResNet(depth=20, width=8), ResNet(depth=20, width=8, skip=False)
    projections = sum(
        p.numel()
        for block in res.blocks
        if isinstance(block.shortcut, nn.Sequential)
        for p in block.shortcut.parameters()
    )
    n_res = sum(p.numel() for p in res.parameters())
    assert n_res - sum(p.numel() for p in plain.parameters()) == projections > 0


@pytest.mark.parametrize(("size", "channels"), [(28, 1), (32, 3), (9, 1), (1, 1)])
def test_resnet_output_shape_for_several_inputs(size, channels):
    model = ResNet(channels, 7, depth=8, width=4).eval()
    assert tuple(model(torch.randn(2, channels, size, size)).shape) == (2, 7)


def test_resnet_widths_double_and_sides_halve_per_stage():
    model = ResNet(depth=14, width=4)
    features = model.blocks(torch.randn(2, 4, 28, 28))
    assert tuple(features.shape) == (2, 16, 7, 7)
    norm_free = ResNet(depth=8, width=4, norm=False)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in norm_free.modules())
    assert norm_free.stem.bias is not None and ResNet(depth=8).stem.bias is None


@pytest.mark.parametrize("skip", [True, False])
@pytest.mark.parametrize("norm", [True, False])
def test_every_parameter_gets_a_gradient(skip, norm):
    torch.manual_seed(0)
    model = ResNet(depth=14, width=4, skip=skip, norm=norm)
    assert_every_parameter_learns(model, torch.randn(4, 1, 12, 12))


def test_gradcheck_residual_block_with_projection():
    torch.manual_seed(0)
    gradcheck_module(ResidualBlock(2, 3, stride=2), torch.randn(2, 2, 5, 5))


def test_gradcheck_tiny_resnet():
    torch.manual_seed(1)
    gradcheck_module(
        ResNet(1, 2, depth=8, width=2, norm=False), torch.randn(2, 1, 6, 6)
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"depth": 21}, ValueError, r"ResNet expected depth = 6n \+ 2"),
        ({"depth": 2}, ValueError, "depth = 6n"),
        ({"depth": 20.0}, TypeError, "ResNet expected depth as an int"),
        ({"width": 0}, ValueError, "ResNet expected width >= 1"),
        ({"skip": "yes"}, TypeError, "skip as True or False"),
        ({"n_classes": 0}, ValueError, "n_classes >= 1"),
    ],
)
def test_resnet_refuses_bad_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        ResNet(**kwargs)


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (torch.randn(2, 3, 8, 8), ValueError, r"ResNet expected input \(B, 1, H, W\)"),
        (torch.randn(1, 8, 8), ValueError, r"got \(1, 8, 8\)"),
        (torch.ones(2, 1, 8, 8, dtype=torch.long), TypeError, "floating-point"),
        ([[1.0]], TypeError, "torch.Tensor"),
        (torch.randn(2, 1, 0, 8), ValueError, "every axis but the batch"),
    ],
)
def test_resnet_refuses_bad_input(x, error, match):
    with pytest.raises(error, match=match):
        ResNet(depth=8, width=2)(x)


@pytest.mark.parametrize(
    "make",
    [lambda: ResidualBlock(2, 3, stride=2), lambda: ResNet(depth=8, width=2)],
    ids=["ResidualBlock", "ResNet"],
)
def test_a_float64_input_computes_in_float64(make):
    torch.manual_seed(0)
    block = make()
    x = torch.randn(4, block.in_channels, 6, 6)
    check_float64_input(block, x)
    check_float16_input(block, x)


def test_residual_block_refuses_bad_options_and_input():
    with pytest.raises(ValueError, match="ResidualBlock expected stride >= 1"):
        ResidualBlock(4, stride=0)
    with pytest.raises(TypeError, match="out_channels as an int"):
        ResidualBlock(4, 2.5)
    with pytest.raises(
        ValueError, match=r"ResidualBlock expected input \(B, 4, H, W\)"
    ):
        ResidualBlock(4)(torch.randn(2, 3, 5, 5))


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        ResNet(1, 10, 20)
    with pytest.raises(TypeError):
        ResidualBlock(4, 4, 2)
    assert "skip=False" in repr(ResNet(depth=8, width=2, skip=False))
