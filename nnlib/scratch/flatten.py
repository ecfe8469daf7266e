"""Flatten: keep the batch axis, join all the others (e.g. feature maps -> vector)."""

import math

import numpy as np

from nnlib._checks import check_grad, check_min_ndim

from .base import Layer


class Flatten(Layer):
    """Reshape (N, ...) to (N, product of the other sizes); no parameters.

    Shape:
        - Input: (N, C, H, W), or any other rank >= 2
        - Output: (N, C * H * W)

    Example:
        >>> from nnlib.scratch import Flatten
        >>> flatten = Flatten()
        >>> flatten(np.zeros((2, 3, 4, 4))).shape
        (2, 48)
        >>> flatten.backward(np.zeros((2, 48))).shape
        (2, 3, 4, 4)
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        """A reshaped view of ``x``."""
        x = check_min_ndim("Flatten", x, 2, "(N, ...)")
        self._cache = (x.shape,)
        # the size written out: -1 is ambiguous when N = 0
        return x.reshape(
            x.shape[0], math.prod(x.shape[1:])
        )  # (N, C, H, W) -> (N, C*H*W)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Reshape the gradient back to the input's shape."""
        (shape,) = self._saved()
        dy = check_grad("Flatten", dy, (shape[0], math.prod(shape[1:])))
        return dy.reshape(shape)  # (N, C*H*W) -> (N, C, H, W)
