"""The blocks' dtype rule: the computation follows the input's floating-point dtype.

A float32 block given a float64 input computes in float64 and returns float64, as
the numpy layers of ``nnlib.scratch`` do (``../shared/API.md``). The block keeps its
own parameters: ``run_in_dtype`` calls it once more with every floating parameter
and buffer read through ``.to(dtype)``, via ``torch.func.functional_call``. That
cast is differentiable, so ``backward`` fills each parameter's ``.grad`` in the
parameter's own dtype, and an optimizer never changes it. Inside the second call
the dtypes match and the block takes its normal path; the cost (one copy of the
weights per call) is paid only on a mismatch. Under ``torch.autocast``, which mixes
dtypes on purpose, nothing is cast.
"""

import torch
from torch import nn


def needs_cast(where: str, x: torch.Tensor, like: torch.Tensor) -> bool:
    """True when ``x`` is floating and of another dtype than ``like`` (a parameter).

    ``x`` has passed ``check_tensor``, so it is floating or complex; a complex input
    is a ``TypeError`` (float layers cannot take it, and a cast would drop the
    imaginary part).
    """
    if x.is_complex():
        raise TypeError(
            f"{where} expected a real floating-point input, got {x.dtype}; "
            "pass x.real or x.abs() if that is what you mean"
        )
    return x.dtype != like.dtype and not torch.is_autocast_enabled(x.device.type)


def run_in_dtype(module: nn.Module, dtype: torch.dtype, *args, **kwargs):
    """``module(*args, **kwargs)`` with floating parameters and buffers in ``dtype``.

    Buffers the call changes in place (BatchNorm's running statistics in training
    mode) are copied back into the module's own buffers, in their own dtype.
    Forward hooks on ``module`` itself run twice (once per call); hooks on its
    submodules run once.
    """
    buffers = dict(module.named_buffers())
    cast = {
        name: t.to(dtype)  # (a differentiable copy: gradients reach t)
        for name, t in (*module.named_parameters(), *buffers.items())
        if t.is_floating_point()
    }
    out = torch.func.functional_call(module, cast, args, kwargs)
    with torch.no_grad():
        for name, buffer in buffers.items():
            new = cast.get(name)
            if new is not None and not torch.equal(new, buffer.to(dtype)):
                buffer.copy_(new)
    return out
