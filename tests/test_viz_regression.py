"""plot_line_fit and plot_loss_surface hold the line, the points and the path."""

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection

from nnlib.data import make_line
from nnlib.viz import figure_png, line_mse, mse_grid, plot_line_fit, plot_loss_surface


@pytest.mark.ch01
def test_line_fit_draws_the_points_line_and_residuals():
    x, y = make_line(30, seed=0)
    fig = plot_line_fit(x, y, 1.5, -0.5)
    assert figure_png(fig)
    (ax,) = fig.axes
    (line,) = ax.lines
    lx, ly = line.get_data()
    np.testing.assert_allclose(ly, 1.5 * np.asarray(lx) - 0.5)
    assert min(lx) == x.min() and max(lx) == x.max()
    scatter = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(scatter[0].get_offsets(), np.stack([x, y], axis=1))
    residuals = [c for c in ax.collections if isinstance(c, LineCollection)]
    segments = residuals[0].get_segments()
    assert len(segments) == 30
    # each residual joins a data point to the line straight below or above it
    ends = np.array(segments)  # (30, 2 ends, 2 coordinates)
    np.testing.assert_allclose(ends[:, 0], np.stack([x, y], axis=1))
    np.testing.assert_allclose(ends[:, 1], np.stack([x, 1.5 * x - 0.5], axis=1))
    assert f"MSE = {line_mse(x, y, 1.5, -0.5):.4f}" in ax.get_title()


@pytest.mark.ch01
def test_line_mse_and_grid_agree_with_the_definition():
    x, y = make_line(25, seed=2)
    a_values, b_values = np.linspace(-3, 3, 7), np.linspace(-2, 2, 5)
    grid = mse_grid(x, y, a_values, b_values)
    assert grid.shape == (5, 7)
    for i, b in enumerate(b_values):
        for j, a in enumerate(a_values):
            direct = np.mean((a * x + b - y) ** 2)
            # the expanded quadratic loses a few ulps to cancellation
            assert grid[i, j] == pytest.approx(direct, rel=1e-10, abs=1e-12)
            assert line_mse(x, y, a, b) == pytest.approx(direct, rel=1e-12)


@pytest.mark.ch01
def test_loss_surface_draws_the_path_and_the_minimum():
    x, y = make_line(40, seed=1)
    path = np.array([[0.0, 0.0], [0.5, 0.4], [1.0, 0.7], [1.4, 0.9]])
    fig = plot_loss_surface(x, y, path)
    assert figure_png(fig)
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.lines}
    assert set(lines) == {"minimum", "descent path", "start", "end"}
    np.testing.assert_allclose(np.column_stack(lines["descent path"].get_data()), path)
    np.testing.assert_allclose(np.ravel(lines["start"].get_data()), path[0])
    np.testing.assert_allclose(np.ravel(lines["end"].get_data()), path[-1])
    np.testing.assert_allclose(
        np.ravel(lines["minimum"].get_data()), np.polyfit(x, y, 1)
    )
    # the default view holds the whole path and the minimum
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < path[:, 0].min() and x1 > path[:, 0].max()
    assert y0 < path[:, 1].min() and y1 > 1.0
    assert len(ax.collections) >= 2  # filled contours and contour lines


def test_loss_surface_without_path_and_with_fixed_ranges():
    x, y = make_line(20, seed=3)
    fig = plot_loss_surface(x, y, a_range=(-5, 5), b_range=(-4, 4), resolution=30)
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["minimum"]
    assert ax.get_xlim() == (-5, 5) and ax.get_ylim() == (-4, 4)
    with pytest.raises(ValueError, match="path"):
        plot_loss_surface(x, y, np.zeros((3, 3)))
