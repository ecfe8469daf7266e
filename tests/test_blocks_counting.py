"""nnlib.blocks.counting: ModelCost and model_cost (chapter 12)."""

import math

import pytest
from torch import nn

from nnlib.blocks import ModelCost, ScalableCNN, SeparableConv2d, model_cost

pytestmark = pytest.mark.ch12


def test_model_cost_hand_computed():
    # conv: out elements x C_in x k^2; depthwise: groups divide C_in
    assert model_cost(nn.Conv2d(3, 8, 3), (3, 10, 10)) == ModelCost(224, 8 * 64 * 27)
    depthwise = nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False)
    assert model_cost(depthwise, (4, 6, 6)) == ModelCost(36, 4 * 36 * 9)
    assert model_cost(nn.Linear(5, 3), (7, 5)) == ModelCost(18, 7 * 3 * 5)
    up = nn.ConvTranspose2d(4, 2, 2, stride=2)  # each input element feeds 2 x 2 x 2
    assert model_cost(up, (4, 3, 3)).macs == 4 * 9 * 2 * 4
    assert model_cost(nn.Conv3d(1, 2, 3), (1, 4, 5, 5)).macs == 2 * 2 * 3 * 3 * 27
    sep = SeparableConv2d(8, 16, 3, padding=1)
    # H' W' (C_in k^2 + C_in C_out): the separable formula
    assert model_cost(sep, (8, 10, 10)).macs == 100 * (8 * 9 + 8 * 16)
    assert model_cost(nn.ReLU(), (3,)) == ModelCost(0, 0)


def test_model_cost_restores_training_mode_and_refuses_bad_input():
    model = ScalableCNN()
    model_cost(model, (1, 28, 28))
    assert model.training
    assert not model_cost(model.eval(), (1, 28, 28)) == ModelCost(0, 0)
    assert not model.training
    with pytest.raises(
        TypeError, match="model_cost expected model as a torch.nn.Module"
    ):
        model_cost(lambda x: x, (1, 28, 28))
    with pytest.raises(TypeError, match="input_shape as a tuple of ints"):
        model_cost(model, 28)
    with pytest.raises(ValueError, match="every side of input_shape >= 1"):
        model_cost(model, (1, 0, 28))
    assert math.isclose(
        model_cost(model, [1, 28, 28]).macs, model_cost(model, (1, 28, 28)).macs
    )
