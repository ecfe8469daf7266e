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
from nnlib.grading.tasks import ch05, ch06, ch09
from nnlib.scratch import RNN, SGD, Adam

SPECS = {spec.id: spec for spec in all_specs()}
# tasks whose answer is a model or a trained predictor: tested on their own below
PROBED = {"07.torch_mlp", "07.train_step", "06.train_digits"}


def test_every_course_task_has_exactly_one_spec() -> None:
    assert sorted(SPECS) == sorted(t["id"] for t in course.tasks())


@pytest.mark.parametrize("task_id", sorted(SPECS))
def test_cases_are_named_seeded_and_include_edge_cases(task_id: str) -> None:
    spec = SPECS[task_id]
    cases = spec.cases(0)
    names = [c.name for c in cases]
    assert len(names) == len(set(names)) >= (2 if task_id == "06.train_digits" else 3)
    # the same seed gives the same inputs, byte for byte
    assert pickle.dumps([c.args for c in spec.cases(0)]) == pickle.dumps(
        [c.args for c in cases]
    )
    assert spec.hint and "def " not in spec.hint


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
def test_the_digit_task_needs_95_percent_on_held_out_digits() -> None:
    X_test, y_test = ch06.held_out_split()
    assert X_test.shape == (360, 64)
    # the images the check sends for seed 0: the held-out split, disguised
    X_sent, y_sent = ch06.disguise(X_test, y_test, np.random.default_rng(0))
    lookup = {row.tobytes(): label for row, label in zip(X_sent, y_sent, strict=True)}

    def perfect(X):
        return np.array([lookup[row.tobytes()] for row in X])

    def at_90_percent(X):
        labels = perfect(X)
        labels[: len(X) // 10] = (labels[: len(X) // 10] + 1) % 10  # 10 % wrong
        return labels

    assert run_check("06.train_digits", perfect).passed
    result = run_check("06.train_digits", at_90_percent)
    assert not result.passed and "test accuracy 90.0%" in result.message
    bad = run_check("06.train_digits", lambda X: np.zeros((len(X), 10))).message
    assert "one label per image" in bad


@pytest.mark.ch06
def test_the_digit_images_sent_are_in_no_shipped_file() -> None:
    # a lookup table of the shipped digits (all 1797) finds none of the images
    # sent, whatever the seed, yet they are the same digits with a little noise
    from nnlib.data import load_digits

    X_all, _ = load_digits(flatten=True)
    shipped = {row.tobytes() for row in X_all}
    for seed in (0, 1, 12345):
        X_sent, _ = ch06.disguise(*ch06.held_out_split(), np.random.default_rng(seed))
        assert not any(row.tobytes() in shipped for row in X_sent)
        rounded = (np.round(X_sent * 16) / 16).astype(X_sent.dtype)  # pixels are k/16
        assert not any(row.tobytes() in shipped for row in rounded)


@pytest.mark.ch07
def test_the_torch_mlp_must_be_linear_relu_linear() -> None:
    from torch import nn

    assert run_check("07.torch_mlp", get_spec("07.torch_mlp").reference).passed
    no_relu = run_check(
        "07.torch_mlp", lambda i, h, o: nn.Sequential(nn.Linear(i, h), nn.Linear(h, o))
    )
    assert not no_relu.passed and "not Linear -> ReLU -> Linear" in no_relu.message
    wrong = run_check("07.torch_mlp", lambda i, h, o: nn.Linear(i, o))
    assert "expected parameters of shapes" in wrong.message


@pytest.mark.ch07
def test_a_train_step_without_zero_grad_fails() -> None:
    import torch.nn.functional as F

    def forgetful(model, optimizer, x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    assert run_check("07.train_step", get_spec("07.train_step").reference).passed
    result = run_check("07.train_step", forgetful)
    # the second backward adds to the first gradient: the weights go astray
    assert not result.passed and result.message.startswith("weight after two steps")


def test_importing_grading_and_checking_numpy_tasks_loads_no_torch() -> None:
    code = (
        "import sys\nfrom nnlib.grading import run_check, chapter_specs\n"
        "for ch in ('01', '02', '03', '04', '05', '06', '08', '09'):\n"
        "    chapter_specs(ch)\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
