"""activation_explorer: the point, its value and its slope follow the controls."""

import numpy as np
import pytest

from nnlib.viz import ACTIVATIONS
from nnlib.widgets import activation_explorer


@pytest.mark.ch02
def test_controls_set_value_slope_and_tangent():
    explorer = activation_explorer()
    assert explorer.state["name"] == "sigmoid"
    explorer.controls["name"].value = "tanh"
    explorer.controls["x"].value = 0.5
    state = explorer.state
    assert state["value"] == pytest.approx(np.tanh(0.5), rel=1e-12)
    assert state["slope"] == pytest.approx(1 - np.tanh(0.5) ** 2, rel=1e-12)
    ax = explorer.figure.axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    np.testing.assert_allclose(
        lines["tanh(x)"].get_ydata(), np.tanh(lines["tanh(x)"].get_xdata())
    )
    tx, ty = lines["tangent"].get_data()
    np.testing.assert_allclose(ty, state["value"] + state["slope"] * (tx - 0.5))
    assert f"slope = {state['slope']:.4f}" in explorer.readout.value
    assert repr(explorer) == (
        f"ActivationExplorer(name='tanh', x=0.5, value={state['value']:.4g}, "
        f"slope={state['slope']:.4g})"
    )


@pytest.mark.ch02
def test_saturation_is_pointed_out():
    explorer = activation_explorer(["sigmoid", "relu"], x=4.5)
    assert "saturated" in explorer.readout.value  # sigmoid'(4.5) = 0.011
    explorer.controls["name"].value = "relu"
    assert explorer.state["slope"] == 1.0 and "saturated" not in explorer.readout.value
    explorer.controls["x"].value = -2.0
    assert explorer.state["value"] == 0.0 and "saturated" in explorer.readout.value


def test_every_known_activation_works_and_bad_names_fail():
    explorer = activation_explorer(sorted(ACTIVATIONS), x=-1.0)
    for name in sorted(ACTIVATIONS):
        explorer.controls["name"].value = name
        f, df = ACTIVATIONS[name]
        assert explorer.state["value"] == pytest.approx(f(np.array([-1.0]))[0])
    with pytest.raises(ValueError, match="activation_explorer expected names from"):
        activation_explorer(["softsign"])
    with pytest.raises(ValueError, match="expected name as one of"):
        activation_explorer(["relu"], name="tanh")
