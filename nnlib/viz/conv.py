"""What a convolution layer learned and computed: its kernels and its feature maps."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from nnlib.viz.style import FONT_SIZE, image_grid, to_numpy


def plot_kernels(
    weights: Any,
    *,
    ncols: int = 8,
    max_kernels: int = 64,
    title: str | None = None,
) -> Figure:
    """Convolution kernels as small images on one shared, zero-centred colour scale.

    Red is positive, blue negative, white zero. With several input channels each
    (output, input) pair is one panel, one row per output channel (``ncols`` is then
    the number of input channels, at most 16). At most ``max_kernels`` panels.

    Shape:
        weights: (out, in, kH, kW) (as ``Conv2D.params["W"]`` or a torch
        ``conv.weight``), (out, kH, kW) or (kH, kW)
    """
    w = to_numpy(weights).astype(np.float64)
    if w.ndim == 2:
        w = w[None, None]  # (kH, kW) -> (1, 1, kH, kW)
    elif w.ndim == 3:
        w = w[:, None]  # (out, kH, kW) -> (out, 1, kH, kW)
    if w.ndim != 4:
        raise ValueError(
            "weights must be (out, in, kH, kW), (out, kH, kW) or (kH, kW), "
            f"got {w.shape}"
        )
    n_out, n_in = w.shape[:2]
    if n_in > 1:
        ncols = min(n_in, 16)
        w = w[:, :ncols]
    labels = [
        f"{o}" if n_in == 1 else f"{o},{i}"
        for o in range(w.shape[0])
        for i in range(w.shape[1])
    ][:max_kernels]
    flat = w.reshape(-1, *w.shape[2:])[:max_kernels]  # (out*in, kH, kW)
    limit = max(np.abs(flat).max(), 1e-12)
    fig, axes = image_grid(
        len(flat), ncols, panel=0.75, extra_height=0.4 if title else 0.0
    )
    for ax, kernel, label in zip(axes, flat, labels, strict=True):
        ax.imshow(
            kernel, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest"
        )
        ax.set_title(label, fontsize=FONT_SIZE - 2, pad=1)
    if title:
        fig.suptitle(title, fontsize=FONT_SIZE + 1)
    return fig


def plot_feature_maps(
    maps: Any,
    *,
    image: Any | None = None,
    ncols: int = 8,
    max_maps: int = 32,
    cmap: str = "viridis",
    title: str | None = None,
) -> Figure:
    """One panel per channel of a feature map, optionally after the input image.

    Each map has its own colour scale (what matters is where it responds). The input
    ``image``, if given, comes first, titled "input".

    Shape:
        maps: (C, H, W) or (1, C, H, W); image: (H0, W0), (1, H0, W0) or (1, 1, H0, W0)
    """
    m = to_numpy(maps).astype(np.float64)
    if m.ndim == 4 and m.shape[0] == 1:
        m = m[0]  # (1, C, H, W) -> (C, H, W)
    if m.ndim == 2:
        m = m[None]  # (H, W) -> (1, H, W)
    if m.ndim != 3:
        raise ValueError(f"maps must be (C, H, W) or (1, C, H, W), got {m.shape}")
    m = m[:max_maps]
    panels: list[tuple[str, np.ndarray, str]] = []
    if image is not None:
        img = np.squeeze(to_numpy(image))
        if img.ndim != 2:
            raise ValueError(f"image must hold one 2-D channel, got {np.shape(image)}")
        panels.append(("input", img, "gray_r"))
    panels += [(f"map {c}", fmap, cmap) for c, fmap in enumerate(m)]
    fig, axes = image_grid(
        len(panels), ncols, panel=0.95, extra_height=0.4 if title else 0.0
    )
    for ax, (label, data, colours) in zip(axes, panels, strict=True):
        ax.imshow(data, cmap=colours, interpolation="nearest")
        ax.set_title(label, fontsize=FONT_SIZE - 2, pad=1)
    if title:
        fig.suptitle(title, fontsize=FONT_SIZE + 1)
    return fig
