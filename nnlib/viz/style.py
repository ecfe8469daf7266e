"""One small figure style for the course, and the figure class every plot returns.

How figures display (the one rule, for notebooks and scripts alike): every ``plot_*``
function returns a :class:`CourseFigure`, a ``matplotlib.figure.Figure`` made without
pyplot. In Jupyter it shows, once, when it is the value of the cell's last line (or
when passed to ``display``); a figure that is only assigned (``fig = plot_...``) does
not show. Nothing is registered with pyplot, so there is no double display, no
``plt.close`` to remember and no figure left open; rcParams are never touched. In a
script, save it with ``fig.savefig("name.png")``.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

DPI = 90
WIDTH = 4.2  # inches per panel
HEIGHT = 3.3
COLORS = (  # colour-blind-safe cycle (Okabe & Ito, 2008)
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
WRONG = "#D55E00"  # marks mistakes (wrong predictions)
FONT_SIZE = 9


class CourseFigure(Figure):
    """A matplotlib ``Figure`` that displays itself as PNG in Jupyter.

    It needs no pyplot and no backend: ``_repr_png_`` renders it with Agg on demand.
    """

    def _repr_png_(self) -> bytes:
        return figure_png(self)

    def __repr__(self) -> str:
        w, h = self.get_size_inches() * self.dpi
        n = len(self.axes)
        return f"<Figure size {w:g}x{h:g} with {n} Axes>"


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of ``fig`` at its own dpi."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, facecolor="white")
    return buffer.getvalue()


def style_axes(ax: Axes, grid: bool = True) -> Axes:
    """Give one Axes the course look: small ticks, light grid, no top/right spines."""
    ax.tick_params(labelsize=FONT_SIZE - 1, length=3)
    ax.xaxis.label.set_size(FONT_SIZE)
    ax.yaxis.label.set_size(FONT_SIZE)
    ax.title.set_size(FONT_SIZE + 1)
    ax.set_prop_cycle(color=COLORS)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if grid:
        ax.grid(True, color="0.85", linewidth=0.6)
        ax.set_axisbelow(True)
    return ax


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    figsize: tuple[float, float] | None = None,
    dpi: int = DPI,
    grid: bool = True,
    **subplot_kw: Any,
) -> tuple[CourseFigure, Any]:
    """A styled figure with ``nrows x ncols`` axes: ``plt.subplots`` without pyplot.

    Returns ``(fig, ax)`` for one panel, else ``(fig, axes)`` with ``axes`` a 2-D
    object array when both counts exceed 1 and a 1-D one otherwise (as plt.subplots).
    """
    if figsize is None:
        figsize = (WIDTH * ncols, HEIGHT * nrows)
    fig = CourseFigure(figsize=figsize, dpi=dpi, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    for ax in axes.flat:
        style_axes(ax, grid=grid)
    if nrows == 1 and ncols == 1:
        return fig, axes[0, 0]
    if nrows == 1 or ncols == 1:
        return fig, axes.ravel()
    return fig, axes


def target_axes(
    ax: Axes | None, figsize: tuple[float, float] | None = None, grid: bool = True
) -> tuple[Figure, Axes]:
    """The given Axes and its figure, or a new one-panel figure when ``ax`` is None."""
    if ax is None:
        return new_figure(figsize=figsize, grid=grid)
    return ax.get_figure(root=True), ax


def to_numpy(value: Any) -> np.ndarray:
    """An ndarray from an array-like or a torch tensor (duck-typed, no torch import)."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def image_grid(
    n: int, ncols: int, panel: float = 1.0, extra_height: float = 0.0
) -> tuple[CourseFigure, np.ndarray]:
    """A figure with ``n`` small image panels (ticks off), ``ncols`` per row.

    Returns the figure and a flat array of the first ``n`` axes (extra panels removed).
    """
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig = CourseFigure(
        figsize=(panel * ncols + 0.3, panel * nrows + 0.3 + extra_height),
        dpi=DPI,
        layout="constrained",
    )
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.remove()
    for ax in axes[:n]:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes[:n]
