"""What a model costs: parameters, and multiply-adds for one input (chapter 12).

Letters: B batch, C channels, H height, W width, k kernel size.

A convolution's output element is a dot product over C_in / groups channels times
the kernel, so its multiply-adds are (output elements) x (C_in / groups) x k^2; that
is why a depthwise-separable convolution (``SeparableConv2d``) is cheap and why
doubling the resolution quadruples the cost. FLOPs are about twice the multiply-adds
(a multiply and an add each).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from nnlib._checks import check_int


@dataclass(frozen=True)
class ModelCost:
    """What one example costs a model: weights, and multiply-adds in a forward pass.

    Args:
        params: number of trainable parameters.
        macs: multiply-accumulate operations for one example (FLOPs are about 2x).

    Shape:
        - two ints

    Returns:
        A frozen record.

    Example:
        >>> from nnlib.blocks import ModelCost
        >>> ModelCost(params=10, macs=200).macs
        200
    """

    params: int
    macs: int


def model_cost(model: nn.Module, input_shape: tuple[int, ...]) -> ModelCost:
    """Count a model's parameters and its multiply-adds for one input of a shape.

    Runs one forward pass on zeros (batch 1, eval mode, no gradients; the model's
    training mode is restored) and adds up every ``nn.Conv1d/2d/3d``,
    ``nn.ConvTranspose2d`` and ``nn.Linear``: a convolution costs
    (output elements) x (C_in / groups) x (kernel elements), a transposed one
    (input elements) x (C_out / groups) x (kernel elements), a linear layer
    (output elements) x (in_features). Normalisation, activations, pooling and
    resizing are left out (they cost far less).

    Args:
        model: the network.
        input_shape: the shape of one example without the batch axis, e.g.
            ``(1, 28, 28)`` or ``(C, T, H, W)``.

    Shape:
        - input_shape: the model's input shape without B

    Returns:
        A ``ModelCost`` with ``params`` and ``macs``.

    Example:
        >>> from torch import nn
        >>> from nnlib.blocks import model_cost
        >>> model_cost(nn.Conv2d(3, 8, 3, padding=1), (3, 10, 10))
        ModelCost(params=224, macs=21600)
    """
    where = "model_cost"
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{where} expected model as a torch.nn.Module, got {type(model).__name__}"
        )
    if not isinstance(input_shape, tuple | list) or not input_shape:
        raise TypeError(
            f"{where} expected input_shape as a tuple of ints, got {input_shape!r}"
        )
    for side in input_shape:
        check_int(where, "every side of input_shape", side)
    macs = []

    def count(module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        if isinstance(module, nn.ConvTranspose2d):
            per_input = (
                module.out_channels // module.groups * math.prod(module.kernel_size)
            )
            macs.append(inputs[0].numel() * per_input)
        elif isinstance(module, nn.Conv1d | nn.Conv2d | nn.Conv3d):
            per_output = (
                module.in_channels // module.groups * math.prod(module.kernel_size)
            )
            macs.append(output.numel() * per_output)
        elif isinstance(module, nn.Linear):
            macs.append(output.numel() * module.in_features)

    first = next(model.parameters(), None)
    dtype = first.dtype if first is not None else torch.float32
    device = first.device if first is not None else None
    hooks = [m.register_forward_hook(count) for m in model.modules()]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros((1, *input_shape), dtype=dtype, device=device))
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return ModelCost(params=params, macs=int(sum(macs)))
