"""The figure convention: a Figure without pyplot that displays itself as PNG."""

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from nnlib.viz import (
    CourseFigure,
    figure_png,
    new_figure,
    plot_activation,
    plot_line_fit,
)
from nnlib.viz.style import DPI, to_numpy

PNG = b"\x89PNG\r\n\x1a\n"


def test_course_figure_is_a_figure_with_a_png_repr():
    fig, ax = new_figure()
    ax.plot([0, 1], [1, 0])
    assert isinstance(fig, Figure) and isinstance(fig, CourseFigure)
    png = fig._repr_png_()
    assert png.startswith(PNG)
    assert repr(fig) == f"<Figure size {4.2 * DPI:g}x{3.3 * DPI:g} with 1 Axes>"
    assert 80 <= fig.dpi <= 100


def test_new_figure_returns_axes_like_subplots():
    _, ax = new_figure()
    assert not isinstance(ax, np.ndarray)
    _, row = new_figure(1, 3)
    assert row.shape == (3,)
    _, grid = new_figure(2, 2)
    assert grid.shape == (2, 2)


def test_plots_touch_neither_pyplot_nor_rcparams():
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    open_before = plt.get_fignums()
    x = np.linspace(-1, 1, 5)
    figures = [plot_line_fit(x, 2 * x, 1.0, 0.0), plot_activation("tanh")]
    for fig in figures:
        assert figure_png(fig).startswith(PNG)
    assert plt.get_fignums() == open_before  # nothing registered with pyplot
    after = dict(matplotlib.rcParams)
    changed = {k for k in before if before[k] is not after[k] and before[k] != after[k]}
    assert not changed


def test_to_numpy_accepts_tensors_without_importing_torch():
    class FakeTensor:
        def detach(self):
            return self

        def cpu(self):
            return self

        def numpy(self):
            return np.array([1.0, 2.0])

    np.testing.assert_array_equal(to_numpy(FakeTensor()), [1.0, 2.0])
    np.testing.assert_array_equal(to_numpy([[1, 2]]), [[1, 2]])


@pytest.mark.parametrize("bad", [np.zeros((3, 3)), np.zeros(3)])
def test_plot_line_fit_checks_shapes(bad):
    with pytest.raises(ValueError, match="plot_line_fit expected x and y of one shape"):
        plot_line_fit(np.zeros(4), bad, 1.0, 0.0)
