"""plot_history: one panel per metric, one line per split."""

import numpy as np
import pytest

from nnlib.viz import figure_png, plot_history


@pytest.mark.ch06
def test_history_panels_and_lines():
    history = {
        "train_loss": [1.0, 0.6, 0.4],
        "val_loss": [1.1, 0.7, 0.5],
        "train_acc": [0.5, 0.7, 0.8],
        "val_acc": [0.45, 0.65, 0.75],
    }
    fig = plot_history(history)
    assert figure_png(fig)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "loss" and acc_ax.get_title() == "acc"
    assert [line.get_label() for line in loss_ax.lines] == ["train", "val"]
    np.testing.assert_array_equal(loss_ax.lines[1].get_ydata(), history["val_loss"])
    np.testing.assert_array_equal(acc_ax.lines[0].get_xdata(), [1, 2, 3])


@pytest.mark.ch01
def test_history_single_loss_log_scale_and_steps():
    fig = plot_history({"loss": [4.0, 2.0, 1.0, 0.5]}, xlabel="step", log_loss=True)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step"
    assert len(ax.lines) == 1


def test_history_from_records_with_epoch_column():
    records = [
        {"epoch": 0, "loss": 2.0, "lr": 0.1},
        {"epoch": 5, "loss": 1.0, "lr": 0.05},
    ]
    fig = plot_history(records)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "lr"]
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), [0, 5])


def test_history_refuses_what_it_cannot_plot():
    with pytest.raises(TypeError):
        plot_history(3.0)
    with pytest.raises(ValueError, match="expected at least one metric"):
        plot_history({"epoch": [1, 2]})


@pytest.mark.ch07
def test_history_of_fit_skips_timings_and_missing_validation():
    nan = float("nan")
    history = {  # the keys nnlib.train.fit returns, trained without a val_loader
        "train_loss": [1.0, 0.5],
        "train_acc": [0.6, 0.8],
        "val_loss": [nan, nan],
        "val_acc": [nan, nan],
        "seconds": [1.2, 1.1],
    }
    fig = plot_history(history)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "acc"]
    assert all(len(ax.lines) == 1 for ax in fig.axes)
    fig = plot_history(history, keys=["seconds"])
    assert [ax.get_title() for ax in fig.axes] == ["seconds"]
    with pytest.raises(ValueError, match="got \\['lr'\\]"):
        plot_history(history, keys=["lr"])
