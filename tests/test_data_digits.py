"""The shipped digits: checksum, shapes, values, and the stratified split."""

import hashlib
from importlib import resources

import numpy as np
import pytest

import nnlib.data.digits as digits_module
from nnlib.data import DIGITS_SHA256, digits_sha256, load_digits


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
