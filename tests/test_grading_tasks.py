"""The task registry: cases, references and tolerances for every graded task."""

from __future__ import annotations

import pickle
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from nnlib import course
from nnlib.grading import all_specs, get_spec, run_check
from nnlib.grading.tasks import ch05, ch06, ch08, ch09
from nnlib.scratch import (
    RNN,
    SGD,
    Adam,
    Conv2D,
    CrossEntropyLoss,
    Dense,
    ReLU,
    Sequential,
)

SPECS = {spec.id: spec for spec in all_specs()}
# tasks whose answer is a model, a trained predictor or a set of measurements:
# tested on their own (here and in test_grading_train_measure.py)
PROBED = {"07.torch_mlp", "07.train_epoch"} | {
    s.id for s in SPECS.values() if s.kind in ("train", "measure")
}


def test_every_course_task_has_exactly_one_spec() -> None:
    assert sorted(SPECS) == sorted(t["id"] for t in course.tasks())


@pytest.mark.parametrize("task_id", sorted(SPECS))
def test_cases_are_named_seeded_and_include_edge_cases(task_id: str) -> None:
    spec = SPECS[task_id]
    cases = spec.cases(0)
    names = [c.name for c in cases]
    one_case = spec.kind in ("train", "measure")  # one training run, one experiment
    assert len(names) == len(set(names)) >= (1 if one_case else 3)
    # the same seed gives the same inputs, byte for byte
    assert pickle.dumps([c.args for c in spec.cases(0)]) == pickle.dumps(
        [c.args for c in cases]
    )
    assert len(spec.hints) == 2 and all("def " not in h for h in spec.hints)


@pytest.mark.parametrize("task_id", sorted(set(SPECS) - PROBED))
def test_the_reference_passes_and_a_slightly_wrong_answer_fails(task_id: str) -> None:
    spec = SPECS[task_id]
    assert run_check(task_id, spec.reference).passed
    assert run_check(task_id, spec.reference, seed=1).passed

    def off(*args: Any) -> Any:
        return _nudge(spec.reference(*args))

    result = run_check(task_id, off)
    assert not result.passed, f"{task_id}: a 0.1 % error went unnoticed"


def _nudge(value: Any) -> Any:
    """The answer with its first number changed by 0.1 % (and at least 1e-3)."""
    if isinstance(value, tuple):
        return (_nudge(value[0]), *value[1:])
    a = np.array(value)
    if a.dtype.kind in "iub":
        return a + 1
    flat = a.reshape(-1)
    flat[0] += 1e-3 * max(1.0, abs(flat[0]))
    return a


def test_momentum_and_adam_steps_match_nnlibs_optimizers() -> None:
    rng = np.random.default_rng(0)
    p0, grads = rng.standard_normal(4), rng.standard_normal((3, 4))
    layer = type("One", (), {"params": {"p": p0.copy()}, "grads": {"p": np.zeros(4)}})()
    sgd = SGD(layer, lr=0.1, momentum=0.9)
    p, v = p0.copy(), np.zeros(4)
    for g in grads:
        layer.grads["p"][...] = g
        sgd.step()
        p, v = ch05.momentum_step(p, g, v, 0.1, 0.9)
    np.testing.assert_allclose(layer.params["p"], p, rtol=1e-12)  # same arithmetic

    layer.params["p"] = p0.copy()
    adam = Adam(layer, lr=0.01)
    p, m, s = p0.copy(), np.zeros(4), np.zeros(4)
    for t, g in enumerate(grads, start=1):
        layer.grads["p"][...] = g
        adam.step()
        p, m, s = ch05.adam_step(p, g, m, s, t, 0.01, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(layer.params["p"], p, rtol=1e-12)


def test_rnn_step_iterated_is_nnlibs_rnn() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 3))
    rnn = RNN(3, 4, rng=rng)
    h = np.zeros((2, 4))
    for t in range(5):
        h = ch09.rnn_step(
            x[:, t], h, rnn.params["Wx"], rnn.params["Wh"], rnn.params["b"]
        )
    np.testing.assert_allclose(rnn.forward(x)[:, -1], h, rtol=1e-12)


