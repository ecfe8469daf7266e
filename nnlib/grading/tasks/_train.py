"""Train tasks: the learner's training function, a CPU budget, held-out digits.

A train task grades a function ``train_...(X_train, y_train, X_val, y_val)`` that
trains a model on the training split (it may use the validation split to choose
when to stop) and returns it: anything that maps images to class scores (an
``nnlib.scratch`` model, an ``nn.Module``, or a plain function).

- The notebook's self-check trains it on the course split and reports the
  **validation** accuracy against the task's goal. It never touches the test split.
- The batch grader (``make_hidden_cases``) trains it the same way and measures it
  on the **held-out** test digits, shuffled and disguised with pixel noise from
  the case generator (the instructor's secret there), so no shipped file holds
  them. The held-out threshold is the validation goal less two standard errors of
  the difference between two accuracies on 360 images (``held_out_threshold``):
  a model that just meets the goal on validation passes the held-out digits 49
  times in 50, while one that only fitted its validation images does not.
- The training runs under a stated budget: ``min(CPU time, wall time)`` of the
  call must stay within ``budget`` seconds (CPU time does not grow when a shared
  machine is busy; wall time does not grow with more threads), and a run past
  twice the budget is stopped.
- A function that loads the data set itself (``load_digits``,
  ``train_val_test_split``) or refers to a name with "test" in it fails: the
  test split must play no part in training.

The probe (``train_and_predict``) runs in the learner's kernel and returns plain
data; the judge runs where the grading happens.
"""

from __future__ import annotations

import math
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from types import CodeType
from typing import Any

import numpy as np

from nnlib.data import load_digits, train_val_test_split
from nnlib.measured import measured

from ..compare import describe
from ..runner import watch_calls
from ..spec import Case, TaskSpec

# The exercises' split, not the lectures' (seed 5): the test digits the lectures
# showed are training digits here. The solutions' recipes, 3 seeds each, reached on
# it (validation / test): numpy MLP 0.986-0.989 / 0.972-0.975, PyTorch MLP
# 0.986-0.989 / 0.972-0.975, CNN 0.992-0.997 / 0.983-0.986; the lectures' plain
# recipes 0.98 / 0.975 (MLPs) and 0.997 / 0.98 (CNN).
SPLIT_SEED = 9
# Pixels are k/16 (0..1). Every pixel gets a little noise (no exact match left),
# and 8 per image move by more than half a gray level, away from the nearer bound,
# so rounding to k/16 does not give the shipped image back either.
NOISE, NUDGE, NUDGED = 0.005, 0.035, 8
# what loads the data set: a training function must not call these
DATA_LOADERS = ("nnlib.data.load_digits", "nnlib.data.train_val_test_split")
# what makes token sequences (chapters 9 and 10): a training function must not call it
SEQUENCE_MAKERS = ("nnlib.data.make_sequence_task",)
_TEST_NAME = re.compile(r"test", re.IGNORECASE)


def held_out_threshold(goal: float, n: int = 360) -> float:
    """The goal less two standard errors of a difference of two n-image accuracies,
    to the nearest half point (0.97 -> 0.945, 0.985 -> 0.965)."""
    margin = 2 * math.sqrt(2 * goal * (1 - goal) / n)
    return round((goal - margin) * 200) / 200


def fraction(accuracy: float) -> str:
    """An accuracy as training gives it: another machine lands within 0.01."""
    return measured(accuracy, 0.01)


@cache
def split(flatten: bool) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The course split of the digits: (train, validation, test) pairs (X, y)."""
    X, y = load_digits(flatten=flatten)
    return tuple(train_val_test_split(X, y, seed=SPLIT_SEED))


def held_out_split(flatten: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The held-out test images and labels (360 of them) of the course split."""
    return split(flatten)[2]


