"""nnlib.blocks.vit: patches, patch embedding and the Vision Transformer."""

import pytest
import torch
from dtype_rule import check_float16_input, check_float64_input
from torch import nn

from nnlib.blocks import PatchEmbedding, ViT, patchify

pytestmark = pytest.mark.ch11


def test_patchify_cuts_row_by_row():
    image = torch.arange(16.0).reshape(1, 1, 4, 4)
    patches = patchify(image, 2)
    assert patches.shape == (1, 4, 4)
    assert patches[0, 0].tolist() == [0, 1, 4, 5]  # top-left
    assert patches[0, 1].tolist() == [2, 3, 6, 7]  # top-right
    assert patches[0, 2].tolist() == [8, 9, 12, 13]  # bottom-left
    assert patches[0, 3].tolist() == [10, 11, 14, 15]  # bottom-right


def test_patchify_keeps_channels_together():
    images = torch.randn(2, 3, 8, 8)
    patches = patchify(images, 4)  # (2, 4, 3*4*4)
    torch.testing.assert_close(patches[1, 3], images[1, :, 4:, 4:].reshape(-1))


def test_patch_embedding_equals_strided_convolution():
    torch.manual_seed(0)
    embed = PatchEmbedding(8, 4, 2, 6).double()
    conv = nn.Conv2d(2, 6, kernel_size=4, stride=4).double()
    with torch.no_grad():
        conv.weight.copy_(embed.proj.weight.reshape(6, 2, 4, 4))
        conv.bias.copy_(embed.proj.bias)
    x = torch.randn(3, 2, 8, 8, dtype=torch.float64)
    expected = conv(x).flatten(2).transpose(1, 2)  # (B, D, 2, 2) -> (B, 4, D)
    # Same sums of 32 products in float64: rounding only.
    torch.testing.assert_close(embed(x), expected, rtol=0, atol=1e-12)


def test_vit_classifies_from_the_class_token():
    torch.manual_seed(0)
    model = ViT(d_model=16, n_heads=2, n_layers=1).eval()
    x = torch.randn(2, 1, 8, 8)
    assert model.tokens(x).shape == (2, 5, 16)  # 4 patches + class token
    maps = model.attention_maps(x)
    assert len(maps) == 1 and maps[0].shape == (2, 2, 5, 5)
    # The class token starts equal for every image; the head reads only position 0.
    logits = model(x)
    assert logits.shape == (2, 10)


def test_bad_sizes_raise_clear_errors():
    with pytest.raises(ValueError, match="divisible by patch_size=3, got 8"):
        PatchEmbedding(8, 3, 1, 16)
    with pytest.raises(ValueError, match=r"divisible by patch_size=4, got images \("):
        patchify(torch.randn(1, 1, 6, 6), 4)
    with pytest.raises(ValueError, match=r"expected input \(B, 1, 8, 8\)"):
        ViT(d_model=16, n_heads=2)(torch.randn(2, 1, 7, 7))


def test_a_float64_input_computes_in_float64():
    # the dtype rule (nnlib/blocks/_dtype.py), class token and positions included
    torch.manual_seed(0)
    model, x = ViT(d_model=16, n_heads=2), torch.randn(3, 1, 8, 8)
    torch.nn.init.normal_(model.cls_token)  # (zeros would hide a dtype slip)
    check_float64_input(model, x)
    check_float16_input(model, x)
    maps = model.eval().attention_maps(x.double())
    assert maps[0].dtype == torch.float64
