"""Residual networks: let each block learn a change to its input (chapter 12).

Letters: B batch, C channels, H height, W width, K classes.

He et al., "Deep Residual Learning for Image Recognition" (2016): a stack of plain
convolutions gets *harder* to train as it grows (a 56-layer plain network had a
higher training error than a 20-layer one), although a deeper network could always
copy the shallower one and add identities. A residual block computes
$y = \\mathrm{ReLU}(F(x) + x)$: the block only has to learn the change $F(x)$, and
the gradient reaches early layers through the $+ x$ path undamped. ``skip=False``
builds exactly the same layers without that addition (a "plain" network), which is
how the chapter compares the two. The ``ResNet`` here is He et al.'s CIFAR design
(their section 4.2): depth $6n + 2$, three stages of $n$ blocks with C, 2C and 4C
channels, halving H and W at the start of the second and third stage.
"""

from __future__ import annotations

import torch
from torch import nn

from nnlib._checks import check_bool, check_int, check_nonempty, check_tensor
from nnlib.blocks._dtype import needs_cast, run_in_dtype


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions with batch norm, plus a shortcut: ReLU(F(x) + x).

    $F(x) = \\mathrm{BN}(\\mathrm{conv}(\\mathrm{ReLU}(\\mathrm{BN}(\\mathrm{conv}
    (x)))))$.
    When the block changes the shape (``stride > 1`` or ``out_channels !=
    in_channels``) the shortcut is a 1x1 convolution with that stride and batch norm
    (He et al.'s "projection shortcut", option B), otherwise the identity.

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output; ``None`` means ``in_channels``.
            Default: ``None``.
        stride: stride of the first convolution (2 halves H and W). Default: ``1``.
        skip: add the shortcut; ``False`` gives the plain block ReLU(F(x)), with no
            projection either. Default: ``True``.
        norm: use batch normalisation; without it the convolutions get biases.
            Default: ``True``.

    Shape:
        - Input: (B, in_channels, H, W)
        - Output: (B, out_channels, H', W') with ``H' = (H - 1) // stride + 1``
          (3x3 kernels padded by 1), and likewise W'.

    Returns:
        The block's output.

    Example:
        >>> import torch
        >>> from nnlib.blocks import ResidualBlock
        >>> block = ResidualBlock(8, 16, stride=2)
        >>> tuple(block(torch.zeros(2, 8, 9, 9)).shape)
        (2, 16, 5, 5)
        >>> type(block.shortcut).__name__, type(ResidualBlock(8).shortcut).__name__
        ('Sequential', 'Identity')
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int | None = None,
        *,
        stride: int = 1,
        skip: bool = True,
        norm: bool = True,
    ) -> None:
        super().__init__()
        where = "ResidualBlock"
        self.in_channels = check_int(where, "in_channels", in_channels)
        out_channels = in_channels if out_channels is None else out_channels
        self.out_channels = check_int(where, "out_channels", out_channels)
        self.stride = check_int(where, "stride", stride)
        self.skip = check_bool(where, "skip", skip)
        self.norm = check_bool(where, "norm", norm)
        c_in, c_out = self.in_channels, self.out_channels
        # BatchNorm subtracts the mean, which cancels a bias: no bias with norm
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=not norm)
        self.bn1 = nn.BatchNorm2d(c_out) if norm else nn.Identity()
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=not norm)
        self.bn2 = nn.BatchNorm2d(c_out) if norm else nn.Identity()
        self.act = nn.ReLU()
        if not skip:
            self.shortcut = None
        elif stride != 1 or c_in != c_out:  # shapes differ: project x to match
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride=stride, bias=not norm),
                nn.BatchNorm2d(c_out) if norm else nn.Identity(),
            )
        else:
            self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """ReLU(F(x) + shortcut(x)), or ReLU(F(x)) when ``skip=False``."""
        check_tensor("ResidualBlock", x, ("B", self.in_channels, "H", "W"))
        check_nonempty("ResidualBlock", x)
        if needs_cast(
            "ResidualBlock", x, self.conv1.weight
        ):  # the dtype rule (blocks/_dtype.py)
            return run_in_dtype(self, x.dtype, x)
        out = self.act(self.bn1(self.conv1(x)))  # (B, C_in, H, W) -> (B, C_out, H', W')
        out = self.bn2(self.conv2(out))  # same shape: F(x)
        if self.shortcut is not None:
            out = out + self.shortcut(x)  # the residual connection
        return self.act(out)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, stride={self.stride}, "
            f"skip={self.skip}, norm={self.norm}"
        )


