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

from nnlib._checks import check_grad, check_int, check_pair, check_shape, check_window

from . import functional as F
from .base import Layer
from .init import init_weight


class Conv2D(Layer):
    """Slide ``out_channels`` kernels over the image; one feature map per kernel.

    Args:
        in_channels: the channels C of the input.
        out_channels: the number of kernels F, which is the output's channels.
        kernel_size: k, an int or a (height, width) pair.
        stride: s, the step between windows, an int or a pair. Default: ``1``.
        padding: p, the rows and columns of zeros added on each side, an int or a
            pair. Default: ``0``.
        rng: the generator of the initial weights; ``None`` takes the next default
            generator (see ``nnlib.scratch.init``). Default: ``None``.
        init: ``"he"`` or ``"xavier"``, as in ``Dense``. Default: ``"he"``.

    Shape:
        - Input: (N, C, H, W)
        - Output: (N, F, H', W') with $H' = (H + 2p - k) // s + 1$ and
          $W' = (W + 2p - k) // s + 1$
        - params: W (F, C, kH, kW), b (F,)

    Example:
        >>> from nnlib.scratch import Conv2D
        >>> x = np.ones((2, 1, 8, 8))
        >>> Conv2D(1, 4, 3, padding=1, rng=np.random.default_rng(0))(x).shape
        (2, 4, 8, 8)
        >>> Conv2D(1, 4, 3, stride=2, rng=np.random.default_rng(0))(x).shape
        (2, 4, 3, 3)
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
        self.in_channels = check_int("Conv2D", "in_channels", in_channels)
        self.out_channels = check_int("Conv2D", "out_channels", out_channels)
        self.kernel_size = check_pair("Conv2D", "kernel_size", kernel_size)
        self.stride = check_pair("Conv2D", "stride", stride)
        self.padding = check_pair("Conv2D", "padding", padding)
        for k, s, p in zip(self.kernel_size, self.stride, self.padding, strict=True):
            check_int("Conv2D", "kernel_size", k)
            check_int("Conv2D", "stride", s)
            check_int("Conv2D", "padding", p, minimum=0)
        kH, kW = self.kernel_size
        fan_in, fan_out = in_channels * kH * kW, out_channels * kH * kW
        shape = (out_channels, in_channels, kH, kW)
        W = init_weight(init, shape, fan_in, fan_out, rng, where="Conv2D")
        self._add_param("W", W)
        self._add_param("b", np.zeros(out_channels))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Cross-correlate each kernel with every patch, add the bias."""
        x = check_shape("Conv2D", x, ("N", self.in_channels, "H", "W"))
        N, C, H, W_ = x.shape  # W_ is the width; W is the weight
        check_window("Conv2D", (H, W_), self.kernel_size, self.padding, x.shape)
        W, b = self._params_as(x.dtype, "W", "b")
        xp = F.pad2d(x, self.padding)  # (N, C, H + 2p, W + 2p)
        cols = F.im2col(xp, self.kernel_size, self.stride)  # (N, K, L)
        (kH, kW), (sH, sW), (pH, pW) = self.kernel_size, self.stride, self.padding
        Ho, Wo = (
            F.conv_output_size(H, kH, stride=sH, padding=pH),
            F.conv_output_size(W_, kW, stride=sW, padding=pW),
        )
        y = W.reshape(self.out_channels, -1) @ cols  # (F, K) @ (N, K, L) -> (N, F, L)
        y += b[:, None]  # (F, 1) broadcasts over L
        self._cache = (xp.shape, cols, (N, self.out_channels, Ho, Wo))
        return y.reshape(N, self.out_channels, Ho, Wo)  # (N, F, L) -> (N, F, H', W')

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""$dW = \sum_n dy_n\,cols_n^T$, $db = \sum dy$, $dx$ = col2im($W^T dy$)."""
        padded_shape, cols, out_shape = self._saved()
        dy = check_grad("Conv2D", dy, out_shape)
        N, Fo, Ho, Wo = out_shape
        (W,) = self._params_as(cols.dtype, "W")
        dy = dy.reshape(N, Fo, Ho * Wo)  # (N, F, H', W') -> (N, F, L)
        # (N, K, L) @ (N, L, F) -> (N, K, F), summed over the batch -> (K, F);
        # BLAS runs this way round faster than dy @ cols^T (the same sums)
        dW = (cols @ dy.transpose(0, 2, 1)).sum(axis=0).T  # (K, F) -> (F, K)
        self._set_grad("W", dW.reshape(W.shape))  # (F, K) -> (F, C, kH, kW)
        self._set_grad("b", dy.sum(axis=(0, 2)))  # (N, F, L) -> (F,)
        # (kept readable on purpose: ordering dcols by kernel offset instead of by
        # channel makes col2im's adds contiguous and backward ~10% faster at
        # 16->32 channels, 28x28, but then the layer would need a second col2im)
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
