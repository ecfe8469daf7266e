"""Activation layers: elementwise non-linearities (and Softmax over the last axis).

Without them, stacked Dense layers collapse to one affine map. None has
parameters; each caches what its derivative needs.
"""

import numpy as np

from nnlib._checks import as_float_array, check_grad, check_min_ndim, check_number

from . import functional as F
from .base import Layer


class ReLU(Layer):
    r"""The rectified linear unit $\max(0, x)$, elementwise.

    Shape:
        - Input: (*), any shape
        - Output: (*), the same shape

    Example:
        >>> from nnlib.scratch import ReLU
        >>> relu = ReLU()
        >>> relu(np.array([-1.0, 0.0, 2.0]))
        array([0., 0., 2.])
        >>> relu.backward(np.ones(3))  # the gradient passes where x > 0
        array([0., 0., 1.])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$\max(0, x)$."""
        x = as_float_array("ReLU", x)
        self._cache = (x,)
        return F.relu(x)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Pass the gradient where $x > 0$, block it elsewhere."""
        (x,) = self._saved()
        dy = check_grad("ReLU", dy, x.shape)
        return dy * F.relu_derivative(x)  # a new array: dy is left untouched


class LeakyReLU(Layer):
    r"""The leaky ReLU: $x$ where $x > 0$, else $\alpha x$, elementwise.

    Args:
        alpha: the slope below zero (PyTorch's ``negative_slope``). Default: ``0.01``.

    Shape:
        - Input: (*), any shape
        - Output: (*), the same shape

    Example:
        >>> from nnlib.scratch import LeakyReLU
        >>> leaky = LeakyReLU(alpha=0.1)
        >>> leaky(np.array([-2.0, 3.0]))
        array([-0.2,  3. ])
        >>> leaky.backward(np.ones(2))
        array([0.1, 1. ])
    """

    def __init__(self, *, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = check_number("LeakyReLU", "alpha", alpha)

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$x$ or $\alpha x$."""
        x = as_float_array("LeakyReLU", x)
        self._cache = (x,)
        return F.leaky_relu(x, alpha=self.alpha)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""Scale the gradient by 1 or $\alpha$."""
        (x,) = self._saved()
        dy = check_grad("LeakyReLU", dy, x.shape)
        return dy * F.leaky_relu_derivative(x, alpha=self.alpha)

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Sigmoid(Layer):
    r"""The sigmoid $\sigma(x) = 1 / (1 + e^{-x})$, elementwise, into (0, 1).

    Shape:
        - Input: (*), any shape
        - Output: (*), the same shape

    Example:
        >>> from nnlib.scratch import Sigmoid
        >>> sigmoid = Sigmoid()
        >>> sigmoid(np.array([0.0]))
        array([0.5])
        >>> sigmoid.backward(np.array([1.0]))  # y (1 - y) at y = 0.5
        array([0.25])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$\sigma(x)$."""
        y = F.sigmoid(as_float_array("Sigmoid", x))
        self._cache = (y,)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""$\sigma' = y(1 - y)$, from the cached output."""
        (y,) = self._saved()
        dy = check_grad("Sigmoid", dy, y.shape)
        return dy * y * (1 - y)


class Tanh(Layer):
    r"""The hyperbolic tangent $\tanh(x)$, elementwise, into (-1, 1).

    Shape:
        - Input: (*), any shape
        - Output: (*), the same shape

    Example:
        >>> from nnlib.scratch import Tanh
        >>> tanh = Tanh()
        >>> tanh(np.array([0.0]))
        array([0.])
        >>> tanh.backward(np.array([1.0]))  # 1 - y^2 at y = 0
        array([1.])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$\tanh(x)$."""
        y = F.tanh(as_float_array("Tanh", x))
        self._cache = (y,)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""$\tanh' = 1 - y^2$, from the cached output."""
        (y,) = self._saved()
        dy = check_grad("Tanh", dy, y.shape)
        return dy * (1 - y * y)


class Softmax(Layer):
    """Softmax over the last axis: each row becomes positive and sums to 1.

    For classification prefer ``CrossEntropyLoss`` on the logits: it fuses
    softmax and log for stability.

    Shape:
        - Input: (..., K)
        - Output: (..., K), each row sums to 1

    Example:
        >>> from nnlib.scratch import Softmax
        >>> Softmax()(np.zeros((2, 4)))
        array([[0.25, 0.25, 0.25, 0.25],
               [0.25, 0.25, 0.25, 0.25]])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$e^{x_i} / \sum_j e^{x_j}$ along the last axis."""
        y = F.softmax(check_min_ndim("Softmax", x, 1, "(..., K)"), axis=-1)
        self._cache = (y,)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""Vector-Jacobian product $y \odot (dy - \sum_j y_j dy_j)$."""
        (y,) = self._saved()
        dy = check_grad("Softmax", dy, y.shape)
        return F.softmax_backward(y, dy, axis=-1)
