"""Chapter 09's tasks: BPTT against central differences, the reversal task's hidden
sequences, and the gradient-factor measurement's tolerances and named mistakes."""

from __future__ import annotations

import functools
import time

import numpy as np
import pytest

from nnlib.grading import get_spec, run_check
from nnlib.grading.result import evaluate
from nnlib.grading.runner import run_case
from nnlib.grading.tasks import ch09
from nnlib.scratch import RNN

pytestmark = pytest.mark.ch09


def grade(spec, fn, seed=12345):
    """What the batch grader decides: the hidden cases, judged here."""
    cases = spec.grader_cases(seed)
    outcomes = [run_case(fn, spec, case) for case in cases]
    return evaluate(spec, cases, [spec.expected(c) for c in cases], outcomes)


# ------------------------------------------------------------- rnn_backward


def test_the_bptt_reference_is_numerical_and_agrees_with_nnlibs_backward() -> None:
    spec = get_spec("09.rnn_backward")
    for case in spec.cases(0):
        x, Wx, Wh, b, dh = case.args
        layer = RNN(*Wx.shape, rng=np.random.default_rng(0))
        for name, value in (("Wx", Wx), ("Wh", Wh), ("b", b)):
            layer.params[name][...] = value
        layer.forward(x)
        dx = layer.backward(dh)
        exact = (dx, layer.grads["Wx"], layer.grads["Wh"], layer.grads["b"])
        # central differences with steps of 1e-5: about 1e-10 (the module says why)
        for numeric, right in zip(spec.expected(case), exact, strict=True):
            np.testing.assert_allclose(numeric, right, rtol=1e-7, atol=1e-9)
        # the module's hand-written walk (the mistakes' home) gives the same
        for by_hand, right in zip(ch09._by_hand(*case.args), exact, strict=True):
            np.testing.assert_allclose(by_hand, right, rtol=1e-10, atol=1e-12)


def test_the_references_leave_nnlibs_default_generators_alone() -> None:
    # a learner's next RNN(..., rng=None) gets the weights it would have got
    # without the check in between
    from nnlib.scratch import init

    case = get_spec("09.rnn_backward").cases(0)[0]
    init.seed_default_rng(0)
    first = RNN(3, 4).params["Wh"].copy()
    init.seed_default_rng(0)
    ch09.rnn_backward(*case.args)
    after_check = RNN(3, 4).params["Wh"]
    init.seed_default_rng(0)
    np.testing.assert_array_equal(first, after_check)


# ---------------------------------------------------------- train_reverse


class PositionTable:
    """A model learned from data in a blink, for tests: for each output position,
    the input position whose digit predicts the target best, and a table from that
    digit to the most frequent target digit (it learns a relabelling too)."""

    def __init__(self, X, Y):
        N, T = X.shape
        self.source = np.zeros(T, dtype=int)
        self.table = np.zeros((T, 10), dtype=int)
        for t in range(T):
            best = -1.0
            for s in range(T):
                counts = np.zeros((10, 10))
                np.add.at(counts, (X[:, s], Y[:, t]), 1)
                score = counts.max(axis=1).sum() / N
                if score > best:
                    best, self.source[t] = score, s
                    self.table[t] = counts.argmax(axis=1)

    def __call__(self, X):
        tokens = np.stack(
            [self.table[t][X[:, s]] for t, s in enumerate(self.source)], axis=1
        )
        return np.eye(10)[tokens]  # (N, T, 10) scores


def learned(X_train, Y_train, X_val, Y_val):
    return PositionTable(X_train, Y_train)


def by_rule(X_train, Y_train, X_val, Y_val):
    return lambda X: np.eye(10)[X[:, ::-1]]  # reverses without looking at Y_train


def test_the_public_case_is_validation_and_the_hidden_one_fresh_and_relabelled():
    spec = get_spec("09.train_reverse")
    (X_tr, Y_tr), (X_val, Y_val) = ch09.reverse_split()
    (public,) = spec.cases(0)
    assert public.args[4] is X_val and public.expected is Y_val
    (hidden,) = spec.grader_cases(7)
    X_eval, Y_eval = hidden.args[4], hidden.expected
    shown = {r.tobytes() for X in (X_tr, X_val) for r in X}
    sent = [r.tobytes() for r in X_eval]
    assert sum(r in shown for r in sent) <= 2  # 10^8 sequences: a chance overlap
    # the targets are the reversal under one permutation moving every digit
    perm = np.empty(10, dtype=int)
    perm[Y_tr[:, 0]] = hidden.args[1][:, 0]  # Y -> relabelled Y
    assert (perm != np.arange(10)).all()
    assert np.array_equal(hidden.args[1], perm[Y_tr])
    assert np.array_equal(hidden.args[3], perm[Y_val])
    assert np.array_equal(Y_eval, perm[X_eval[:, ::-1]])
    other = spec.grader_cases(8)[0]
    assert not np.array_equal(other.args[4], X_eval)


def test_a_model_learned_from_the_data_passes_both_and_reports_validation():
    result = run_check("09.train_reverse", learned)
    assert result.passed, result.line()
    assert result.note.startswith("validation exact-sequence accuracy")
    held_out = grade(get_spec("09.train_reverse"), learned)
    assert held_out.passed, held_out.line()
    assert held_out.note.startswith("held-out exact-sequence accuracy")


