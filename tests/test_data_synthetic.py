"""The seeded toy data sets: shapes, dtypes, determinism, balance, what they promise."""

import numpy as np
import pytest

from nnlib.data import make_blobs, make_line, make_moons, make_spirals, make_xor

CLASSIFIERS = [
    (make_xor, 2),
    (make_moons, 2),
    (make_spirals, 2),
    (make_blobs, 3),
]


@pytest.mark.ch01
def test_make_line_shapes_and_determinism():
    x, y = make_line(37, a=-1.5, b=0.3, noise=0.2, seed=4)
    assert x.shape == y.shape == (37,)
    assert x.dtype == y.dtype == np.float64
    x2, y2 = make_line(37, a=-1.5, b=0.3, noise=0.2, seed=4)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(x, make_line(37, seed=5)[0])
    assert -1 <= x.min() and x.max() <= 1


@pytest.mark.ch01
def test_make_line_without_noise_is_exactly_the_line():
    x, y = make_line(20, a=3.0, b=-2.0, noise=0.0, seed=1, x_range=(2.0, 5.0))
    np.testing.assert_allclose(y, 3.0 * x - 2.0, rtol=0, atol=1e-12)
    assert 2 <= x.min() and x.max() <= 5


@pytest.mark.ch01
def test_make_line_least_squares_recovers_a_and_b():
    x, y = make_line(2000, a=2.0, b=1.0, noise=0.1, seed=0)
    a, b = np.polyfit(x, y, 1)
    # standard errors are about 0.1 / sqrt(2000 / 3) = 0.004 (a) and 0.1 / sqrt(2000)
    # = 0.002 (b): 0.03 is over 7 standard errors
    assert abs(a - 2.0) < 0.03 and abs(b - 1.0) < 0.03
    residual_std = np.std(y - (a * x + b))
    assert 0.09 < residual_std < 0.11  # noise is 0.1; 2000 samples estimate it to ~2 %


@pytest.mark.parametrize(("maker", "k"), CLASSIFIERS)
@pytest.mark.parametrize("n", [1, 7, 100, 301])
def test_classifier_shapes_dtypes_and_balance(maker, k, n):
    X, y = maker(n, seed=3)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.isfinite(X).all()
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize(("maker", "k"), CLASSIFIERS)
def test_classifier_determinism_and_shuffling(maker, k):
    X1, y1 = maker(200, seed=11)
    X2, y2 = maker(200, seed=11)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = maker(200, seed=12)
    assert not np.array_equal(X1, X3)
    # shuffled: the labels are not sorted into blocks
    assert np.count_nonzero(np.diff(y1)) > 20


def test_xor_labels_follow_the_quadrants():
    X, y = make_xor(400, noise=0.1, seed=0)
    # with noise 0.1 around (±1, ±1) no point crosses an axis (10 standard deviations)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_moons_lie_on_their_half_circles_without_noise():
    X, y = make_moons(100, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-12)
    np.testing.assert_allclose(
        np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-12
    )
    assert (upper[:, 1] >= -1e-12).all() and (lower[:, 1] <= 0.5 + 1e-12).all()


def test_spirals_have_one_arm_per_class():
    X, y = make_spirals(300, n_classes=3, noise=0.0, seed=0)
    assert set(np.unique(y)) == {0, 1, 2}
    r = np.hypot(*X.T)
    assert r.min() >= 0.05 - 1e-12 and r.max() <= 1.0 + 1e-12
    # without noise, the angle minus the winding term identifies the arm exactly
    arm = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - 2 * np.pi * 1.5 * r)))
    expected = np.angle(np.exp(1j * 2 * np.pi * y / 3))
    np.testing.assert_allclose(np.cos(arm - expected), 1.0, atol=1e-9)


def test_blobs_centres_are_where_documented():
    X, y = make_blobs(3000, centers=4, std=0.1, seed=0)
    angle = 2 * np.pi * np.arange(4) / 4 + np.pi / 2
    centres = 2 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    for k in range(4):
        # 750 points of std 0.1: the mean is within 0.01 (3 standard errors ~ 0.011)
        np.testing.assert_allclose(X[y == k].mean(axis=0), centres[k], atol=0.02)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: make_line(0), ValueError),
        (lambda: make_line(5, noise=-1), ValueError),
        (lambda: make_line(5, x_range=(1, 1)), ValueError),
        (lambda: make_xor(2.5), TypeError),
        (lambda: make_spirals(10, n_classes=1), ValueError),
        (lambda: make_blobs(10, centers=0), ValueError),
    ],
)
def test_bad_arguments_are_refused(call, error):
    with pytest.raises(error):
        call()
