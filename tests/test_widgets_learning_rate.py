"""learning_rate_explorer: the path follows the learning rate, divergence is shown."""

import numpy as np
import pytest

from nnlib.data import make_line
from nnlib.widgets import critical_lr, descent_path, learning_rate_explorer


def _plain_descent(x, y, start, lr, steps):
    a, b = start
    losses = [np.mean((a * x + b - y) ** 2)]
    for _ in range(steps):
        r = a * x + b - y
        a, b = a - lr * 2 * np.mean(r * x), b - lr * 2 * np.mean(r)
        losses.append(np.mean((a * x + b - y) ** 2))
    return np.array(losses)


@pytest.mark.ch01
def test_the_slider_sets_the_learning_rate_and_the_path():
    x, y = make_line(50, a=2.0, b=1.0, noise=0.5, seed=0)
    explorer = learning_rate_explorer(x, y, start=(-1.0, -1.0), lr=0.01, steps=10)
    slow = explorer.state["final_loss"]
    explorer.controls["lr"].value = 0.3
    state = explorer.state
    assert state["lr"] == pytest.approx(0.3)
    np.testing.assert_allclose(
        state["losses"], _plain_descent(x, y, (-1, -1), 0.3, 10), rtol=1e-12
    )
    assert state["final_loss"] < slow and not state["diverged"]
    # the right panel plots exactly these losses
    curve = explorer.figure.axes[1].lines[0]
    np.testing.assert_allclose(curve.get_ydata(), state["losses"])
    explorer.controls["steps"].value = 3
    assert explorer.state["path"].shape == (4, 2)
    assert f"final MSE = {explorer.state['final_loss']:.4g}" in explorer.readout.value


@pytest.mark.ch01
def test_divergence_sets_in_at_the_critical_learning_rate():
    x, y = make_line(50, seed=0)
    crit = critical_lr(x)
    # gradient descent on a quadratic converges iff lr < 2 / lambda_max
    below = _plain_descent(x, y, (-1, -1), 0.97 * crit, 300)
    above = _plain_descent(x, y, (-1, -1), 1.03 * crit, 300)
    assert below[-1] < below[0] and above[-1] > above[0]
    explorer = learning_rate_explorer(x, y, lr=0.5 * crit, steps=60)
    assert not explorer.state["diverged"]
    explorer.controls["lr"].value = 2.5 * crit
    assert explorer.state["diverged"]
    assert "diverges" in explorer.figure.axes[1].get_title()
    assert repr(explorer).endswith("diverged=True)")


def test_descent_path_stops_once_it_has_blown_up():
    x, y = make_line(20, seed=1)
    path, losses = descent_path(x, y, (0.0, 0.0), lr=50.0, steps=1000)
    assert len(path) == len(losses) < 50
    assert losses[-1] >= 1e6 and np.isfinite(path).all()
