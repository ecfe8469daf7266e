"""U-Net: an encoder that shrinks, a decoder that grows back, and bridges (chapter 13).

Letters: B batch, C channels, H height, W width, K classes (one score map each).

Ronneberger et al., "U-Net" (2015), for segmenting cells in microscope images: the
encoder halves H and W at each level and learns *what* is in the image; the decoder
doubles them back to give every pixel a class. Pooling throws away *where* exactly
things are, so skip connections hand each decoder level the encoder's features of
the same size (concatenated along the channels): fine edges come from there.
``skips=False`` builds the same network without those bridges, so the decoder has
only the coarse bottleneck to go on; the chapter compares the two.
"""

from __future__ import annotations

import torch
from torch import nn

from nnlib._checks import (
    check_bool,
    check_divisible,
    check_int,
    check_nonempty,
    check_tensor,
)
from nnlib.blocks._dtype import needs_cast, run_in_dtype
from nnlib.blocks.cnn import ConvBlock


def _double_conv(c_in: int, c_out: int, norm: bool) -> nn.Sequential:
    """Two 3x3 ConvBlocks: U-Net's unit at every level."""
    return nn.Sequential(
        ConvBlock(c_in, c_out, norm=norm), ConvBlock(c_out, c_out, norm=norm)
    )


class UNet(nn.Module):
    """A small U-Net for per-pixel classification.

    Encoder level d (d = 0 .. depth - 1) has ``base * 2**d`` channels: two
    ConvBlocks, then 2x2 max pooling. The bottleneck has ``base * 2**depth``. Each
    decoder level doubles H and W with a 2x2 transposed convolution that halves the
    channels, concatenates the encoder's features of that level (``skips=True``),
    and applies two ConvBlocks. A 1x1 convolution gives K scores per pixel.
    ``encode`` and ``decode`` are the two halves, so a notebook can look at (or
    replace) the features the decoder receives.

    Args:
        in_channels: channels of the images.
        n_classes: classes K, background included.
        base: channels of the first level. Default: ``16``.
        depth: number of poolings; H and W must be multiples of ``2**depth``.
            Default: ``2``.
        skips: concatenate the encoder features in the decoder. Default: ``True``.
        norm: batch normalisation in the ConvBlocks. Default: ``True``.

    Shape:
        - Input: (B, in_channels, H, W)
        - Output: (B, n_classes, H, W) logits

    Returns:
        Per-pixel class logits.

    Example:
        >>> import torch
        >>> from nnlib.blocks import UNet
        >>> model = UNet(1, 4, base=4)
        >>> tuple(model(torch.zeros(2, 1, 32, 32)).shape)
        (2, 4, 32, 32)
        >>> bottom, features = model.encode(torch.zeros(2, 1, 32, 32))
        >>> tuple(bottom.shape), [tuple(f.shape) for f in features]
        ((2, 16, 8, 8), [(2, 4, 32, 32), (2, 8, 16, 16)])
    """

    def __init__(
        self,
        in_channels: int,
        n_classes: int,
        *,
        base: int = 16,
        depth: int = 2,
        skips: bool = True,
        norm: bool = True,
    ) -> None:
        super().__init__()
        where = "UNet"
        self.in_channels = check_int(where, "in_channels", in_channels)
        self.n_classes = check_int(where, "n_classes", n_classes)
        self.base = check_int(where, "base", base)
        self.depth = check_int(where, "depth", depth)
        self.skips = check_bool(where, "skips", skips)
        norm = check_bool(where, "norm", norm)
        widths = [base * 2**d for d in range(depth + 1)]  # channels per level
        self.down = nn.ModuleList()
        c_in = in_channels
        for c in widths[:-1]:
            self.down.append(_double_conv(c_in, c, norm))
            c_in = c
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = _double_conv(c_in, widths[-1], norm)
        self.up = nn.ModuleList()  # deepest level first
        self.merge = nn.ModuleList()
        for c in reversed(widths[:-1]):
            self.up.append(nn.ConvTranspose2d(2 * c, c, 2, stride=2))  # H, W doubled
            self.merge.append(_double_conv(2 * c if skips else c, c, norm))
        self.head = nn.Conv2d(base, n_classes, 1)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The bottleneck (B, base * 2**depth, H / 2**depth, W / 2**depth) and the
        features of every encoder level, shallowest first."""
        where = "UNet"
        self._check(x)
        if needs_cast(where, x, self.head.weight):
            raise TypeError(
                f"{where}.encode expected {self.head.weight.dtype} input (the dtype of "
                f"its parameters), got {x.dtype}; call the model itself, which "
                "computes in the input's dtype, or convert with x.to(dtype)"
            )
        features = []
        for level in self.down:
            x = level(x)  # (B, C, h, w) -> (B, base * 2**d, h, w)
            features.append(x)
            x = self.pool(x)  # -> (B, base * 2**d, h / 2, w / 2)
        return self.bottleneck(x), features

    def decode(self, x: torch.Tensor, features: list[torch.Tensor]) -> torch.Tensor:
        """Per-pixel logits from the bottleneck and the encoder features (which
        ``skips=False`` never reads)."""
        for up, merge, skip in zip(
            self.up, self.merge, reversed(features), strict=True
        ):
            x = up(x)  # (B, 2c, h, w) -> (B, c, 2h, 2w)
            if self.skips:
                x = torch.cat(
                    [skip, x], dim=1
                )  # (B, c, 2h, 2w) twice -> (B, 2c, 2h, 2w)
            x = merge(x)  # -> (B, c, 2h, 2w)
        return self.head(x)  # (B, base, H, W) -> (B, K, H, W)

    def _check(self, x: torch.Tensor) -> None:
        where = "UNet"
        check_tensor(where, x, ("B", self.in_channels, "H", "W"))
        check_nonempty(where, x)
        check_divisible(where, x, 2**self.depth, f"depth={self.depth} poolings by 2")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return per-pixel class logits."""
        self._check(x)
        if needs_cast("UNet", x, self.head.weight):  # the dtype rule (blocks/_dtype.py)
            return run_in_dtype(self, x.dtype, x)
        bottom, features = self.encode(x)
        return self.decode(bottom, features)

    def extra_repr(self) -> str:
        return f"base={self.base}, depth={self.depth}, skips={self.skips}"
