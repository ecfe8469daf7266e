"""Chapter 02 tasks: sigmoid and ReLU with their derivatives; linear layers collapse.

References: the ``Sigmoid`` and ``ReLU`` layers (forward, then backward of a
gradient of ones gives the derivative) and two chained ``Dense`` layers.
Each task names its common mistakes (below).
"""

from __future__ import annotations

import numpy as np

from nnlib.scratch import Dense, ReLU, Sigmoid

from ..compare import TRANSPOSED, variant
from ..spec import Case, TaskSpec
from ._common import normal, with_params


def sigmoid_and_grad(z: np.ndarray) -> tuple:
    """Reference: (sigmoid(z), sigmoid'(z)) elementwise."""
    layer = Sigmoid()
    s = layer.forward(z)
    return s, layer.backward(np.ones_like(s))


def relu_and_grad(z: np.ndarray) -> tuple:
    """Reference: (relu(z), relu'(z)) with derivative 0 at z = 0 (as in PyTorch)."""
    layer = ReLU()
    r = layer.forward(z)
    return r, layer.backward(np.ones_like(r))


def collapse_linear(
    W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> tuple:
    """Reference: (W, b) with x @ W + b equal to two stacked Dense layers."""
    first = with_params(Dense(*W1.shape), W=W1, b=b1)
    second = with_params(Dense(*W2.shape), W=W2, b=b2)
    n_in = W1.shape[0]
    b = second.forward(first.forward(np.zeros((1, n_in))))[0]  # the image of x = 0
    W = second.forward(first.forward(np.eye(n_in))) - b  # row i: image of e_i, minus b
    return W, b


def _sigmoid_as_derivative(z: np.ndarray) -> tuple:
    s, _ = sigmoid_and_grad(z)
    return s, s.copy()


def _tanh_derivative(z: np.ndarray) -> tuple:
    s, _ = sigmoid_and_grad(z)
    return s, 1 - s * s


def _relu_one_at_zero(z: np.ndarray) -> tuple:
    r, _ = relu_and_grad(z)
    return r, (z >= 0).astype(np.float64)


def _relu_as_derivative(z: np.ndarray) -> tuple:
    r, _ = relu_and_grad(z)
    return r, r.copy()


def _only_outer_bias(W1, b1, W2, b2) -> tuple:
    W, _ = collapse_linear(W1, b1, W2, b2)
    return W, b2.copy()


def _outer_bias_lost(W1, b1, W2, b2) -> tuple:
    W, b = collapse_linear(W1, b1, W2, b2)
    return W, b - b2


def _activation_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("a vector", (normal(rng, 6),)),
        Case("a matrix (batch of 3)", (normal(rng, 3, 4),)),
        Case("zeros", (np.zeros(4),)),
        Case("a single value", (np.array([-0.7]),)),
        Case("large values", (np.array([-1000.0, -40.0, 40.0, 1000.0]),)),
    ]


def _collapse_cases(rng: np.random.Generator) -> list[Case]:
    def layers(n_in: int, n_hidden: int, n_out: int) -> tuple:
        return (
            normal(rng, n_in, n_hidden),
            normal(rng, n_hidden),
            normal(rng, n_hidden, n_out),
            normal(rng, n_out),
        )

    W1, _, W2, _ = layers(3, 5, 2)
    return [
        Case("2 -> 3 -> 1", layers(2, 3, 1)),
        Case("1 -> 1 -> 1", layers(1, 1, 1)),
        Case("wide hidden layer 4 -> 16 -> 3", layers(4, 16, 3)),
        Case("zero biases", (W1, np.zeros(5), W2, np.zeros(2))),
    ]


SPECS = [
    TaskSpec(
        id="02.sigmoid",
        make_cases=_activation_cases,
        reference=sigmoid_and_grad,
        hints=(
            "Compute the sigmoid so that the exponential never sees a large positive "
            "number, then get the derivative from the sigmoid itself.",
            "Use the exponential of minus the absolute value, which lies between 0 and"
            " 1, and choose one of the task's two forms by the sign of the input. The "
            "derivative is the sigmoid times one minus the sigmoid.",
        ),
        # exp and division are correctly rounded to ~1e-16; 1e-9 allows either
        # stable formula while rejecting a wrong derivative.
        rtol=1e-9,
        atol=1e-12,
        outputs=("sigmoid", "derivative"),
        forbidden=(
            "nnlib.scratch.Sigmoid",
            "nnlib.scratch.functional.sigmoid",
            "nnlib.scratch.functional.sigmoid_derivative",
        ),
        strict_float=True,
        mistakes=(
            variant(
                "derivative is the sigmoid",
                "the derivative equals the sigmoid itself: differentiate the "
                "sigmoid and write the result in terms of the sigmoid",
                _sigmoid_as_derivative,
                output="derivative",
            ),
            variant(
                "derivative of tanh",
                "one minus the sigmoid squared: that form belongs to tanh; the "
                "sigmoid's derivative is the sigmoid times one minus the sigmoid",
                _tanh_derivative,
                output="derivative",
            ),
        ),
    ),
    TaskSpec(
        id="02.relu",
        make_cases=_activation_cases,
        reference=relu_and_grad,
        hints=(
            "ReLU keeps the positive values and sets the others to zero. Its "
            "derivative is one where it keeps the value.",
            "The derivative is 1 where the input is strictly positive and 0 elsewhere,"
            " also at zero. Both results have the input's shape and are floats.",
        ),
        rtol=0.0,  # max(z, 0) and a 0/1 mask are exact: any difference is a bug
        atol=0.0,
        outputs=("relu", "derivative"),
        forbidden=(
            "nnlib.scratch.ReLU",
            "nnlib.scratch.functional.relu",
            "nnlib.scratch.functional.relu_derivative",
        ),
        mistakes=(
            variant(
                "one at zero",
                "the derivative is 1 at an input of exactly 0: the course (like "
                "PyTorch) uses 0 there, so only strictly positive inputs get 1",
                _relu_one_at_zero,
                output="derivative",
            ),
            variant(
                "derivative is the ReLU",
                "the derivative equals the ReLU itself: the slope of the positive "
                "part is 1, whatever the input's size",
                _relu_as_derivative,
                output="derivative",
            ),
        ),
    ),
    TaskSpec(
        id="02.collapse_linear",
        make_cases=_collapse_cases,
        reference=collapse_linear,
        hints=(
            "Multiply out the brackets of the two layers, then collect the term with "
            "the input and the term without it.",
            "The new weights are a product of the two weight matrices, in the order "
            "the input meets them. The new bias is what an input of zeros comes out "
            "as.",
        ),
        # The reference subtracts two forward passes (cancellation ~1e-15 * |b|).
        rtol=1e-9,
        atol=1e-9,
        outputs=("W", "b"),
        forbidden=("nnlib.scratch.Dense",),
        mistakes=(
            variant(
                "inner bias lost",
                "the bias is only the second layer's: the first layer's bias also "
                "passes through the second layer's weights",
                _only_outer_bias,
                output="b",
            ),
            variant(
                "outer bias lost",
                "the bias lacks the second layer's own bias: what an input of zeros "
                "comes out as includes it",
                _outer_bias_lost,
                output="b",
            ),
            TRANSPOSED,
        ),
    ),
]
