"""Activation layers: elementwise non-linearities (and Softmax over the last axis).

Without them, stacked Dense layers collapse to one affine map. None has
parameters; each caches what its derivative needs.
"""

import numpy as np

from . import functional as F
from ._checks import as_float_array, check_grad, check_min_ndim, check_number
from .base import Layer


class ReLU(Layer):
    r"""$\max(0, x)$ elementwise.

    Shape:
        input (*) -> output (*), any shape.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$\max(0, x)$."""
        x = as_float_array(x, "ReLU")
        self._cache = (x,)
        return F.relu(x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Pass the gradient where $x > 0$, block it elsewhere."""
        (x,) = self._saved()
        dy = check_grad(dy, "ReLU", x.shape)
        return dy * F.relu_derivative(x)  # a new array: dy is left untouched


class LeakyReLU(Layer):
    r"""$x$ where $x > 0$, else $\alpha x$ (PyTorch's ``negative_slope``).

    Shape:
        input (*) -> output (*), any shape.
    """

    def __init__(self, *, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = check_number(alpha, "alpha")

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$x$ or $\alpha x$."""
        x = as_float_array(x, "LeakyReLU")
        self._cache = (x,)
        return F.leaky_relu(x, self.alpha)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""Scale the gradient by 1 or $\alpha$."""
        (x,) = self._saved()
        dy = check_grad(dy, "LeakyReLU", x.shape)
        return dy * F.leaky_relu_derivative(x, self.alpha)

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Sigmoid(Layer):
    r"""$\sigma(x) = 1 / (1 + e^{-x})$ elementwise, squashing into (0, 1).

    Shape:
        input (*) -> output (*), any shape.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$\sigma(x)$."""
        y = F.sigmoid(as_float_array(x, "Sigmoid"))
        self._cache = (y,)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""$\sigma' = y(1 - y)$, from the cached output."""
        (y,) = self._saved()
        dy = check_grad(dy, "Sigmoid", y.shape)
        return dy * y * (1 - y)


class Tanh(Layer):
    r"""$\tanh(x)$ elementwise, squashing into (-1, 1).

    Shape:
        input (*) -> output (*), any shape.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$\tanh(x)$."""
        y = F.tanh(as_float_array(x, "Tanh"))
        self._cache = (y,)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""$\tanh' = 1 - y^2$, from the cached output."""
        (y,) = self._saved()
        dy = check_grad(dy, "Tanh", y.shape)
        return dy * (1 - y * y)


class Softmax(Layer):
    """Softmax over the last axis: each row becomes positive and sums to 1.

    For classification prefer ``CrossEntropyLoss`` on the logits: it fuses
    softmax and log for stability.

    Shape:
        input (..., K) -> output (..., K).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$e^{x_i} / \sum_j e^{x_j}$ along the last axis."""
        y = F.softmax(check_min_ndim(x, "Softmax", 1, "(..., K)"), axis=-1)
        self._cache = (y,)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""Vector-Jacobian product $y \odot (dy - \sum_j y_j dy_j)$."""
        (y,) = self._saved()
        dy = check_grad(dy, "Softmax", y.shape)
        return F.softmax_backward(y, dy, axis=-1)
