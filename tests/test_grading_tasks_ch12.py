"""Chapter 12's tasks: the residual block against nnlib's ResidualBlock, the cost
counts against their formulas, the train task's goal and the measure task's
tolerances against the experiment itself."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnlib.grading import get_spec, run_check
from nnlib.grading.tasks import ch12
from nnlib.grading.tasks._train import held_out_threshold, split

pytestmark = pytest.mark.ch12


def test_the_residual_block_reference_is_nnlibs_block_without_norm() -> None:
    import torch

    from nnlib.blocks import ResidualBlock

    for case in get_spec("12.residual_block").cases(0):
        x, W1, b1, W2, b2 = case.args
        C, k = W1.shape[0], W1.shape[-1]
        if k != 3:  # ResidualBlock has 3 x 3 kernels
            continue
        block = ResidualBlock(C, norm=False).double()
        with torch.no_grad():
            for conv, W, b in [(block.conv1, W1, b1), (block.conv2, W2, b2)]:
                conv.weight.copy_(torch.from_numpy(W))
                conv.bias.copy_(torch.from_numpy(b))
            want = block(torch.from_numpy(x)).numpy()
        # float64 on both sides: the same sums in another order
        np.testing.assert_allclose(
            ch12.residual_block(*case.args), want, rtol=1e-10, atol=1e-12
        )


def test_with_zero_weights_the_block_passes_relu_of_its_input() -> None:
    (case,) = [c for c in get_spec("12.residual_block").cases(0) if "zero" in c.name]
    x = case.args[0]
    assert np.array_equal(ch12.residual_block(*case.args), np.maximum(x, 0))


@pytest.mark.parametrize(
    ("mistake", "words"),
    [
        (ch12._no_final_relu, "negative outputs remain"),
        (ch12._relu_then_add, "the ReLU came before the input was added back"),
        (ch12._no_skip, "the input is not added back"),
    ],
)
def test_each_residual_block_mistake_is_named(mistake, words) -> None:
    result = run_check("12.residual_block", mistake)
    assert not result.passed and words in result.message, result.line()


def test_the_cost_reference_counts_what_the_formulas_say() -> None:
    for seed in (0, 1):
        for case in get_spec("12.conv_costs").cases(seed):
            assert ch12.conv_costs(*case.args) == ch12._by_formula(*case.args)
    # 3x3, 16 -> 32: the separable one needs 1/32 + 1/9 of the multiply-adds
    full_p, full_m, sep_p, sep_m = ch12.conv_costs(16, 32, 3, 10, 10)
    assert sep_m / full_m == pytest.approx(1 / 32 + 1 / 9)


@pytest.mark.parametrize(
    ("slip", "words"),
    [
        ({"bias": False}, "each output channel has a bias too"),
        ({"positions": False}, "the multiply-adds of one output position"),
        ({"full_depth": True}, "the depthwise part counted as a full convolution"),
    ],
)
def test_each_cost_mistake_is_named(slip, words) -> None:
    def wrong(c_in, c_out, k, h, w):
        return ch12._by_formula(c_in, c_out, k, h, w, **slip)

    result = run_check("12.conv_costs", wrong)
    assert not result.passed and words in result.message, result.line()


def test_the_train_task_asks_985_on_validation_and_965_held_out() -> None:
    spec = get_spec("12.train_resnet")
    assert held_out_threshold(0.985) == 0.965
    assert [c.name for c in spec.grader_cases(3)] == ["held-out digits"]
    assert spec.kind == "train" and ">= 98.5 %" in spec.title


def test_a_constant_predictor_fails_the_train_task_with_its_goal() -> None:
    def constant(X_train, y_train, X_val, y_val):
        return lambda X: np.tile(np.eye(10)[0], (len(X), 1))  # always "0"

    result = run_check("12.train_resnet", constant)
    assert not result.passed and "the goal is 0.985" in result.message, result.line()


def test_the_measure_tolerances_hold_the_experiment_for_seeds_0_to_4() -> None:
    import torch
    import torch.nn.functional as F

    from nnlib.blocks import ResNet

    (X_train, y_train), _, _ = split(False)  # the exercises' split
    x, y = torch.from_numpy(X_train[:64]), torch.from_numpy(y_train[:64])
    spec = get_spec("12.skip_gradient")
    for seed in range(5):
        logs = {}
        for key, skip in [("log10_residual", True), ("log10_plain", False)]:
            torch.manual_seed(seed)
            model = ResNet(1, 10, depth=20, width=8, skip=skip, norm=False)
            F.cross_entropy(model(x), y).backward()
            logs[key] = math.log10(model.stem.weight.grad.norm().item())
        result = run_check("12.skip_gradient", lambda logs=logs: {**logs, "why": "c"})
        assert result.passed, (seed, logs, result.line())
    assert spec.reference()["why"] == "c"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"log10_residual": -2.15 * math.log(10)}, "natural logarithm"),
        ({"log10_plain": -10.0 * math.log(10)}, "natural logarithm"),
        ({"log10_residual": -10.1, "log10_plain": -2.15}, "look swapped"),
        ({"log10_residual": 0.0}, "higher than any careful run"),
        ({"why": "a"}, "does not fit what the measurements"),
        ({"why": "skips"}, "expected one of the letters"),
    ],
)
def test_each_recognised_measurement_mistake_is_named(change, words) -> None:
    answers = {**get_spec("12.skip_gradient").reference(), **change}
    result = run_check("12.skip_gradient", lambda: answers)
    assert not result.passed and words in result.message, result.line()
    assert "-2.15" not in result.message and "-10.1" not in result.message
