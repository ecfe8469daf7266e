"""Optimizer trajectories on a 2-D loss surface."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nnlib.viz.style import COLORS, FONT_SIZE, new_figure, to_numpy

Surface = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _contours(
    ax: Axes,
    f: Surface,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    levels: int,
) -> None:
    gx, gy = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    z = np.asarray(f(gx, gy), dtype=float)  # (200, 200)
    if z.min() > 0:  # log-spaced levels show the valley floor as well as the walls
        bounds = np.geomspace(z.min(), z.max(), levels)
    else:
        bounds = np.linspace(z.min(), z.max(), levels)
    ax.contourf(gx, gy, z, levels=bounds, cmap="Greys_r", alpha=0.35)
    ax.contour(gx, gy, z, levels=bounds, colors="0.5", linewidths=0.4)


def plot_optimizer_paths(
    f: Surface,
    paths: Mapping[str, Any],
    *,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    overlay: bool = True,
    minimum: tuple[float, float] | None = None,
    levels: int = 25,
    title: str | None = None,
) -> Figure:
    """Contours of ``f(x, y)`` with the path each optimizer took across them.

    Each path is one line with dots, starting at a circle.

    Args:
        f: takes two arrays of the same shape and returns the loss at each point.
        paths: maps an optimizer's name to the points it visited.
        xlim: (low, high) of the first coordinate; ``None`` takes the paths'
            extent plus 10 %. Default: ``None``.
        ylim: the same for the second coordinate. Default: ``None``.
        overlay: all paths in one panel; ``False`` gives each its own panel, side
            by side. Default: ``True``.
        minimum: a point to mark with a star, or ``None``. Default: ``None``.
        levels: the number of contour levels. Default: ``25``.
        title: the title; ``None`` for none. Default: ``None``.

    Shape:
        - each path: (k, 2)

    Example:
        >>> from nnlib.viz import plot_optimizer_paths
        >>> path = np.array([[2.0, 1.0], [1.0, 0.5], [0.0, 0.0]])
        >>> fig = plot_optimizer_paths(lambda x, y: x**2 + y**2, {"SGD": path})
        >>> fig.axes[0].get_legend().get_texts()[0].get_text()
        'SGD (2 steps)'
    """
    arrays = {name: to_numpy(p).astype(float) for name, p in paths.items()}
    for name, p in arrays.items():
        if p.ndim != 2 or p.shape[1] != 2 or len(p) == 0:
            raise ValueError(
                f"plot_optimizer_paths expected path {name!r} (k, 2) with k >= 1, "
                f"got {p.shape}"
            )
    if not arrays:
        raise ValueError(
            "plot_optimizer_paths expected at least one name -> (k, 2) path, "
            "got an empty paths"
        )
    points = np.concatenate(list(arrays.values()))
    points = points[np.isfinite(points).all(axis=1)]
    if minimum is not None:
        points = np.concatenate([points, np.asarray([minimum], dtype=float)])
    span = points.max(axis=0) - points.min(axis=0)
    pad = 0.1 * np.maximum(span, 1e-3)
    xlim = xlim or (points[:, 0].min() - pad[0], points[:, 0].max() + pad[0])
    ylim = ylim or (points[:, 1].min() - pad[1], points[:, 1].max() + pad[1])

    n_panels = 1 if overlay else len(arrays)
    fig, axes = new_figure(1, n_panels, grid=False)
    axes = list(np.atleast_1d(axes))
    for ax in axes:
        _contours(ax, f, xlim, ylim, levels)
    for k, (name, p) in enumerate(arrays.items()):
        ax = axes[0 if overlay else k]
        colour = COLORS[k % len(COLORS)]
        ax.plot(
            p[:, 0],
            p[:, 1],
            ".-",
            color=colour,
            linewidth=1.5,
            markersize=4,
            label=f"{name} ({len(p) - 1} steps)",
        )
        ax.plot(p[0, 0], p[0, 1], "o", color=colour, markersize=7)
        if not overlay:
            ax.set_title(name)
    for ax in axes:
        if minimum is not None:
            ax.plot(*minimum, "*", color="black", markersize=12)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        if overlay:
            ax.legend(fontsize=FONT_SIZE - 1, loc="best")
    if title:
        fig.suptitle(title, fontsize=FONT_SIZE + 1)
    return fig
