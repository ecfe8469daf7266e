"""Attention weights as heat maps, and how attention's cost grows with length."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from nnlib.viz.style import COLORS, FONT_SIZE, new_figure, target_axes, to_numpy


def _heat_map(
    ax: Axes, w: np.ndarray, keys: list[str], queries: list[str], annotate: bool
) -> Any:
    image = ax.imshow(w, cmap="viridis", vmin=0, vmax=max(w.max(), 1e-12))
    ax.set_xticks(
        range(w.shape[1]),
        keys,
        rotation=90 if max(map(len, keys)) > 2 else 0,
        fontsize=FONT_SIZE - 1,
    )
    ax.set_yticks(range(w.shape[0]), queries, fontsize=FONT_SIZE - 1)
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query (attending)")
    if annotate:
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                ax.text(
                    j,
                    i,
                    f"{w[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=FONT_SIZE - 3,
                    color="black" if w[i, j] > 0.6 * w.max() else "white",
                )
    return image


def plot_attention(
    weights: Any,
    tokens: Sequence[str] | None = None,
    query_tokens: Sequence[str] | None = None,
    *,
    annotate: bool | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Attention weights as a heat map: row i shows how query i spreads over the keys.

    With several heads, one panel per head.

    Args:
        weights: attention weights, a numpy array or a torch tensor.
        tokens: labels of the keys (and of the queries, unless ``query_tokens`` is
            given); ``None`` numbers them. Default: ``None``.
        query_tokens: labels of the queries. Default: ``None``.
        annotate: write the values in the cells; ``None`` does so when there are
            at most 10 keys. Default: ``None``.
        ax: an Axes to draw one head into; ``None`` makes a new figure.
            Default: ``None``.
        title: the title; ``None`` for none. Default: ``None``.

    Shape:
        - weights: (Tq, Tk), (h, Tq, Tk) or (1, h, Tq, Tk) for Tq queries, Tk keys

    Example:
        >>> from nnlib.viz import plot_attention
        >>> fig = plot_attention(np.full((2, 3, 3), 1 / 3), tokens=["a", "b", "c"])
        >>> [ax.get_title() for ax in fig.axes[:2]]
        ['head 0', 'head 1']
    """
    w = to_numpy(weights).astype(np.float64)
    if w.ndim == 4 and w.shape[0] == 1:
        w = w[0]  # (1, heads, Tq, Tk) -> (heads, Tq, Tk)
    if w.ndim == 2:
        w = w[None]  # (Tq, Tk) -> (1, Tq, Tk)
    if w.ndim != 3:
        raise ValueError(
            f"plot_attention expected weights (Tq, Tk) or (heads, Tq, Tk), "
            f"got {w.shape}"
        )
    heads, Tq, Tk = w.shape
    keys = (
        [str(t) for t in tokens] if tokens is not None else [str(j) for j in range(Tk)]
    )
    queries = (
        [str(t) for t in query_tokens]
        if query_tokens is not None
        else (keys if tokens is not None and Tq == Tk else [str(i) for i in range(Tq)])
    )
    if len(keys) != Tk or len(queries) != Tq:
        raise ValueError(
            f"plot_attention expected {Tk} key and {Tq} query labels (weights "
            f"{w.shape}), got {len(keys)} and {len(queries)}"
        )
    annotate = Tk <= 10 if annotate is None else annotate
    side = min(1.5 + 0.32 * max(Tq, Tk), 6.0)
    if ax is not None:
        if heads != 1:
            raise ValueError(
                f"plot_attention expected one head with ax=, got {heads} heads"
            )
        fig, axes = target_axes(ax)[0], [ax]
    else:
        fig, axes = new_figure(1, heads, figsize=(side * heads + 0.6, side), grid=False)
        axes = list(np.atleast_1d(axes))
    for h, ax_h in enumerate(axes):
        image = _heat_map(ax_h, w[h], keys, queries, annotate)
        if heads > 1:
            ax_h.set_title(f"head {h}")
    if ax is None:
        fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
    if title and heads == 1:
        axes[0].set_title(title)
    elif title:
        fig.suptitle(title, fontsize=FONT_SIZE + 1)
    return fig


def plot_cost_vs_size(
    sizes: Sequence[float],
    time: Mapping[str, Sequence[float]] | None = None,
    memory: Mapping[str, Sequence[float]] | None = None,
    *,
    slopes: Sequence[float] = (1, 2),
    xlabel: str = "sequence length L",
    time_label: str = "time (s)",
    memory_label: str = "memory (MB)",
) -> Figure:
    """Measured cost against problem size on log-log axes, with reference slopes.

    Each series is a line with markers. Every panel also gets one dashed grey line
    per entry of ``slopes``, $\\propto L^k$, starting a factor 2 below the panel's
    lowest first value (on a log-log plot a power law $L^k$ is a straight line of
    slope k).

    Args:
        sizes: the problem sizes L (the x values).
        time: a dict name -> times, one per size, for the first panel.
            Default: ``None``.
        memory: a dict name -> memory, one per size, for the second panel.
            Default: ``None``.
        slopes: the powers k of the reference lines. Default: ``(1, 2)``.
        xlabel: the x label. Default: ``"sequence length L"``.
        time_label: the y label of the time panel. Default: ``"time (s)"``.
        memory_label: the y label of the memory panel. Default: ``"memory (MB)"``.

    Example:
        >>> from nnlib.viz import plot_cost_vs_size
        >>> fig = plot_cost_vs_size([64, 128, 256], time={"sdpa": [1.0, 2.1, 4.3]})
        >>> fig.axes[0].get_xscale(), fig.axes[0].get_ylabel()
        ('log', 'time (s)')
    """
    sizes_arr = np.asarray(sizes, dtype=float)
    panels = [
        (d, label) for d, label in ((time, time_label), (memory, memory_label)) if d
    ]
    if not panels:
        raise ValueError(
            "plot_cost_vs_size expected time and/or memory measurements "
            "(dicts name -> values), got neither"
        )
    fig, axes = new_figure(1, len(panels))
    for ax, (series, label) in zip(np.atleast_1d(axes), panels, strict=True):
        first_values = []
        for k, (name, values) in enumerate(series.items()):
            values = np.asarray(values, dtype=float)
            if values.shape != sizes_arr.shape:
                raise ValueError(
                    f"plot_cost_vs_size expected one value per size {sizes_arr.shape} "
                    f"in series {name!r}, got {values.shape}"
                )
            ax.plot(sizes_arr, values, "o-", color=COLORS[k % len(COLORS)], label=name)
            first_values.append(values[0])
        # guides start a factor 2 below the lowest first value, so they never hide data
        anchor = 0.5 * min(first_values)
        for k, slope in enumerate(slopes):
            ref = anchor * (sizes_arr / sizes_arr[0]) ** slope
            ax.plot(
                sizes_arr,
                ref,
                linestyle=("--", ":", "-.")[k % 3],
                color="0.5",
                linewidth=1,
                label=f"$\\propto L^{{{slope:g}}}$",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes_arr, [f"{s:g}" for s in sizes_arr])  # the measured sizes
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(xlabel)
        ax.set_ylabel(label)
        ax.set_title(label.split(" (")[0])
        ax.legend(fontsize=FONT_SIZE - 1)
    return fig
