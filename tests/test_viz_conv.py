"""plot_kernels and plot_feature_maps: one panel per kernel or channel."""

import numpy as np
import pytest

from nnlib.viz import figure_png, plot_feature_maps, plot_kernels


@pytest.mark.ch08
def test_kernels_one_panel_each_on_a_shared_symmetric_scale():
    w = np.random.default_rng(0).standard_normal((6, 1, 3, 3))
    fig = plot_kernels(w, ncols=3)
    assert figure_png(fig)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 6 and len(fig.axes) == 7  # and one colour bar
    limit = np.abs(w).max()
    for k, ax in enumerate(panels):
        (image,) = ax.images
        np.testing.assert_array_equal(image.get_array(), w[k, 0])
        assert image.get_clim() == (-limit, limit)


@pytest.mark.ch08
def test_kernels_with_several_input_channels_and_limits():
    w = np.random.default_rng(1).standard_normal((4, 3, 5, 5))
    fig = plot_kernels(w)
    assert len(fig.axes) == 12 + 1  # the panels and one colour bar
    assert fig.axes[5].title.get_text() == "1,2"
    np.testing.assert_array_equal(fig.axes[5].images[0].get_array(), w[1, 2])
    assert len(plot_kernels(w, max_kernels=5).axes) == 5 + 1
    assert len(plot_kernels(np.ones((3, 3))).axes) == 1 + 1
    with pytest.raises(ValueError, match="plot_kernels expected weights"):
        plot_kernels(np.zeros(5))


@pytest.mark.ch08
def test_feature_maps_with_the_input_first():
    maps = np.random.default_rng(2).random((1, 5, 6, 6))
    image = np.random.default_rng(3).random((1, 1, 8, 8))
    fig = plot_feature_maps(maps, image=image, ncols=3)
    assert figure_png(fig)
    titles = [ax.title.get_text() for ax in fig.axes]
    assert titles == ["input", "map 0", "map 1", "map 2", "map 3", "map 4"]
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), image[0, 0])
    np.testing.assert_array_equal(fig.axes[3].images[0].get_array(), maps[0, 2])
    assert len(plot_feature_maps(maps, max_maps=2).axes) == 2
    with pytest.raises(ValueError, match="plot_feature_maps expected maps"):
        plot_feature_maps(np.zeros((2, 2, 3, 3, 3)))
