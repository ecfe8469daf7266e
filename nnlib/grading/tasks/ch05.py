"""Chapter 05 tasks: one momentum step, one Adam step, a step-decay schedule.

nnlib's ``SGD`` and ``Adam`` keep their moments inside the object, while these
tasks pass the moments in and out; so the references are the update rules
themselves, written once here. tests/test_grading_tasks.py checks that
repeating them step by step reproduces ``nnlib.scratch.SGD`` and ``Adam``.
"""

from __future__ import annotations

import numpy as np

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
    ),
]
