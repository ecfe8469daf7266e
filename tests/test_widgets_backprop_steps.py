"""backprop_steps: each step reveals one value or gradient, the library's numbers."""

import numpy as np
import pytest

from nnlib.scratch import MSELoss, Neuron
from nnlib.widgets import backprop_steps, graph_steps

VALUES = dict(x1=1.5, x2=-2.0, w1=0.8, w2=0.4, b=0.1, t=1.0)


def _texts(stepper) -> dict[str, str]:
    """gid -> shown text of every node label in the figure."""
    ax = stepper.figure.axes[0]
    return {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}


@pytest.mark.ch04
def test_the_last_step_holds_the_gradients_of_neuron_backward():
    x1, x2 = VALUES["x1"], VALUES["x2"]
    stepper = backprop_steps(x1=x1, x2=x2, w1=0.8, w2=0.4, b=0.1, t=1.0)
    stepper.controls["step"].value = stepper.state["n_steps"]
    grads = stepper.state["grads"]
    neuron = Neuron(2, activation="sigmoid")
    neuron.params["w"][:] = [VALUES["w1"], VALUES["w2"]]
    neuron.params["b"][...] = VALUES["b"]
    loss = MSELoss()
    value = loss(neuron(np.array([[VALUES["x1"], VALUES["x2"]]])), np.array([1.0]))
    dx = neuron.backward(loss.backward())
    assert stepper.state["values"]["L"] == pytest.approx(value, rel=1e-12)
    expected = [*neuron.grads["w"], neuron.grads["b"], *dx[0]]
    got = [grads[k] for k in ("w1", "w2", "b", "x1", "x2")]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.ch04
def test_moving_the_slider_reveals_one_node_at_a_time():
    stepper = backprop_steps()
    texts = _texts(stepper)
    assert texts["value:z"] == "z = ?" and not any(g.startswith("grad") for g in texts)
    assert stepper.state["phase"] == "start"
    stepper.controls["step"].value = 3  # m1, m2, then z
    texts = _texts(stepper)
    assert texts["value:z"] == "z = 0.5" and texts["value:y"] == "y = ?"
    assert "step 3 of 15 (forward): z = m1 + m2 + b" in stepper.readout.value
    stepper.advance()  # the next button
    assert stepper.state["node"] == "y" and _texts(stepper)["value:y"] != "y = ?"
    stepper.controls["step"].value = 8  # dL/dL, dL/dy, dL/dz
    texts = _texts(stepper)
    assert {g for g in texts if g.startswith("grad")} == {"grad:L", "grad:y", "grad:z"}
    assert texts["grad:z"] == f"∂L/∂z = {stepper.state['grads']['z']:.4g}"
    assert "(backward): ∂L/∂z" in stepper.figure.axes[0].get_title()
    stepper.controls["step"].value = 2
    assert set(stepper.state["values"]) == {*VALUES, "m1", "m2"}
    assert stepper.state["grads"] == {}


def test_buttons_stop_at_both_ends():
    stepper = backprop_steps(step=15)
    stepper.advance()
    assert stepper.state["step"] == 15
    stepper.controls["back"].click()
    assert stepper.state["step"] == 14
    stepper.controls["step"].value = 0
    stepper.advance(-1)
    assert stepper.state["step"] == 0 and repr(stepper) == (
        "BackpropStepper(step=0, phase='start', node=None)"
    )


def test_graph_steps_order_and_bad_input():
    steps = graph_steps(**VALUES)
    assert [s["phase"] for s in steps] == ["forward"] * 5 + ["backward"] * 10
    assert len({(s["phase"], s["node"]) for s in steps}) == 15
    with pytest.raises(ValueError, match="graph_steps expected w1"):
        graph_steps(1.0, 2.0, float("nan"), 0.0, 0.0, 0.0)
