"""plot_optimizer_paths: each path drawn as given, overlaid or side by side."""

import numpy as np
import pytest

from nnlib.viz import figure_png, plot_optimizer_paths


def ravine(x, y):
    return 0.5 * (x**2 + 10 * y**2)


PATHS = {
    "SGD": np.array([[-4.0, 1.5], [-3.0, -1.0], [-2.0, 0.8]]),
    "Adam": np.array([[-4.0, 1.5], [-3.5, 1.0], [-3.0, 0.6], [-2.5, 0.2]]),
}


@pytest.mark.ch05
def test_overlaid_paths_on_one_panel():
    fig = plot_optimizer_paths(ravine, PATHS, minimum=(0, 0))
    assert figure_png(fig)
    (ax,) = fig.axes
    paths = [line for line in ax.lines if not line.get_label().startswith("_")]
    assert [line.get_label() for line in paths] == ["SGD (2 steps)", "Adam (3 steps)"]
    for line, points in zip(paths, PATHS.values(), strict=True):
        np.testing.assert_array_equal(np.column_stack(line.get_data()), points)
    # the view holds every point and the minimum
    assert ax.get_xlim()[0] < -4 and ax.get_xlim()[1] > 0
    assert len(ax.collections) >= 2  # filled contours and lines


@pytest.mark.ch05
def test_side_by_side_panels():
    fig = plot_optimizer_paths(ravine, PATHS, overlay=False, xlim=(-5, 1), ylim=(-2, 2))
    assert [ax.get_title() for ax in fig.axes] == ["SGD", "Adam"]
    assert fig.axes[1].get_xlim() == (-5, 1)


def test_bad_paths_are_refused():
    with pytest.raises(ValueError, match=r"expected path 'x' \(k, 2\).*got \(3, 3\)"):
        plot_optimizer_paths(ravine, {"x": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="empty"):
        plot_optimizer_paths(ravine, {})
