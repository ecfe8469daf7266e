"""Generalisation: training and validation curves against one setting (chapter 6).

The widget shows runs that were trained beforehand (in the notebook, or loaded with
``nnlib.data.load_run``), one per value of a setting such as the number of training
images or the weight-decay strength. A slider picks the value; the left panel shows
that run's training and validation loss per epoch, the right panel the final
training and validation accuracy of every run, with the chosen one marked. Nothing is
trained when the slider moves, so it answers at once.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from nnlib._checks import describe
from nnlib.viz.style import COLORS, FONT_SIZE, new_figure
from nnlib.widgets.base import Explorer

CURVES = ("train_loss", "val_loss", "train_acc", "val_acc")
"""The per-epoch lists every run must hold (as ``nnlib.train.fit`` returns them)."""


def runs_by_setting(where: str, runs: object) -> dict[float, dict[str, np.ndarray]]:
    """The runs as {setting: {curve: (epochs,) array}}, sorted by setting.

    Args:
        where: the name of the caller, for error messages.
        runs: a dict from a setting (a number) to a history, a dict holding the
            per-epoch lists ``train_loss``, ``val_loss``, ``train_acc``,
            ``val_acc`` of one length (at least one epoch), all finite.

    Returns:
        The same runs, sorted by setting, with numpy arrays of floats.

    Example:
        >>> from nnlib.widgets.generalisation import runs_by_setting
        >>> run = {c: [1.0, 0.5] for c in ("train_loss", "val_loss")}
        >>> run |= {c: [0.5, 0.9] for c in ("train_acc", "val_acc")}
        >>> list(runs_by_setting("example", {200: run, 50: run}))
        [50.0, 200.0]
    """
    if not isinstance(runs, dict) or not runs:
        raise TypeError(
            f"{where} expected runs as a non-empty dict setting -> history, "
            f"got {describe(runs)}"
        )
    checked: dict[float, dict[str, np.ndarray]] = {}
    for setting, history in runs.items():
        if isinstance(setting, bool) or not isinstance(setting, int | float):
            raise TypeError(
                f"{where} expected each setting as a number, got {describe(setting)}"
            )
        if not isinstance(history, dict) or set(CURVES) - set(history):
            raise ValueError(
                f"{where} expected each run to hold {list(CURVES)}, "
                f"got {describe(history)} for setting {setting}"
            )
        curves = {name: np.asarray(history[name], dtype=float) for name in CURVES}
        lengths = {c.shape for c in curves.values()}
        val = curves["val_loss"]
        if len(lengths) != 1 or val.ndim != 1 or not len(val):
            raise ValueError(
                f"{where} expected per-epoch curves of one length (>= 1 epoch) for "
                f"setting {setting}, got shapes {sorted(lengths)}"
            )
        if not all(np.isfinite(c).all() for c in curves.values()):
            raise ValueError(
                f"{where} expected finite curves, got a NaN or inf "
                f"for setting {setting}"
            )
        checked[float(setting)] = curves
    return dict(sorted(checked.items()))


class GeneralisationExplorer(Explorer):
    """A slider over a setting; that run's curves and every run's final accuracies.

    Build one with ``generalisation_explorer``. State: ``value`` (the setting),
    ``best_epoch`` (1-based epoch of the lowest validation loss), ``best_val_loss``,
    ``final_val_loss``, ``final_train_acc``, ``final_val_acc`` and ``gap`` (final
    training minus validation accuracy).

    Args:
        runs: the checked runs, {setting: {curve: (epochs,) array}}, sorted.
        label: what the setting is, for the slider and the axis.
        value: the setting shown first, one of the runs' settings.

    Example:
        >>> from nnlib.widgets import GeneralisationExplorer
        >>> GeneralisationExplorer.summary_keys  # the state its text line shows
        ('value', 'best_epoch', 'final_train_acc', 'final_val_acc')
    """

    summary_keys = ("value", "best_epoch", "final_train_acc", "final_val_acc")

    def __init__(
        self, runs: dict[float, dict[str, np.ndarray]], label: str, value: float
    ) -> None:
        self.runs, self.label = runs, label
        settings = list(runs)
        options = [(f"{s:g}", s) for s in settings]
        controls: dict[str, widgets.Widget] = {
            "value": widgets.SelectionSlider(
                options=options, value=value, description=label[:12]
            )
        }
        figure, (self.ax_curves, self.ax_final) = new_figure(1, 2, figsize=(8.0, 3.0))
        self.log_x = min(settings) > 0 and max(settings) / min(settings) >= 10
        super().__init__(controls, figure)

    def compute(self) -> dict[str, Any]:
        value = float(self.controls["value"].value)
        run = self.runs[value]
        best = int(np.argmin(run["val_loss"]))
        return {
            "value": value,
            "best_epoch": best + 1,
            "best_val_loss": float(run["val_loss"][best]),
            "final_val_loss": float(run["val_loss"][-1]),
            "final_train_acc": float(run["train_acc"][-1]),
            "final_val_acc": float(run["val_acc"][-1]),
            "gap": float(run["train_acc"][-1] - run["val_acc"][-1]),
        }

    def draw(self) -> None:
        s, run = self.state, self.runs[self.state["value"]]
        ax = self.ax_curves
        ax.clear()
        epochs = np.arange(1, len(run["val_loss"]) + 1)
        ax.plot(epochs, run["train_loss"], color=COLORS[0], label="training loss")
        ax.plot(epochs, run["val_loss"], color=COLORS[1], label="validation loss")
        ax.axvline(s["best_epoch"], color="0.5", lw=0.8, ls="--")
        ax.plot([s["best_epoch"]], [s["best_val_loss"]], "o", color=COLORS[1])
        ax.set_yscale("log")
        ax.set(xlabel="epoch", ylabel="loss (log scale)")
        ax.set_title(
            f"{self.label} = {s['value']:g}: lowest validation loss at epoch "
            f"{s['best_epoch']}",
            fontsize=FONT_SIZE,
        )
        ax.legend(fontsize=FONT_SIZE - 2)
        ax = self.ax_final
        ax.clear()
        settings = np.array(list(self.runs))
        for name, colour, text in (
            ("train_acc", COLORS[0], "training"),
            ("val_acc", COLORS[1], "validation"),
        ):
            final = [self.runs[v][name][-1] for v in settings]
            ax.plot(settings, final, "o-", color=colour, label=f"{text}, last epoch")
        ax.axvline(s["value"], color="0.5", lw=0.8, ls="--")
        if self.log_x:
            ax.set_xscale("log")
            ax.minorticks_off()  # label the settings themselves, nothing between
        ax.set_xticks(settings, [f"{v:g}" for v in settings])
        ax.set(xlabel=self.label, ylabel="accuracy")
        ax.set_title(f"gap training - validation: {s['gap']:.3f}", fontsize=FONT_SIZE)
        ax.legend(fontsize=FONT_SIZE - 2)

    def readout_html(self) -> str:
        s = self.state
        return (
            f"{self.label} = {s['value']:g}: validation loss lowest at epoch "
            f"{s['best_epoch']} ({s['best_val_loss']:.4f}), last "
            f"{s['final_val_loss']:.4f}; <b>last-epoch accuracy: training "
            f"{s['final_train_acc']:.4f}, validation {s['final_val_acc']:.4f}</b>"
        )


def generalisation_explorer(
    runs: dict[float, dict[str, Any]],
    *,
    label: str = "training images",
    value: float | None = None,
) -> GeneralisationExplorer:
    """An explorer of finished runs: one slider position per value of a setting.

    Drive it with ``.controls["value"].value = ...`` (one of the settings); read
    ``.state``.

    Args:
        runs: {setting: history}: each history holds the per-epoch lists
            ``train_loss``, ``val_loss``, ``train_acc`` and ``val_acc``, as
            ``nnlib.train.fit`` returns them or a notebook records them.
        label: what the setting is (slider and axis label).
            Default: ``"training images"``.
        value: the setting shown first; ``None`` takes the smallest.
            Default: ``None``.

    Returns:
        A ``GeneralisationExplorer``.

    Example:
        >>> from nnlib.widgets import generalisation_explorer
        >>> def run(gap):  # three epochs; the validation loss turns up after epoch 2
        ...     return {"train_loss": [1.0, 0.5, 0.2], "val_loss": [1.0, 0.7, 0.8],
        ...             "train_acc": [0.5, 0.8, 1.0], "val_acc": [0.5, 0.7, 1 - gap]}
        >>> explorer = generalisation_explorer({50: run(0.4), 400: run(0.1)})
        >>> explorer.state["best_epoch"], explorer.state["final_val_acc"]
        (2, 0.6)
        >>> explorer.controls["value"].value = 400
        >>> round(explorer.state["gap"], 4)
        0.1
    """
    if not isinstance(label, str) or not label:
        raise TypeError(
            f"generalisation_explorer expected label as a string, got {describe(label)}"
        )
    checked = runs_by_setting("generalisation_explorer", runs)
    if value is None:
        value = next(iter(checked))
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or float(value) not in checked:
        raise ValueError(
            f"generalisation_explorer expected value among the settings "
            f"{[f'{s:g}' for s in checked]}, got {value!r}"
        )
    return GeneralisationExplorer(checked, label, float(value))
