"""line_fit_explorer driven from Python: sliders, the gradient step, the display."""

import re

import numpy as np
import pytest

from nnlib.data import make_line
from nnlib.viz import line_mse
from nnlib.widgets import line_fit_explorer, line_gradient

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def data():
    return make_line(30, a=1.5, b=-0.5, noise=0.3, seed=5)


@pytest.mark.ch01
def test_sliders_move_the_line_and_the_loss(data):
    x, y = data
    explorer = line_fit_explorer(x, y, a=0.0, b=0.0)
    first_png = explorer.png
    explorer.controls["a"].value = 1.2
    explorer.controls["b"].value = -0.3
    state = explorer.state
    assert state["a"] == 1.2 and state["b"] == -0.3
    assert state["loss"] == pytest.approx(np.mean((1.2 * x - 0.3 - y) ** 2), rel=1e-12)
    # the drawn line is y = 1.2 x - 0.3 over the data's x range
    fit_ax = explorer.figure.axes[0]
    (line,) = fit_ax.lines
    lx, ly = line.get_data()
    np.testing.assert_allclose(ly, 1.2 * np.asarray(lx) - 0.3)
    np.testing.assert_allclose(state["line"][1], ly)
    # what is shown changed: the image and the numbers
    assert explorer.png.startswith(PNG) and explorer.png != first_png
    assert f"MSE = {state['loss']:.4f}" in explorer.readout.value
    assert repr(explorer) == f"LineFitExplorer(a=1.2, b=-0.3, loss={state['loss']:.4g})"


@pytest.mark.ch01
def test_gradient_steps_follow_the_update_rule(data):
    x, y = data
    explorer = line_fit_explorer(x, y, a=-1.0, b=1.0, lr=0.2)
    a, b = -1.0, 1.0
    losses = [explorer.state["loss"]]
    for _ in range(3):
        residual = a * x + b - y  # an independent copy of dL/da and dL/db
        a, b = a - 0.2 * 2 * np.mean(residual * x), b - 0.2 * 2 * np.mean(residual)
        explorer.controls["step"].click()  # the button, as a learner presses it
        assert explorer.state["a"] == pytest.approx(a, rel=1e-12)
        assert explorer.state["b"] == pytest.approx(b, rel=1e-12)
        losses.append(explorer.state["loss"])
    assert np.all(np.diff(losses) < 0)  # lr 0.2 is below 2 / lambda_max here
    path = explorer.state["path"]
    assert path.shape == (4, 2) and explorer.state["steps"] == 3
    np.testing.assert_allclose(path[0], [-1.0, 1.0])
    loss_ax = explorer.figure.axes[1]
    drawn = {line.get_label(): line for line in loss_ax.lines}
    np.testing.assert_allclose(np.column_stack(drawn["descent path"].get_data()), path)
    np.testing.assert_allclose(explorer.state["grad"], line_gradient(x, y, a, b))


def test_moving_a_slider_by_hand_starts_a_new_path_and_reset_returns(data):
    x, y = data
    explorer = line_fit_explorer(x, y, a=0.5, b=0.5)
    explorer.gradient_step()
    explorer.gradient_step()
    assert explorer.state["steps"] == 2
    explorer.controls["b"].value = 0.0
    assert explorer.state["steps"] == 0
    np.testing.assert_allclose(explorer.state["path"], [[explorer.state["a"], 0.0]])
    explorer.controls["reset"].click()
    assert (explorer.state["a"], explorer.state["b"]) == (0.5, 0.5)
    assert explorer.state["loss"] == pytest.approx(line_mse(x, y, 0.5, 0.5))


@pytest.mark.ch01
def test_the_browser_sending_rounded_values_back_keeps_the_path(data):
    # In the browser a slider holds only multiples of its step (0.01): after each
    # gradient step it sends the rounded value back, after two quick clicks only once
    # both steps are done. Neither is a move by hand.
    x, y = data
    explorer = line_fit_explorer(x, y, a=0.0, b=0.0, lr=0.1)
    explorer.controls["step"].click()
    explorer.controls["step"].click()
    path = explorer.state["path"].copy()
    assert path.shape == (3, 2)
    for point in path[1:]:  # late echoes: first of step 1, then of step 2
        assert not np.allclose(point, np.round(point, 2))  # off the grid
        for name, value in zip("ab", point, strict=True):
            explorer.controls[name].value = round(value, 2)  # what the browser sends
    assert explorer.state["steps"] == 2
    np.testing.assert_allclose(explorer.state["path"], path)
    assert (explorer.state["a"], explorer.state["b"]) == tuple(np.round(path[-1], 2))
    assert explorer.figure.axes[1].get_title() == "MSE over (a, b): 2 steps"
    drawn = {line.get_label(): line for line in explorer.figure.axes[1].lines}
    np.testing.assert_allclose(np.column_stack(drawn["descent path"].get_data()), path)
    # a third step continues from where the sliders are
    explorer.controls["step"].click()
    assert explorer.state["steps"] == 3
    # one slider notch (a whole step) is a move by hand: a new path starts there
    explorer.controls["a"].value = round(explorer.state["a"] + 0.01, 2)
    assert explorer.state["steps"] == 0


def test_display_bundle_is_live_widget_png_and_stable_text(data):
    explorer = line_fit_explorer(*data)
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == (
        explorer.container.model_id
    )
    assert bundle["image/png"].startswith(PNG)
    text = bundle["text/plain"]
    assert text == repr(explorer) and not re.search(r"0x[0-9a-f]{4,}", text)
    x, y = data  # the text depends on the state only: same input, same text
    assert text == f"LineFitExplorer(a=0, b=0, loss={line_mse(x, y, 0, 0):.4g})"
    assert explorer.image in explorer.container.children
    assert explorer.readout in explorer.container.children


def test_default_data_and_bad_input():
    explorer = line_fit_explorer()
    x, y = make_line(50, a=2.0, b=1.0, noise=0.5, seed=0)
    assert explorer.state["loss"] == pytest.approx(line_mse(x, y, 0.0, 0.0))
    with pytest.raises(ValueError, match="line_fit_explorer expected x and y"):
        line_fit_explorer(np.zeros(3), np.zeros(4))
