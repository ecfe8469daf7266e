"""Chapter 1's pictures: a line through noisy points, and the loss over (a, b)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from nnlib.viz.style import COLORS, FONT_SIZE, target_axes, to_numpy


def line_mse(x: np.ndarray, y: np.ndarray, a: float, b: float) -> float:
    """Mean squared error of the line $\\hat y = a x + b$ on the points (x, y).

    Args:
        x: the inputs (n,).
        y: the targets (n,).
        a: the slope.
        b: the intercept.

    Returns:
        A Python float.

    Example:
        >>> from nnlib.viz import line_mse
        >>> line_mse(np.array([0.0, 1.0]), np.array([1.0, 2.0]), a=2.0, b=1.0)
        0.5
    """
    return float(np.mean((a * np.asarray(x) + b - np.asarray(y)) ** 2))


def mse_grid(
    x: np.ndarray, y: np.ndarray, a_values: np.ndarray, b_values: np.ndarray
) -> np.ndarray:
    """MSE of every line on a grid: entry [i, j] is a = a_values[j], b = b_values[i].

    Args:
        x: the inputs (n,).
        y: the targets (n,).
        a_values: the slopes (A,).
        b_values: the intercepts (B,).

    Shape:
        - x, y: (n,); a_values: (A,); b_values: (B,)
        - Output: (B, A)

    Example:
        >>> from nnlib.viz import mse_grid
        >>> x, y = np.array([0.0, 1.0]), np.array([1.0, 3.0])
        >>> grid = mse_grid(x, y, np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0]))
        >>> grid.shape, float(grid[1, 1])  # a = 2, b = 1 fits exactly
        ((2, 3), 0.0)
    """
    # expand $\\frac1n\\sum (a x + b - y)^2$ so the grid costs O(A B), not O(A B n)
    x, y = np.asarray(x, float), np.asarray(y, float)
    sxx, sx, sy, sxy, syy = (
        np.mean(x * x),
        np.mean(x),
        np.mean(y),
        np.mean(x * y),
        np.mean(y * y),
    )
    A, B = np.meshgrid(a_values, b_values)  # (B, A) each
    return A * A * sxx + B * B + syy + 2 * A * B * sx - 2 * A * sxy - 2 * B * sy


def residual_segments(x: np.ndarray, y: np.ndarray, a: float, b: float) -> np.ndarray:
    """Segments from each point (x, y) to the line straight above or below it.

    Shape: (n,), (n,) -> (n, 2 ends, 2 coordinates)
    """
    return np.stack(
        [np.stack([x, y], axis=1), np.stack([x, a * x + b], axis=1)], axis=1
    )


def line_fit_title(a: float, b: float, loss: float) -> str:
    """The title ``plot_line_fit`` gives: the parameters and the MSE."""
    return f"a = {a:.3f}, b = {b:.3f}, MSE = {loss:.4f}"


def plot_line_fit(
    x: np.ndarray,
    y: np.ndarray,
    a: float,
    b: float,
    *,
    residuals: bool = True,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The points (x, y), the line $y = a x + b$ and, optionally, the residuals.

    Draws one line (the fit), one scatter and one collection of residual segments.

    Args:
        x: the inputs (n,).
        y: the targets (n,).
        a: the slope of the line.
        b: the intercept of the line.
        residuals: draw the vertical segments from the points to the line.
            Default: ``True``.
        ax: an Axes to draw into; ``None`` makes a new figure. Default: ``None``.
        title: the title; ``None`` states a, b and the mean squared error.
            Default: ``None``.

    Example:
        >>> from nnlib.data import make_line
        >>> from nnlib.viz import plot_line_fit
        >>> x, y = make_line(20, noise=0.0)
        >>> fig = plot_line_fit(x, y, a=2.0, b=1.0)
        >>> fig.axes[0].get_title()
        'a = 2.000, b = 1.000, MSE = 0.0000'
    """
    x, y = to_numpy(x).ravel(), to_numpy(y).ravel()
    if x.shape != y.shape:
        raise ValueError(
            f"plot_line_fit expected x and y of one shape, got {x.shape} and {y.shape}"
        )
    fig, ax = target_axes(ax)
    ax.scatter(x, y, s=14, color=COLORS[0], alpha=0.8, label="data", zorder=3)
    if residuals:
        ax.add_collection(
            LineCollection(
                residual_segments(x, y, a, b),
                colors="0.6",
                linewidths=0.8,
                label="residuals",
            )
        )
    grid = np.linspace(x.min(), x.max(), 2)
    ax.plot(grid, a * grid + b, color=COLORS[3], linewidth=2, label="y = a x + b")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if title is None:
        title = line_fit_title(a, b, line_mse(x, y, a, b))
    ax.set_title(title)
    ax.legend(fontsize=FONT_SIZE - 1, loc="best")
    return fig


