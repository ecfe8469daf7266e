"""Patch size against tokens, attention cost and accuracy: a ViT's main dial.

Letters: p the patch side, H = W the image side, N = (H / p)^2 patches, T = N + 1
tokens with the class token, h heads, D = d_model.

A slider picks p. The figure shows the digit with its p x p patch grid, the
attention weights one block computes (h T^2: every token scores every token in
every head) for every patch size, and the test accuracy the lecture's ViT reached
with that patch size, loaded from runs stored by ``benchmarks/patch_size_runs.py``
(``nnlib.data.load_run("11_patch_size")``; nothing is trained here).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from nnlib._checks import check_choice, check_int
from nnlib.data.digits import load_digits
from nnlib.data.runs import load_run
from nnlib.scratch import functional as F
from nnlib.viz.style import FONT_SIZE, new_figure
from nnlib.widgets.base import Explorer

RUN = "11_patch_size"


def patch_counts(
    image_size: int, patch_size: int, *, channels: int = 1, n_heads: int = 4
) -> dict[str, int]:
    """Patches, tokens, numbers per patch and attention weights of one ViT block.

    The grid side is the output size of a convolution with kernel and stride p
    (``functional.conv_output_size``), the patch embedding's own arithmetic.

    Args:
        image_size: H = W, the side of the square image.
        patch_size: p; it must divide ``image_size``.
        channels: C, the image's channels. Default: ``1``.
        n_heads: h, the attention heads. Default: ``4``.

    Returns:
        ``{"grid": H / p, "patches": N, "tokens": N + 1, "patch_numbers": C p^2,
        "weights": h (N + 1)^2}``.

    Example:
        >>> from nnlib.widgets import patch_counts
        >>> patch_counts(8, 4)
        {'grid': 2, 'patches': 4, 'tokens': 5, 'patch_numbers': 16, 'weights': 100}
    """
    where = "patch_counts"
    image_size = check_int(where, "image_size", image_size)
    patch_size = check_int(where, "patch_size", patch_size)
    if image_size % patch_size:
        raise ValueError(
            f"{where} expected a patch_size that divides image_size {image_size}, "
            f"got {patch_size}"
        )
    grid = F.conv_output_size(image_size, patch_size, stride=patch_size)
    tokens = grid * grid + 1  # the patches and the class token
    return {
        "grid": grid,
        "patches": grid * grid,
        "tokens": tokens,
        "patch_numbers": channels * patch_size**2,
        "weights": n_heads * tokens**2,  # (h, T, T) per image and block
    }


class PatchExplorer(Explorer):
    """A patch-size slider over a digit, its tokens, attention cost and accuracy.

    Build one with ``patch_size_explorer``. State: ``patch_size``, ``tokens``,
    ``weights`` (attention weights per block and image), ``cost_vs_4`` (weights
    relative to 4x4 patches), ``accuracy`` (mean stored test accuracy),
    ``accuracy_runs`` (one per stored seed), ``image`` (H, W).

    Args:
        image: (H, W) grey image.
        runs: the stored runs, a dict as ``load_run("11_patch_size")`` returns.
        patch_size: the patch side shown first, one of ``runs["patch_sizes"]``.

    Example:
        >>> from nnlib.widgets import Explorer, PatchExplorer
        >>> issubclass(PatchExplorer, Explorer), PatchExplorer.summary_keys
        (True, ('patch_size', 'tokens', 'weights', 'accuracy'))
    """

    summary_keys = ("patch_size", "tokens", "weights", "accuracy")

    def __init__(self, image: np.ndarray, runs: dict, patch_size: int) -> None:
        self.image_data = image
        self.runs = runs
        self.sizes = [int(p) for p in runs["patch_sizes"]]
        self.counts = {p: patch_counts(image.shape[0], p) for p in self.sizes}
        controls = {
            "patch_size": widgets.SelectionSlider(
                options=self.sizes, value=patch_size, description="patch side"
            )
        }
        figure, (self.ax_img, self.ax_cost, self.ax_acc) = new_figure(
            1, 3, figsize=(8.4, 2.8), grid=False
        )
        super().__init__(controls, figure)

    def compute(self) -> dict[str, Any]:
        p = int(self.controls["patch_size"].value)
        counts = self.counts[p]
        accuracy_runs = [float(a) for a in self.runs["test_accuracy"][str(p)]]
        reference = self.counts[4]["weights"] if 4 in self.counts else 1
        return {
            "patch_size": p,
            "grid": counts["grid"],
            "tokens": counts["tokens"],
            "patch_numbers": counts["patch_numbers"],
            "weights": counts["weights"],
            "cost_vs_4": counts["weights"] / reference,
            "accuracy": float(np.mean(accuracy_runs)),
            "accuracy_runs": accuracy_runs,
            "image": self.image_data,
        }

    def draw(self) -> None:
        s = self.state
        p, side = s["patch_size"], s["image"].shape[0]
        ax = self.ax_img
        ax.clear()
        ax.imshow(s["image"], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        for k in range(p, side, p):  # the patch grid
            ax.axhline(k - 0.5, color="#0072B2", lw=1.5)
            ax.axvline(k - 0.5, color="#0072B2", lw=1.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"{p}×{p} patches: {s['tokens'] - 1} + 1 tokens", fontsize=9)

        labels = [str(q) for q in self.sizes]
        colours = ["#D55E00" if q == p else "#999999" for q in self.sizes]
        ax = self.ax_cost
        ax.clear()
        ax.bar(labels, [self.counts[q]["weights"] for q in self.sizes], color=colours)
        ax.set_yscale("log")
        ax.set_xlabel("patch side", fontsize=FONT_SIZE)
        ax.set_title("attention weights per block", fontsize=9)

        ax = self.ax_acc
        ax.clear()
        runs = [np.asarray(self.runs["test_accuracy"][str(q)]) for q in self.sizes]
        means = np.array([r.mean() for r in runs])
        spread = np.array(
            [[m - r.min(), r.max() - m] for m, r in zip(means, runs, strict=True)]
        ).T  # (2, sizes): below and above each mean
        ax.bar(labels, 100 * means, yerr=100 * spread, color=colours, capsize=3)
        ax.set_ylim(0, 100)
        ax.set_xlabel("patch side", fontsize=FONT_SIZE)
        ax.set_title("test accuracy (%), stored runs", fontsize=9)

    def readout_html(self) -> str:
        s = self.state
        return (
            f"patch side <b>{s['patch_size']}</b>: {s['grid']}×{s['grid']} patches of "
            f"{s['patch_numbers']} pixels, {s['tokens']} tokens with the class token, "
            f"{s['weights']:,} attention weights per block ({s['cost_vs_4']:.3g} × "
            f"those of 4×4 patches); stored test accuracy {100 * s['accuracy']:.1f} % "
            f"(mean of {len(s['accuracy_runs'])} runs, "
            f"{self.runs['source']})"
        )


def patch_size_explorer(
    *, patch_size: int = 4, index: int = 0, runs: dict | None = None
) -> PatchExplorer:
    """Slide the patch size of a ViT over a digit; see tokens, cost and accuracy.

    Args:
        patch_size: the patch side shown first. Default: ``4``.
        index: which of the course's digits to cut. Default: ``0``.
        runs: stored runs in the form of ``load_run("11_patch_size")``; ``None``
            loads that file. Default: ``None``.

    Returns:
        A ``PatchExplorer``.

    Example:
        >>> from nnlib.widgets import patch_size_explorer
        >>> runs = {"source": "example", "patch_sizes": [2, 4],
        ...         "test_accuracy": {"2": [0.9], "4": [0.98]}}
        >>> explorer = patch_size_explorer(patch_size=2, runs=runs)
        >>> explorer.controls["patch_size"].value = 4
        >>> explorer
        PatchExplorer(patch_size=4, tokens=5, weights=100, accuracy=0.98)
    """
    where = "patch_size_explorer"
    runs = load_run(RUN) if runs is None else runs
    if not isinstance(runs, dict) or "patch_sizes" not in runs:
        raise TypeError(
            f"{where} expected runs as a dict with 'patch_sizes' and "
            f"'test_accuracy', got {type(runs).__name__}"
        )
    check_choice(where, "patch_size", patch_size, tuple(runs["patch_sizes"]))
    images, _ = load_digits()
    index = check_int(where, "index", index, minimum=0)
    if index >= len(images):
        raise ValueError(f"{where} expected index below {len(images)}, got {index}")
    return PatchExplorer(images[index, 0], runs, patch_size)
