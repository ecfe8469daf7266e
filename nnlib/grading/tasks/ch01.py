"""Chapter 01 tasks: one neuron, the MSE gradient for y = ax + b, gradient descent.

References use nnlib.scratch: a one-input ``Neuron`` holds (a, b) as (w, b),
``MSELoss`` gives the loss gradient and ``SGD`` takes the step.
``01.mse_gradient`` (derive) is stated as the loss alone: the learner works the
two partial derivatives out. Each task names its common mistakes (below).
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import SGD, MSELoss, Neuron

from ..compare import HALF, SIGN, Mistake, sum_not_mean, variant
from ..spec import Case, TaskSpec
from ._common import normal, with_params

# Sums of a few products of O(1) numbers: float64 rounding is ~1e-15, so 1e-7
# relative leaves room for any summation order and still catches a wrong formula.
RTOL, ATOL = 1e-7, 1e-9


def _line_neuron(a: float, b: float) -> Neuron:
    """A one-input identity neuron with weight ``a`` and bias ``b``."""
    return with_params(Neuron(1), w=np.array([a]), b=np.array(b))


def neuron_forward(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Reference: x @ w + b for a batch of inputs, via ``Neuron``."""
    neuron = with_params(Neuron(len(w)), w=w, b=np.array(b))
    return neuron.forward(x)


def mse_gradient(x: np.ndarray, y: np.ndarray, a: float, b: float) -> tuple:
    """Reference: (dL/da, dL/db) of L = mean((a x + b - y)^2)."""
    neuron = _line_neuron(a, b)
    loss = MSELoss()
    loss.forward(neuron.forward(x[:, None]), y)  # (N, 1) -> (N,)
    neuron.backward(loss.backward())
    return float(neuron.grads["w"][0]), float(neuron.grads["b"])


def gd_step(x: np.ndarray, y: np.ndarray, a: float, b: float, lr: float) -> tuple:
    """Reference: (a, b) after one full-batch gradient-descent step on the MSE."""
    neuron = _line_neuron(a, b)
    loss = MSELoss()
    loss.forward(neuron.forward(x[:, None]), y)
    neuron.backward(loss.backward())
    SGD(neuron, lr=lr).step()
    return float(neuron.params["w"][0]), float(neuron.params["b"])


def _uphill(x: np.ndarray, y: np.ndarray, a: float, b: float, lr: float) -> tuple:
    """The mistake of adding the gradient: the step goes uphill."""
    da, db = mse_gradient(x, y, a, b)
    return a + lr * da, b + lr * db


def _a_first(x: np.ndarray, y: np.ndarray, a: float, b: float, lr: float) -> tuple:
    """The mistake of moving a before b's gradient is computed."""
    da, _ = mse_gradient(x, y, a, b)
    a_new = a - lr * da
    _, db = mse_gradient(x, y, a_new, b)
    return a_new, b - lr * db


def _no_rate(x: np.ndarray, y: np.ndarray, a: float, b: float, lr: float) -> tuple:
    """The mistake of stepping by the whole gradient, without the learning rate."""
    return gd_step(x, y, a, b, 1.0)


