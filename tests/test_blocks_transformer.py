"""nnlib.blocks.transformer and positional: equal to PyTorch's encoder layer."""

import pytest
import torch
from dtype_rule import check_float16_input, check_float64_input
from torch import nn

from nnlib.blocks import (
    FeedForward,
    LearnedPositionalEncoding,
    PositionalEncoding,
    SequenceTransformer,
    TransformerBlock,
)

pytestmark = pytest.mark.ch10

# Same reasoning as in test_blocks_attention.py; a block adds two LayerNorms and an
# MLP (sums of <= 64 terms). Measured gaps: <= 9e-16 (float64), 2.4e-7 (float32).
TOL64 = 1e-12
TOL32 = 1e-6


def _copy_into_torch_layer(block: TransformerBlock, layer: nn.TransformerEncoderLayer):
    with torch.no_grad():
        layer.self_attn.in_proj_weight.copy_(block.attn.qkv.weight)
        layer.self_attn.in_proj_bias.copy_(block.attn.qkv.bias)
        layer.self_attn.out_proj.weight.copy_(block.attn.proj.weight)
        layer.self_attn.out_proj.bias.copy_(block.attn.proj.bias)
    layer.linear1.load_state_dict(block.ff.fc1.state_dict())
    layer.linear2.load_state_dict(block.ff.fc2.state_dict())
    layer.norm1.load_state_dict(block.ln1.state_dict())
    layer.norm2.load_state_dict(block.ln2.state_dict())


@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("dtype,tol", [(torch.float64, TOL64), (torch.float32, TOL32)])
def test_block_equals_transformer_encoder_layer(activation, causal, dtype, tol):
    torch.manual_seed(0)
    block = TransformerBlock(32, 4, 64, causal=causal, activation=activation)
    layer = nn.TransformerEncoderLayer(
        32, 4, 64, dropout=0.0, activation=activation, norm_first=True, batch_first=True
    )
    _copy_into_torch_layer(block, layer)
    block, layer = block.to(dtype).eval(), layer.to(dtype).eval()
    x = torch.randn(3, 7, 32, dtype=dtype, requires_grad=True)
    mask = (
        nn.Transformer.generate_square_subsequent_mask(7, dtype=dtype)
        if causal
        else None
    )
    expected = layer(x, src_mask=mask, is_causal=causal)
    torch.testing.assert_close(block(x), expected, rtol=0, atol=tol)


def test_block_returns_attention_and_same_output():
    block = TransformerBlock(16, 2, 32).eval()
    x = torch.randn(2, 5, 16)
    out, w = block(x, return_attention=True)
    assert w.shape == (2, 2, 5, 5)
    torch.testing.assert_close(out, block(x), rtol=0, atol=TOL32)


@pytest.mark.parametrize("positional", ["sinusoidal", "learned", None])
def test_sequence_transformer_shapes(positional):
    model = SequenceTransformer(
        11, max_len=12, d_model=16, n_heads=2, n_layers=2, positional=positional
    )
    tokens = torch.randint(0, 11, (3, 9))
    assert model(tokens).shape == (3, 9, 11)
    maps = model.eval().attention_maps(tokens)
    assert len(maps) == 2 and maps[0].shape == (3, 2, 9, 9)


def test_without_positions_the_model_cannot_see_order():
    torch.manual_seed(0)
    model = SequenceTransformer(10, max_len=8, d_model=16, n_heads=2, positional=None)
    model = model.double().eval()
    tokens = torch.randint(0, 10, (2, 8))
    perm = torch.randperm(8)
    torch.testing.assert_close(model(tokens[:, perm]), model(tokens)[:, perm])
    with_pos = SequenceTransformer(10, max_len=8, d_model=16, n_heads=2).double().eval()
    assert not torch.allclose(with_pos(tokens[:, perm]), with_pos(tokens)[:, perm])


def test_sequence_transformer_rejects_bad_tokens():
    model = SequenceTransformer(10, max_len=8, d_model=16, n_heads=2)
    with pytest.raises(TypeError, match="integer token ids"):
        model(torch.zeros(2, 4))
    with pytest.raises(ValueError, match="max_len=8"):
        model(torch.zeros(2, 9, dtype=torch.long))
    with pytest.raises(ValueError, match=r"expected tokens \(B, T\), got \(4,\)"):
        model(torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match="positional"):
        SequenceTransformer(10, positional="rotary")


