"""Edit a 3x3 convolution kernel and see the feature map it makes from a digit."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes

from nnlib._checks import check_choice
from nnlib.data.digits import load_digits
from nnlib.scratch import functional as F
from nnlib.viz.signed import show_signed, signed_limit
from nnlib.viz.style import FONT_SIZE, new_figure
from nnlib.widgets.base import Explorer, slider

PRESETS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "vertical edge": np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=float),
    "horizontal edge": np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], dtype=float),
    "diagonal edge": np.array([[0, 1, 1], [-1, 0, 1], [-1, -1, 0]], dtype=float),
    "blur": np.full((3, 3), 1 / 9),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
}
CUSTOM = "custom"


def correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid 2-D cross-correlation (what ``Conv2D`` and PyTorch call convolution).

    $y_{ij} = \\sum_{u,v} x_{i+u, j+v} k_{uv}$, no padding, stride 1.

    Args:
        image: one grey image.
        kernel: the kernel.

    Shape:
        - image: (H, W); kernel: (kH, kW)
        - Output: (H', W') = (H - kH + 1, W - kW + 1)

    Example:
        >>> from nnlib.widgets import correlate2d
        >>> correlate2d(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
        array([[ 8., 12.],
               [20., 24.]])
    """
    # nnlib.scratch.functional.conv2d on one image and one kernel
    return F.conv2d(image[None, None], kernel[None, None])[0, 0]  # (H', W')


class KernelPlayground(Explorer):
    """A 3x3 kernel in nine number boxes, a preset menu and an image slider.

    Build one with ``kernel_playground``. The preset menu fills the boxes; editing
    a box by hand selects "custom". State: ``preset``, ``index``, ``kernel``
    (3, 3), ``image`` (H, W), ``feature_map`` (H - 2, W - 2).

    Args:
        images: (N, H, W) grey images.
        preset: the kernel shown first, a name from ``PRESETS``.
        index: the image shown first.

    Example:
        >>> from nnlib.widgets import KernelPlayground, Explorer
        >>> issubclass(KernelPlayground, Explorer), KernelPlayground.summary_keys
        (True, ('preset', 'index'))
    """

    summary_keys = ("preset", "index")

    def __init__(self, images: np.ndarray, preset: str, index: int) -> None:
        self.images = images
        cells = {
            f"k{i}{j}": widgets.FloatText(
                value=float(PRESETS[preset][i, j]), layout=widgets.Layout(width="4.5em")
            )
            for i in range(3)
            for j in range(3)
        }
        controls: dict[str, widgets.Widget] = {
            "preset": widgets.Dropdown(
                options=[*PRESETS, CUSTOM], value=preset, description="preset"
            ),
            "index": slider(
                "kernel_playground",
                widgets.IntSlider,
                value=index,
                min=0,
                max=len(images) - 1,
                description="image",
            ),
            **cells,
        }
        grid = widgets.GridBox(
            list(cells.values()),
            layout=widgets.Layout(grid_template_columns="repeat(3, 4.8em)"),
        )
        layout = [
            widgets.HBox([widgets.VBox([controls["preset"], controls["index"]]), grid])
        ]
        figure, (self.ax_in, self.ax_k, self.ax_out) = new_figure(
            1, 3, figsize=(7.5, 2.7), grid=False
        )
        self._filling = False
        super().__init__(controls, figure, layout=layout)

    def set_kernel(self, kernel: np.ndarray) -> None:
        """Put a (3, 3) kernel into the nine boxes (one update)."""
        kernel = np.asarray(kernel, dtype=float)
        if kernel.shape != (3, 3):
            raise ValueError(
                f"KernelPlayground.set_kernel expected kernel (3, 3), "
                f"got {kernel.shape}"
            )
        with self.hold():
            self._filling = True
            try:
                for (i, j), v in np.ndenumerate(kernel):
                    self.controls[f"k{i}{j}"].value = float(v)
                # the label names what the boxes now hold
                self.controls["preset"].value = next(
                    (n for n, k in PRESETS.items() if np.array_equal(k, kernel)), CUSTOM
                )
            finally:
                self._filling = False

    def _on_change(self, change: dict[str, Any]) -> None:
        owner = change["owner"]
        if owner is self.controls["preset"] and change["new"] != CUSTOM:
            if self._filling:  # set_kernel is naming the kernel it just put in
                return
            self.set_kernel(PRESETS[change["new"]])
            return
        if (
            owner not in (self.controls["preset"], self.controls["index"])
            and not self._filling
            and self.controls["preset"].value != CUSTOM
        ):
            with self.hold():
                self.controls["preset"].value = CUSTOM  # edited by hand
            return
        super()._on_change(change)

    def compute(self) -> dict[str, Any]:
        kernel = np.array(
            [[self.controls[f"k{i}{j}"].value for j in range(3)] for i in range(3)],
            dtype=float,
        )
        index = int(self.controls["index"].value)
        image = self.images[index]
        return {
            "preset": self.controls["preset"].value,
            "index": index,
            "kernel": kernel,
            "image": image,
            "feature_map": correlate2d(image, kernel),
        }

    def draw(self) -> None:
        s = self.state
        for ax in (self.ax_in, self.ax_k, self.ax_out):
            ax.clear()
            ax.set_xticks([])
            ax.set_yticks([])
            ax.spines[["top", "right"]].set_visible(True)  # a full frame for images
        self.ax_in.imshow(s["image"], cmap="gray_r", interpolation="nearest")
        self.ax_in.set_title(f"input #{s['index']} {s['image'].shape}")
        limit = signed_limit(s["kernel"])
        show_signed(self.ax_k, s["kernel"], limit=limit, cax=_colorbar_axes(self.ax_k))
        for (i, j), v in np.ndenumerate(s["kernel"]):
            colour = "white" if abs(v) > 0.5 * limit else "black"  # readable on dark
            self.ax_k.text(
                j,
                i,
                f"{v:.2g}",
                ha="center",
                va="center",
                fontsize=FONT_SIZE,
                color=colour,
            )
        self.ax_k.set_title(f"kernel: {s['preset']}")
        fmap = s["feature_map"]
        show_signed(self.ax_out, fmap, cax=_colorbar_axes(self.ax_out))
        self.ax_out.set_title(f"feature map {fmap.shape}")

    def readout_html(self) -> str:
        fmap = self.state["feature_map"]
        return (
            f"kernel <b>{self.state['preset']}</b> on image #{self.state['index']}: "
            f"feature map {fmap.shape[0]}x{fmap.shape[1]}, "
            f"min {fmap.min():.3f}, max {fmap.max():.3f}"
        )


