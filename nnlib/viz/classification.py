"""Decision boundaries of 2-D classifiers: numpy models, torch modules or functions."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from nnlib.viz.style import COLORS, FONT_SIZE, target_axes, to_numpy


def _is_torch_module(model: Any) -> bool:
    # a torch module can only exist if torch is already imported: never import it here
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)


def model_outputs(model: Any, X: np.ndarray) -> np.ndarray:
    """The raw outputs of ``model`` on the rows of ``X``, as a numpy array.

    Args:
        model: a torch ``nn.Module`` (run in eval mode under ``no_grad`` on its own
            device, then restored to its previous mode), an object with
            ``.forward`` (an ``nnlib.scratch`` layer or ``Sequential``) or any
            callable taking an (N, 2) array.
        X: the points.

    Shape:
        - X: (N, 2)
        - Output: what the model gives, e.g. (N,), (N, 1) or (N, K)

    Example:
        >>> from nnlib.viz import model_outputs
        >>> model_outputs(lambda X: X.sum(axis=1), np.ones((3, 2)))
        array([2., 2., 2.])
    """
    if _is_torch_module(model):
        import torch  # already imported by whoever built the model

        param = next(model.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
        dtype = param.dtype if param is not None else torch.float32
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                out = model(torch.as_tensor(X, dtype=dtype, device=device))
        finally:
            model.train(was_training)
        return out.detach().cpu().numpy()
    if hasattr(model, "forward"):
        return to_numpy(model.forward(X))
    if callable(model):
        return to_numpy(model(X))
    raise TypeError(
        "model_outputs expected a model that is callable or has .forward, "
        f"got {type(model).__name__}"
    )


def predict_classes(
    outputs: np.ndarray, *, threshold: float | None = None
) -> np.ndarray:
    """Class indices from model outputs.

    (N, K) with K >= 2: argmax. (N,) or (N, 1): one score per row; class 1 when it
    exceeds ``threshold``.

    Args:
        outputs: the scores of a model.
        threshold: the score above which a row is class 1; ``None`` takes 0.5 if
            every score lies in [0, 1] (probabilities) and 0 otherwise (logits).
            Default: ``None``.

    Shape:
        - outputs: (N, K), (N,) or (N, 1)
        - Output: (N,) int64

    Example:
        >>> from nnlib.viz import predict_classes
        >>> predict_classes(np.array([[0.1, 0.9], [0.8, 0.2]]))
        array([1, 0])
        >>> predict_classes(np.array([0.2, 0.7]))  # probabilities: threshold 0.5
        array([0, 1])
    """
    outputs = np.asarray(outputs)
    if outputs.ndim == 2 and outputs.shape[1] >= 2:
        return outputs.argmax(axis=1)
    if outputs.ndim == 2 and outputs.shape[1] == 1:
        outputs = outputs[:, 0]  # (N, 1) -> (N,)
    if outputs.ndim != 1:
        raise ValueError(
            f"predict_classes expected outputs (N,), (N, 1) or (N, K), "
            f"got {outputs.shape}"
        )
    if threshold is None:
        threshold = 0.5 if outputs.min() >= 0 and outputs.max() <= 1 else 0.0
    return (outputs > threshold).astype(np.int64)


def plot_decision_boundary(
    model: Any | Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray | None = None,
    *,
    resolution: int = 200,
    margin: float = 0.5,
    threshold: float | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The class a 2-D classifier predicts everywhere around the data, and the data.

    Draws one image (the predicted class on a ``resolution`` x ``resolution`` grid
    ``margin`` beyond the data) and one scatter per class.

    Args:
        model: a model as :func:`model_outputs` takes it.
        X: the points.
        y: their integer labels, or ``None`` to draw the points in grey.
            Default: ``None``.
        resolution: grid points along each axis. Default: ``200``.
        margin: how far the grid reaches beyond the data. Default: ``0.5``.
        threshold: as in :func:`predict_classes`. Default: ``None``.
        ax: an Axes to draw into; ``None`` makes a new figure. Default: ``None``.
        title: the title; ``None`` gives the accuracy on ``(X, y)``.
            Default: ``None``.

    Shape:
        - X: (N, 2)
        - y: (N,) integer labels

    Example:
        >>> from nnlib.data import make_blobs
        >>> from nnlib.viz import plot_decision_boundary
        >>> X, y = make_blobs(60, centers=2)  # class 1 sits below y = 0
        >>> fig = plot_decision_boundary(lambda X: X[:, 1] < 0, X, y, resolution=20)
        >>> fig.axes[0].get_title(), fig.axes[0].get_xlabel()
        ('accuracy 100.0 %', '$x_1$')
    """
    X = to_numpy(X).astype(np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary expected X (N, 2), got {X.shape}")
    (x0, y0), (x1, y1) = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.meshgrid(
        np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    )
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (R*R, 2)
    scores = model_outputs(model, grid)
    if threshold is None and (scores.ndim == 1 or scores.shape[1] == 1):
        # decide probabilities vs logits once, on the grid, and use it for the data too
        threshold = 0.5 if scores.min() >= 0 and scores.max() <= 1 else 0.0
    regions = predict_classes(scores, threshold=threshold)
    regions = regions.reshape(resolution, resolution)  # (R*R,) -> (R, R)

    labels = None if y is None else to_numpy(y).astype(np.int64).ravel()
    n_classes = int(max(regions.max(), -1 if labels is None else labels.max())) + 1
    cmap = ListedColormap([COLORS[k % len(COLORS)] for k in range(n_classes)])
    fig, ax = target_axes(ax, grid=False)
    ax.imshow(
        regions,
        origin="lower",
        extent=(x0, x1, y0, y1),
        cmap=cmap,
        vmin=-0.5,
        vmax=n_classes - 0.5,
        alpha=0.25,
        aspect="auto",
        interpolation="nearest",
    )
    if labels is None:
        ax.scatter(X[:, 0], X[:, 1], s=12, color="0.2")
    else:
        for k in range(n_classes):
            mask = labels == k
            if mask.any():
                ax.scatter(
                    X[mask, 0],
                    X[mask, 1],
                    s=12,
                    color=cmap(k),
                    edgecolors="white",
                    linewidths=0.3,
                    label=f"class {k}",
                )
        ax.legend(fontsize=FONT_SIZE - 1, loc="upper right")
        if title is None:
            predicted = predict_classes(model_outputs(model, X), threshold=threshold)
            accuracy = np.mean(predicted == labels)
            title = f"accuracy {100 * accuracy:.1f} %"
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return fig
