"""generalisation_explorer: the slider picks a run, the panels and state follow it."""

import numpy as np
import pytest

from nnlib.widgets import generalisation_explorer


def _run(n_epochs, turn, gap):
    """Curves whose validation loss is lowest at epoch ``turn`` (1-based)."""
    epochs = np.arange(1, n_epochs + 1)
    val_loss = 0.3 + 0.01 * (epochs - turn) ** 2
    return {
        "train_loss": list(1.0 / epochs),
        "val_loss": list(val_loss),
        "train_acc": [1.0] * n_epochs,
        "val_acc": [1.0 - gap] * n_epochs,
    }


RUNS = {400: _run(30, 20, 0.02), 50: _run(30, 5, 0.2), 100: _run(30, 10, 0.1)}


@pytest.mark.ch06
def test_the_slider_picks_a_run_and_the_state_follows():
    explorer = generalisation_explorer(RUNS)
    # the smallest setting first, the runs in order of the setting
    labels = [label for label, _ in explorer.controls["value"].options]
    assert labels == ["50", "100", "400"]
    assert explorer.state["value"] == 50 and explorer.state["best_epoch"] == 5
    for value, turn, gap in [(100, 10, 0.1), (400, 20, 0.02)]:
        explorer.controls["value"].value = value
        state = explorer.state
        assert state["best_epoch"] == turn
        assert state["best_val_loss"] == pytest.approx(0.3)
        assert state["gap"] == pytest.approx(gap)
        assert state["final_val_loss"] == pytest.approx(0.3 + 0.01 * (30 - turn) ** 2)
    assert repr(explorer) == (
        "GeneralisationExplorer(value=400, best_epoch=20, final_train_acc=1, "
        "final_val_acc=0.98)"
    )
    assert "epoch 20" in explorer.readout.value


@pytest.mark.ch06
def test_the_panels_plot_the_chosen_run_and_every_final_accuracy():
    explorer = generalisation_explorer(RUNS, label="weight decay", value=100)
    curves, final = explorer.figure.axes[:2]
    train, val = curves.lines[:2]
    np.testing.assert_allclose(val.get_ydata(), RUNS[100]["val_loss"])
    np.testing.assert_allclose(train.get_ydata(), RUNS[100]["train_loss"])
    assert "weight decay = 100" in curves.get_title()
    val_final = final.lines[1]
    np.testing.assert_allclose(val_final.get_xdata(), [50, 100, 400])
    np.testing.assert_allclose(val_final.get_ydata(), [0.8, 0.9, 0.98])
    assert final.get_xscale() == "linear"  # settings within a factor of 10
    wide = generalisation_explorer({10: RUNS[50], 1000: RUNS[400]})
    assert wide.figure.axes[1].get_xscale() == "log"  # a factor of 10 or more
    explorer.controls["value"].value = 50
    np.testing.assert_allclose(curves.lines[1].get_ydata(), RUNS[50]["val_loss"])


@pytest.mark.ch06
@pytest.mark.parametrize(
    "runs, value, error, words",
    [
        ({}, None, TypeError, "non-empty dict"),
        ([1, 2], None, TypeError, "non-empty dict"),
        ({"fifty": _run(3, 1, 0)}, None, TypeError, "setting as a number"),
        ({50: {"train_loss": [1.0]}}, None, ValueError, "to hold"),
        ({50: _run(3, 1, 0) | {"val_acc": [0.5]}}, None, ValueError, "one length"),
        (
            {50: _run(3, 1, 0) | {"val_loss": [1.0, np.nan, 0.5]}},
            None,
            ValueError,
            "NaN",
        ),
        (RUNS, 75, ValueError, "among the settings"),
    ],
)
def test_bad_runs_are_refused_with_what_was_expected(runs, value, error, words):
    with pytest.raises(error, match=words):
        generalisation_explorer(runs, value=value)
