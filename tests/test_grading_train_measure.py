"""Train and measure tasks: validation in the notebook, held-out digits in the grader,
a CPU budget, the test set kept out, and measurements within stated tolerances."""

from __future__ import annotations

import functools
import time

import numpy as np
import pytest

from nnlib.grading import get_spec, run_check
from nnlib.grading.result import evaluate
from nnlib.grading.runner import run_case
from nnlib.grading.tasks import _train
from nnlib.grading.tasks._train import train_and_predict, train_task
from nnlib.scratch import Adam, CrossEntropyLoss, Dense, ReLU, Sequential

TRAIN_TASKS = ["06.train_digits", "07.train_digits", "08.train_cnn"]


def quick_mlp(X_train, y_train, X_val, y_val, epochs=40):
    """A numpy MLP that reaches about 98 % here in a fraction of a second."""
    X_train = X_train.reshape(len(X_train), -1)
    rng = np.random.default_rng(0)
    model = Sequential(Dense(64, 128, rng=rng), ReLU(), Dense(128, 10, rng=rng))
    loss_fn, optimizer = CrossEntropyLoss(), Adam(model, lr=3e-3)
    for _ in range(epochs):
        order = rng.permutation(len(X_train))
        for start in range(0, len(X_train), 32):
            batch = order[start : start + 32]
            loss_fn.forward(model.forward(X_train[batch]), y_train[batch])
            model.backward(loss_fn.backward())
            optimizer.step()
    return lambda X: model.forward(X.reshape(len(X), -1))


def grade(spec, fn, seed=12345):
    """What the batch grader decides: the hidden cases, judged here."""
    cases = spec.grader_cases(seed)
    outcomes = [run_case(fn, spec, case) for case in cases]
    return evaluate(spec, cases, [spec.expected(c) for c in cases], outcomes)


@pytest.mark.parametrize("task_id", TRAIN_TASKS)
def test_the_self_check_measures_validation_and_the_grader_held_out_digits(
    task_id: str,
) -> None:
    spec = get_spec(task_id)
    (X_tr, y_tr), (X_val, y_val), (X_te, _) = _train.split(task_id.startswith("06"))
    (public,) = spec.cases(0)
    assert public.args[4] is X_val and public.expected is y_val  # validation only
    (hidden,) = spec.grader_cases(7)
    assert hidden.name == "held-out digits"
    sent = {row.tobytes() for row in hidden.args[4].reshape(360, -1)}
    for shown in (X_tr, X_val, X_te):  # no image sent is one the course ships
        assert not sent & {row.tobytes() for row in shown.reshape(len(shown), -1)}
    # the public cases never hold a test image, whatever the seed
    for seed in (0, 1, 99):
        for arg in spec.cases(seed)[0].args:
            if isinstance(arg, np.ndarray) and arg.dtype.kind == "f":
                rows = {r.tobytes() for r in arg.reshape(len(arg), -1)}
                assert not rows & {r.tobytes() for r in X_te.reshape(360, -1)}


def test_a_good_model_passes_both_and_reports_validation_in_the_notebook() -> None:
    result = run_check("06.train_digits", quick_mlp)
    assert result.passed and result.note.startswith("validation accuracy")
    assert "test" not in result.line()
    held_out = grade(get_spec("06.train_digits"), quick_mlp)
    assert held_out.passed and held_out.note.startswith("held-out accuracy")


def test_the_held_out_threshold_is_two_standard_errors_below_the_goal() -> None:
    assert _train.held_out_threshold(0.97) == 0.945
    assert _train.held_out_threshold(0.985) == 0.965


def test_too_low_an_accuracy_fails_with_the_goal() -> None:
    result = run_check("06.train_digits", functools.partial(quick_mlp, epochs=0))
    assert not result.passed
    assert (
        "validation accuracy" in result.message and "the goal is 0.97" in result.message
    )


def test_the_test_set_used_is_named_whether_loaded_or_taken_from_a_global() -> None:
    from nnlib.data import load_digits

    def loads(X_train, y_train, X_val, y_val):
        X, y = load_digits(flatten=True)  # all 1797, the test digits included
        return quick_mlp(X, y, X_val, y_val)

    result = run_check("06.train_digits", loads)
    assert "the test set used" in result.message and "load_digits" in result.message

    X_test, y_test = _train.held_out_split()

    def global_test(X_train, y_train, X_val, y_val):
        X = np.concatenate([X_train, X_test])
        return quick_mlp(X, np.concatenate([y_train, y_test]), X_val, y_val)

    result = run_check("06.train_digits", global_test)
    assert "the test set used" in result.message and "X_test" in result.message
    assert not grade(get_spec("06.train_digits"), global_test).passed


