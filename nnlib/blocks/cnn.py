"""Convolutional blocks: ``ConvBlock`` and a LeNet-style ``SimpleCNN``.

Letters: B batch, C channels, H height, W width, K classes.

The chapter 8 notebook builds convolution and pooling in numpy first; these are the
same ideas with PyTorch layers. Batch normalisation (Ioffe & Szegedy, 2015) after each
convolution makes the small CNN train faster and less sensitive to the learning rate;
on the 8x8 digits with plain Adam it was the difference between stalling near 98.2 %
and passing 99 % test accuracy, so ``ConvBlock`` uses it unless told not to
(``norm=False`` shows the difference).
"""

import torch
from torch import nn

from nnlib._checks import (
    check_bool,
    check_int,
    check_number,
    check_tensor,
    describe,
    format_shape,
)
from nnlib.blocks._dtype import needs_cast, run_in_dtype


class ConvBlock(nn.Module):
    """Convolution, then batch normalisation (optional), then ReLU.

    The convolution pads by ``kernel_size // 2`` so an odd kernel keeps H and W.

    Args:
        in_channels: the channels C of the input.
        out_channels: the channels of the output (the number of kernels).
        kernel_size: k, the side of the square kernel. Default: ``3``.
        norm: if ``True``, batch normalisation follows the convolution (which then
            has no bias: the normalisation would cancel it). Default: ``True``.

    Shape:
        - Input: (B, C, H, W) with C = in_channels
        - Output: (B, out_channels, H', W') with ``H' = H + 2p - k + 1`` (stride 1)
          and ``p = k // 2``; for odd k that is H' = H (and likewise W).

    Example:
        >>> import torch
        >>> from nnlib.blocks import ConvBlock
        >>> ConvBlock(1, 8)(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 8, 28, 28])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        *,
        norm: bool = True,
    ) -> None:
        super().__init__()
        self.in_channels = check_int("ConvBlock", "in_channels", in_channels)
        self.out_channels = check_int("ConvBlock", "out_channels", out_channels)
        self.kernel_size = check_int("ConvBlock", "kernel_size", kernel_size)
        self.norm = check_bool("ConvBlock", "norm", norm)
        # BatchNorm subtracts the per-channel mean, which cancels a conv bias: skip it.
        self.conv = nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            padding=kernel_size // 2,
            bias=not norm,
        )
        self.bn = nn.BatchNorm2d(out_channels) if norm else nn.Identity()
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply conv -> norm -> ReLU."""
        check_tensor("ConvBlock", x, ("B", self.in_channels, "H", "W"))
        if needs_cast("ConvBlock", x, self.conv.weight):
            return run_in_dtype(self, x.dtype, x)
        B, _, H, W = x.shape
        if H == 0 or W == 0:
            raise ValueError(
                f"ConvBlock expected images of at least 1 x 1 pixels, "
                f"got input {format_shape(x.shape)}"
            )
        if self.norm and self.training and B * H * W == 1:  # integers only: free
            raise ValueError(
                "ConvBlock expected more than one value per channel to normalise in "
                f"training mode (batch statistics), got input {format_shape(x.shape)}; "
                "use a larger batch, or model.eval() to use the running statistics"
            )
        return self.act(self.bn(self.conv(x)))


class SimpleCNN(nn.Module):
    """LeNet-style classifier: two ConvBlocks with 2x2 max pooling, then an MLP head.

    ``ConvBlock -> MaxPool(2) -> ConvBlock -> MaxPool(2) -> flatten -> Linear -> ReLU
    -> Dropout -> Linear``. Pooling halves H and W twice, so ``image_size`` must be
    divisible by 4 (8 for the course digits, 28 for MNIST-sized images).

    Args:
        in_channels: the channels C of the input images. Default: ``1``.
        n_classes: K, the number of classes. Default: ``10``.
        image_size: the side of the square input images, divisible by 4.
            Default: ``8``.
        channels: the output channels of the two ConvBlocks. Default: ``(16, 32)``.
        hidden: the width of the hidden Linear layer. Default: ``64``.
        norm: batch normalisation in the ConvBlocks. Default: ``True``.
        dropout: the dropout probability before the last Linear layer.
            Default: ``0.0``.

    Shape:
        - Input: (B, C, image_size, image_size) with C = in_channels
        - Output: (B, K) logits

    Example:
        >>> import torch
        >>> from nnlib.blocks import SimpleCNN
        >>> SimpleCNN()(torch.zeros(2, 1, 8, 8)).shape
        torch.Size([2, 10])
        >>> SimpleCNN(3, 5, image_size=28)(torch.zeros(2, 3, 28, 28)).shape
        torch.Size([2, 5])
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_classes: int = 10,
        image_size: int = 8,
        channels: tuple[int, int] = (16, 32),
        hidden: int = 64,
        *,
        norm: bool = True,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        for name, value in (
            ("in_channels", in_channels),
            ("n_classes", n_classes),
            ("image_size", image_size),
            ("hidden", hidden),
        ):
            check_int("SimpleCNN", name, value)
        if not isinstance(channels, tuple | list):
            raise TypeError(
                f"SimpleCNN expected channels as a pair, got {describe(channels)}"
            )
        if len(channels) != 2:
            raise ValueError(
                f"SimpleCNN expected channels as a pair, got {tuple(channels)}"
            )
        for value in channels:
            check_int("SimpleCNN", "channels", value)
        dropout = check_number("SimpleCNN", "dropout", dropout, low=0.0, high=1.0)
        if image_size % 4 != 0:
            raise ValueError(
                f"SimpleCNN expected image_size divisible by 4 (it pools twice by 2), "
                f"got {image_size}"
            )
        self.in_channels = in_channels
        self.n_classes = n_classes
        self.image_size = image_size
        c1, c2 = channels
        self.block1 = ConvBlock(in_channels, c1, norm=norm)
        self.block2 = ConvBlock(c1, c2, norm=norm)
        self.pool = nn.MaxPool2d(2)
        side = image_size // 4  # two poolings by 2
        self.fc1 = nn.Linear(c2 * side * side, hidden)
        self.act = nn.ReLU()
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return class logits for a batch of images."""
        s = self.image_size
        check_tensor("SimpleCNN", x, ("B", self.in_channels, s, s))
        if needs_cast("SimpleCNN", x, self.block1.conv.weight):
            return run_in_dtype(self, x.dtype, x)
        x = self.pool(self.block1(x))  # (B, C, s, s) -> (B, c1, s/2, s/2)
        x = self.pool(self.block2(x))  # -> (B, c2, s/4, s/4)
        x = x.flatten(1)  # (B, c2, s/4, s/4) -> (B, c2 * (s/4)^2)
        x = self.drop(self.act(self.fc1(x)))  # -> (B, hidden)
        return self.fc2(x)  # -> (B, n_classes)
