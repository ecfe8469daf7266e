"""Cheaper convolutions and scaling a network up in balance (chapter 12).

Letters: B batch, C channels (C_in, C_out), H height, W width, k kernel size, K classes.

A full k x k convolution mixes space and channels at once: $C_{in} C_{out} k^2$
weights. A depthwise-separable convolution (Sifre 2014; Chollet, Xception, 2017;
MobileNet, 2017) splits it: a depthwise k x k convolution filters each channel on
its own ($C_{in} k^2$ weights), then a pointwise 1x1 convolution mixes channels
($C_{in} C_{out}$): about $1/C_{out} + 1/k^2$ of the weights and multiply-adds.

EfficientNet (Tan & Le, 2019) scales a network with one knob $\\phi$: depth by
$\\alpha^\\phi$, width by $\\beta^\\phi$ and input resolution by $\\gamma^\\phi$
(``compound_scaling``), with $\\alpha \\beta^2 \\gamma^2 \\approx 2$ so each step
about doubles the FLOPs. ``ScalableCNN`` is a small network with those three knobs;
its blocks are MobileNet-style separable convolutions, not EfficientNet's MBConv
with squeeze-and-excitation, to keep the idea visible. ``model_cost`` (in
``counting``) counts parameters and multiply-adds, so models compare at equal cost.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from nnlib._checks import (
    check_bool,
    check_int,
    check_nonempty,
    check_number,
    check_pair,
    check_tensor,
)
from nnlib.blocks._dtype import needs_cast, run_in_dtype


class SeparableConv2d(nn.Module):
    """Depthwise-separable convolution: a k x k filter per channel, then a 1x1 mix.

    Parameters: $C_{in} k_H k_W$ (depthwise, no bias) $+ C_{in} C_{out}$ (pointwise)
    $+ C_{out}$ (its bias, if ``bias``). It equals a full ``nn.Conv2d`` whose weight
    is ``pointwise[o, i] * depthwise[i]``: a full convolution restricted to rank one
    in (channel, space).

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: k, an int or a pair (k_H, k_W).
        stride: stride of the depthwise convolution, an int or a pair. Default: ``1``.
        padding: zeros added on each side, an int or a pair (``k // 2`` keeps the
            size for odd k at stride 1). Default: ``0``.
        bias: give the pointwise convolution a bias. Default: ``True``.

    Shape:
        - Input: (B, in_channels, H, W)
        - Output: (B, out_channels, H', W') with ``H' = (H + 2p - k) // s + 1``,
          and likewise W'.

    Returns:
        The convolved images.

    Example:
        >>> import torch
        >>> from nnlib.blocks import SeparableConv2d
        >>> conv = SeparableConv2d(8, 16, 3, padding=1)
        >>> tuple(conv(torch.zeros(2, 8, 10, 10)).shape)
        (2, 16, 10, 10)
        >>> sum(p.numel() for p in conv.parameters())  # 8*3*3 + 8*16 + 16
        216
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        *,
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        where = "SeparableConv2d"
        self.in_channels = check_int(where, "in_channels", in_channels)
        self.out_channels = check_int(where, "out_channels", out_channels)
        self.kernel_size = check_pair(where, "kernel_size", kernel_size)
        self.stride = check_pair(where, "stride", stride)
        self.padding = check_pair(where, "padding", padding)
        for name, values, low in (
            ("kernel_size", self.kernel_size, 1),
            ("stride", self.stride, 1),
            ("padding", self.padding, 0),
        ):
            for v in values:
                check_int(where, name, v, minimum=low)
        check_bool(where, "bias", bias)
        # groups=C_in: each input channel gets its own k x k filter
        self.depthwise = nn.Conv2d(
            in_channels,
            in_channels,
            self.kernel_size,
            stride=self.stride,
            padding=self.padding,
            groups=in_channels,
            bias=False,
        )
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Depthwise, then pointwise."""
        where = "SeparableConv2d"
        check_tensor(where, x, ("B", self.in_channels, "H", "W"))
        check_nonempty(where, x)
        if needs_cast(
            where, x, self.pointwise.weight
        ):  # the dtype rule (blocks/_dtype.py)
            return run_in_dtype(self, x.dtype, x)
        H, W = x.shape[2:]
        (kh, kw), (ph, pw) = self.kernel_size, self.padding
        if H + 2 * ph < kh or W + 2 * pw < kw:
            raise ValueError(
                f"{where} expected H + 2*padding >= kernel_size and the same for W "
                f"(kernel {self.kernel_size}, padding {self.padding}), got input "
                f"{tuple(x.shape)}"
            )
        x = self.depthwise(x)  # (B, C_in, H, W) -> (B, C_in, H', W'), per channel
        return self.pointwise(x)  # (B, C_in, H', W') -> (B, C_out, H', W'), 1x1 mix

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}"
        )


def compound_scaling(
    phi: float, *, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15
) -> tuple[float, float, float]:
    """EfficientNet's compound scaling: depth, width and resolution factors for phi.

    $d = \\alpha^\\phi$, $w = \\beta^\\phi$, $r = \\gamma^\\phi$. The defaults are Tan &
    Le's grid-searched values for EfficientNet-B0, with
    $\\alpha \\beta^2 \\gamma^2 = 1.92 \\approx 2$: FLOPs grow as $d w^2 r^2$, so
    about $2^\\phi$.

    Args:
        phi: the compound coefficient (0 is the base network).
        alpha: depth growth per unit of phi. Default: ``1.2``.
        beta: width growth per unit of phi. Default: ``1.1``.
        gamma: resolution growth per unit of phi. Default: ``1.15``.

    Shape:
        - Output: three floats

    Returns:
        ``(depth_mult, width_mult, resolution_mult)``.

    Example:
        >>> from nnlib.blocks import compound_scaling
        >>> [round(f, 3) for f in compound_scaling(2)]
        [1.44, 1.21, 1.322]
    """
    where = "compound_scaling"
    phi = check_number(where, "phi", phi)
    factors = [
        check_number(where, name, value, low=0.0, low_open=True)
        for name, value in (("alpha", alpha), ("beta", beta), ("gamma", gamma))
    ]
    depth, width, resolution = (f**phi for f in factors)
    return depth, width, resolution


class _ConvUnit(nn.Module):
    """conv (separable or full, 3x3) -> BN -> ReLU, plus x when the shape allows."""

    def __init__(self, c_in: int, c_out: int, stride: int, separable: bool) -> None:
        super().__init__()
        if separable:
            self.conv = SeparableConv2d(
                c_in, c_out, 3, stride=stride, padding=1, bias=False
            )
        else:
            self.conv = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)
        self.act = nn.ReLU()
        self.residual = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.act(self.bn(self.conv(x)))  # (B, C_in, H, W) -> (B, C_out, H', W')
        return out + x if self.residual else out


# (channels, repeats, stride) of each stage of the base network (phi = 0)
BASE_STAGES: tuple[tuple[int, int, int], ...] = (
    (16, 1, 1),
    (24, 2, 2),
    (40, 2, 2),
    (80, 2, 2),
)


def _scaled_channels(channels: int, width_mult: float) -> int:
    """Channels times ``width_mult``, rounded to a multiple of 4 (at least 4)."""
    return max(4, int(round(channels * width_mult / 4)) * 4)


class ScalableCNN(nn.Module):
    """A small EfficientNet-style classifier with width, depth and resolution knobs.

    ``stem (3x3 conv, BN, ReLU) -> 4 stages of conv units -> global average pool ->
    Linear``. The base stages ``BASE_STAGES`` have (16, 24, 40, 80) channels,
    (1, 2, 2, 2) units and strides (1, 2, 2, 2). ``width_mult`` scales the channels
    (rounded to multiples of 4), ``depth_mult`` the units per stage (rounded up),
    and ``resolution`` resizes the input (bilinear) before the stem; in EfficientNet
    the data pipeline does this, here one argument does. Each unit is conv -> BN ->
    ReLU with a residual connection where the shape is unchanged; ``separable``
    chooses ``SeparableConv2d`` or a full ``nn.Conv2d`` for every conv but the stem.

    Args:
        in_channels: channels of the images. Default: ``1``.
        n_classes: number of classes K. Default: ``10``.
        width_mult: factor on every stage's channels. Default: ``1.0``.
        depth_mult: factor on every stage's number of units. Default: ``1.0``.
        resolution: side the input is resized to; ``None`` keeps it. Default: ``None``.
        separable: depthwise-separable (True) or full (False) convolutions.
            Default: ``True``.

    Shape:
        - Input: (B, in_channels, H, W)
        - Output: (B, n_classes) logits

    Returns:
        Class logits.

    Example:
        >>> import torch
        >>> from nnlib.blocks import ScalableCNN
        >>> model = ScalableCNN(width_mult=0.5, resolution=32)
        >>> tuple(model(torch.zeros(2, 1, 28, 28)).shape)
        (2, 10)
        >>> model.channels, model.repeats
        ((8, 12, 20, 40), (1, 2, 2, 2))
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_classes: int = 10,
        *,
        width_mult: float = 1.0,
        depth_mult: float = 1.0,
        resolution: int | None = None,
        separable: bool = True,
    ) -> None:
        super().__init__()
        where = "ScalableCNN"
        self.in_channels = check_int(where, "in_channels", in_channels)
        self.n_classes = check_int(where, "n_classes", n_classes)
        self.width_mult = check_number(
            where, "width_mult", width_mult, low=0.0, low_open=True
        )
        self.depth_mult = check_number(
            where, "depth_mult", depth_mult, low=0.0, low_open=True
        )
        if resolution is not None:
            resolution = check_int(where, "resolution", resolution, minimum=8)
        self.resolution = resolution
        self.separable = check_bool(where, "separable", separable)
        self.channels = tuple(
            _scaled_channels(c, width_mult) for c, _, _ in BASE_STAGES
        )
        self.repeats = tuple(math.ceil(r * depth_mult) for _, r, _ in BASE_STAGES)
        c_in = self.channels[0]
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, c_in, 3, padding=1, bias=False),
            nn.BatchNorm2d(c_in),
            nn.ReLU(),
        )
        units = []
        for c_out, repeats, (_, _, stride) in zip(
            self.channels, self.repeats, BASE_STAGES, strict=True
        ):
            for i in range(repeats):  # only a stage's first unit changes the shape
                units.append(_ConvUnit(c_in, c_out, stride if i == 0 else 1, separable))
                c_in = c_out
        self.units = nn.Sequential(*units)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(c_in, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return class logits for a batch of images."""
        check_tensor("ScalableCNN", x, ("B", self.in_channels, "H", "W"))
        check_nonempty("ScalableCNN", x)
        if needs_cast(
            "ScalableCNN", x, self.head.weight
        ):  # the dtype rule (blocks/_dtype.py)
            return run_in_dtype(self, x.dtype, x)
        if self.resolution is not None:  # (B, C, H, W) -> (B, C, r, r)
            r = self.resolution
            x = F.interpolate(x, size=(r, r), mode="bilinear", align_corners=False)
        x = self.stem(x)  # -> (B, c0, r, r)
        x = self.units(x)  # -> (B, c3, r/8, r/8) (rounded up)
        return self.head(self.pool(x).flatten(1))  # -> (B, c3) -> (B, K)

    def extra_repr(self) -> str:
        return (
            f"width_mult={self.width_mult}, depth_mult={self.depth_mult}, "
            f"resolution={self.resolution}, separable={self.separable}"
        )
