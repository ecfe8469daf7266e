"""How a classifier did: a confusion matrix and a grid of images with predictions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nnlib.scratch import functional as F
from nnlib.viz.style import FONT_SIZE, WRONG, image_grid, target_axes, to_numpy


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None
) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class i predicted as class j.

    The formula is ``nnlib.scratch.functional``'s; this one also takes torch
    tensors.

    Args:
        y_true: the true labels, integers in [0, K).
        y_pred: the predicted labels, integers in [0, K).
        n_classes: K; ``None`` takes the largest label + 1. Default: ``None``.

    Shape:
        - y_true, y_pred: (N,)
        - Output: (K, K) int64

    Example:
        >>> import torch
        >>> from nnlib.viz import confusion_matrix
        >>> confusion_matrix(torch.tensor([0, 1, 1]), np.array([0, 1, 0]))
        array([[1, 0],
               [1, 1]])
    """
    return F.confusion_matrix(to_numpy(y_true), to_numpy(y_pred), n_classes)


def plot_confusion_matrix(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    class_names: Sequence[str] | None = None,
    normalize: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The confusion matrix as a heat map with the count (or row share) in every cell.

    Rows are true classes, columns predicted ones.

    Args:
        y_true: the true labels (N,).
        y_pred: the predicted labels (N,).
        class_names: one name per class, which also fixes K; ``None`` numbers
            the classes. Default: ``None``.
        normalize: show each row's shares instead of counts. Default: ``False``.
        ax: an Axes to draw into; ``None`` makes a new figure. Default: ``None``.
        title: the title; ``None`` gives the accuracy. Default: ``None``.

    Example:
        >>> from nnlib.viz import plot_confusion_matrix
        >>> fig = plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
        >>> fig.axes[0].get_title(), fig.axes[0].get_xlabel()
        ('accuracy 75.0 %', 'predicted')
    """
    matrix = confusion_matrix(
        y_true, y_pred, None if class_names is None else len(class_names)
    )
    K = len(matrix)
    names = [str(k) for k in range(K)] if class_names is None else list(class_names)
    shown = (
        matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        if normalize
        else matrix
    )
    size = min(1.6 + 0.32 * K, 5.5)
    fig, ax = target_axes(ax, figsize=(size, size), grid=False)
    ax.imshow(shown, cmap="Blues", vmin=0)
    cutoff = shown.max() / 2
    for i in range(K):
        for j in range(K):
            text = f"{shown[i, j]:.2f}" if normalize else str(matrix[i, j])
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=FONT_SIZE - (2 if K > 10 else 1),
                color="white"
                if shown[i, j] > cutoff
                else (
                    "black" if matrix[i, j] else "0.75"  # zeros fade into the back
                ),
            )
    ax.set_xticks(range(K), names, rotation=45 if max(map(len, names)) > 2 else 0)
    ax.set_yticks(range(K), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    accuracy = np.trace(matrix) / max(matrix.sum(), 1)
    ax.set_title(title if title is not None else f"accuracy {100 * accuracy:.1f} %")
    return fig


def _as_images(images: np.ndarray) -> np.ndarray:
    """(N, H, W), (N, 1, H, W), (N, 3, H, W) or (N, H, W, 3) -> (N, H, W[, 3])."""
    images = to_numpy(images)
    if images.ndim == 2:  # (N, H*W) with a square image, e.g. flattened digits
        side = int(round(np.sqrt(images.shape[1])))
        if side * side == images.shape[1]:
            return images.reshape(len(images), side, side)  # (N, 64) -> (N, 8, 8)
    if images.ndim == 3:
        return images
    if images.ndim == 4 and images.shape[1] == 1:
        return images[:, 0]  # (N, 1, H, W) -> (N, H, W)
    if images.ndim == 4 and images.shape[1] == 3:
        return images.transpose(0, 2, 3, 1)  # (N, 3, H, W) -> (N, H, W, 3)
    if images.ndim == 4 and images.shape[3] in (3, 4):
        return images
    raise ValueError(
        "plot_image_grid expected images (N, H, W), (N, 1, H, W), (N, 3, H, W), "
        f"(N, H, W, 3) or (N, H*W) with square images, got {images.shape}"
    )


def plot_image_grid(
    images: np.ndarray,
    labels: np.ndarray | None = None,
    predictions: np.ndarray | None = None,
    *,
    class_names: Sequence[str] | None = None,
    ncols: int = 10,
    max_images: int = 60,
    cmap: str = "gray_r",
    title: str | None = None,
) -> Figure:
    """Images in a grid, each titled with its label, or "label→prediction" when wrong.

    Wrong predictions get a red title and a red frame.

    Args:
        images: the images, a numpy array or a torch tensor.
        labels: the true labels, or ``None``. Default: ``None``.
        predictions: the predicted labels, or ``None``. Default: ``None``.
        class_names: names to show instead of the label numbers.
            Default: ``None``.
        ncols: images per row. Default: ``10``.
        max_images: how many of the first images are shown. Default: ``60``.
        cmap: the matplotlib colour map of grey images. Default: ``"gray_r"``.
        title: the title; ``None`` for none. Default: ``None``.

    Shape:
        - images: (N, H, W), (N, 1, H, W), (N, 3, H, W), (N, H, W, 3), or (N, H*W)
          for square images
        - labels, predictions: (N,)

    Example:
        >>> from nnlib.viz import plot_image_grid
        >>> images = np.zeros((3, 8, 8))
        >>> fig = plot_image_grid(images, labels=[1, 2, 3], predictions=[1, 2, 0])
        >>> [ax.get_title() for ax in fig.axes]
        ['1', '2', '3→0']
    """
    images = _as_images(images)[:max_images]
    n = len(images)
    if n == 0:
        raise ValueError(
            f"plot_image_grid expected at least one image, got {images.shape}"
        )
    labels = None if labels is None else to_numpy(labels).ravel()[:n]
    predictions = None if predictions is None else to_numpy(predictions).ravel()[:n]

    def name(k: int) -> str:
        return str(class_names[int(k)]) if class_names is not None else str(int(k))

    fig, axes = image_grid(n, ncols, panel=0.9, extra_height=0.4 if title else 0.0)
    for i, ax in enumerate(axes):
        ax.imshow(images[i], cmap=cmap, interpolation="nearest")
        wrong = (
            labels is not None
            and predictions is not None
            and labels[i] != predictions[i]
        )
        if labels is not None and predictions is not None:
            text = (
                f"{name(labels[i])}→{name(predictions[i])}"
                if wrong
                else name(labels[i])
            )
        elif labels is not None:
            text = name(labels[i])
        elif predictions is not None:
            text = name(predictions[i])
        else:
            text = ""
        ax.set_title(
            text, fontsize=FONT_SIZE - 1, color=WRONG if wrong else "black", pad=2
        )
        for spine in ax.spines.values():
            spine.set_color(WRONG if wrong else "0.8")
            spine.set_linewidth(2.0 if wrong else 0.5)
    if title:
        fig.suptitle(title, fontsize=FONT_SIZE + 1)
    return fig