class ResNet(nn.Module):
    """A small CIFAR-style ResNet for 1-channel images of about 28 x 28 pixels.

    ``stem (3x3 conv, BN, ReLU) -> 3 stages of n ResidualBlocks -> global average
    pool -> Linear``, with ``depth = 6n + 2`` layers that have weights (the stem,
    two convolutions per block and the classifier; projection shortcuts are not
    counted, as in He et al.). Stages have ``width``, ``2 * width`` and ``4 * width``
    channels; the second and third start with stride 2. The global pooling accepts
    any image size. ``skip=False`` builds the plain network of the same depth.
    The stem convolution (``model.stem``) is the first layer, whose gradient norm
    shows whether any signal comes back through a deep plain stack.

    Args:
        in_channels: channels of the images. Default: ``1``.
        n_classes: number of classes K. Default: ``10``.
        depth: 8, 14, 20, 26, ... (6n + 2). Default: ``20``.
        width: channels of the first stage. Default: ``16``.
        skip: use residual connections. Default: ``True``.
        norm: use batch normalisation. Default: ``True``.

    Shape:
        - Input: (B, in_channels, H, W)
        - Output: (B, n_classes) logits

    Returns:
        Class logits.

    Example:
        >>> import torch
        >>> from nnlib.blocks import ResNet
        >>> model = ResNet(depth=8, width=4)
        >>> tuple(model(torch.zeros(2, 1, 28, 28)).shape)
        (2, 10)
        >>> len(model.blocks), ResNet(depth=20).n_layers
        (3, 20)
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_classes: int = 10,
        *,
        depth: int = 20,
        width: int = 16,
        skip: bool = True,
        norm: bool = True,
    ) -> None:
        super().__init__()
        where = "ResNet"
        self.in_channels = check_int(where, "in_channels", in_channels)
        self.n_classes = check_int(where, "n_classes", n_classes)
        depth = check_int(where, "depth", depth)
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(
                f"{where} expected depth = 6n + 2 with n >= 1 (8, 14, 20, 26, ...), "
                f"got {depth}"
            )
        self.n_layers = depth
        self.width = check_int(where, "width", width)
        self.skip = check_bool(where, "skip", skip)
        self.norm = check_bool(where, "norm", norm)
        n = (depth - 2) // 6  # blocks per stage
        self.stem = nn.Conv2d(in_channels, width, 3, padding=1, bias=not norm)
        self.stem_bn = nn.BatchNorm2d(width) if norm else nn.Identity()
        self.act = nn.ReLU()
        blocks = []
        c_in = width
        for stage, c_out in enumerate((width, 2 * width, 4 * width)):
            for i in range(n):
                stride = 2 if stage > 0 and i == 0 else 1  # halve H, W once per stage
                blocks.append(
                    ResidualBlock(c_in, c_out, stride=stride, skip=skip, norm=norm)
                )
                c_in = c_out
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(4 * width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return class logits for a batch of images."""
        check_tensor("ResNet", x, ("B", self.in_channels, "H", "W"))
        check_nonempty("ResNet", x)
        if needs_cast(
            "ResNet", x, self.stem.weight
        ):  # the dtype rule (blocks/_dtype.py)
            return run_in_dtype(self, x.dtype, x)
        x = self.act(self.stem_bn(self.stem(x)))  # (B, C, H, W) -> (B, w, H, W)
        x = self.blocks(x)  # -> (B, 4w, H/4, W/4) (rounded up)
        x = self.pool(x).flatten(1)  # (B, 4w, h, w) -> (B, 4w, 1, 1) -> (B, 4w)
        return self.head(x)  # (B, 4w) -> (B, K)

    def extra_repr(self) -> str:
        return f"depth={self.n_layers}, width={self.width}, skip={self.skip}"