@pytest.mark.parametrize(
    "make",
    [
        lambda: TransformerBlock(16, 2, 32, causal=True),
        lambda: FeedForward(16, 32),
        lambda: LearnedPositionalEncoding(16, max_len=8),
        lambda: PositionalEncoding(16, max_len=8),
    ],
    ids=["TransformerBlock", "FeedForward", "Learned", "Sinusoidal"],
)
def test_a_float64_input_computes_in_float64(make):
    # the dtype rule (nnlib/blocks/_dtype.py): the input's dtype, the block's weights
    torch.manual_seed(0)
    block, x = make(), torch.randn(2, 5, 16)
    check_float64_input(block, x)
    check_float16_input(block, x)


def test_a_mismatched_block_runs_its_hooks_on_the_cast_call_too():
    # run_in_dtype calls the block once more: its own forward hooks see both calls,
    # its submodules' hooks only the one that computes
    block, calls = TransformerBlock(16, 2, 32), []
    block.register_forward_hook(lambda m, i, o: calls.append("block"))
    block.ln1.register_forward_hook(lambda m, i, o: calls.append("ln1"))
    block(torch.randn(2, 5, 16, dtype=torch.float64))
    assert calls == ["ln1", "block", "block"]
    calls.clear()
    block(torch.randn(2, 5, 16))
    assert calls == ["ln1", "block"]


# --- the switches of lecture 10: residual=False, layer_norm=False --------------------


def _silence_sublayers(block: TransformerBlock) -> None:
    # zero output projections: both sub-layers then add exactly 0
    with torch.no_grad():
        for layer in (block.attn.proj, block.ff.fc2):
            layer.weight.zero_()
            layer.bias.zero_()


def test_the_residual_path_carries_the_input():
    # sub-layers that output 0: with the residual the block is the identity, without
    # it the input is lost (0 out), whatever the input
    x = torch.randn(2, 5, 16)
    with_res = TransformerBlock(16, 2, 32).eval()
    without = TransformerBlock(16, 2, 32, residual=False).eval()
    for block in (with_res, without):
        _silence_sublayers(block)
    torch.testing.assert_close(with_res(x), x, rtol=0, atol=0)
    torch.testing.assert_close(without(x), torch.zeros_like(x), rtol=0, atol=0)


def test_residual_false_computes_ff_of_attn():
    torch.manual_seed(0)
    block = TransformerBlock(16, 2, 32, residual=False).double().eval()
    x = torch.randn(2, 5, 16, dtype=torch.float64)
    a = block.attn(block.ln1(x))
    expected = block.ff(block.ln2(a))
    torch.testing.assert_close(block(x), expected, rtol=0, atol=TOL64)


def test_layer_norm_makes_the_attention_branch_blind_to_the_input_scale():
    # LN(c x) = LN(x) for c > 0 (up to eps = 1e-5 against variances of 1 and 1e4),
    # so with LayerNorm attn(ln1(c x)) does not depend on c; without, it does
    torch.manual_seed(0)
    x = torch.randn(2, 5, 16, dtype=torch.float64)
    for layer_norm in (True, False):
        block = TransformerBlock(16, 2, 32, layer_norm=layer_norm).double().eval()
        with torch.no_grad():
            branch = [block.attn(block.ln1(c * x)) for c in (1.0, 100.0)]
        assert torch.allclose(branch[0], branch[1], atol=1e-4) is layer_norm
    block = TransformerBlock(16, 2, 32, layer_norm=False)
    assert not any(isinstance(m, nn.LayerNorm) for m in block.modules())


@pytest.mark.parametrize(
    "options",
    [dict(residual=False), dict(layer_norm=False), dict(activation="relu")],
    ids=["no-residual", "no-layer-norm", "relu"],
)
def test_switched_off_models_keep_shapes_and_every_parameter_learns(options):
    from blocks_checks import assert_every_parameter_learns

    torch.manual_seed(0)
    model = SequenceTransformer(10, max_len=8, d_model=16, n_heads=2, **options)
    tokens = torch.randint(0, 10, (3, 8))
    assert model(tokens).shape == (3, 8, 10)
    assert_every_parameter_learns(model, tokens)
    for block in model.blocks:
        assert block.residual is options.get("residual", True)
        assert block.layer_norm is options.get("layer_norm", True)
    assert isinstance(model.ln_f, nn.LayerNorm) is options.get("layer_norm", True)


def test_switches_are_keyword_only_booleans():
    with pytest.raises(TypeError):
        TransformerBlock(16, 2, 32, 0.0, False, "gelu", False)  # positional options
    with pytest.raises(TypeError, match="TransformerBlock expected residual as True"):
        TransformerBlock(16, 2, 32, residual="no")
    with pytest.raises(TypeError, match="expected layer_norm as True or False"):
        SequenceTransformer(10, d_model=16, n_heads=2, layer_norm=0)
