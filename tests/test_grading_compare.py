"""Comparison messages and the plain-data codec between kernel and grader."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlib.grading.codec import Unsupported, decode, encode
from nnlib.grading.compare import compare


def test_shape_is_checked_before_values() -> None:
    msg = compare(np.zeros(3), np.zeros((3, 1)), 1e-7, 0.0)
    assert msg == "expected shape (3,), got (3, 1)"


def test_value_message_names_index_expected_and_received() -> None:
    e = np.array([[1.0, 2.0], [3.0, 4.0]])
    r = e.copy()
    r[1, 0] = 3.5
    msg = compare(e, r, 1e-7, 0.0)
    assert (
        "at index (1, 0) expected 3, got 3.5" in msg and "1 of 4 entries differ" in msg
    )


def test_values_within_tolerance_pass() -> None:
    e = np.array([1.0, 2.0])
    assert compare(e, e * (1 + 1e-9), 1e-7, 0.0) is None
    assert compare(e, e * (1 + 1e-5), 1e-7, 0.0) is not None


def test_integers_compare_exactly_and_scalars_need_no_shape() -> None:
    assert compare(np.int64(7), 7, 0.0, 0.0) is None
    assert compare(np.int64(7), 8, 0.0, 0.0) == "expected 7, got 8 (compared exactly)"
    assert compare(2.5, np.array([2.5]), 1e-7, 0.0) == (
        "expected a single number, got an array of shape (1,)"
    )


def test_nan_is_named_as_such() -> None:
    msg = compare(np.ones(3), np.array([1.0, np.nan, 1.0]), 1e-7, 0.0)
    assert msg.startswith("got nan at index 1")


def test_tuples_name_their_items() -> None:
    expected = (np.zeros(2), np.ones(2))
    assert compare(expected, np.zeros(2), 1e-7, 0.0, ("dx", "db")).startswith(
        "expected a tuple of 2 values (dx, db), got an array of shape (2,)"
    )
    msg = compare(expected, (np.zeros(2), np.zeros(2)), 1e-7, 0.0, ("dx", "db"))
    assert msg.startswith("db: at index 0 expected 1, got 0")


def test_non_numbers_are_described() -> None:
    assert (
        compare(np.zeros(2), None, 1e-7, 0.0)
        == "expected an array of shape (2,), got None"
    )
    assert "got an object of type" in compare(np.zeros(2), {1}, 1e-7, 0.0)


@given(
    hnp.arrays(
        dtype=st.sampled_from([np.float64, np.float32, np.int64, np.uint8, np.bool_]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
    )
)
def test_codec_round_trips_arrays_exactly(a: np.ndarray) -> None:
    back = decode(json.loads(json.dumps(encode(a))))
    assert back.dtype == a.dtype and back.shape == a.shape
    assert np.array_equal(back, a, equal_nan=a.dtype.kind == "f")


def test_codec_keeps_structure() -> None:
    value = (1, 2.5, [np.arange(3)], {"w": np.eye(2)}, None, "text")
    back = decode(json.loads(json.dumps(encode(value))))
    assert back[0] == 1 and back[1] == 2.5 and back[4] is None and back[5] == "text"
    assert np.array_equal(back[2][0], np.arange(3)) and np.array_equal(
        back[3]["w"], np.eye(2)
    )


def test_codec_turns_unknown_objects_into_a_marker() -> None:
    back = decode(json.loads(json.dumps(encode(object()))))
    assert isinstance(back, Unsupported) and back.type_name == "object"
    assert isinstance(decode(encode(np.array([object()]))), Unsupported)


@pytest.mark.parametrize(
    "bad",
    [
        {"__nd__": ["|O", [1], "AAAA"]},  # object dtype would need pickle
        {"__nd__": ["<f8", [2], "AAAA"]},  # data shorter than the shape says
        {"__reduce__": ["os.system", "echo hi"]},  # unknown tag
        {"__nd__": ["<f8", [-1], ""]},
    ],
)
def test_decode_rejects_anything_but_plain_data(bad: dict) -> None:
    with pytest.raises(ValueError):
        decode(bad)
