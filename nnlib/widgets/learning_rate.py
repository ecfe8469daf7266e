"""How the learning rate shapes gradient descent: crawl, converge, zigzag, diverge."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist

from nnlib.data.synthetic import make_line
from nnlib.viz.regression import plot_loss_surface
from nnlib.viz.style import COLORS, FONT_SIZE, new_figure
from nnlib.widgets.base import Explorer, slider
from nnlib.widgets.line_fit import (
    labelled_artists,
    line_gradient,
    move_path,
    slider_range,
)

DIVERGED = 1e6  # stop a run once its loss passes this: it has clearly blown up


def descent_path(
    x: np.ndarray, y: np.ndarray, start: tuple[float, float], lr: float, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Plain gradient descent on the MSE of $y = a x + b$ from ``start``.

    Stops early when the loss exceeds ``DIVERGED`` (1e6).

    Args:
        x: the inputs (n,).
        y: the targets (n,).
        start: the first (a, b).
        lr: the learning rate.
        steps: the most steps to take.

    Shape:
        - path: (k + 1, 2) of (a, b), k <= steps
        - losses: (k + 1,)

    Returns:
        ``(path, losses)``, starting with ``start`` and its loss.

    Example:
        >>> from nnlib.widgets import descent_path
        >>> x, y = np.array([0.0, 1.0]), np.array([1.0, 3.0])
        >>> path, losses = descent_path(x, y, (0.0, 0.0), lr=0.1, steps=50)
        >>> path.shape, bool(losses[-1] < losses[0])
        ((51, 2), True)
    """
    point = np.array(start, dtype=float)
    path, losses = [point.copy()], [np.mean((point[0] * x + point[1] - y) ** 2)]
    for _ in range(steps):
        point = point - lr * line_gradient(x, y, *point)
        path.append(point.copy())
        losses.append(np.mean((point[0] * x + point[1] - y) ** 2))
        if not losses[-1] < DIVERGED:
            break
    return np.array(path), np.array(losses)


def critical_lr(x: np.ndarray) -> float:
    """The learning rate above which descent on this MSE diverges: $2/\\lambda_{max}$.

    The loss is a quadratic bowl with Hessian $H = 2\\begin{pmatrix}\\overline{x^2} &
    \\bar x\\\\ \\bar x & 1\\end{pmatrix}$; a step larger than $2/\\lambda_{max}(H)$
    overshoots along the steepest direction by more than it gains.

    Args:
        x: the inputs (n,) of the line fit.

    Returns:
        The critical learning rate, a Python float.

    Example:
        >>> from nnlib.widgets import critical_lr
        >>> round(critical_lr(np.array([-1.0, 1.0])), 4)  # H = 2 I, so 2 / 2
        1.0
    """
    H = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    return float(2.0 / np.linalg.eigvalsh(H).max())


