"""The shipped digits: checksum, shapes, values, and the stratified split."""

import hashlib
from importlib import resources

import numpy as np
import pytest

import nnlib.data.digits as digits_module
from nnlib.data import DIGITS_SHA256, digits_sha256, load_digits, train_val_test_split


@pytest.mark.ch06
def test_shipped_file_matches_its_recorded_checksum():
    files = resources.files("nnlib.data").joinpath("files")
    raw = files.joinpath("digits.npz").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == DIGITS_SHA256 == digits_sha256()
    # the source and licence travel with the data, and name the same checksum
    note = files.joinpath("digits_SOURCE.txt").read_text(encoding="utf-8")
    assert "CC BY 4.0" in note and "10.24432/C50P49" in note and DIGITS_SHA256 in note


@pytest.mark.ch06
def test_load_digits_shapes_dtypes_and_values():
    X, y = load_digits()
    assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    # pixels were counts 0..16 divided by 16
    np.testing.assert_array_equal(X * 16, np.round(X * 16))
    counts = np.bincount(y)
    assert len(counts) == 10 and counts.sum() == 1797
    assert counts.min() >= 170 and counts.max() <= 185  # the set is nearly balanced
    flat, y2 = load_digits(flatten=True)
    assert flat.shape == (1797, 64)
    np.testing.assert_array_equal(flat, X.reshape(1797, 64))
    np.testing.assert_array_equal(y, y2)


def test_a_damaged_file_is_refused(monkeypatch):
    real = digits_module._read_digits_bytes()
    damaged = real[:-1] + bytes([real[-1] ^ 1])
    monkeypatch.setattr(digits_module, "_read_digits_bytes", lambda: damaged)
    with pytest.raises(OSError, match="damaged"):
        load_digits()


@pytest.mark.ch06
def test_course_split_sizes_and_stratification():
    X, y = load_digits()
    (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split(X, y, (0.6, 0.2, 0.2), 0)
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
    first = train_val_test_split(X, y, (0.5, 0.25, 0.25), seed=7)
    again = train_val_test_split(X, y, (0.5, 0.25, 0.25), seed=7)
    other = train_val_test_split(X, y, (0.5, 0.25, 0.25), seed=8)
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
        np.zeros((20, 3)), y, (0.8, 0.0, 0.2), seed=0
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
        train_val_test_split(X, y, fractions)
