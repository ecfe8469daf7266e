"""Chapter 05 tasks: one momentum step, one Adam step, a step-decay schedule, and
an optimiser of the learner's own that crosses a ravine.

nnlib's ``SGD`` and ``Adam`` keep their moments inside the object, while the
step tasks pass the moments in and out; so their references are the update
rules themselves, written once here. tests/test_grading_tasks.py checks that
repeating them step by step reproduces ``nnlib.scratch.SGD`` and ``Adam``.

``05.ravine_optimizer`` (build) grades a class: the probe ``run_optimizer``
builds it on a quadratic ravine, takes its steps and returns the loss after each;
the judge asks for a final loss at most ``RAVINE_GOAL``, which plain gradient
descent cannot reach at any learning rate (below), and names what went wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlib.scratch import SGD

from ..compare import SIGN, describe, variant
from ..spec import Case, TaskSpec
from ._common import normal

# A handful of elementwise operations on O(1) numbers: 1e-7 relative.
RTOL, ATOL = 1e-7, 1e-12


def momentum_step(
    param: np.ndarray,
    grad: np.ndarray,
    velocity: np.ndarray,
    lr: float,
    momentum: float,
) -> tuple:
    """Reference: v = momentum * v + grad; param = param - lr * v (PyTorch's SGD)."""
    velocity = momentum * velocity + grad
    return param - lr * velocity, velocity


def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
) -> tuple:
    """Reference: one Adam step at step number t (1-based) from moments (m, v)."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def step_decay(lr0: float, epoch: int, step_size: int, gamma: float) -> float:
    """Reference: lr0 * gamma ** (epoch // step_size), as PyTorch's StepLR."""
    return lr0 * gamma ** (epoch // step_size)


def _momentum_after(param, grad, velocity, lr, momentum) -> tuple:
    """The mistake of stepping with the old velocity, then updating it."""
    return param - lr * velocity, momentum * velocity + grad


def _momentum_lr_inside(param, grad, velocity, lr, momentum) -> tuple:
    """The other convention (the rate inside the velocity): another velocity."""
    velocity = momentum * velocity + lr * grad
    return param - velocity, velocity


def _adam_no_correction(param, grad, m, v, t, lr, beta1, beta2, eps) -> tuple:
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    return param - lr * m / (np.sqrt(v) + eps), m, v


def _adam_no_root(param, grad, m, v, t, lr, beta1, beta2, eps) -> tuple:
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / (v_hat + eps), m, v


def _smooth_decay(lr0: float, epoch: int, step_size: int, gamma: float) -> float:
    return lr0 * gamma ** (epoch / step_size)


def _early_decay(lr0: float, epoch: int, step_size: int, gamma: float) -> float:
    return lr0 * gamma ** ((epoch + 1) // step_size)


# ------------------------------------------------------- an optimiser of one's own

RAVINE_GOAL = 0.01  # final loss; the initial losses are 58-307
RAVINE_STEPS = 100
# Plain gradient descent at its best learning rate (a scan of 400 rates up to the
# stability limit 2/100) ends at 0.158, 0.090 and 0.043 on the three cases; SGD with
# momentum 0.9 and rate 0.01 at 1.5e-4, 4e-4 and 3.2e-3; Adam at rate 0.1 at 6.6e-4,
# 3.7e-3 and 5.8e-3. A sign flip changes nothing (the ravine is symmetric), so the
# grader's cases flip the start's signs at random.


class Ravine:
    r"""The loss $\frac12 \sum_i c_i p_i^2$ as a model: ``params`` and ``grads``.

    ``backward`` writes the gradient $c \odot p$ into ``grads["p"]`` in place.
    """

    def __init__(self, curvatures: np.ndarray, start: np.ndarray) -> None:
        self.c = np.asarray(curvatures, dtype=np.float64)
        self.params = {"p": np.array(start, dtype=np.float64)}
        self.grads = {"p": np.zeros_like(self.params["p"])}

    def loss(self) -> float:
        p = np.asarray(self.params["p"], dtype=np.float64)
        return float(0.5 * np.sum(self.c * p * p))

    def backward(self) -> None:
        self.grads["p"][...] = self.c * self.params["p"]

    def __repr__(self) -> str:
        return f"Ravine(curvatures={self.c.tolist()})"


def run_optimizer(
    make: Any, curvatures: np.ndarray, start: np.ndarray, steps: int
) -> np.ndarray:
    """Build ``make(model)`` on the ravine, take ``steps`` steps; the losses."""
    model = Ravine(curvatures, start)
    optimizer = make(model)
    losses = [model.loss()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(steps)):
            model.backward()
            optimizer.step()
            losses.append(model.loss())
    return np.array(losses)  # (steps + 1,)


def ravine_optimizer(model: Any) -> SGD:
    """Reference: SGD with momentum 0.9 at a learning rate of 0.01."""
    return SGD(model, 0.01, momentum=0.9)


def _ravine_cases(rng: np.random.Generator) -> list[Case]:
    flip = rng.choice([-1.0, 1.0], size=10)
    return [
        Case(
            "curvatures 1 and 100, from (-4, 1)",
            (np.array([1.0, 100.0]), flip[:2] * np.array([4.0, 1.0]), RAVINE_STEPS),
        ),
        Case(
            "curvatures 1 and 100, from (3, -2)",
            (np.array([1.0, 100.0]), flip[:2] * np.array([3.0, 2.0]), RAVINE_STEPS),
        ),
        Case(
            "ten directions, curvatures 1 to 100",
            (np.logspace(0, 2, 10), flip * np.linspace(-2.0, 2.0, 10), RAVINE_STEPS),
        ),
    ]


def _judge_ravine(expected: Any, got: Any, case: Case) -> str | None:
    steps = case.args[2]
    try:
        losses = np.asarray(got, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return f"expected the losses of {steps + 1} steps, got {describe(got)}"
    if losses.shape != (steps + 1,):
        return f"expected the losses of {steps + 1} steps, got {describe(got)}"
    first, last = losses[0], losses[-1]
    if not np.all(np.isfinite(losses)) or last > first:
        return (
            f"diverged: the loss grew from {first:.3g} (to {last:.3g}): a step too "
            "large for the steep direction overshoots further each time, or a step "
            "that goes with the gradient climbs; lower the rate, check the sign"
        )
    if np.all(losses == first):
        return (
            "the parameters never changed: the loss stayed at "
            f"{first:.3g}; step must change the arrays in model.params (in place, "
            "or stored back under the same key), not a local copy"
        )
    if last > RAVINE_GOAL:
        return (
            f"the loss fell only to {last:.3g} in {steps} steps (goal "
            f"{RAVINE_GOAL:g}): with one rate for every direction the steep one "
            "limits the rate and the shallow one crawls; let the steps build up "
            "speed, or give each direction its own step size"
        )
    return None


def _report_ravine(expected: Any, got: Any, case: Case) -> str:
    last = float(np.asarray(got, dtype=np.float64).reshape(-1)[-1])
    return f"loss {last:.2g} after {case.args[2]} steps (goal {RAVINE_GOAL:g})"


def _momentum_cases(rng: np.random.Generator) -> list[Case]:
    p, g = normal(rng, 5), normal(rng, 5)
    return [
        Case("first step (velocity 0)", (p, g, np.zeros(5), 0.1, 0.9)),
        Case("a later step", (p, g, normal(rng, 5), 0.1, 0.9)),
        Case("momentum 0: plain SGD", (p, g, normal(rng, 5), 0.05, 0.0)),
        Case(
            "a matrix parameter",
            (normal(rng, 3, 2), normal(rng, 3, 2), normal(rng, 3, 2), 0.01, 0.99),
        ),
        Case("zero gradient: coasting", (p, np.zeros(5), normal(rng, 5), 0.1, 0.9)),
    ]


def _adam_cases(rng: np.random.Generator) -> list[Case]:
    p, g = normal(rng, 4), normal(rng, 4)
    m, v = normal(rng, 4, scale=0.1), np.abs(normal(rng, 4, scale=0.1))
    d = (0.001, 0.9, 0.999, 1e-8)
    return [
        Case(
            "first step (t = 1, zero moments)", (p, g, np.zeros(4), np.zeros(4), 1, *d)
        ),
        Case("step 10 with moments", (p, g, m, v, 10, *d)),
        Case(
            "a matrix parameter",
            (
                normal(rng, 2, 3),
                normal(rng, 2, 3),
                np.zeros((2, 3)),
                np.zeros((2, 3)),
                1,
                *d,
            ),
        ),
        Case(
            "large gradient: the step stays about lr",
            (p, 1e6 * g, np.zeros(4), np.zeros(4), 1, *d),
        ),
        Case("other betas, step 3", (p, g, m, v, 3, 0.01, 0.5, 0.9, 1e-6)),
    ]


def _decay_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("epoch 0", (0.1, 0, 10, 0.5)),
        Case("just before the first drop", (0.1, 9, 10, 0.5)),
        Case("at the first drop", (0.1, 10, 10, 0.5)),
        Case("after three drops", (0.3, 35, 10, 0.1)),
        Case("gamma 1: constant", (0.01, 100, 7, 1.0)),
    ]


SPECS = [
    TaskSpec(
        id="05.momentum_step",
        make_cases=_momentum_cases,
        reference=momentum_step,
        hints=(
            "Update the velocity first, then move the parameter along it.",
            "The new velocity is the old one times the momentum, plus the gradient. "
            "The parameter moves against the new velocity, scaled by the learning "
            "rate. Give back both new arrays.",
        ),
        rtol=RTOL,
        atol=ATOL,
        outputs=("param", "velocity"),
        forbidden=("nnlib.scratch.SGD",),
        mistakes=(
            variant(
                "old velocity",
                "the parameter moved along the old velocity: update the velocity "
                "first, then step along the new one",
                _momentum_after,
                output="param",
            ),
            variant(
                "rate inside the velocity",
                "the velocity includes the learning rate: in the course's form (and "
                "PyTorch's) the velocity adds up gradients, and the rate scales the "
                "step",
                _momentum_lr_inside,
                output="velocity",
            ),
            SIGN,
        ),
    ),
    TaskSpec(
        id="05.adam_step",
        make_cases=_adam_cases,
        reference=adam_step,
        hints=(
            "Update the two running averages, correct their start-up bias, then take "
            "the step.",
            "The first average is of the gradient, the second of its square. Divide "
            "each by one minus its beta to the power of the step number. The step is "
            "the learning rate times the first corrected average, divided by the root "
            "of the second plus epsilon.",
        ),
        rtol=RTOL,
        atol=ATOL,
        outputs=("param", "m", "v"),
        forbidden=("nnlib.scratch.Adam",),
        mistakes=(
            variant(
                "no bias correction",
                "the step uses the running averages as they are: divide each by "
                "one minus its beta to the power of the step number first",
                _adam_no_correction,
                output="param",
            ),
            variant(
                "no square root",
                "the step divides by the average of the squared gradients itself: "
                "divide by its square root, which has the gradient's units",
                _adam_no_root,
                output="param",
            ),
        ),
    ),
    TaskSpec(
        id="05.step_decay",
        make_cases=_decay_cases,
        reference=step_decay,
        hints=(
            "Count how many whole blocks of epochs have passed, and shrink the "
            "learning rate once per block.",
            "The number of blocks is the epoch divided by the block size, rounded "
            "down. Multiply the starting rate by gamma that many times.",
        ),
        rtol=1e-12,  # one power and one product: exact to rounding
        atol=0.0,
        mistakes=(
            variant(
                "no rounding down",
                "the rate shrinks smoothly: it must stay constant within each block "
                "of epochs and drop only when a whole block has passed",
                _smooth_decay,
            ),
            variant(
                "drops one epoch early",
                "the rate drops one epoch too early: epochs count from 0, so the "
                "first block is epochs 0 to the block size minus one",
                _early_decay,
            ),
        ),
    ),
    TaskSpec(
        id="05.ravine_optimizer",
        make_cases=_ravine_cases,
        reference=ravine_optimizer,
        hints=(
            "Plain gradient descent needs a rate small enough for the steep "
            "direction, and then crawls along the shallow one. The lecture showed "
            "two ways out: steps that build up speed, or a step size for each "
            "parameter.",
            "Keep what your rule needs from one step to the next (a velocity, or "
            "running averages) on the object, one array per parameter, created at "
            "the first step. Change the parameter arrays in place. Try a few rates "
            "and watch the loss curve.",
        ),
        call=run_optimizer,
        judge=_judge_ravine,
        report=_report_ravine,
        check_inputs_unchanged=False,
        forbidden=(
            "nnlib.scratch.SGD",
            "nnlib.scratch.RMSProp",
            "nnlib.scratch.Adam",
        ),
    ),
]
