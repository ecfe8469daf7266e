"""Every block: output shape, gradients reach every parameter, device-agnostic code."""

from pathlib import Path

import pytest
import torch

import nnlib.blocks as blocks
from nnlib.blocks import (
    ConvBlock,
    LearnedPositionalEncoding,
    MultiHeadSelfAttention,
    PatchEmbedding,
    PositionalEncoding,
    RNNSequenceModel,
    SequenceTransformer,
    SimpleCNN,
    TransformerBlock,
    ViT,
)


def _tokens(B: int, T: int, V: int) -> torch.Tensor:
    return torch.randint(0, V, (B, T))


# name -> (builder, input builder, expected output shape). Built on demand, so the
# same table serves the CPU test and the meta-device test.
CASES = {
    "ConvBlock": (
        lambda: ConvBlock(1, 4),
        lambda: torch.randn(2, 1, 8, 8),
        (2, 4, 8, 8),
    ),
    "ConvBlock-nonorm": (
        lambda: ConvBlock(3, 5, kernel_size=5, norm=False),
        lambda: torch.randn(2, 3, 9, 9),
        (2, 5, 9, 9),
    ),
    "SimpleCNN-8": (lambda: SimpleCNN(), lambda: torch.randn(4, 1, 8, 8), (4, 10)),
    "SimpleCNN-28": (
        lambda: SimpleCNN(image_size=28, channels=(4, 8)),
        lambda: torch.randn(2, 1, 28, 28),
        (2, 10),
    ),
    "MultiHeadSelfAttention": (
        lambda: MultiHeadSelfAttention(16, 4, causal=True),
        lambda: torch.randn(2, 5, 16),
        (2, 5, 16),
    ),
    "TransformerBlock": (
        lambda: TransformerBlock(16, 2, 32, causal=True),
        lambda: torch.randn(2, 5, 16),
        (2, 5, 16),
    ),
    "PositionalEncoding": (
        lambda: PositionalEncoding(16, 10),
        lambda: torch.randn(2, 5, 16),
        (2, 5, 16),
    ),
    "LearnedPositionalEncoding": (
        lambda: LearnedPositionalEncoding(16, 10),
        lambda: torch.randn(2, 5, 16),
        (2, 5, 16),
    ),
    "SequenceTransformer": (
        lambda: SequenceTransformer(7, max_len=12, d_model=16, n_heads=2, causal=True),
        lambda: _tokens(3, 6, 7),
        (3, 6, 7),
    ),
    "PatchEmbedding": (
        lambda: PatchEmbedding(8, 4, 1, 16),
        lambda: torch.randn(2, 1, 8, 8),
        (2, 4, 16),
    ),
    "ViT": (
        lambda: ViT(d_model=16, n_heads=2),
        lambda: torch.randn(3, 1, 8, 8),
        (3, 10),
    ),
    "ViT-28": (
        lambda: ViT(image_size=28, patch_size=7, d_model=16, n_heads=2, n_classes=5),
        lambda: torch.randn(2, 1, 28, 28),
        (2, 5),
    ),
}
for _kind in ("rnn", "gru", "lstm"):
    CASES[f"RNNSequenceModel-{_kind}"] = (
        lambda kind=_kind: RNNSequenceModel(9, kind=kind, hidden_size=16, max_len=12),
        lambda: _tokens(2, 7, 9),
        (2, 7, 9),
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_shape_and_gradients_reach_every_parameter(name):
    torch.manual_seed(0)
    build, make_input, shape = CASES[name]
    model, x = build(), make_input()
    if x.is_floating_point():
        x.requires_grad_(True)
    out = model(x)
    assert out.shape == shape
    out.square().mean().backward()
    if x.is_floating_point():
        assert x.grad is not None and x.grad.abs().sum() > 0
    for pname, p in model.named_parameters():
        assert p.grad is not None, f"{name}.{pname} got no gradient"
        assert p.grad.abs().sum() > 0, f"{name}.{pname} got an all-zero gradient"
    assert repr(model).startswith(type(model).__name__)


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_on_meta_device_creates_tensors_where_the_input_is(name):
    # Built with meta as the default device, run with the CPU as the default: any
    # tensor made inside forward without device=x.device lands on the CPU, and
    # mixing it with meta tensors raises.
    build, make_input, shape = CASES[name]
    with torch.device("meta"):
        model, x = build(), make_input()
    out = model(x)
    assert out.device.type == "meta" and out.shape == shape
    if isinstance(model, MultiHeadSelfAttention | TransformerBlock):
        _, weights = model(x, return_attention=True)
        assert weights.device.type == "meta"


def test_no_cuda_calls_in_library_code():
    root = Path(blocks.__file__).parent.parent
    for folder in ("blocks", "train"):
        for path in (root / folder).glob("*.py"):
            assert ".cuda()" not in path.read_text(), f"{path} calls .cuda()"


def test_the_computation_follows_the_input_dtype():
    # (equality with a converted copy, and gradients: the tests of each block)
    model, block = SimpleCNN(), TransformerBlock(16, 2, 32)
    assert model(torch.zeros(2, 1, 8, 8, dtype=torch.float64)).dtype == torch.float64
    assert block(torch.zeros(2, 3, 16, dtype=torch.float16)).dtype == torch.float16
    assert block.ln1.weight.dtype == torch.float32  # the block itself is unchanged
    # under autocast nothing is cast: autocast picks each op's dtype itself
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert block(torch.zeros(2, 3, 16)).dtype == torch.float32  # the residual
        block(torch.zeros(2, 3, 16, dtype=torch.bfloat16))


@pytest.mark.parametrize("dtype", [torch.long, torch.bool, torch.complex64])
def test_integer_bool_and_complex_inputs_are_named(dtype):
    with pytest.raises(TypeError, match=f"SimpleCNN expected a .*got {dtype}"):
        SimpleCNN()(torch.zeros(2, 1, 8, 8, dtype=dtype))
    with pytest.raises(TypeError, match=f"TransformerBlock expected a .*got {dtype}"):
        TransformerBlock(16, 2, 32)(torch.zeros(2, 3, 16, dtype=dtype))


@pytest.mark.parametrize(
    "make",
    [
        lambda: SequenceTransformer(10, max_len=8, d_model=16, n_heads=2),
        lambda: RNNSequenceModel(10, kind="gru", hidden_size=8, max_len=8),
    ],
)
def test_token_ids_outside_the_vocabulary_are_named(make):
    model = make()
    with pytest.raises(
        ValueError, match=r"token ids in \[0, 10\) .*got ids from 0 to 12"
    ):
        model(torch.tensor([[0, 3, 12]]))
    with pytest.raises(ValueError, match=r"from -1 to 2"):
        model(torch.tensor([[-1, 2]]))