def _colorbar_axes(ax: Axes) -> Axes:
    """A thin axes at the right of ``ax`` for its colour bar (``ax.clear`` drops it)."""
    cax = ax.inset_axes((1.04, 0.0, 0.06, 1.0))
    cax.tick_params(labelsize=FONT_SIZE - 2)
    return cax


def kernel_playground(
    images: np.ndarray | None = None,
    *,
    preset: str = "vertical edge",
    index: int = 0,
) -> KernelPlayground:
    """A playground for a 3x3 kernel sliding over a digit (valid cross-correlation).

    Drive it with ``.controls["preset"].value = "blur"``, ``.set_kernel(k)`` or
    ``.controls["k01"].value = 2.0`` (row 0, column 1); read ``.state["feature_map"]``.

    Args:
        images: grey images, H and W at least 3; ``None`` is the shipped 8x8
            digits. Default: ``None``.
        preset: the kernel shown first, a name from ``PRESETS``.
            Default: ``"vertical edge"``.
        index: the image shown first. Default: ``0``.

    Shape:
        - images: (N, H, W) or (N, 1, H, W)

    Returns:
        A ``KernelPlayground``.

    Example:
        >>> from nnlib.widgets import kernel_playground
        >>> playground = kernel_playground(preset="blur")
        >>> playground, playground.state["feature_map"].shape
        (KernelPlayground(preset='blur', index=0), (6, 6))
        >>> playground.controls["k11"].value = 2.0  # one box edited by hand
        >>> playground
        KernelPlayground(preset='custom', index=0)
    """
    if images is None:
        images = load_digits()[0]
    images = np.asarray(images, dtype=float)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]  # (N, 1, H, W) -> (N, H, W)
    if images.ndim != 3 or min(images.shape[1:]) < 3:
        raise ValueError(
            f"kernel_playground expected images (N, H, W) with H, W >= 3, "
            f"got {images.shape}"
        )
    check_choice("kernel_playground", "preset", preset, list(PRESETS))
    return KernelPlayground(images, preset, index)
