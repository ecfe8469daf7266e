"""Learning curves: metrics per epoch (or per step) from a training history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from nnlib.viz.style import FONT_SIZE, new_figure

_SPLITS = ("train", "val", "test")
_TIMINGS = ("seconds", "time", "epoch_time", "wall_time")


def _as_columns(history: Any) -> dict[str, list[float]]:
    """A dict name -> list of values, from a dict of lists or a list of per-epoch dicts.

    Objects with a ``history`` attribute (e.g. a training result) are unwrapped first.
    """
    if hasattr(history, "history") and not isinstance(history, Mapping):
        history = history.history
    if isinstance(history, Mapping):
        return {str(k): [float(v) for v in vals] for k, vals in history.items()}
    if isinstance(history, Sequence) and all(isinstance(r, Mapping) for r in history):
        keys = list(dict.fromkeys(k for record in history for k in record))
        return {str(k): [float(r.get(k, np.nan)) for r in history] for k in keys}
    raise TypeError(
        "history must be a dict of lists (name -> values) or a list of per-epoch "
        f"dicts, got {type(history).__name__}"
    )


def _metric_name(key: str) -> tuple[str, str]:
    """Split 'val_loss' or 'train/acc' into ('loss', 'val') / ('acc', 'train')."""
    for split in _SPLITS:
        for sep in ("_", "/", " "):
            if key.startswith(split + sep):
                return key[len(split) + 1 :], split
    return key, ""


def plot_history(
    history: Mapping[str, Sequence[float]] | Sequence[Mapping[str, float]],
    *,
    keys: Sequence[str] | None = None,
    xlabel: str = "epoch",
    log_loss: bool = False,
    title: str | None = None,
) -> Figure:
    """One panel per metric (loss, accuracy, ...), one line per split, against epoch.

    ``history`` maps names to per-epoch values, e.g. ``{"train_loss": [...],
    "val_loss": [...], "train_acc": [...], "val_acc": [...]}`` (a list of per-epoch
    dicts works too). Keys differing only by a ``train_``/``val_``/``test_`` prefix
    share a panel; an ``"epoch"`` key, if present, gives the x values. By default
    every key is drawn except timings (``seconds``, ``time``) and all-NaN series
    (e.g. ``val_loss`` of ``nnlib.train.fit`` without validation data); ``keys``
    picks them explicitly. ``log_loss`` puts panels whose name contains "loss" on a
    log scale.
    """
    columns = _as_columns(history)
    x_key = next((k for k in columns if k.lower() in ("epoch", "step")), None)
    if keys is None:  # everything but timings and metrics never measured (all NaN)
        keys = [
            k
            for k, values in columns.items()
            if k.lower() not in _TIMINGS and not np.isnan(values).all()
        ]
    missing = [k for k in keys if k not in columns]
    if missing:
        raise ValueError(f"history has no {missing}; it has {list(columns)}")
    panels: dict[str, list[str]] = {}
    for key in keys:
        if key != x_key:
            panels.setdefault(_metric_name(key)[0], []).append(key)
    if not panels:
        raise ValueError(f"history holds no metric to plot, got keys {list(columns)}")
    fig, axes = new_figure(1, len(panels))
    axes = np.atleast_1d(axes)
    for ax, (metric, keys) in zip(axes, panels.items(), strict=True):
        for key in keys:
            values = columns[key]
            steps = columns[x_key] if x_key else np.arange(1, len(values) + 1)
            split = _metric_name(key)[1] or key
            ax.plot(
                steps, values, marker="." if len(values) <= 30 else None, label=split
            )
        ax.set_xlabel(xlabel)
        ax.set_ylabel(metric)
        ax.set_title(metric)
        if log_loss and "loss" in metric.lower():
            ax.set_yscale("log")
        if len(keys) > 1:
            ax.legend(fontsize=FONT_SIZE - 1)
    if title:
        fig.suptitle(title, fontsize=FONT_SIZE + 2)
    return fig
