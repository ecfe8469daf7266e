"""Sequence tasks: the documented format, exactly."""

import numpy as np
import pytest

from nnlib.data import SEQUENCE_TASKS, make_sequence_task


def _value(digits: np.ndarray, base: int) -> np.ndarray:
    """Integers from rows of digits, most significant first."""
    out = np.zeros(len(digits), dtype=np.int64)
    for column in digits.T:
        out = out * base + column
    return out


@pytest.mark.parametrize("kind", ["copy", "reverse", "sort"])
def test_token_tasks(kind):
    inputs, targets = make_sequence_task(kind, n=50, length=12, vocab=7, seed=1)
    assert inputs.shape == targets.shape == (50, 12)
    assert inputs.dtype == targets.dtype == np.int64
    assert inputs.min() >= 0 and inputs.max() < 7
    assert len(np.unique(inputs)) == 7  # 600 draws from 7 tokens hit them all
    if kind == "copy":
        np.testing.assert_array_equal(targets, inputs)
    elif kind == "reverse":
        for t in range(12):
            np.testing.assert_array_equal(targets[:, t], inputs[:, 11 - t])
    else:
        assert (np.diff(targets, axis=1) >= 0).all()
        for row_in, row_out in zip(inputs, targets, strict=True):
            np.testing.assert_array_equal(
                np.bincount(row_in, minlength=7), np.bincount(row_out, minlength=7)
            )


@pytest.mark.ch09
@pytest.mark.parametrize(("length", "vocab"), [(7, 10), (3, 2), (9, 5)])
def test_add_task_format(length, vocab):
    inputs, targets = make_sequence_task(
        "add", n=200, length=length, vocab=vocab, seed=0
    )
    d = (length - 1) // 2
    assert inputs.shape == targets.shape == (200, length)
    np.testing.assert_array_equal(inputs[:, d], vocab)  # the "+" separator
    digits = np.delete(inputs, d, axis=1)
    assert digits.min() >= 0 and digits.max() < vocab
    p, q = _value(inputs[:, :d], vocab), _value(inputs[:, d + 1 :], vocab)
    np.testing.assert_array_equal(_value(targets, vocab), p + q)
    np.testing.assert_array_equal(targets[:, :d], 0)  # the sum needs at most d+1 digits
    assert targets.max() < vocab


def test_add_documented_example_layout():
    # the docstring: 123 + 989 is [1, 2, 3, 10, 9, 8, 9] -> [0, 0, 0, 1, 1, 1, 2],
    # i.e. the target row is the sum written with 7 digits, zero padded
    inputs, targets = make_sequence_task("add", n=500, length=7, vocab=10, seed=3)
    p, q = _value(inputs[:, :3], 10), _value(inputs[:, 4:], 10)
    for row in range(5):
        expected = [int(c) for c in f"{p[row] + q[row]:07d}"]
        assert targets[row].tolist() == expected


@pytest.mark.parametrize("kind", SEQUENCE_TASKS)
def test_same_seed_same_data(kind):
    a = make_sequence_task(kind, n=20, length=5, vocab=4, seed=9)
    b = make_sequence_task(kind, n=20, length=5, vocab=4, seed=9)
    c = make_sequence_task(kind, n=20, length=5, vocab=4, seed=10)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "shuffle"},
        {"kind": "add", "length": 6},
        {"kind": "add", "length": 1},
        {"kind": "copy", "vocab": 1},
        {"kind": "copy", "n": 0},
    ],
)
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        make_sequence_task(**kwargs)
