"""capacity_explorer: the boundary, accuracy and parameter count follow the sliders."""

import numpy as np
import pytest

from nnlib.data import make_spirals, make_xor
from nnlib.scratch import Dense
from nnlib.widgets import capacity_explorer, train_mlp


def _boundary(explorer) -> np.ndarray:
    """The predicted-class image the figure shows."""
    (image,) = explorer.figure.axes[0].images
    return np.asarray(image.get_array())


@pytest.mark.ch03
def test_width_and_depth_sliders_retrain_and_redraw():
    X, y = make_spirals(200, turns=1.5, seed=0)
    explorer = capacity_explorer(X, y, width=2, depth=1, resolution=30)
    narrow = explorer.state
    assert narrow["params"] == (2 * 2 + 2) + (2 * 2 + 2)
    image_narrow = _boundary(explorer).copy()
    explorer.controls["width"].value = 32
    wide = explorer.state
    assert (wide["width"], wide["depth"]) == (32, 1)
    assert wide["params"] == (2 * 32 + 32) + (32 * 2 + 2)
    # 2 units draw at most two cuts: spirals stay near chance; 32 units get far
    # (measured 60.0 % and 97.5 %; margins of several points)
    assert narrow["accuracy"] < 0.75 < 0.9 < wide["accuracy"]
    assert not np.array_equal(_boundary(explorer), image_narrow)
    explorer.controls["depth"].value = 2
    assert explorer.state["params"] == 96 + (32 * 32 + 32) + 66
    assert explorer.figure.axes[0].get_title().startswith("2 x 32 hidden")
    assert "1218 parameters" in explorer.readout.value
    assert repr(explorer).startswith("CapacityExplorer(width=32, depth=2, params=1218")


@pytest.mark.ch03
def test_each_setting_is_trained_once_and_shown_as_trained():
    X, y = make_xor(120, seed=1)
    explorer = capacity_explorer(X, y, width=8, depth=2, steps=80, resolution=20)
    model = explorer.state["model"]
    explorer.controls["width"].value = 4
    explorer.controls["width"].value = 8
    assert explorer.state["model"] is model and len(explorer.models) == 2
    # the stored model is what train_mlp gives for the same seed (deterministic)
    again, _ = train_mlp(X, y, 8, 2, steps=80)
    np.testing.assert_array_equal(again(X), model(X))
    # the drawn image is the argmax of that model on the grid, class 1 somewhere
    image = _boundary(explorer)
    assert image.shape == (20, 20) and set(np.unique(image)) == {0, 1}


def test_train_mlp_builds_the_sizes_asked_for():
    X, y = make_xor(40, seed=0)
    model, losses = train_mlp(X, y, 3, 2, steps=5)
    dense = [layer for layer in model if isinstance(layer, Dense)]
    assert [layer.params["W"].shape for layer in dense] == [(2, 3), (3, 3), (3, 2)]
    assert len(losses) == 5


def test_bad_settings_fail_with_the_expected_voice():
    X, y = make_xor(40, seed=0)
    with pytest.raises(ValueError, match="capacity_explorer expected width as one"):
        capacity_explorer(X, y, width=3)
    with pytest.raises(ValueError, match=r"capacity_explorer expected X \(N, 2\)"):
        capacity_explorer(X[:, :1], y)
    with pytest.raises(ValueError, match="capacity_explorer expected layers"):
        capacity_explorer(X, y, depth=9)