@pytest.mark.ch06
def test_the_digit_images_the_grader_sends_are_in_no_shipped_file() -> None:
    # a lookup table of the shipped digits (all 1797) finds none of the images
    # sent, whatever the seed, yet they are the same digits with a little noise
    from nnlib.data import load_digits

    X_all, _ = load_digits(flatten=True)
    shipped = {row.tobytes() for row in X_all}
    X_test, _ = ch06.held_out_split()
    assert X_test.shape == (360, 64)
    for seed in (0, 1, 12345):
        X_sent, _ = ch06.disguise(*ch06.held_out_split(), np.random.default_rng(seed))
        assert not any(row.tobytes() in shipped for row in X_sent)
        rounded = (np.round(X_sent * 16) / 16).astype(X_sent.dtype)  # pixels are k/16
        assert not any(row.tobytes() in shipped for row in rounded)


@pytest.mark.ch06
def test_the_mlp_gradients_reference_is_numerical_and_agrees_with_backprop() -> None:
    spec = get_spec("06.mlp_gradients")
    for case in spec.cases(0):
        X, y, W1, b1, W2, b2 = case.args
        model = Sequential(Dense(*W1.shape), ReLU(), Dense(*W2.shape))
        for name, value in zip(
            ["0.W", "0.b", "2.W", "2.b"], case.args[2:], strict=True
        ):
            model.params[name][...] = value
        loss = CrossEntropyLoss()
        loss.forward(model.forward(X), y)
        model.backward(loss.backward())
        analytic = [model.grads[n] for n in ["0.W", "0.b", "2.W", "2.b"]]
        for numeric, exact in zip(spec.expected(case), analytic, strict=True):
            np.testing.assert_allclose(numeric, exact, rtol=1e-6, atol=1e-9)


@pytest.mark.ch08
def test_the_conv_backward_reference_is_numerical_and_agrees_with_conv2d() -> None:
    spec = get_spec("08.conv2d_backward")
    for case in spec.cases(0):
        x, W, dy = case.args
        layer = Conv2D(W.shape[1], W.shape[0], W.shape[2:])
        layer.params["W"][...] = W
        layer.forward(x)
        dx = layer.backward(dy)
        exact = (dx, layer.grads["W"], layer.grads["b"])
        for numeric, right in zip(spec.expected(case), exact, strict=True):
            np.testing.assert_allclose(numeric, right, rtol=1e-8, atol=1e-10)
        # and the loops of the module (the mistakes' home) give the same
        for by_hand, right in zip(ch08._by_hand(x, W, dy), exact, strict=True):
            np.testing.assert_allclose(by_hand, right, rtol=1e-10, atol=1e-12)


@pytest.mark.ch07
def test_the_torch_mlp_must_be_linear_relu_linear() -> None:
    from torch import nn

    assert run_check("07.torch_mlp", get_spec("07.torch_mlp").reference).passed
    no_relu = run_check(
        "07.torch_mlp", lambda i, h, o: nn.Sequential(nn.Linear(i, h), nn.Linear(h, o))
    )
    assert not no_relu.passed and "the ReLU between" in no_relu.message
    tanh = run_check(
        "07.torch_mlp",
        lambda i, h, o: nn.Sequential(nn.Linear(i, h), nn.Tanh(), nn.Linear(h, o)),
    )
    assert not tanh.passed and "not Linear -> ReLU -> Linear" in tanh.message
    wrong = run_check("07.torch_mlp", lambda i, h, o: nn.Linear(i, o))
    assert "expected parameters of shapes" in wrong.message


@pytest.mark.ch07
def test_a_train_epoch_without_zero_grad_fails_and_is_named() -> None:
    def forgetful(model, loader, optimizer, loss_fn):
        model.train()
        total, correct, n = 0.0, 0, 0
        for x, y in loader:
            logits = model(x)
            loss = loss_fn(logits, y)
            loss.backward()  # no zero_grad: this adds to the last batch's gradient
            optimizer.step()
            total += loss.item() * len(y)
            correct += int((logits.argmax(1) == y).sum())
            n += len(y)
        return total / n, correct / n

    assert run_check("07.train_epoch", get_spec("07.train_epoch").reference).passed
    result = run_check("07.train_epoch", forgetful)
    assert not result.passed and "the gradients accumulate" in result.message


def test_importing_grading_and_checking_numpy_tasks_loads_no_torch() -> None:
    code = (
        "import sys\nfrom nnlib.grading import run_check, chapter_specs\n"
        "for ch in ('01', '02', '03', '04', '05', '06', '08', '09'):\n"
        "    chapter_specs(ch)\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
