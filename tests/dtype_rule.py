"""The blocks' dtype rule, checked the same way for every block (nnlib/blocks/_dtype).

A float32 block given a float64 input computes in float64: its output equals that of
a float64 copy of the block (``copy.deepcopy(block).double()``), and ``backward``
fills the block's own float32 parameters with the copy's gradients, in float32.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

# the same float32 weights, read in float64 both times: only the order of float64
# operations could differ (it does not here)
TOL64 = 1e-12
# a float64 gradient rounded to float32 (relative 6e-8), with room for values ~10
TOL32 = 1e-5


def check_float64_input(block: nn.Module, x: torch.Tensor, *args: object) -> None:
    """``block`` (float32) on the float64 ``x`` equals a float64 copy, gradients too."""
    reference = copy.deepcopy(block).double()
    x = x.to(torch.float64).requires_grad_(True)
    x_ref = x.detach().clone().requires_grad_(True)
    out, want = block(x, *args), reference(x_ref, *args)
    assert out.dtype == torch.float64
    torch.testing.assert_close(out, want, rtol=TOL64, atol=TOL64)

    dy = torch.randn(out.shape, dtype=torch.float64, generator=torch.Generator())
    out.backward(dy)
    want.backward(dy)
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=TOL64, atol=TOL64)
    pairs = zip(block.named_parameters(), reference.parameters(), strict=True)
    for (name, p), q in pairs:
        assert p.dtype == torch.float32 and p.grad.dtype == torch.float32, name
        torch.testing.assert_close(p.grad, q.grad.float(), rtol=TOL32, atol=TOL32)
    # buffers a training-mode call updates (BatchNorm's running statistics) too
    buffers = zip(block.named_buffers(), reference.buffers(), strict=True)
    for (name, b), c in buffers:
        assert b.dtype == (torch.float32 if b.is_floating_point() else c.dtype), name
        torch.testing.assert_close(b, c.to(b.dtype), rtol=TOL32, atol=TOL32)


def check_float16_input(block: nn.Module, x: torch.Tensor, *args: object) -> None:
    """A float16 input runs in float16 (on the CPU too), near the float32 answer."""
    block = block.eval()  # (running statistics untouched by the two calls)
    out = block(x.to(torch.float16), *args)
    assert out.dtype == torch.float16
    want = block(x.to(torch.float32), *args)
    # float16 keeps 11 bits (relative 5e-4 per rounding); a few layers of sums
    torch.testing.assert_close(out.float(), want, rtol=2e-2, atol=2e-2)