def _one_more(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> tuple:
    """The mistake of a loop that takes one step too many."""
    return fit_line(x, y, lr, steps + 1)


def _fit_uphill(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> tuple:
    """The mistake of a loop whose steps go uphill."""
    a, b = 0.0, 0.0
    for _ in range(steps):
        a, b = _uphill(x, y, a, b, lr)
    return a, b


def _same_start(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> tuple:
    """The mistake of computing every step from (0, 0): only one step counts."""
    return fit_line(x, y, lr, min(steps, 1))


def fit_line(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> tuple:
    """Reference: start at a = b = 0 and take ``steps`` gradient-descent steps."""
    neuron = _line_neuron(0.0, 0.0)
    loss = MSELoss()
    optimizer = SGD(neuron, lr=lr)
    for _ in range(steps):
        loss.forward(neuron.forward(x[:, None]), y)
        neuron.backward(loss.backward())
        optimizer.step()
    return float(neuron.params["w"][0]), float(neuron.params["b"])


def _neuron_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("5 samples, 3 inputs", (normal(rng, 5, 3), normal(rng, 3), 0.5)),
        Case("batch of 1", (normal(rng, 1, 4), normal(rng, 4), -1.0)),
        Case("one input (a line)", (normal(rng, 6, 1), np.array([2.0]), 1.0)),
        Case("zero weights: only the bias", (normal(rng, 3, 2), np.zeros(2), 3.0)),
        Case("large values", (normal(rng, 4, 3, scale=1e6), normal(rng, 3), 1e6)),
    ]


def _line(rng: np.random.Generator, n: int, a: float, b: float, noise: float) -> tuple:
    x = rng.uniform(-1, 1, size=n)
    return x, a * x + b + noise * rng.standard_normal(n)


def _gradient_cases(rng: np.random.Generator) -> list[Case]:
    x, y = _line(rng, 20, 2.0, 1.0, 0.1)
    x1, y1 = _line(rng, 1, -1.0, 0.5, 0.0)
    xp, yp = _line(rng, 8, 3.0, -2.0, 0.0)
    xl, yl = _line(rng, 10, 1.0, 0.0, 0.0)
    return [
        Case("20 noisy points", (x, y, 0.5, -0.3)),
        Case("batch of 1", (x1, y1, 0.0, 0.0)),
        Case("perfect fit: zero gradient", (xp, yp, 3.0, -2.0)),
        Case("a = b = 0", (x, y, 0.0, 0.0)),
        Case("large values", (1e3 * xl, 1e3 * yl, 2.0, 5.0)),
    ]


def _step_cases(rng: np.random.Generator) -> list[Case]:
    rates = (0.1, 0.5, 0.1, 0.01, 1e-7)
    cases = _gradient_cases(rng)
    return [Case(c.name, (*c.args, lr)) for c, lr in zip(cases, rates, strict=True)]


def _fit_cases(rng: np.random.Generator) -> list[Case]:
    x, y = _line(rng, 50, 2.0, 1.0, 0.1)
    x2, y2 = _line(rng, 30, -3.0, 0.5, 0.05)
    x1, y1 = _line(rng, 1, 1.5, -1.0, 0.0)
    return [
        Case("noisy y = 2x + 1, 200 steps", (x, y, 0.1, 200)),
        Case("y = -3x + 0.5, lr 0.5", (x2, y2, 0.5, 100)),
        Case("zero steps: stays at (0, 0)", (x, y, 0.1, 0)),
        Case("one step", (x, y, 0.1, 1)),
        Case("batch of 1", (x1, y1, 0.2, 20)),
    ]


SPECS = [
    TaskSpec(
        id="01.neuron_forward",
        make_cases=_neuron_cases,
        reference=neuron_forward,
        hints=(
            "Each sample gets one number: the weighted sum of its inputs, plus the "
            "bias.",
            "Multiply each row of inputs by the weights, entry by entry, and add up "
            "the products; then add the same bias to every sample. The result has one "
            "entry per row.",
        ),
        rtol=RTOL,
        atol=ATOL,
        forbidden=("nnlib.scratch.Neuron",),
        mistakes=(
            variant(
                "bias forgotten",
                "the weighted sums without the bias: add the bias to every sample",
                lambda x, w, b: x @ w,
            ),
            Mistake(
                "one number for the batch",
                "a single number for the whole batch: each sample (row) gets its own "
                "weighted sum, so the answer has one entry per row",
                transform=lambda a, case: np.asarray(a.sum()),
                shape_test=lambda right, got: len(right) == 1 and got == (),
            ),
            Mistake(
                "a matrix",
                "an N x D matrix: multiplying inputs by weights entry by entry is "
                "half the job; the products of each row must be added up",
                transform=lambda a, case: case.args[0] * case.args[1],
            ),
        ),
    ),
    TaskSpec(
        id="01.mse_gradient",
        make_cases=_gradient_cases,
        reference=mse_gradient,
        hints=(
            "Differentiate the mean of the squared errors with the chain rule, once "
            "for the slope and once for the intercept.",
            "The derivative of a square brings down a factor 2 times the error. For "
            "the slope each error is also multiplied by its input. Both gradients are "
            "averages over the points.",
        ),
        rtol=RTOL,
        atol=ATOL,
        outputs=("dL/da", "dL/db"),
        forbidden=("nnlib.scratch.MSELoss", "nnlib.scratch.Neuron"),
        mistakes=(HALF, SIGN, sum_not_mean(lambda case: len(case.args[0]))),
    ),
    TaskSpec(
        id="01.gd_step",
        make_cases=_step_cases,
        reference=gd_step,
        hints=(
            "Compute both gradients at the current values first, then move each "
            "parameter a small step against its gradient.",
            "The step is the learning rate times the gradient, taken away from the "
            "parameter. Do not change the slope before the intercept's gradient is "
            "computed.",
        ),
        rtol=RTOL,
        atol=ATOL,
        outputs=("a", "b"),
        forbidden=(
            "nnlib.scratch.SGD",
            "nnlib.scratch.MSELoss",
            "nnlib.scratch.Neuron",
        ),
        mistakes=(
            variant(
                "step uphill",
                "the step went with the gradient, uphill: gradient descent takes "
                "the learning rate times the gradient away from each parameter",
                lambda x, y, a, b, lr: _uphill(x, y, a, b, lr),
            ),
            variant(
                "a moved first",
                "the intercept's gradient was computed after the slope had already "
                "moved: compute both gradients at the old values, then move both",
                _a_first,
            ),
            variant(
                "no learning rate",
                "each parameter moved by its whole gradient: the step is the "
                "learning rate times the gradient",
                _no_rate,
            ),
        ),
    ),
    TaskSpec(
        id="01.fit_line",
        make_cases=_fit_cases,
        reference=fit_line,
        hints=(
            "Repeat the gradient-descent step the given number of times, starting from"
            " zero for both parameters.",
            "Zero steps leave both parameters at zero. Every step starts from the "
            "values the step before produced, on all the points.",
        ),
        # 200 steps of a contracting iteration: rounding differences stay ~1e-13.
        rtol=1e-6,
        atol=1e-9,
        outputs=("a", "b"),
        forbidden=(
            "nnlib.scratch.SGD",
            "nnlib.scratch.MSELoss",
            "nnlib.scratch.Neuron",
        ),
        mistakes=(
            variant(
                "one step too many",
                "one step too many: the loop must take exactly the given number of "
                "steps (zero steps leave both parameters at zero)",
                _one_more,
            ),
            variant(
                "steps uphill",
                "every step went with the gradient, uphill: the line moves away "
                "from the points instead of towards them",
                _fit_uphill,
            ),
            variant(
                "every step from zero",
                "only the first step counts: each step must start from the values "
                "the step before produced, not from zero again",
                _same_start,
            ),
        ),
    ),
]
