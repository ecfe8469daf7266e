"""nnlib.blocks.cnn: ConvBlock and SimpleCNN."""

import pytest
import torch
from dtype_rule import check_float16_input, check_float64_input
from torch import nn

from nnlib.blocks import ConvBlock, SimpleCNN

pytestmark = pytest.mark.ch08


def test_conv_block_is_conv_then_batchnorm_then_relu():
    torch.manual_seed(0)
    block = ConvBlock(2, 3).double()
    x = torch.randn(4, 2, 6, 6, dtype=torch.float64)
    conv = nn.Conv2d(2, 3, 3, padding=1, bias=False).double()
    conv.load_state_dict(block.conv.state_dict())
    bn = nn.BatchNorm2d(3).double()
    expected = torch.relu(bn(conv(x)))
    # Same modules in the same order: float64 rounding only (values ~1).
    torch.testing.assert_close(block(x), expected, rtol=0, atol=1e-12)
    assert block.conv.bias is None  # BatchNorm's shift makes a bias redundant


def test_conv_block_without_norm_keeps_bias_and_skips_batchnorm():
    block = ConvBlock(1, 2, norm=False)
    assert block.conv.bias is not None
    assert not any(isinstance(m, nn.BatchNorm2d) for m in block.modules())
    x = torch.randn(1, 1, 5, 5)
    torch.testing.assert_close(block(x), torch.relu(block.conv(x)))


def test_simple_cnn_uses_batchnorm_by_default_and_can_drop_it():
    def count(model):
        return sum(isinstance(m, nn.BatchNorm2d) for m in model.modules())

    assert count(SimpleCNN()) == 2
    assert count(SimpleCNN(norm=False)) == 0


def test_simple_cnn_eval_mode_is_deterministic_per_example():
    model = SimpleCNN(dropout=0.5).eval()
    x = torch.randn(5, 1, 8, 8)
    # In eval mode BatchNorm uses running statistics: an example's output does not
    # depend on the rest of the batch.
    torch.testing.assert_close(model(x)[:2], model(x[:2]), rtol=0, atol=1e-6)


def test_bad_shapes_raise_clear_errors():
    with pytest.raises(
        ValueError, match=r"expected input \(B, 1, 8, 8\), got \(2, 1, 9, 9\)"
    ):
        SimpleCNN()(torch.randn(2, 1, 9, 9))
    with pytest.raises(ValueError, match="divisible by 4"):
        SimpleCNN(image_size=10)
    with pytest.raises(ValueError, match=r"expected input \(B, 3, H, W\)"):
        ConvBlock(3, 4)(torch.randn(2, 1, 8, 8))


@pytest.mark.parametrize(
    ("make", "shape"),
    [(lambda: ConvBlock(2, 3), (4, 2, 6, 6)), (lambda: SimpleCNN(), (4, 1, 8, 8))],
    ids=["ConvBlock", "SimpleCNN"],
)
def test_a_float64_input_computes_in_float64(make, shape):
    # the dtype rule (nnlib/blocks/_dtype.py); in training mode, so BatchNorm's
    # running statistics (float32 buffers) are updated from the float64 batch too
    torch.manual_seed(0)
    block, x = make(), torch.randn(shape)
    check_float64_input(block, x)
    check_float16_input(block, x)
