"""Signed maps (weights, kernels, gradients): one diverging colour map centred at zero.

Every signed map in the course is drawn by :func:`show_signed`: red is positive, blue
negative, white zero, on a scale symmetric about zero, with a colour bar that says
what the colours mean. A map that is autoscaled instead makes the smallest value look
"negative" even when every value is positive.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.image import AxesImage

from nnlib._checks import check_number
from nnlib.viz.style import FONT_SIZE, to_numpy

SIGNED_CMAP = "RdBu_r"
"""The course's diverging colour map for signed values (matplotlib's name)."""


def signed_limit(values: Any) -> float:
    """The largest absolute value of ``values``: the colour scale is [-limit, limit].

    Example:
        >>> from nnlib.viz.signed import signed_limit
        >>> signed_limit([[-3.0, 1.0], [2.0, 0.5]])
        3.0
    """
    data = to_numpy(values).astype(np.float64)
    if data.size == 0 or not np.isfinite(data).any():
        return 1.0
    return float(max(np.nanmax(np.abs(data[np.isfinite(data)])), 1e-12))


def show_signed(
    ax: Axes,
    values: Any,
    *,
    limit: float | None = None,
    colorbar: bool = True,
    cax: Axes | None = None,
    label: str | None = None,
    aspect: str | float | None = None,
) -> AxesImage:
    """Draw a 2-D signed map on ``ax``, centred at zero, with a colour bar.

    Args:
        ax: the matplotlib Axes to draw into.
        values: the map, a numpy array or a torch tensor.
        limit: the colour scale is [-limit, limit]; ``None`` takes the largest
            absolute value (give one limit to several panels to compare them).
            Default: ``None``.
        colorbar: draw a colour bar beside ``ax`` (or in ``cax``). Default: ``True``.
        cax: the Axes for the colour bar; ``None`` takes room from ``ax``.
            Default: ``None``.
        label: the colour bar's label; ``None`` for none. Default: ``None``.
        aspect: matplotlib's ``imshow`` aspect (``"auto"`` fills the axes);
            ``None`` keeps square pixels. Default: ``None``.

    Shape:
        - values: (H, W)

    Returns:
        The image, for a colour bar shared by several panels
        (``fig.colorbar(image, ax=axes)``).

    Example:
        >>> from nnlib.viz import new_figure, show_signed
        >>> fig, ax = new_figure()
        >>> image = show_signed(ax, np.array([[-2.0, 1.0], [0.5, 0.0]]))
        >>> image.get_clim(), image.get_cmap().name
        ((-2.0, 2.0), 'RdBu_r')
    """
    data = to_numpy(values).astype(np.float64)
    if data.ndim != 2:
        raise ValueError(
            f"show_signed expected values of shape (H, W), got {data.shape}"
        )
    if limit is None:
        limit = signed_limit(data)
    else:
        limit = check_number("show_signed", "limit", limit, low=0.0, low_open=True)
    image = ax.imshow(
        data,
        cmap=SIGNED_CMAP,
        vmin=-limit,
        vmax=limit,
        interpolation="nearest",
        aspect=aspect,
    )
    if colorbar:
        bar = ax.figure.colorbar(image, ax=None if cax else ax, cax=cax, shrink=0.8)
        bar.ax.tick_params(labelsize=FONT_SIZE - 2)
        if label:
            bar.set_label(label, fontsize=FONT_SIZE - 1)
    return image