class LearningRateExplorer(Explorer):
    """A learning-rate slider (log scale) and a steps slider; the descent path follows.

    Build one with ``learning_rate_explorer``. State: ``lr``, ``steps``, ``path``
    (k + 1, 2), ``losses`` (k + 1,), ``final_loss``, ``diverged`` (the loss passed
    ``DIVERGED`` or grew from start to end), ``critical_lr`` ($2/\\lambda_{max}$
    for this data).

    Args:
        x: the inputs (n,).
        y: the targets (n,).
        start: the first (a, b).
        lr: the learning rate at the start, in [0.001, 3.16].
        steps: the number of steps at the start, in [1, 100].

    Example:
        >>> from nnlib.widgets import LearningRateExplorer
        >>> LearningRateExplorer.summary_keys  # the state its text line shows
        ('lr', 'steps', 'final_loss', 'diverged')
    """

    summary_keys = ("lr", "steps", "final_loss", "diverged")

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        start: tuple[float, float],
        lr: float,
        steps: int,
    ) -> None:
        self.x, self.y, self.start = x, y, (float(start[0]), float(start[1]))
        self.lr_max = critical_lr(x)
        self.artists: dict[str, Artist] = {}
        a_best, b_best = np.polyfit(x, y, 1)
        self.a_range = slider_range(a_best, start[0])
        self.b_range = slider_range(b_best, start[1])
        controls: dict[str, widgets.Widget] = {
            "lr": slider(
                "learning_rate_explorer",
                widgets.FloatLogSlider,
                value=lr,
                base=10,
                min=-3,
                max=0.5,
                step=0.01,
                description="lr",
                readout_format=".3g",
            ),
            "steps": slider(
                "learning_rate_explorer",
                widgets.IntSlider,
                value=steps,
                min=1,
                max=100,
                description="steps",
            ),
        }
        figure, (self.ax_path, self.ax_curve) = new_figure(1, 2, figsize=(8.0, 3.3))
        super().__init__(controls, figure)

    def compute(self) -> dict[str, Any]:
        lr, steps = float(self.controls["lr"].value), int(self.controls["steps"].value)
        path, losses = descent_path(self.x, self.y, self.start, lr, steps)
        diverged = bool(not losses[-1] < DIVERGED or losses[-1] > losses[0])
        return {
            "lr": lr,
            "steps": steps,
            "path": path,
            "losses": losses,
            "final_loss": float(losses[-1]),
            "diverged": diverged,
            "critical_lr": self.lr_max,
        }

    def draw(self) -> None:
        s = self.state
        ax = self.ax_curve
        if not self.artists:  # first time: the full loss surface from nnlib.viz
            plot_loss_surface(
                self.x,
                self.y,
                s["path"],
                a_range=self.a_range,
                b_range=self.b_range,
                resolution=60,
                ax=self.ax_path,
            )
            ax.plot([], [], ".-", color=COLORS[3], label="loss")
            ax.set_yscale("log")
            ax.set_xlabel("step")
            self.artists = labelled_artists(self.ax_path) | labelled_artists(ax)
        # then move only what changed: the path, the loss curve and the titles
        move_path(self.artists, s["path"])
        self.ax_path.set_title(f"descent path, lr = {s['lr']:.3g}")
        losses = s["losses"]
        self.artists["loss"].set_data(np.arange(len(losses)), losses)
        ax.set_xlim(0, max(s["steps"], 1))
        ax.set_ylim(losses.min() / 2, losses.max() * 2)  # log axis: a factor 2 margin
        verdict = "diverges" if s["diverged"] else "converging"
        ax.set_title(
            f"MSE per step (log scale): {verdict}",
            fontsize=FONT_SIZE + 1,
            color=COLORS[3] if s["diverged"] else "black",
        )

    def readout_html(self) -> str:
        s = self.state
        return (
            f"lr = {s['lr']:.3g} (diverges above 2/λ<sub>max</sub> = "
            f"{s['critical_lr']:.3g}), {len(s['losses']) - 1} steps, "
            f"<b>final MSE = {s['final_loss']:.4g}</b>"
        )


def learning_rate_explorer(
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    *,
    start: tuple[float, float] = (-1.0, -1.0),
    lr: float = 0.1,
    steps: int = 20,
) -> LearningRateExplorer:
    """An explorer of gradient descent on the line-fit MSE for a chosen learning rate.

    Drive it with ``.controls["lr"].value = ...``; read ``.state``.

    Args:
        x: the inputs (n,); ``None`` (with ``y``) uses
            ``make_line(50, a=2, b=1, noise=0.5, seed=0)``. Default: ``None``.
        y: the targets (n,). Default: ``None``.
        start: the initial (a, b). Default: ``(-1.0, -1.0)``.
        lr: the learning rate at the start. Default: ``0.1``.
        steps: the number of steps at the start. Default: ``20``.

    Returns:
        A ``LearningRateExplorer``.

    Example:
        >>> from nnlib.widgets import learning_rate_explorer
        >>> x, y = np.array([-1.0, 0.0, 1.0]), np.array([-1.0, 1.0, 3.0])
        >>> explorer = learning_rate_explorer(x, y, start=(0.0, 0.0), lr=1.2)
        >>> round(explorer.state["critical_lr"], 4), explorer.state["diverged"]
        (1.0, True)
        >>> explorer.state["path"].shape  # 20 steps after the start
        (21, 2)
    """
    if x is None or y is None:
        x, y = make_line(50, a=2.0, b=1.0, noise=0.5, seed=0)
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    if x.shape != y.shape or len(x) < 2:
        raise ValueError(
            f"learning_rate_explorer expected x and y of one shape (n >= 2), "
            f"got {x.shape} and {y.shape}"
        )
    return LearningRateExplorer(x, y, start, lr, steps)
