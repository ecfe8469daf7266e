"""plot_decision_boundary for numpy models, torch modules and plain functions."""

import numpy as np
import pytest
from matplotlib.collections import PathCollection

from nnlib.data import make_blobs, make_xor
from nnlib.viz import figure_png, model_outputs, plot_decision_boundary, predict_classes


def _grid_points(ax):
    """The (x, y) centre of every pixel of the drawn class image."""
    (image,) = ax.images
    x0, x1, y0, y1 = image.get_extent()
    R = image.get_array().shape[0]
    gx, gy = np.meshgrid(np.linspace(x0, x1, R), np.linspace(y0, y1, R))
    return image.get_array(), gx, gy


@pytest.mark.ch02
def test_a_plain_function_splits_the_plane_where_it_should():
    X, y = make_xor(80, seed=0)
    fig = plot_decision_boundary(lambda P: P[:, 0] + 0.5, X, y, resolution=50)
    assert figure_png(fig)
    (ax,) = fig.axes
    regions, gx, gy = _grid_points(ax)
    assert regions.shape == (50, 50)
    np.testing.assert_array_equal(regions, (gx + 0.5 > 0).astype(int))
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 2  # one per class
    total = sum(len(s.get_offsets()) for s in scatters)
    assert total == 80
    accuracy = np.mean((X[:, 0] + 0.5 > 0) == y)
    assert ax.get_title() == f"accuracy {100 * accuracy:.1f} %"


@pytest.mark.ch03
def test_an_object_with_forward_and_multiclass_outputs():
    class Nearest:  # duck-typed like nnlib.scratch: forward((N, 2)) -> (N, K) scores
        centres = np.array([[0.0, 2.0], [-1.7, -1.0], [1.7, -1.0]])

        def forward(self, P):
            return -((P[:, None, :] - self.centres[None]) ** 2).sum(axis=2)

    X, y = make_blobs(90, centers=3, std=0.3, seed=0)
    fig = plot_decision_boundary(Nearest(), X, y, resolution=40)
    regions, gx, gy = _grid_points(fig.axes[0])
    expected = Nearest().forward(np.stack([gx.ravel(), gy.ravel()], 1)).argmax(1)
    np.testing.assert_array_equal(regions.ravel(), expected)
    assert set(np.unique(regions)) == {0, 1, 2}


@pytest.mark.ch07
def test_a_torch_module_in_train_mode_is_evaluated_in_eval_mode():
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.9))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
        model[0].bias.zero_()
    model.train()
    X, y = make_blobs(30, centers=2, seed=1)
    fig = plot_decision_boundary(model, X, y, resolution=30)
    assert model.training  # restored
    regions, gx, gy = _grid_points(fig.axes[0])
    # class 1 where x2 > x1; dropout in train mode would scramble this
    np.testing.assert_array_equal(regions, (gy > gx).astype(int))


def test_binary_scores_probabilities_and_logits():
    probs = np.array([0.2, 0.7, 0.5, 0.51])
    np.testing.assert_array_equal(predict_classes(probs), [0, 1, 0, 1])
    logits = np.array([[-3.0], [0.1], [2.0], [-0.2]])
    np.testing.assert_array_equal(predict_classes(logits), [0, 1, 1, 0])
    np.testing.assert_array_equal(predict_classes(probs, threshold=0.6), [0, 1, 0, 0])
    with pytest.raises(ValueError, match="outputs"):
        predict_classes(np.zeros((2, 2, 2)))


def test_without_labels_and_bad_input():
    X, _ = make_xor(20, seed=0)
    fig = plot_decision_boundary(lambda P: P[:, 1], X, resolution=20)
    assert len(fig.axes[0].images) == 1
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plot_decision_boundary(lambda P: P[:, 0], np.zeros((5, 3)))
    with pytest.raises(TypeError):
        model_outputs(object(), X)
