"""What a convolution layer learned and computed: its kernels and its feature maps."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from nnlib.viz.signed import show_signed, signed_limit
from nnlib.viz.style import FONT_SIZE, image_grid, to_numpy


def plot_kernels(
    weights: Any,
    *,
    ncols: int = 8,
    max_kernels: int = 64,
    title: str | None = None,
) -> Figure:
    """Convolution kernels as small images on one shared, zero-centred colour scale.

    Red is positive, blue negative, white zero (``show_signed``), with one colour
    bar for all panels. With several input channels each (output, input) pair is
    one panel, one row per output channel.

    Args:
        weights: the kernels, a numpy array or a torch tensor.
        ncols: panels per row; with several input channels it is the number of
            input channels, at most 16. Default: ``8``.
        max_kernels: the most panels drawn. Default: ``64``.
        title: the title; ``None`` for none. Default: ``None``.

    Shape:
        - weights: (F, C, kH, kW) (as ``Conv2D.params["W"]`` or a torch
          ``conv.weight``), (F, kH, kW) or (kH, kW)

    Example:
        >>> from nnlib.viz import plot_kernels
        >>> fig = plot_kernels(np.zeros((4, 1, 3, 3)))
        >>> [ax.get_title() for ax in fig.axes if ax.images]
        ['0', '1', '2', '3']
    """
    w = to_numpy(weights).astype(np.float64)
    if w.ndim == 2:
        w = w[None, None]  # (kH, kW) -> (1, 1, kH, kW)
    elif w.ndim == 3:
        w = w[:, None]  # (out, kH, kW) -> (out, 1, kH, kW)
    if w.ndim != 4:
        raise ValueError(
            "plot_kernels expected weights (out, in, kH, kW), (out, kH, kW) or "
            f"(kH, kW), got {w.shape}"
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
    limit = signed_limit(flat)
    fig, axes = image_grid(
        len(flat), ncols, panel=0.75, extra_height=0.4 if title else 0.0
    )
    for ax, kernel, label in zip(axes, flat, labels, strict=True):
        image = show_signed(ax, kernel, limit=limit, colorbar=False)
        ax.set_title(label, fontsize=FONT_SIZE - 2, pad=1)
    bar = fig.colorbar(image, ax=list(axes), shrink=0.8)
    bar.ax.tick_params(labelsize=FONT_SIZE - 2)
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

    Maps that are all >= 0 (after a ReLU) each get their own colour scale in
    ``cmap`` (what matters is where each responds). Maps with negative values are
    signed: one diverging scale centred at zero for all of them (``show_signed``)
    with one colour bar, so that colours mean the same value in every panel.

    Args:
        maps: the feature maps of one image, a numpy array or a torch tensor.
        image: the input image, drawn first and titled "input"; ``None`` for
            none. Default: ``None``.
        ncols: panels per row. Default: ``8``.
        max_maps: the most maps drawn. Default: ``32``.
        cmap: the matplotlib colour map of maps without negative values.
            Default: ``"viridis"``.
        title: the title; ``None`` for none. Default: ``None``.

    Shape:
        - maps: (C, H, W) or (1, C, H, W)
        - image: (H0, W0), (1, H0, W0) or (1, 1, H0, W0)

    Example:
        >>> from nnlib.viz import plot_feature_maps
        >>> fig = plot_feature_maps(np.zeros((1, 3, 6, 6)), image=np.zeros((8, 8)))
        >>> [ax.get_title() for ax in fig.axes]
        ['input', 'map 0', 'map 1', 'map 2']
    """
    m = to_numpy(maps).astype(np.float64)
    if m.ndim == 4 and m.shape[0] == 1:
        m = m[0]  # (1, C, H, W) -> (C, H, W)
    if m.ndim == 2:
        m = m[None]  # (H, W) -> (1, H, W)
    if m.ndim != 3:
        raise ValueError(
            f"plot_feature_maps expected maps (C, H, W) or (1, C, H, W), got {m.shape}"
        )
    m = m[:max_maps]
    panels: list[tuple[str, np.ndarray, str]] = []
    if image is not None:
        img = np.squeeze(to_numpy(image))
        if img.ndim != 2:
            raise ValueError(
                "plot_feature_maps expected an image of one 2-D channel, "
                f"got {np.shape(image)}"
            )
        panels.append(("input", img, "gray_r"))
    panels += [(f"map {c}", fmap, cmap) for c, fmap in enumerate(m)]
    fig, axes = image_grid(
        len(panels), ncols, panel=0.95, extra_height=0.4 if title else 0.0
    )
    signed = bool((m < 0).any())
    limit = signed_limit(m)
    for ax, (label, data, colours) in zip(axes, panels, strict=True):
        if signed and label != "input":
            image = show_signed(ax, data, limit=limit, colorbar=False)
        else:
            ax.imshow(data, cmap=colours, interpolation="nearest")
        ax.set_title(label, fontsize=FONT_SIZE - 2, pad=1)
    if signed:
        bar = fig.colorbar(image, ax=list(axes), shrink=0.8)
        bar.ax.tick_params(labelsize=FONT_SIZE - 2)
    if title:
        fig.suptitle(title, fontsize=FONT_SIZE + 1)
    return fig
