"""Confusion matrices and image grids show what happened, mistakes marked."""

import numpy as np
import pytest

from nnlib.data import load_digits
from nnlib.viz import (
    confusion_matrix,
    figure_png,
    plot_confusion_matrix,
    plot_image_grid,
)
from nnlib.viz.style import WRONG


@pytest.mark.ch06
def test_confusion_matrix_counts():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 200)
    y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(0, 4, 200))
    matrix = confusion_matrix(y_true, y_pred)
    assert matrix.shape == (4, 4) and matrix.sum() == 200
    for i in range(4):
        for j in range(4):
            assert matrix[i, j] == np.sum((y_true == i) & (y_pred == j))
    assert confusion_matrix([0, 1], [1, 1], n_classes=5).shape == (5, 5)
    with pytest.raises(ValueError, match="expected y_true and y_pred of one length"):
        confusion_matrix([0, 1], [1])


@pytest.mark.ch06
def test_confusion_matrix_plot_cells_and_title():
    y_true = np.array([0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 2])
    fig = plot_confusion_matrix(y_true, y_pred, class_names=["a", "b", "c"])
    assert figure_png(fig)
    (ax,) = fig.axes
    np.testing.assert_array_equal(
        ax.images[0].get_array(), confusion_matrix(y_true, y_pred)
    )
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1", "1", "0", "0", "2", "0", "1", "0", "2"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_title() == f"accuracy {100 * 5 / 7:.1f} %"
    norm = plot_confusion_matrix(y_true, y_pred, normalize=True).axes[0]
    np.testing.assert_allclose(norm.images[0].get_array().sum(axis=1), 1.0)


@pytest.mark.ch06
def test_image_grid_marks_the_wrong_predictions():
    X, y = load_digits()
    pred = y[:12].copy()
    pred[[2, 7]] = (pred[[2, 7]] + 1) % 10
    fig = plot_image_grid(X[:12], y[:12], pred, ncols=6)
    assert figure_png(fig)
    assert len(fig.axes) == 12
    for i, ax in enumerate(fig.axes):
        (image,) = ax.images
        np.testing.assert_array_equal(image.get_array(), X[i, 0])
        title = ax.title
        if i in (2, 7):
            assert (
                title.get_text() == f"{y[i]}→{pred[i]}" and title.get_color() == WRONG
            )
        else:
            assert title.get_text() == str(y[i]) and title.get_color() != WRONG


def test_image_grid_shapes_and_limits():
    flat = np.random.default_rng(0).random((5, 64))
    fig = plot_image_grid(flat, labels=[0, 1, 2, 3, 4], class_names="abcde")
    assert [ax.title.get_text() for ax in fig.axes] == list("abcde")
    assert fig.axes[0].images[0].get_array().shape == (8, 8)
    rgb = np.random.default_rng(0).random((30, 3, 4, 4))
    fig = plot_image_grid(rgb, max_images=7)
    assert len(fig.axes) == 7
    assert fig.axes[0].images[0].get_array().shape == (4, 4, 3)
    with pytest.raises(ValueError, match="plot_image_grid expected images"):
        plot_image_grid(np.zeros((2, 5, 5, 5)))


@pytest.mark.parametrize(
    ("y_true", "y_pred", "name"),
    [([0, -1], [0, 1], "y_true"), ([0, 1], [0, 2], "y_pred")],
)
def test_confusion_matrix_refuses_labels_outside_the_classes(y_true, y_pred, name):
    # label -1 used to be counted as the last class
    with pytest.raises(ValueError, match=rf"expected {name} in \[0, 2\)"):
        confusion_matrix(np.array(y_true), np.array(y_pred), n_classes=2)
