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
        "plot_history expected history as a dict of lists (name -> values) or a "
        f"list of per-epoch dicts, got {type(history).__name__}"
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

    Keys differing only by a ``train_``/``val_``/``test_`` prefix share a panel; an
    ``"epoch"`` key, if present, gives the x values.

    Args:
        history: maps names to per-epoch values, e.g. ``{"train_loss": [...],
            "val_loss": [...], "train_acc": [...], "val_acc": [...]}``, as
            ``nnlib.train.fit`` returns it (a list of per-epoch dicts works too).
        keys: the keys to draw; ``None`` draws every key except timings
            (``seconds``, ``time``) and all-NaN series (e.g. ``val_loss`` of
            ``fit`` without validation data). Default: ``None``.
        xlabel: the x label. Default: ``"epoch"``.
        log_loss: put panels whose name contains "loss" on a log scale.
            Default: ``False``.
        title: the title; ``None`` for none. Default: ``None``.

    Example:
        >>> from nnlib.viz import plot_history
        >>> history = {"train_loss": [1.0, 0.5], "val_loss": [1.1, 0.7],
        ...            "train_acc": [0.6, 0.8], "seconds": [0.1, 0.1]}
        >>> fig = plot_history(history)
        >>> [ax.get_title() for ax in fig.axes]
        ['loss', 'acc']
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
        raise ValueError(
            f"plot_history expected keys of history ({list(columns)}), got {missing}"
        )
    panels: dict[str, list[str]] = {}
    for key in keys:
        if key != x_key:
            panels.setdefault(_metric_name(key)[0], []).append(key)
    if not panels:
        raise ValueError(
            f"plot_history expected at least one metric to plot, "
            f"got keys {list(columns)}"
        )
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
