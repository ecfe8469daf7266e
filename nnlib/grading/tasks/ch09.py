"""Chapter 09 tasks: one recurrent step, and the recurrence unrolled over time.

``rnn_unroll`` is checked against nnlib.scratch's ``RNN``. nnlib's ``RNN``
always starts from h = 0, while ``rnn_step`` takes any previous state, so its
reference is the step formula itself; tests/test_grading_tasks.py checks that
iterating it reproduces ``RNN.forward``.
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import RNN
from nnlib.scratch import functional as F

from ..spec import Case, TaskSpec
from ._common import normal, with_params

# tanh of sums of O(1) products: 1e-7 relative.
RTOL, ATOL = 1e-7, 1e-10


def rnn_step(
    x_t: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Reference: h_t = tanh(x_t @ Wx + h_prev @ Wh + b)."""
    return F.tanh(x_t @ Wx + h_prev @ Wh + b)  # (N, D) @ (D, H) + (N, H) @ (H, H)


def rnn_unroll(
    x: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Reference: every hidden state of an RNN over (N, T, D), from h_0 = 0."""
    return with_params(RNN(*Wx.shape), Wx=Wx, Wh=Wh, b=b).forward(x)


def _weights(rng: np.random.Generator, D: int, H: int, scale: float = 0.5) -> tuple:
    return (
        normal(rng, D, H, scale=scale),
        normal(rng, H, H, scale=scale),
        normal(rng, H),
    )


def _step_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            "batch 4, 3 inputs, 5 hidden",
            (normal(rng, 4, 3), normal(rng, 4, 5), *_weights(rng, 3, 5)),
        ),
        Case(
            "batch of 1", (normal(rng, 1, 2), normal(rng, 1, 3), *_weights(rng, 2, 3))
        ),
        Case(
            "zero previous state",
            (normal(rng, 3, 2), np.zeros((3, 4)), *_weights(rng, 2, 4)),
        ),
        Case(
            "large pre-activations saturate",
            (normal(rng, 2, 3, scale=50.0), normal(rng, 2, 2), *_weights(rng, 3, 2)),
        ),
    ]


def _unroll_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("batch 2, 5 steps", (normal(rng, 2, 5, 3), *_weights(rng, 3, 4))),
        Case("one time step", (normal(rng, 3, 1, 2), *_weights(rng, 2, 3))),
        Case("batch of 1, 8 steps", (normal(rng, 1, 8, 2), *_weights(rng, 2, 2))),
        Case("one input feature", (normal(rng, 2, 6, 1), *_weights(rng, 1, 5))),
    ]


SPECS = [
    TaskSpec(
        id="09.rnn_step",
        make_cases=_step_cases,
        reference=rnn_step,
        hints=(
            "Mix the new input and the previous state, each through its own weights, "
            "add the bias and squash the sum with tanh.",
            "The input with D features meets weights of D rows and H columns; the "
            "state with H values meets weights of H rows and H columns. Both give H "
            "values per sample; add them and the bias. The hyperbolic tangent of numpy"
            " never overflows.",
        ),
        rtol=RTOL,
        atol=ATOL,
        forbidden=("nnlib.scratch.RNN",),
    ),
    TaskSpec(
        id="09.rnn_unroll",
        make_cases=_unroll_cases,
        reference=rnn_unroll,
        hints=(
            "Start from a state of zeros and apply the step once per time step, always"
            " with the same weights.",
            "Keep every state, not only the last one, and stack them along the time "
            "axis, between the batch and the hidden units.",
        ),
        rtol=RTOL,
        atol=ATOL,
        forbidden=("nnlib.scratch.RNN",),
    ),
]
