"""``check(task_id, answer)``: one line of feedback, for every kind of answer."""

from __future__ import annotations

import numpy as np
import pytest

from nnlib.grading import check, run_check
from nnlib.scratch import Dense


def dense_forward(x, W, b):
    return x @ W + b


def test_a_right_answer_passes_in_one_line(capsys) -> None:
    check("03.dense_forward", dense_forward)
    assert capsys.readouterr().out == "✓ 03.dense_forward passed (5 cases)\n"


def test_a_wrong_shape_names_the_case_both_shapes_and_a_hint() -> None:
    line = run_check("03.dense_forward", lambda x, W, b: (x @ W + b).T).line()
    assert line.startswith("✗ 03.dense_forward case '4 samples, 3 -> 2': ")
    assert "expected shape (4, 2), got (2, 4)" in line
    assert "transposed" in line  # the task recognises this mistake and names it
    assert 'hint("03.dense_forward")' in line and "\n" not in line  # a pointer only
    assert "def " not in line and "return" not in line  # no reference code shown


def test_a_wrong_value_names_expected_and_received() -> None:
    line = run_check("03.dense_forward", lambda x, W, b: x @ W).line()
    assert "expected" in line and "got" in line and "entries differ" in line


def test_the_edge_case_is_what_fails() -> None:
    # right for every batch but a batch of one: the message says which case
    def squeezy(x, W, b):
        return np.squeeze(x @ W + b) if len(x) == 1 else x @ W + b

    result = run_check("03.dense_forward", squeezy)
    assert result.case == "batch of 1"
    assert "expected shape (1, 3), got (3,)" in result.message


def test_a_stub_is_not_attempted(capsys) -> None:
    def stub(x, W, b):
        raise NotImplementedError()

    check("03.dense_forward", stub)
    out = capsys.readouterr().out
    assert out.startswith("… 03.dense_forward not attempted")


def test_other_exceptions_are_reported_with_their_message() -> None:
    def broken(x, W, b):
        return x @ W.T + b

    line = run_check("03.dense_forward", broken).line()
    assert "raised ValueError" in line


def test_something_other_than_a_function_is_explained() -> None:
    line = run_check("03.dense_forward", np.zeros(3)).line()
    assert "check expects your function" in line and "dense_forward" in line


def test_modifying_an_input_in_place_fails() -> None:
    def sloppy(x, W, dy):
        dy *= 2  # changes the caller's array
        return (dy / 2) @ W.T, x.T @ (dy / 2), (dy / 2).sum(axis=0)

    result = run_check("04.dense_backward", sloppy)
    assert not result.passed and "changed its input dy in place" in result.message


def test_an_overflowing_formula_fails_the_large_value_case() -> None:
    def naive(z):
        s = 1 / (1 + np.exp(-z))  # exp(1000) overflows
        return s, s * (1 - s)

    result = run_check("02.sigmoid", naive)
    assert result.case == "large values" and "overflow" in result.message


def test_calling_nnlibs_own_reference_passes_but_is_flagged() -> None:
    def lazy(x, W, b):
        layer = Dense(*W.shape)
        layer.params["W"][...] = W
        layer.params["b"][...] = b
        return layer.forward(x)

    result = run_check("03.dense_forward", lazy)
    assert result.passed and result.flags == ["calls nnlib's own nnlib.scratch.Dense"]
    assert "[flagged:" in result.line()


def test_assert_passed_raises_on_failure_and_is_silent_on_success(capsys) -> None:
    check("03.dense_forward", dense_forward, seed=1, assert_passed=True)
    assert capsys.readouterr().out == ""
    with pytest.raises(AssertionError, match="03.dense_forward"):
        check("03.dense_forward", lambda x, W, b: x @ W, seed=1, assert_passed=True)


def test_unknown_task_ids_are_a_clear_error() -> None:
    with pytest.raises(KeyError, match="no task"):
        run_check("01.no_such_task", dense_forward)
