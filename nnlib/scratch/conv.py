"""2-D convolution (cross-correlation, as in PyTorch) via im2col.

Letters: N batch, C input channels, F output channels (filters), H/W image
height/width, kH/kW kernel size, s stride, p padding, H'/W' output size,
L = H' * W' output positions, K = C * kH * kW values under one kernel.

Each output pixel is the dot product of a kernel with the patch under it.
``im2col`` copies every patch into a column, so the whole layer is one batched
matrix product; backward is two more products and ``col2im`` (the adjoint of
``im2col``) to send the patch gradients back onto the pixels. Python loops run
only over kernel offsets, never over pixels or batch items.
Reference: Chellapilla et al. (2006), "High Performance Convolutional Neural
Networks for Document Processing"; cs231n's notes on convolution.
"""

import numpy as np

from . import functional as F
from ._checks import check_grad, check_positive, check_shape, check_window, pair
from .base import Layer
from .init import init_weight


class Conv2D(Layer):
    """Slide ``out_channels`` kernels over the image; one feature map per kernel.

    ``kernel_size``, ``stride`` and ``padding`` are ints or (height, width)
    pairs; padding adds zeros. ``init="he"`` (default) or ``"xavier"``.

    Shape:
        input (N, C, H, W) -> output (N, F, H', W') with
        $H' = (H + 2p - k) // s + 1$ and $W' = (W + 2p - k) // s + 1$.
        params: W (F, C, kH, kW), b (F,).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        *,
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        rng: np.random.Generator | None = None,
        init: str = "he",
    ) -> None:
        super().__init__()
        self.in_channels = check_positive(in_channels, "in_channels")
        self.out_channels = check_positive(out_channels, "out_channels")
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.padding = pair(padding, "padding")
        for k, s, p in zip(self.kernel_size, self.stride, self.padding, strict=True):
            check_positive(k, "kernel_size")
            check_positive(s, "stride")
            check_positive(p, "padding", allow_zero=True)
        kH, kW = self.kernel_size
        fan_in, fan_out = in_channels * kH * kW, out_channels * kH * kW
        shape = (out_channels, in_channels, kH, kW)
        self._add_param("W", init_weight(init, shape, fan_in, fan_out, rng))
        self._add_param("b", np.zeros(out_channels))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Cross-correlate each kernel with every patch, add the bias."""
        x = check_shape(x, "Conv2D", ("N", self.in_channels, "H", "W"))
        N, C, H, W_ = x.shape  # W_ is the width; W is the weight
        check_window("Conv2D", (H, W_), self.kernel_size, self.padding, x.shape)
        W, b = self._params_as(x.dtype, "W", "b")
        xp = F.pad2d(x, self.padding)  # (N, C, H + 2p, W + 2p)
        cols = F.im2col(xp, self.kernel_size, self.stride)  # (N, K, L)
        (kH, kW), (sH, sW), (pH, pW) = self.kernel_size, self.stride, self.padding
        Ho, Wo = F.conv_output_size(H, kH, sH, pH), F.conv_output_size(W_, kW, sW, pW)
        y = W.reshape(self.out_channels, -1) @ cols  # (F, K) @ (N, K, L) -> (N, F, L)
        y += b[:, None]  # (F, 1) broadcasts over L
        self._cache = (xp.shape, cols, (N, self.out_channels, Ho, Wo))
        return y.reshape(N, self.out_channels, Ho, Wo)  # (N, F, L) -> (N, F, H', W')

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""$dW = \sum_n dy_n\,cols_n^T$, $db = \sum dy$, $dx$ = col2im($W^T dy$)."""
        padded_shape, cols, out_shape = self._saved()
        dy = check_grad(dy, "Conv2D", out_shape)
        N, Fo, Ho, Wo = out_shape
        (W,) = self._params_as(cols.dtype, "W")
        dy = dy.reshape(N, Fo, Ho * Wo)  # (N, F, H', W') -> (N, F, L)
        # (N, F, L) @ (N, L, K) -> (N, F, K), summed over the batch -> (F, K)
        dW = (dy @ cols.transpose(0, 2, 1)).sum(axis=0)
        self.grads["W"] = dW.reshape(W.shape)  # (F, K) -> (F, C, kH, kW)
        self.grads["b"] = dy.sum(axis=(0, 2))  # (N, F, L) -> (F,)
        dcols = W.reshape(Fo, -1).T @ dy  # (K, F) @ (N, F, L) -> (N, K, L)
        dxp = F.col2im(dcols, padded_shape, self.kernel_size, self.stride)
        pH, pW = self.padding
        H, W_ = padded_shape[2] - 2 * pH, padded_shape[3] - 2 * pW
        return dxp[:, :, pH : pH + H, pW : pW + W_]  # drop the padding: (N, C, H, W)

    def __repr__(self) -> str:
        return (
            f"Conv2D({self.in_channels}, {self.out_channels}, "
            f"kernel_size={_short(self.kernel_size)}, stride={_short(self.stride)}, "
            f"padding={_short(self.padding)})"
        )


def _short(p: tuple[int, int]) -> int | tuple[int, int]:
    """Show (3, 3) as 3 in a repr."""
    return p[0] if p[0] == p[1] else p
