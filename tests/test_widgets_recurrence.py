"""recurrence_explorer: the gradient curve follows the scale of Wh and the steps."""

import numpy as np
import pytest

from nnlib.scratch import RNN
from nnlib.widgets import recurrence_explorer
from nnlib.widgets.recurrence import gradient_by_distance, per_step_factor


def _by_hand(scale, steps, seed=0):
    """The same measurement written out here with nnlib's RNN: the oracle."""
    rng = np.random.default_rng(seed)
    layer = RNN(8, 32, rng=rng)
    layer.params["Wh"][...] *= scale
    x = rng.standard_normal((16, steps, 8))
    hs = layer(x)
    dy = np.zeros_like(hs)
    dy[:, -1] = rng.standard_normal(32)
    return np.linalg.norm(layer.backward(dy), axis=(0, 2))[::-1]


@pytest.mark.ch09
def test_moving_the_scale_slider_redraws_the_curve_it_computes():
    explorer = recurrence_explorer(scale=1.0, steps=30)
    first = explorer.state["gradient"].copy()
    explorer.controls["scale"].value = 2.5
    state = explorer.state
    assert state["scale"] == pytest.approx(2.5, rel=1e-3)  # a log slider's grid
    want = _by_hand(state["scale"], 30)
    # the same numpy operations in the same order: equal up to rounding (1e-12)
    np.testing.assert_allclose(state["gradient"], want / want[0], rtol=1e-12)
    lines = {line.get_label(): line for line in explorer.figure.axes[0].lines}
    drawn = lines[f"Wh x {state['scale']:.2f}"]
    np.testing.assert_allclose(drawn.get_ydata(), state["gradient"])
    np.testing.assert_allclose(drawn.get_xdata(), np.arange(30))
    # the grey baseline keeps the curve of the weights as initialised
    np.testing.assert_allclose(lines["Wh x 1"].get_ydata(), first)
    assert not np.allclose(state["gradient"], first)
    assert explorer.figure.axes[0].get_yscale() == "log"


@pytest.mark.ch09
def test_small_weights_vanish_large_weights_explode_and_the_factor_grows():
    explorer = recurrence_explorer(scale=0.5, steps=40)
    factors = []
    for scale in (0.5, 1.0, 2.0, 4.0):
        explorer.controls["scale"].value = scale
        factors.append(explorer.state["factor"])
    assert factors == sorted(factors)  # larger Wh, larger per-step factor
    explorer.controls["scale"].value = 0.5
    assert explorer.state["regime"] == "vanishes" and explorer.state["factor"] < 0.6
    assert explorer.state["gradient"][-1] < 1e-6  # 39 steps of x < 0.6
    assert "vanishes" in explorer.figure.axes[0].get_title()
    explorer.controls["scale"].value = 4.0
    assert explorer.state["regime"] == "explodes" and explorer.state["gradient"][-1] > 1
    assert "explodes" in explorer.figure.axes[0].get_title()
    assert "per step" in explorer.readout.value
    assert repr(explorer).startswith("RecurrenceExplorer(scale=4, steps=40, factor=")


@pytest.mark.ch09
def test_the_steps_slider_sets_the_length_of_the_curve():
    explorer = recurrence_explorer(steps=20)
    explorer.controls["steps"].value = 60
    state = explorer.state
    assert state["gradient"].shape == state["distance"].shape == (60,)
    assert state["gradient"][0] == 1.0  # relative to distance 0
    assert state["factor"] == pytest.approx(
        per_step_factor(gradient_by_distance(1.0, 60)), rel=1e-12
    )


def test_bad_settings_fail_with_the_course_voice():
    with pytest.raises(ValueError, match="expected"):
        recurrence_explorer(scale=10.0)
    with pytest.raises(ValueError, match="expected steps"):
        recurrence_explorer(steps=1)
    with pytest.raises(ValueError, match="gradient_by_distance expected scale"):
        gradient_by_distance(0.0, 10)
