"""train_val_test_split: stratified, deterministic, a partition, clear errors."""

import numpy as np
import pytest

from nnlib.data import load_digits, train_val_test_split


@pytest.mark.ch06
def test_course_split_sizes_and_stratification():
    X, y = load_digits()
    (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split(
        X, y, fractions=(0.6, 0.2, 0.2), seed=0
    )
    assert (len(ytr), len(yva), len(yte)) == (1077, 360, 360)
    assert Xtr.shape[1:] == X.shape[1:] and Xte.dtype == X.dtype
    total = np.bincount(y, minlength=10)
    for part in (ytr, yva, yte):
        share = np.bincount(part, minlength=10) / len(part)
        # each class keeps its overall share; rounding to whole images moves it by at
        # most one image in 360 (0.0028) plus the proportional rounding
        np.testing.assert_allclose(share, total / total.sum(), atol=1.5 / 360)


def test_split_is_a_partition_and_deterministic():
    y = np.repeat(np.arange(3), [50, 30, 20])
    X = np.arange(100)  # the values identify the samples
    first = train_val_test_split(X, y, fractions=(0.5, 0.25, 0.25), seed=7)
    again = train_val_test_split(X, y, fractions=(0.5, 0.25, 0.25), seed=7)
    other = train_val_test_split(X, y, fractions=(0.5, 0.25, 0.25), seed=8)
    ids = np.concatenate([part[0] for part in first])
    np.testing.assert_array_equal(np.sort(ids), np.arange(100))
    for (Xa, ya), (Xb, yb) in zip(first, again, strict=True):
        np.testing.assert_array_equal(Xa, Xb)
        np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(first[2][0], other[2][0])
    for Xp, yp in first:
        np.testing.assert_array_equal(y[Xp], yp)  # labels travel with their samples
    # exact per-class counts: 50/30/20 split 0.5/0.25/0.25
    np.testing.assert_array_equal(np.bincount(first[2][1]), [13, 7, 5])
    np.testing.assert_array_equal(np.bincount(first[0][1]), [25, 15, 10])


def test_split_with_an_empty_validation_set():
    y = np.repeat(np.arange(2), 10)
    (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split(
        np.zeros((20, 3)), y, fractions=(0.8, 0.0, 0.2), seed=0
    )
    assert (len(ytr), len(yva), len(yte)) == (16, 0, 4)
    assert Xva.shape == (0, 3)
    np.testing.assert_array_equal(np.bincount(yte), [2, 2])


@pytest.mark.parametrize(
    ("X", "y", "fractions", "error"),
    [
        (np.zeros((5, 2)), np.zeros(4, int), (0.6, 0.2, 0.2), ValueError),
        (np.zeros((5, 2)), np.zeros(5), (0.6, 0.2, 0.2), TypeError),
        (np.zeros((5, 2)), np.zeros(5, int), (0.6, 0.2, 0.1), ValueError),
        (np.zeros((5, 2)), np.zeros(5, int), (0.5, 0.5), ValueError),
        (np.zeros((5, 2)), np.zeros(5, int), (1.2, -0.1, -0.1), ValueError),
    ],
)
def test_split_refuses_bad_input(X, y, fractions, error):
    with pytest.raises(error):
        train_val_test_split(X, y, fractions=fractions)