def disguise(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The images shuffled, nudged and with a little noise (see ``NOISE``)."""
    order = rng.permutation(len(y))
    shape = X.shape
    X = X[order].reshape(len(y), -1).astype(np.float64)
    N, D = X.shape
    rows = np.repeat(np.arange(N), NUDGED)  # (N * NUDGED,)
    cols = np.argsort(rng.random((N, D)), axis=1)[:, :NUDGED].ravel()
    X[rows, cols] += np.where(X[rows, cols] < 0.5, NUDGE, -NUDGE)
    noisy = X + NOISE * rng.standard_normal(X.shape)
    return np.clip(noisy, 0.0, 1.0).astype(np.float32).reshape(shape), y[order]


class BudgetExceeded(BaseException):
    """Raised inside a training run that went past twice its budget."""


@contextmanager
def stop_after(seconds: float) -> Iterator[None]:
    """Raise ``BudgetExceeded`` in this thread after ``seconds`` of wall time.

    Only in the main thread of a system with ``setitimer`` (elsewhere the time is
    still measured and judged afterwards, and the notebook's own limit applies).
    """
    usable = hasattr(signal, "setitimer") and (
        threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise BudgetExceeded

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _codes(code: CodeType) -> Iterator[CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _codes(const)


def test_names(fn: Any) -> list[str]:
    """Names with "test" in them that ``fn`` (or a function in it) takes from
    outside: globals of the notebook, or variables of an enclosing function."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None:
        return []
    names = {
        n
        for c in _codes(code)
        for n in (*c.co_names, *c.co_freevars)
        if _TEST_NAME.search(n)
    }
    return sorted(names)


def _scores(model: Any, X: np.ndarray, *, tokens: bool = False) -> np.ndarray:
    """The model's output for ``X`` as a numpy array: class scores (or labels) for
    images, or scores per position for ``tokens`` (integer sequences)."""
    try:
        import torch
    except ImportError:  # a numpy-only install: no nn.Module can exist
        torch = None
    if torch is not None and isinstance(model, torch.nn.Module):
        params = list(model.parameters())
        device = params[0].device if params else torch.device("cpu")
        dtype = params[0].dtype if params else torch.float32
        was_training = model.training
        model.eval()  # dropout off, batch normalisation on its running statistics
        with torch.no_grad():
            out = model(
                torch.as_tensor(X, dtype=torch.long if tokens else dtype, device=device)
            )
        model.train(was_training)
        return out.detach().cpu().double().numpy()
    forward = model if callable(model) else getattr(model, "forward", None)
    if forward is None:
        raise TypeError(f"a model or a function, got {type(model).__name__}")
    out = forward(X)
    if hasattr(out, "detach"):
        out = out.detach().cpu().numpy()
    return np.asarray(out)


def run_training(
    fn: Callable[..., Any],
    data: tuple[np.ndarray, ...],
    X_eval: np.ndarray,
    *,
    budget: float,
    loaders: tuple[str, ...],
    predict: Callable[[Any, np.ndarray], dict],
) -> dict:
    """Train with the learner's ``fn(*data)`` under the budget, watching for calls
    of ``loaders``; then ``predict(model, X_eval)`` gives the record's answer.

    The probe of every train task: it runs in the learner's kernel and returns
    plain data (``test_names``, ``loads``, ``seconds``, ``stopped``, ``model``: "ok"
    or what went wrong, and what ``predict`` returned).
    """
    record: dict[str, Any] = {"test_names": test_names(fn), "loads": []}
    if record["test_names"]:  # judged without training: nothing to wait for
        return record
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        with watch_calls(loaders) as hits, stop_after(2 * budget):
            model = fn(*data)
    except BudgetExceeded:
        record["seconds"] = time.perf_counter() - wall
        record["stopped"] = True
        return record
    record["seconds"] = min(time.process_time() - cpu, time.perf_counter() - wall)
    record["loads"] = sorted(hits)
    if model is None:
        record["model"] = "None"
        return record
    try:
        answer = predict(model, X_eval)
    except NotImplementedError:
        raise
    except Exception as exc:  # reported as what the model did, not a crash
        record["model"] = f"raised {type(exc).__name__}: {exc}"[:200]
        return record
    record.update(answer, model="ok")
    return record


def class_labels(model: Any, X: np.ndarray) -> dict:
    """The class of the largest score per image (or the labels the model gives)."""
    scores = _scores(model, X)
    if scores.ndim == 2 and scores.dtype.kind in "biuf":
        return {"labels": np.argmax(scores, axis=1).astype(np.int64)}
    return {"labels": scores}


def token_labels(model: Any, X: np.ndarray) -> dict:
    """The token of the largest score per position (N, T) (or what the model gives)."""
    scores = _scores(model, X, tokens=True)
    if scores.ndim >= 2 and scores.dtype.kind == "f":
        return {"labels": np.argmax(scores, axis=-1).astype(np.int64)}
    return {"labels": scores}


def train_and_predict(
    fn: Callable[..., Any],
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    X_eval: np.ndarray,
    budget: float,
) -> dict:
    """Train with the learner's ``fn`` under the budget; label ``X_eval`` with it."""
    return run_training(
        fn,
        (X_train, y_train, X_val, y_val),
        X_eval,
        budget=budget,
        loaders=DATA_LOADERS,
        predict=class_labels,
    )


def train_and_predict_sequences(
    fn: Callable[..., Any],
    X_train: np.ndarray,
    Y_train: np.ndarray,
    X_val: np.ndarray,
    Y_val: np.ndarray,
    X_eval: np.ndarray,
    budget: float,
) -> dict:
    """Train with the learner's ``fn`` under the budget; predict ``X_eval`` with it:
    one token per position."""
    return run_training(
        fn,
        (X_train, Y_train, X_val, Y_val),
        X_eval,
        budget=budget,
        loaders=SEQUENCE_MAKERS,
        predict=token_labels,
    )


def not_trained(
    got: Any,
    budget: float,
    *,
    slower: str = "fewer epochs, or on larger batches",
    unseen: str = (
        "the test digits must play no part in training, or their accuracy says "
        "nothing about new handwriting"
    ),
    maps: str = "images to class scores",
) -> str | None:
    """Why a probe's record has no trained model to measure, or None.

    ``slower`` says how to train for less time, ``unseen`` what the held-out data
    must not be used for, ``maps`` what the model maps to what.
    """
    if not isinstance(got, dict):
        return f"expected the probe's record, got {describe(got)}"
    if got.get("stopped"):
        return (
            f"training ran past twice its {budget:g} s budget and was stopped: "
            f"train for {slower}"
        )
    used = list(got.get("loads", [])) + list(got.get("test_names", []))
    if used:
        return (
            f"the test set used: your training function uses "
            f"{', '.join(n.rsplit('.', 1)[-1] for n in used)}. Train only on the "
            f"arrays it is given; {unseen}"
        )
    if got.get("model") != "ok":
        what = got.get("model", "nothing")
        return (
            "expected your function to return the trained model (a model or a "
            f"function that maps {maps}); the model: {what}"
        )
    return None


def over_budget(got: dict, budget: float) -> str | None:
    """The message for a training run that took longer than its budget, or None."""
    seconds = float(got.get("seconds", 0.0))
    if seconds > budget:
        return f"training took {seconds:.3g} s, over its {budget:g} s budget"
    return None


def train_task(
    task_id: str,
    *,
    flatten: bool,
    goal: float,
    budget: float,
    hints: tuple[str, str],
    probe: Callable[..., Any],
) -> TaskSpec:
    """The spec of a train task on the course digits (see the module docstring).

    ``probe`` is the module-level function the kernel calls: ``train_and_predict``
    with this task's budget (it must be importable by name, so each chapter
    defines its own).
    """
    held_out_min = held_out_threshold(goal)

    def public_cases(rng: np.random.Generator) -> list[Case]:
        (X_tr, y_tr), (X_val, y_val), _ = split(flatten)
        args = (X_tr, y_tr, X_val, y_val, X_val)
        return [Case.with_expected("trained on the training split", args, y_val)]

    def hidden_cases(rng: np.random.Generator) -> list[Case]:
        (X_tr, y_tr), (X_val, y_val), (X_te, y_te) = split(flatten)
        X_eval, y_eval = disguise(X_te, y_te, rng)
        args = (X_tr, y_tr, X_val, y_val, X_eval)
        return [Case.with_expected("held-out digits", args, y_eval)]

    def where(case: Case) -> tuple[str, float]:
        if case.name.startswith("held-out"):
            return "held-out accuracy", held_out_min
        return "validation accuracy", goal

    def judge(expected: np.ndarray, got: Any, case: Case) -> str | None:
        failed = not_trained(got, budget)
        if failed:
            return failed
        labels = got.get("labels")
        pred = None if labels is None else np.asarray(labels)
        if pred is None or pred.shape != expected.shape:
            shape = None if pred is None else pred.shape
            return (
                f"expected the model to give 10 scores per image ({len(expected)} "
                f"images), got output of shape {shape}"
            )
        name, needed = where(case)
        acc = float(np.mean(pred == expected))
        if acc < needed:
            return f"{name} {fraction(acc)}, the goal is {needed:g}"
        return over_budget(got, budget)

    def report(expected: np.ndarray, got: dict, case: Case) -> str:
        name, needed = where(case)
        acc = float(np.mean(np.asarray(got["labels"]) == expected))
        bar = "needs" if case.name.startswith("held-out") else "goal"
        return (
            f"{name} {fraction(acc)} ({bar} {needed:g}), within the {budget:g} s budget"
        )

    return TaskSpec(
        id=task_id,
        make_cases=public_cases,
        make_hidden_cases=hidden_cases,
        reference=_not_a_reference,
        hints=hints,
        judge=judge,
        report=report,
        call=probe,
    )


def _not_a_reference(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    X_eval: np.ndarray,
) -> Any:
    """Train tasks have no reference: the expected answers are the true labels."""
    raise NotImplementedError
