"""Shape images: format, balance, determinism, and that the classes look as named."""

import numpy as np
import pytest

from nnlib.data import SHAPE_NAMES, make_shapes


@pytest.mark.ch08
def test_shapes_format_balance_and_determinism():
    X, y = make_shapes(103, size=16, seed=2)
    assert X.shape == (103, 1, 16, 16) and X.dtype == np.float32
    assert y.shape == (103,) and y.dtype == np.int64
    assert X.min() >= 0.0 and X.max() <= 1.0
    counts = np.bincount(y, minlength=len(SHAPE_NAMES))
    assert len(counts) == 4 and counts.max() - counts.min() <= 1
    X2, y2 = make_shapes(103, size=16, seed=2)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make_shapes(103, size=16, seed=3)[0])
    assert SHAPE_NAMES == ("circle", "square", "triangle", "cross")


@pytest.mark.ch08
def test_shapes_move_around_the_image():
    X, _ = make_shapes(200, size=20, seed=0, noise=0.0)
    rows, cols = np.mgrid[:20, :20]
    ink = X[:, 0]
    centre_r = (ink * rows).sum(axis=(1, 2)) / ink.sum(axis=(1, 2))
    centre_c = (ink * cols).sum(axis=(1, 2)) / ink.sum(axis=(1, 2))
    # translation is the point: centres spread over several pixels in both directions
    assert centre_r.std() > 1.5 and centre_c.std() > 1.5
    # and scales vary: the amount of ink differs by more than a factor 2
    area = ink.sum(axis=(1, 2))
    assert area.max() / area.min() > 2


def _fill_of_bounding_box(image: np.ndarray) -> float:
    on = image > 0.5
    rows, cols = np.flatnonzero(on.any(axis=1)), np.flatnonzero(on.any(axis=0))
    box = on[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    return box.mean()


def test_each_class_has_its_own_geometry():
    X, y = make_shapes(80, size=32, seed=1, noise=0.0)
    fill = np.array([_fill_of_bounding_box(img[0]) for img in X])
    by_class = {name: fill[y == k] for k, name in enumerate(SHAPE_NAMES)}
    # ideal shares of the bounding box: square 1, circle pi/4 = 0.79, cross 5/9 = 0.56,
    # triangle 1/2; pixels on the edge blur these by up to about 0.1 at this size
    assert by_class["square"].min() > 0.9
    assert 0.65 < by_class["circle"].min() and by_class["circle"].max() < 0.9
    assert by_class["cross"].max() < 0.7
    assert by_class["triangle"].max() < 0.65
    # triangles point up: the bottom half holds more ink than the top half
    for img in X[y == 2, 0]:
        rows = np.flatnonzero((img > 0.5).any(axis=1))
        top, bottom = (
            img[rows.min() : rows.mean().astype(int)],
            img[rows.mean().astype(int) : rows.max() + 1],
        )
        assert bottom.sum() > top.sum()


def test_noise_is_added_and_clipped():
    clean, _ = make_shapes(10, seed=0, noise=0.0)
    noisy, _ = make_shapes(10, seed=0, noise=0.2)
    assert noisy.min() >= 0 and noisy.max() <= 1
    assert np.abs(noisy - clean).mean() > 0.05


@pytest.mark.parametrize(
    "kwargs", [{"n": 0}, {"n": 4, "size": 4}, {"n": 4, "noise": -1}]
)
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        make_shapes(**kwargs)
