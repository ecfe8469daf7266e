"""2-D pooling: shrink each feature map by taking the max (or mean) of each window.

Letters: N batch, C channels, H/W size, k kernel size, s stride, H'/W' output.

A window of size kH x kW has kH * kW offsets (i, j). For a fixed offset, the
pixel at that offset in every window is one strided slice of the input,
``x[:, :, i::s, j::s]`` cut to (H', W'). Pooling is then a max (or sum) over
kH * kW such slices: Python loops run over kernel offsets, never over pixels.
Channels are pooled independently; there is no padding.
"""

from collections.abc import Iterator

import numpy as np

from nnlib._checks import check_grad, check_int, check_pair, check_shape, check_window

from . import functional as F
from .base import Layer


class _Pool2D(Layer):
    """Shared set-up of the pooling layers: kernel, stride, the offset slices."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        *,
        stride: int | tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.kernel_size = check_pair(name, "kernel_size", kernel_size)
        self.stride = (
            self.kernel_size if stride is None else check_pair(name, "stride", stride)
        )
        for k, s in zip(self.kernel_size, self.stride, strict=True):
            check_int(name, "kernel_size", k)
            check_int(name, "stride", s)

    def _check(self, x: np.ndarray) -> tuple[np.ndarray, int, int]:
        """Validate the input; return it with the output size H', W'."""
        name = type(self).__name__
        x = check_shape(name, x, ("N", "C", "H", "W"))
        check_window(name, x.shape[2:], self.kernel_size, (0, 0), x.shape)
        Ho = F.conv_output_size(x.shape[2], self.kernel_size[0], stride=self.stride[0])
        Wo = F.conv_output_size(x.shape[3], self.kernel_size[1], stride=self.stride[1])
        return x, Ho, Wo

    def _offsets(self, Ho: int, Wo: int) -> Iterator[tuple[slice, slice]]:
        """Per kernel offset (i, j), row-major: slices picking it in every window."""
        (kH, kW), (sH, sW) = self.kernel_size, self.stride
        for i in range(kH):
            for j in range(kW):
                yield slice(i, i + sH * Ho, sH), slice(j, j + sW * Wo, sW)

    def __repr__(self) -> str:
        k, s = self.kernel_size, self.stride
        k = k[0] if k[0] == k[1] else k
        s = s[0] if s[0] == s[1] else s
        return f"{type(self).__name__}(kernel_size={k}, stride={s})"


class MaxPool2D(_Pool2D):
    """Keep the largest value of each window (per channel).

    The gradient flows only to the position of each window's max; on ties the
    first in row-major order wins, as in PyTorch.

    Args:
        kernel_size: k, the window size, an int or a (height, width) pair.
        stride: s, the step between windows, an int or a pair; ``None`` uses
            ``kernel_size``, so windows do not overlap. Default: ``None``.

    Shape:
        - Input: (N, C, H, W)
        - Output: (N, C, H', W') with $H' = (H - k) // s + 1$ (the formula
          $(H + 2p - k) // s + 1$ with $p = 0$), and the same for W

    Example:
        >>> from nnlib.scratch import MaxPool2D
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> MaxPool2D(2)(x)
        array([[[[ 5.,  7.],
                 [13., 15.]]]])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Max over each window; remember which offset won."""
        x, Ho, Wo = self._check(x)
        offsets = list(self._offsets(Ho, Wo))
        rows, cols = offsets[0]
        best = x[:, :, rows, cols].copy()  # (N, C, H', W'): offset 0 of every window
        # index of the winning offset; the smallest int type that holds them all
        argmax = np.zeros(best.shape, np.min_scalar_type(len(offsets)))
        for o, (rows, cols) in enumerate(offsets[1:], start=1):
            window = x[:, :, rows, cols]  # (N, C, H', W'): offset o of every window
            better = window > best  # strict, so the first maximum is kept on ties
            np.maximum(best, window, out=best)
            # argmax = o where better, else unchanged; written as arithmetic
            # because np.where/copyto with a random mask is about 10x slower here
            argmax += better * (o - argmax)
        self._cache = (x.shape, argmax)
        return best

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Route each output gradient to the input position that was the max."""
        shape, argmax = self._saved()
        dy = check_grad("MaxPool2D", dy, argmax.shape)
        dx = np.zeros(shape, dtype=dy.dtype)
        for o, (rows, cols) in enumerate(self._offsets(*argmax.shape[2:])):
            # += because windows overlap when stride < kernel_size
            dx[:, :, rows, cols] += dy * (argmax == o)
        return dx


class AvgPool2D(_Pool2D):
    """Replace each window by its mean (per channel).

    Args:
        kernel_size: k, the window size, an int or a (height, width) pair.
        stride: s, the step between windows, an int or a pair; ``None`` uses
            ``kernel_size``, so windows do not overlap. Default: ``None``.

    Shape:
        - Input: (N, C, H, W)
        - Output: (N, C, H', W') with $H' = (H - k) // s + 1$ (the formula
          $(H + 2p - k) // s + 1$ with $p = 0$), and the same for W

    Example:
        >>> from nnlib.scratch import AvgPool2D
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> AvgPool2D(2)(x)
        array([[[[ 2.5,  4.5],
                 [10.5, 12.5]]]])
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Mean over each window."""
        x, Ho, Wo = self._check(x)
        # float16 sums overflow (4 values near 65504 give inf): add up in float32
        acc = np.float32 if x.dtype == np.float16 else x.dtype
        total = np.zeros((*x.shape[:2], Ho, Wo), dtype=acc)  # (N, C, H', W')
        for rows, cols in self._offsets(Ho, Wo):
            total += x[:, :, rows, cols]
        self._cache = (x.shape, total.shape)
        mean = total / (self.kernel_size[0] * self.kernel_size[1])
        return mean.astype(x.dtype, copy=False)  # no copy unless float16

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Each input pixel gets $dy / (k_H k_W)$ from every window it lies in."""
        shape, out_shape = self._saved()
        dy = check_grad("AvgPool2D", dy, out_shape)
        share = dy / (self.kernel_size[0] * self.kernel_size[1])
        dx = np.zeros(shape, dtype=dy.dtype)
        for rows, cols in self._offsets(*out_shape[2:]):
            dx[:, :, rows, cols] += share
        return dx
