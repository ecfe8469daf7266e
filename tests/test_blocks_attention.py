"""nnlib.blocks.attention: equal to torch.nn.MultiheadAttention, causal, equivariant."""

import pytest
import torch
from dtype_rule import check_float16_input, check_float64_input
from torch import nn

from nnlib.blocks import MultiHeadSelfAttention, causal_mask, dot_product_attention

pytestmark = pytest.mark.ch10

# Tolerances. float64: the two modules do the same arithmetic in a different order
# (fused vs explicit kernels); with outputs of size ~1 and sums of at most 32 terms,
# the rounding differences are a few times 1e-16 (measured: <= 4e-16), so 1e-12 is
# loose yet would catch any real difference. float32: unit roundoff is 6e-8 and the
# measured gap is about 1.2e-7 (one or two ulps at magnitude 1), so 1e-6 leaves
# room for other CPUs while still being far below any modelling error.
TOL64 = 1e-12
TOL32 = 1e-6


def _pair(d_model: int, n_heads: int, dtype: torch.dtype, causal: bool = False):
    """Our module and PyTorch's, with the same weights, in eval mode."""
    torch.manual_seed(0)
    ours = MultiHeadSelfAttention(d_model, n_heads, causal=causal).to(dtype).eval()
    ref = nn.MultiheadAttention(d_model, n_heads, batch_first=True).to(dtype).eval()
    with torch.no_grad():
        ref.in_proj_weight.copy_(ours.qkv.weight)
        ref.in_proj_bias.copy_(ours.qkv.bias)
        ref.out_proj.weight.copy_(ours.proj.weight)
        ref.out_proj.bias.copy_(ours.proj.bias)
    return ours, ref


def _torch_mask(T: int, causal: bool):
    """nn.MultiheadAttention's convention: True marks a *forbidden* position."""
    return torch.ones(T, T, dtype=torch.bool).triu(1) if causal else None


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("dtype,tol", [(torch.float64, TOL64), (torch.float32, TOL32)])
def test_equals_torch_multihead_attention(causal, dtype, tol):
    ours, ref = _pair(32, 4, dtype, causal)
    x = torch.randn(3, 7, 32, dtype=dtype)
    expected, _ = ref(x, x, x, attn_mask=_torch_mask(7, causal), need_weights=False)
    torch.testing.assert_close(ours(x), expected, rtol=0, atol=tol)
    out, weights = ours(x, return_attention=True)
    ref_out, ref_w = ref(
        x, x, x, attn_mask=_torch_mask(7, causal), average_attn_weights=False
    )
    torch.testing.assert_close(out, ref_out, rtol=0, atol=tol)
    torch.testing.assert_close(weights, ref_w, rtol=0, atol=tol)


@pytest.mark.parametrize("causal", [False, True])
def test_gradients_equal_torch_float64(causal):
    ours, ref = _pair(16, 2, torch.float64, causal)
    x = torch.randn(2, 5, 16, dtype=torch.float64, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_(True)
    ours(x).square().sum().backward()
    out, _ = ref(x_ref, x_ref, x_ref, attn_mask=_torch_mask(5, causal))
    out.square().sum().backward()
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=0, atol=TOL64)
    torch.testing.assert_close(
        ours.qkv.weight.grad, ref.in_proj_weight.grad, atol=TOL64, rtol=0
    )
    torch.testing.assert_close(
        ours.proj.weight.grad, ref.out_proj.weight.grad, atol=TOL64, rtol=0
    )


@pytest.mark.parametrize("causal", [False, True])
def test_explicit_and_fused_paths_agree(causal):
    ours, _ = _pair(24, 3, torch.float64, causal)
    x = torch.randn(2, 9, 24, dtype=torch.float64)
    fused = ours(x)
    explicit, _ = ours(x, return_attention=True)
    torch.testing.assert_close(fused, explicit, rtol=0, atol=TOL64)


