"""Width and depth against the decision boundary: what a small MLP can draw (chapter 3).

Two sliders pick the hidden width and the number of hidden layers of an MLP
2 -> width -> ... -> width -> n_classes (ReLU between the ``Dense`` layers). Each
setting is trained once, on first view, by full-batch Adam on the cross-entropy
(``train_mlp``), and kept; the figure shows its decision boundary on the data, the
readout its training accuracy and parameter count.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from nnlib._checks import check_choice, check_int, check_number, check_seed
from nnlib.scratch import Adam, CrossEntropyLoss, Dense, ReLU, Sequential
from nnlib.scratch.functional import accuracy
from nnlib.viz.classification import plot_decision_boundary
from nnlib.viz.style import new_figure
from nnlib.widgets.base import Explorer, slider

WIDTHS = (1, 2, 4, 8, 16, 32)  # the hidden widths the width slider offers
MAX_DEPTH = 4  # the most hidden layers the depth slider offers


def train_mlp(
    X: np.ndarray,
    y: np.ndarray,
    width: int,
    depth: int,
    *,
    steps: int = 300,
    lr: float = 0.02,
    seed: int = 0,
) -> tuple[Sequential, list[float]]:
    """Build an MLP with ``depth`` hidden ReLU layers of ``width`` units and train it.

    Full-batch ``Adam`` on ``CrossEntropyLoss``, weights from
    ``np.random.default_rng(seed)``: the same call gives the same network.

    Args:
        X: the points.
        y: their integer labels, 0 .. K - 1.
        width: units per hidden layer.
        depth: the number of hidden layers.
        steps: the number of Adam steps. Default: ``300``.
        lr: Adam's learning rate. Default: ``0.02``.
        seed: the seed of the weights. Default: ``0``.

    Shape:
        - X: (N, 2)
        - y: (N,)

    Returns:
        ``(model, losses)``: the trained ``Sequential`` and the loss before each step.

    Example:
        >>> from nnlib.data import make_xor
        >>> from nnlib.widgets import train_mlp
        >>> X, y = make_xor(100, seed=0)
        >>> model, losses = train_mlp(X, y, 8, 2, steps=50)
        >>> model(X).shape, len(losses), bool(losses[-1] < losses[0])
        ((100, 2), 50, True)
    """
    width = check_int("train_mlp", "width", width)
    depth = check_int("train_mlp", "depth", depth)
    steps = check_int("train_mlp", "steps", steps)
    lr = check_number("train_mlp", "lr", lr, low=0.0, low_open=True)
    rng = np.random.default_rng(check_seed("train_mlp", seed))
    sizes = [X.shape[1]] + [width] * depth + [int(y.max()) + 1]
    layers: list[Any] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [Dense(n_in, n_out, rng=rng), ReLU()]
    model = Sequential(*layers[:-1])  # no ReLU after the output layer
    loss_fn, opt = CrossEntropyLoss(), Adam(model, lr=lr)
    losses = []
    for _ in range(steps):
        losses.append(loss_fn(model(X), y))  # (N, K) logits
        model.backward(loss_fn.backward())
        opt.step()
    return model, losses


class CapacityExplorer(Explorer):
    """Sliders for hidden width and depth; the trained network's boundary follows.

    Build one with ``capacity_explorer``. State: ``width``, ``depth``, ``params``
    (the parameter count), ``accuracy`` (on the training points), ``loss`` (the
    last training loss), ``model`` (the trained ``Sequential``). Each setting is
    trained once and kept in ``models``.

    Args:
        X: the points (N, 2).
        y: their integer labels (N,).
        width: the hidden width at the start, one of ``WIDTHS``.
        depth: the number of hidden layers at the start, 1 .. ``MAX_DEPTH``.
        steps: the Adam steps per network.
        resolution: grid points per axis of the boundary image.

    Example:
        >>> from nnlib.widgets import CapacityExplorer
        >>> CapacityExplorer.summary_keys  # the state its text line shows
        ('width', 'depth', 'params', 'accuracy')
    """

    summary_keys = ("width", "depth", "params", "accuracy")

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        width: int,
        depth: int,
        steps: int,
        resolution: int,
    ) -> None:
        self.X, self.y, self.steps, self.resolution = X, y, steps, resolution
        self.models: dict[tuple[int, int], tuple[Sequential, list[float]]] = {}
        controls: dict[str, widgets.Widget] = {
            "width": widgets.SelectionSlider(
                options=list(WIDTHS), value=width, description="width"
            ),
            "depth": slider(
                "capacity_explorer",
                widgets.IntSlider,
                value=depth,
                min=1,
                max=MAX_DEPTH,
                description="layers",
            ),
        }
        figure, self.ax = new_figure(figsize=(4.2, 3.6), grid=False)
        super().__init__(controls, figure)

    def compute(self) -> dict[str, Any]:
        width = int(self.controls["width"].value)
        depth = int(self.controls["depth"].value)
        if (width, depth) not in self.models:  # train each setting once
            self.models[width, depth] = train_mlp(
                self.X, self.y, width, depth, steps=self.steps
            )
        model, losses = self.models[width, depth]
        return {
            "width": width,
            "depth": depth,
            "params": sum(p.size for p in model.params.values()),
            "accuracy": accuracy(model(self.X), self.y),
            "loss": float(losses[-1]),
            "model": model,
        }

    def draw(self) -> None:
        s = self.state
        self.ax.clear()
        plot_decision_boundary(
            s["model"],
            self.X,
            self.y,
            ax=self.ax,
            resolution=self.resolution,
            title=f"{s['depth']} x {s['width']} hidden: {s['accuracy']:.0%}",
        )
        self.ax.get_legend().remove()

    def readout_html(self) -> str:
        s = self.state
        return (
            f"{s['depth']} hidden layer(s) of {s['width']} units, {s['params']} "
            f"parameters: <b>training accuracy {s['accuracy']:.1%}</b> "
            f"(loss {s['loss']:.4f} after {self.steps} steps)"
        )


def capacity_explorer(
    X: np.ndarray,
    y: np.ndarray,
    *,
    width: int = 2,
    depth: int = 1,
    steps: int = 300,
    resolution: int = 60,
) -> CapacityExplorer:
    """An explorer of the decision boundary of an MLP as its width and depth change.

    Drive it with ``.controls["width"].value = 32`` (one of ``WIDTHS``) or
    ``.controls["depth"].value = 3``; read ``.state``. A new setting trains a
    network (a fraction of a second for these sizes), a seen one is reused.

    Args:
        X: the points (N, 2), e.g. ``make_spirals(200, turns=1.5, seed=0)``.
        y: their integer labels (N,).
        width: the hidden width at the start, one of ``WIDTHS``. Default: ``2``.
        depth: the hidden layers at the start, 1 .. 4. Default: ``1``.
        steps: the Adam steps each network trains for. Default: ``300``.
        resolution: grid points per axis of the boundary image. Default: ``60``.

    Returns:
        A ``CapacityExplorer``.

    Example:
        >>> from nnlib.data import make_xor
        >>> from nnlib.widgets import capacity_explorer
        >>> X, y = make_xor(100, seed=0)
        >>> explorer = capacity_explorer(X, y, width=1, steps=100, resolution=20)
        >>> explorer.state["params"]  # 2*1 + 1, then 1*2 + 2
        7
        >>> explorer.controls["width"].value = 8
        >>> explorer.state["params"], bool(explorer.state["accuracy"] > 0.9)
        (42, True)
    """
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),):
        raise ValueError(
            f"capacity_explorer expected X (N, 2) and y (N,), got {X.shape} and "
            f"{y.shape}"
        )
    check_choice("capacity_explorer", "width", width, WIDTHS)
    steps = check_int("capacity_explorer", "steps", steps)
    resolution = check_int("capacity_explorer", "resolution", resolution, minimum=2)
    return CapacityExplorer(X, y, width, depth, steps, resolution)
