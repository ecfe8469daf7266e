"""Checks shared by the tests of the chapter 12-13 vision blocks.

- ``assert_every_parameter_learns``: a backward pass from a random projection of
  the output (a scalar) leaves every parameter with a finite gradient that is not
  all zeros, so no layer is cut off from the loss.
- ``gradcheck_module``: ``torch.autograd.gradcheck`` in float64 with respect to the
  input *and* every parameter (through ``torch.func.functional_call``), in its fast
  mode: it compares random projections $v^T J u$ of the Jacobian, analytic against
  central differences, instead of every entry (seconds instead of minutes).
"""

import torch
from torch import nn
from torch.func import functional_call


def assert_every_parameter_learns(model: nn.Module, *inputs: torch.Tensor) -> None:
    model.zero_grad(set_to_none=True)
    out = model(*inputs)
    generator = torch.Generator().manual_seed(0)
    weights = torch.randn(out.shape, generator=generator, dtype=out.dtype)
    (out * weights).sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None, f"{name} got no gradient"
        assert torch.isfinite(p.grad).all(), f"{name} has a non-finite gradient"
        assert p.grad.abs().max() > 0, f"{name} has an all-zero gradient"


def gradcheck_module(model: nn.Module, x: torch.Tensor) -> None:
    model = model.double()
    names = [name for name, _ in model.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_(True) for p in model.parameters())
    x = x.detach().double().requires_grad_(True)

    def f(x, *values):
        return functional_call(model, dict(zip(names, values, strict=True)), (x,))

    # eps 1e-6 in float64: central differences good to ~1e-8 unless a ReLU or a
    # max pool switches inside the step, which a fixed seed avoids
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: a second thread only spins
    try:
        assert torch.autograd.gradcheck(
            f, (x, *params), eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=True
        )
    finally:
        torch.set_num_threads(threads)