def test_user_mask_matches_torch_and_both_paths():
    ours, ref = _pair(16, 4, torch.float64)
    x = torch.randn(2, 6, 16, dtype=torch.float64)
    allowed = torch.rand(6, 6, generator=torch.Generator().manual_seed(1)) > 0.4
    allowed |= torch.eye(6, dtype=torch.bool)  # every row keeps at least itself
    expected, _ = ref(x, x, x, attn_mask=~allowed)
    torch.testing.assert_close(ours(x, mask=allowed), expected, rtol=0, atol=TOL64)
    explicit, w = ours(x, mask=allowed, return_attention=True)
    torch.testing.assert_close(explicit, expected, rtol=0, atol=TOL64)
    assert torch.all(w[..., ~allowed] == 0)


def test_causal_outputs_ignore_the_future():
    attn, _ = _pair(16, 4, torch.float64, causal=True)
    x = torch.randn(2, 10, 16, dtype=torch.float64)
    changed = x.clone()
    t = 4
    changed[:, t + 1 :] = torch.randn(2, 10 - t - 1, 16, dtype=torch.float64)
    a, b = attn(x), attn(changed)
    # Positions 0..t see exactly the same inputs, so the same arithmetic: exact.
    assert torch.equal(a[:, : t + 1], b[:, : t + 1])
    assert not torch.allclose(a[:, t + 1 :], b[:, t + 1 :])  # the test can fail


def test_without_positions_attention_is_permutation_equivariant():
    attn, _ = _pair(16, 4, torch.float64)
    x = torch.randn(2, 8, 16, dtype=torch.float64)
    perm = torch.randperm(8, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(attn(x[:, perm]), attn(x)[:, perm], rtol=0, atol=TOL64)


@pytest.mark.parametrize("causal", [False, True])
def test_attention_rows_are_distributions(causal):
    attn, _ = _pair(16, 4, torch.float64, causal)
    _, w = attn(torch.randn(3, 7, 16, dtype=torch.float64), return_attention=True)
    assert w.shape == (3, 4, 7, 7)
    assert torch.all(w >= 0)
    torch.testing.assert_close(w.sum(-1), torch.ones(3, 4, 7, dtype=torch.float64))
    if causal:  # nothing above the diagonal
        assert torch.all(w.triu(1) == 0)


def test_dot_product_attention_by_hand():
    # One query that matches the second key far better: nearly all weight goes there.
    q = torch.tensor([[[0.0, 10.0]]], dtype=torch.float64)  # (1, 1, d=2)
    k = torch.tensor([[[10.0, 0.0], [0.0, 10.0]]], dtype=torch.float64)  # (1, 2, 2)
    v = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]], dtype=torch.float64)
    out, w = dot_product_attention(q, k, v)
    score = 100 / 2**0.5  # q.k / sqrt(d)
    expected = torch.softmax(torch.tensor([0.0, score], dtype=torch.float64), 0)
    torch.testing.assert_close(w[0, 0], expected)
    torch.testing.assert_close(out[0, 0], expected)  # v is the identity


def test_causal_mask_is_lower_triangular():
    m = causal_mask(4)
    assert m.dtype == torch.bool
    assert m.tolist() == [[j <= i for j in range(4)] for i in range(4)]


def test_bad_inputs_raise_clear_errors():
    attn = MultiHeadSelfAttention(16, 4)
    with pytest.raises(
        ValueError, match=r"expected input \(B, T, 16\), got \(2, 5, 15\)"
    ):
        attn(torch.randn(2, 5, 15))
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadSelfAttention(10, 3)
    with pytest.raises(TypeError, match="boolean"):
        attn(torch.randn(1, 3, 16), mask=torch.ones(3, 3))


def test_dropout_only_in_training():
    attn = MultiHeadSelfAttention(16, 4, dropout=0.5)
    x = torch.randn(2, 6, 16)
    attn.eval()
    torch.testing.assert_close(attn(x), attn(x), rtol=0, atol=0)
    attn.train()
    assert not torch.equal(attn(x), attn(x))


@pytest.mark.parametrize("return_attention", [False, True])
def test_a_float64_input_computes_in_float64(return_attention):
    # the dtype rule (nnlib/blocks/_dtype.py): the input's dtype, the block's weights
    torch.manual_seed(0)
    attn = MultiHeadSelfAttention(16, 4, causal=True)
    x = torch.randn(2, 5, 16)
    if return_attention:  # the weights follow the input too
        out, weights = attn(x.double(), return_attention=True)
        assert out.dtype == weights.dtype == torch.float64
    check_float64_input(attn, x)
    check_float16_input(attn, x)