def test_a_reversal_written_by_hand_passes_validation_but_not_the_grader():
    assert run_check("09.train_reverse", by_rule).passed
    result = grade(get_spec("09.train_reverse"), by_rule)
    assert not result.passed and "a rule written by hand" in result.message


def test_each_recognised_training_mistake_is_named():
    spec = get_spec("09.train_reverse")

    def makes_its_own(X_train, Y_train, X_val, Y_val):
        from nnlib.data import make_sequence_task

        X, Y = make_sequence_task("reverse", n=2000, length=8, seed=3)
        return PositionTable(X, Y)

    result = run_check("09.train_reverse", makes_its_own)
    assert "the test set used" in result.message
    assert "make_sequence_task" in result.message

    def flattened(X_train, Y_train, X_val, Y_val):
        model = PositionTable(X_train, Y_train)
        return lambda X: model(X).reshape(-1, 10)  # (N * T, 10)

    result = run_check("09.train_reverse", flattened)
    assert "flattened into one axis" in result.message, result.line()

    result = run_check("09.train_reverse", lambda *data: None)
    assert "return the trained model" in result.message

    def half_trained(X_train, Y_train, X_val, Y_val):
        return PositionTable(X_train[:20], Y_train[:20])  # too few to fill the tables

    result = run_check("09.train_reverse", half_trained)
    assert "the goal is 0.9" in result.message and "per token" in result.message

    (case,) = spec.grader_cases(1)
    record = {"model": "ok", "labels": case.expected, "loads": [], "seconds": 61.0}
    assert "over its 60 s budget" in spec.judge_answer(case.expected, record, case)
    assert spec.judge_answer(case.expected, {**record, "seconds": 3.0}, case) is None


def test_training_past_twice_the_budget_is_stopped():
    spec = get_spec("09.train_reverse")
    (case,) = spec.cases(0)

    def endless(*data):
        while True:
            time.sleep(0.01)

    probe = functools.partial(ch09.train_and_predict_sequences, budget=0.1)
    began = time.perf_counter()
    record = probe(endless, *case.args)
    assert time.perf_counter() - began < 5 and record["stopped"]
    assert "ran past twice its 60 s budget" in spec.judge_answer(
        case.expected, record, case
    )


def test_the_stub_is_not_attempted():
    def stub(X_train, Y_train, X_val, Y_val):
        raise NotImplementedError

    assert run_check("09.train_reverse", stub).status == "not attempted"


@pytest.mark.ch07
def test_a_torch_module_gets_integer_tokens_and_is_scored_in_evaluation_mode():
    import torch
    from torch import nn

    class Table(nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model
            self.dropout = nn.Dropout(0.99)  # would ruin the scores in training mode

        def forward(self, tokens):
            assert tokens.dtype == torch.long
            scores = torch.from_numpy(self.model(tokens.numpy()))
            return self.dropout(scores + 1.0)

    def train(X_train, Y_train, X_val, Y_val):
        return Table(PositionTable(X_train, Y_train)).train()

    result = run_check("09.train_reverse", train)
    assert result.passed, result.line()


# ----------------------------------------------------------- gradient_factor


def test_the_tolerances_hold_for_twenty_seeds_and_the_center_is_the_experiment():
    spec = get_spec("09.gradient_factor")
    answers = spec.reference()
    for seed in range(20):
        mine = {
            "factor_1": ch09.gradient_factor(seed, 1.0),
            "factor_2_5": ch09.gradient_factor(seed, 2.5),
            "factor_2_5_strong": ch09.gradient_factor(seed, 2.5, input_scale=3.0),
            "regime": "b",
            "strong": "b",
        }
        assert run_check("09.gradient_factor", lambda m=mine: m).passed, (seed, mine)
    for key, scale, inputs in [
        ("factor_1", 1.0, 1.0),
        ("factor_2_5", 2.5, 1.0),
        ("factor_2_5_strong", 2.5, 3.0),
    ]:
        five = [ch09.gradient_factor(s, scale, input_scale=inputs) for s in range(5)]
        assert min(five) < answers[key] < max(five), key


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"factor_1": 1 / 0.735}, "the inverse of the factor"),
        ({"factor_2_5": 1 / 1.23}, "the inverse of the factor"),
        ({"factor_1": 0.735**39}, "the change over all 39 steps"),
        ({"factor_2_5": 1.23**39}, "the change over all 39 steps"),
        ({"factor_2_5_strong": 1.05**39}, "the change over all 39 steps"),
        ({"factor_1": 1.23, "factor_2_5": 0.735}, "look swapped"),
        ({"factor_2_5": 1.05, "factor_2_5_strong": 1.23}, "look swapped"),
        ({"strong": "c"}, "does not fit what the measurements"),
        ({"factor_1": 73.5}, "a percentage where a fraction"),
        ({"factor_1": 0.5}, "lower than any careful run"),
        ({"regime": "a"}, "does not fit what the measurements"),
        ({"regime": "vanishes"}, "expected one of the letters"),
    ],
)
def test_each_recognised_measurement_mistake_is_named(change, words):
    answers = {**get_spec("09.gradient_factor").reference(), **change}
    result = run_check("09.gradient_factor", lambda: answers)
    assert not result.passed and words in result.message, result.line()
    assert "0.735" not in result.message and "1.23" not in result.message