def _span(values: np.ndarray, margin: float) -> tuple[float, float]:
    low, high = float(np.min(values)), float(np.max(values))
    pad = max(high - low, 1.0) * margin
    return low - pad, high + pad


def plot_loss_surface(
    x: np.ndarray,
    y: np.ndarray,
    path: Sequence[Sequence[float]] | np.ndarray | None = None,
    *,
    a_range: tuple[float, float] | None = None,
    b_range: tuple[float, float] | None = None,
    resolution: int = 100,
    levels: int = 20,
    ax: Axes | None = None,
    title: str = "MSE over (a, b)",
) -> Figure:
    """Contours of the MSE of $y = a x + b$ over the (a, b) plane, with a descent path.

    Contour levels are spaced logarithmically from the minimum, and the
    least-squares optimum is marked with a cross.

    Args:
        x: the inputs (n,).
        y: the targets (n,).
        path: (a, b) points, drawn as one line with markers, its start as a circle
            and its end as a star; ``None`` for none. Default: ``None``.
        a_range: (low, high) of a; ``None`` covers the optimum and the whole path.
            Default: ``None``.
        b_range: the same for b. Default: ``None``.
        resolution: grid points along each axis. Default: ``100``.
        levels: the number of contour levels. Default: ``20``.
        ax: an Axes to draw into; ``None`` makes a new figure. Default: ``None``.
        title: the title. Default: ``"MSE over (a, b)"``.

    Shape:
        - x, y: (n,), n >= 2
        - path: (k, 2)

    Example:
        >>> from nnlib.data import make_line
        >>> from nnlib.viz import plot_loss_surface
        >>> x, y = make_line(20)
        >>> fig = plot_loss_surface(x, y, path=[[0.0, 0.0], [1.0, 0.5]], resolution=30)
        >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
        ('a (slope)', 'b (intercept)')
    """
    x, y = to_numpy(x).ravel(), to_numpy(y).ravel()
    if x.shape != y.shape or len(x) < 2:
        raise ValueError(
            f"plot_loss_surface expected x and y of one shape (n >= 2), "
            f"got {x.shape} and {y.shape}"
        )
    a_best, b_best = np.polyfit(x, y, 1)  # least squares: the bottom of the bowl
    points = np.array([[a_best, b_best]])
    if path is not None:
        path = to_numpy(path).astype(float)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(
                f"plot_loss_surface expected path (k, 2) of (a, b), got {path.shape}"
            )
        points = np.concatenate([points, path[np.isfinite(path).all(axis=1)]])
    a_range = a_range or _span(points[:, 0], 0.25)
    b_range = b_range or _span(points[:, 1], 0.25)
    a_values = np.linspace(*a_range, resolution)
    b_values = np.linspace(*b_range, resolution)
    loss = mse_grid(x, y, a_values, b_values)  # (B, A)

    fig, ax = target_axes(ax, grid=False)
    low = line_mse(x, y, a_best, b_best)
    bounds = np.geomspace(low + 1e-3, loss.max(), levels)  # log spacing shows the floor
    ax.contourf(a_values, b_values, loss, levels=np.r_[low, bounds], cmap="Blues_r")
    ax.contour(a_values, b_values, loss, levels=bounds, colors="white", linewidths=0.5)
    ax.plot([a_best], [b_best], "x", color="black", markersize=8, label="minimum")
    if path is not None and len(path):
        ax.plot(
            path[:, 0],
            path[:, 1],
            ".-",
            color=COLORS[3],
            linewidth=1.5,
            markersize=5,
            label="descent path",
        )
        ax.plot(
            path[0, 0], path[0, 1], "o", color=COLORS[1], markersize=7, label="start"
        )
        ax.plot(
            path[-1, 0], path[-1, 1], "*", color=COLORS[1], markersize=11, label="end"
        )
    ax.set_xlim(a_range)
    ax.set_ylim(b_range)
    ax.set_xlabel("a (slope)")
    ax.set_ylabel("b (intercept)")
    ax.set_title(title)
    ax.legend(fontsize=FONT_SIZE - 1, loc="best")
    return fig