def test_a_function_that_returns_no_model_is_told_so() -> None:
    result = run_check("06.train_digits", lambda *data: None)
    assert "return the trained model" in result.message


def _small_budget_spec(budget: float):
    return train_task(
        "06.train_digits",
        flatten=True,
        goal=0.97,
        budget=budget,
        hints=("a", "b"),
        probe=functools.partial(train_and_predict, budget=budget),
    )


def test_training_over_its_budget_fails_and_past_twice_is_stopped() -> None:
    spec = _small_budget_spec(0.05)
    (case,) = spec.grader_cases(1)
    labels = case.expected  # a perfect model, but a slow one
    record = {"model": "ok", "labels": labels, "seconds": 0.08, "loads": []}
    message = spec.judge_answer(labels, record, case)
    assert "took 0.08 s, over its 0.05 s budget" in message
    assert spec.judge_answer(labels, {**record, "seconds": 0.04}, case) is None

    def endless(*data):
        while True:
            time.sleep(0.01)

    began = time.perf_counter()
    result = grade(_small_budget_spec(0.2), endless)
    assert time.perf_counter() - began < 5
    assert "ran past twice its 0.2 s budget and was stopped" in result.message


def test_the_stub_of_a_train_task_is_not_attempted() -> None:
    def stub(X_train, y_train, X_val, y_val):
        raise NotImplementedError

    assert run_check("06.train_digits", stub).status == "not attempted"


@pytest.mark.ch07
def test_a_torch_module_is_evaluated_in_evaluation_mode() -> None:
    import torch
    from torch import nn

    class Checked(nn.Module):
        def __init__(self):
            super().__init__()
            self.dropout = nn.Dropout(0.99)  # ruins every prediction in training mode
            self.linear = nn.Linear(64, 10)

        def forward(self, x):
            return self.linear(self.dropout(x.flatten(1)))

    def train(X_train, y_train, X_val, y_val):
        model = Checked()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        X, y = torch.from_numpy(X_train), torch.from_numpy(y_train)
        model.dropout.p = 0.0
        for _ in range(200):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(X), y).backward()
            optimizer.step()
        model.dropout.p = 0.99
        return model  # left in training mode on purpose

    result = run_check("07.train_digits", train)
    assert "validation accuracy 0.9" in result.line(), result.line()


# -------------------------------------------------------------------- measure


def test_a_measure_task_passes_its_reference_and_never_shows_the_answer() -> None:
    spec = get_spec("08.shift_robustness")
    assert run_check("08.shift_robustness", spec.reference).passed
    answers = spec.reference()
    low = run_check("08.shift_robustness", lambda: {**answers, "cnn_shifted": 0.3})
    assert "lower than any careful run" in low.message
    assert "0.78" not in low.message and "0.07" not in low.message


@pytest.mark.parametrize(
    ("task_id", "change", "words"),
    [
        ("06.data_size", {"val_acc_300": 95.0}, "a percentage where a fraction"),
        ("06.data_size", {"val_acc_1077": 1.0}, "that is the training accuracy"),
        ("07.batch_size", {"updates_16": 68}, "number of updates in one epoch"),
        ("07.batch_size", {"updates_128": 80}, "the last, smaller batch is an update"),
        ("07.batch_size", {"updates_1077": 11}, "count again"),
        ("08.shift_robustness", {"cnn_shifted": 0.99}, "the digits as they are"),
        (
            "08.shift_robustness",
            {"cnn_shifted": 0.46, "mlp_shifted": 0.78},
            "look swapped",
        ),
        ("08.shift_robustness", {"why": "a"}, "does not fit what the measurements"),
        ("08.shift_robustness", {"why": "cnn"}, "expected one of the letters"),
        ("08.shift_robustness", {"mlp_shifted": "0.46"}, "expected a number"),
    ],
)
def test_each_recognised_measurement_mistake_is_named(
    task_id: str, change: dict, words: str
) -> None:
    answers = {**get_spec(task_id).reference(), **change}
    result = run_check(task_id, lambda: answers)
    assert not result.passed and words in result.message, result.line()


def test_a_measure_answer_with_missing_keys_lists_them() -> None:
    result = run_check("06.data_size", lambda: {"val_acc_50": 0.8})
    assert "expected a dict with the keys" in result.message


def test_numpy_and_torch_numbers_are_accepted() -> None:
    import torch

    answers = get_spec("08.shift_robustness").reference()
    answers["cnn_shifted"] = np.float32(answers["cnn_shifted"])
    answers["mlp_shifted"] = torch.tensor(answers["mlp_shifted"])
    assert run_check("08.shift_robustness", lambda: answers).passed
