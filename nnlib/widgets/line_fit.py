"""Chapter 1's explorer: move a and b, watch the line, the residuals and the loss."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from nnlib.data.synthetic import make_line
from nnlib.viz.regression import (
    line_fit_title,
    line_mse,
    plot_line_fit,
    plot_loss_surface,
    residual_segments,
)
from nnlib.viz.style import new_figure
from nnlib.widgets.base import Explorer, slider


def line_gradient(x: np.ndarray, y: np.ndarray, a: float, b: float) -> np.ndarray:
    """Gradient of the MSE of $\\hat y = a x + b$ with respect to (a, b).

    $\\partial L/\\partial a = \\frac{2}{n}\\sum (a x + b - y) x$ and
    $\\partial L/\\partial b = \\frac{2}{n}\\sum (a x + b - y)$.

    Args:
        x: the inputs (n,).
        y: the targets (n,).
        a: the slope.
        b: the intercept.

    Shape:
        - x, y: (n,)
        - Output: (2,), (dL/da, dL/db)

    Example:
        >>> from nnlib.widgets import line_gradient
        >>> x, y = np.array([0.0, 1.0]), np.array([1.0, 3.0])
        >>> line_gradient(x, y, a=2.0, b=1.0)  # the exact fit: no slope
        array([0., 0.])
        >>> line_gradient(x, y, a=0.0, b=0.0)
        array([-3., -4.])
    """
    residual = a * x + b - y  # (n,)
    return np.array([2 * np.mean(residual * x), 2 * np.mean(residual)])


def labelled_artists(ax: Axes) -> dict[str, Artist]:
    """The lines and collections of ``ax`` by label, to update them in place."""
    return {artist.get_label(): artist for artist in [*ax.lines, *ax.collections]}


def move_path(artists: dict[str, Artist], path: np.ndarray) -> None:
    """Move the descent path drawn by ``plot_loss_surface``: line, start and end."""
    artists["descent path"].set_data(path[:, 0], path[:, 1])
    artists["start"].set_data(path[:1, 0], path[:1, 1])
    artists["end"].set_data(path[-1:, 0], path[-1:, 1])


def slider_range(best: float, start: float) -> tuple[float, float]:
    """A slider range that holds the best value and the start with room to spare."""
    half = max(2.0, 1.5 * abs(best - start), abs(best) + 1.0)
    centre = round((best + start) / 2, 1)
    return round(centre - half, 1), round(centre + half, 1)


class LineFitExplorer(Explorer):
    """Sliders for a and b move the line $y = a x + b$; a button takes a gradient step.

    Build one with ``line_fit_explorer``. Controls: ``a``, ``b`` (sliders), ``step``
    (one gradient-descent step of size ``lr``), ``reset`` (back to the start).
    State: ``a``, ``b``, ``loss`` (MSE), ``grad`` (dL/da, dL/db), ``line`` (x and y
    of the drawn line), ``path`` (the (a, b) points visited since the sliders were
    last moved by hand), ``steps``.

    Args:
        x: the inputs (n,).
        y: the targets (n,).
        a: the slope at the start.
        b: the intercept at the start.
        lr: the learning rate of the gradient-step button.

    Example:
        >>> from nnlib.widgets import LineFitExplorer, Explorer
        >>> issubclass(LineFitExplorer, Explorer), LineFitExplorer.summary_keys
        (True, ('a', 'b', 'loss'))
    """

    summary_keys = ("a", "b", "loss")

    def __init__(
        self, x: np.ndarray, y: np.ndarray, a: float, b: float, lr: float
    ) -> None:
        self.x, self.y, self.lr = np.asarray(x, float), np.asarray(y, float), lr
        self.start = (float(a), float(b))
        a_best, b_best = np.polyfit(self.x, self.y, 1)
        self.a_range = slider_range(a_best, a)
        self.b_range = slider_range(b_best, b)
        self.path: list[tuple[float, float]] = [self.start]
        self.artists: dict[str, Artist] = {}
        self._stepping = False
        self._moved_by_hand = False
        # per slider, the rounded values the browser may still send back
        self._echoes: dict[str, list[float]] = {}
        style = {"description_width": "1.5em"}
        controls: dict[str, widgets.Widget] = {
            "a": slider(
                "line_fit_explorer",
                widgets.FloatSlider,
                value=a,
                min=self.a_range[0],
                max=self.a_range[1],
                step=0.01,
                description="a",
                style=style,
                readout_format=".2f",
            ),
            "b": slider(
                "line_fit_explorer",
                widgets.FloatSlider,
                value=b,
                min=self.b_range[0],
                max=self.b_range[1],
                step=0.01,
                description="b",
                style=style,
                readout_format=".2f",
            ),
            "step": widgets.Button(
                description=f"gradient step (lr={lr:g})",
                layout=widgets.Layout(width="auto"),
            ),
            "reset": widgets.Button(
                description="reset", layout=widgets.Layout(width="auto")
            ),
        }
        controls["step"].on_click(self._on_step)
        controls["reset"].on_click(self._on_reset)
        figure, (self.ax_fit, self.ax_loss) = new_figure(1, 2, figsize=(8.0, 3.3))
        super().__init__(controls, figure)

    def gradient_step(self) -> None:
        """Move (a, b) one step against the gradient: $(a, b) \\leftarrow (a, b) -
        \\text{lr}\\,\\nabla L$."""
        a, b = self.state["a"], self.state["b"]
        da, db = line_gradient(self.x, self.y, a, b)
        new = (a - self.lr * da, b - self.lr * db)
        for name, value in zip("ab", new, strict=True):
            slider = self.controls[name]
            on_grid = (
                slider.min + round((value - slider.min) / slider.step) * slider.step
            )
            self._echoes.setdefault(name, []).append(on_grid)
        self._stepping = True
        try:
            with self.hold():
                self.controls["a"].value = new[0]
                self.controls["b"].value = new[1]
                self.path.append((self.controls["a"].value, self.controls["b"].value))
        finally:
            self._stepping = False

    def _on_step(self, _button: widgets.Button) -> None:
        self.gradient_step()

    def _on_reset(self, _button: widgets.Button) -> None:
        self.reset()

    def reset(self) -> None:
        """Return to the starting (a, b) and forget the path."""
        with self.hold():
            self.controls["a"].value, self.controls["b"].value = self.start
            self.path = [self.start]

    def _on_change(self, change: dict[str, Any]) -> None:
        name = "a" if change["owner"] is self.controls["a"] else "b"
        if not self._stepping and not self._is_echo(name, change["new"]):
            self._moved_by_hand = True
        super()._on_change(change)

    def _is_echo(self, name: str, value: float) -> bool:
        """Whether ``value`` is a slider sending back a value a gradient step set.

        In the browser a slider holds only points of its grid (min + k * step): after
        a gradient step it rounds the new value and sends that back, sometimes after
        the next step (two quick clicks). Such an echo is no move by hand.
        """
        pending = self._echoes.get(name, [])
        for i, echo in enumerate(pending):
            if abs(value - echo) <= 1e-6 * self.controls[name].step:
                del pending[: i + 1]  # older ones will not come any more
                return True
        return False

    def compute(self) -> dict[str, Any]:
        a, b = self.controls["a"].value, self.controls["b"].value
        if self._moved_by_hand:
            self.path = [(a, b)]  # a new path starts here
            self._moved_by_hand = False
            self._echoes.clear()
        line_x = np.array([self.x.min(), self.x.max()])
        return {
            "a": a,
            "b": b,
            "loss": line_mse(self.x, self.y, a, b),
            "grad": line_gradient(self.x, self.y, a, b),
            "line": (line_x, a * line_x + b),
            "path": np.array(self.path),
            "steps": len(self.path) - 1,
        }

    def draw(self) -> None:
        s = self.state
        if not self.artists:  # first time: the full figures from nnlib.viz
            plot_line_fit(self.x, self.y, s["a"], s["b"], ax=self.ax_fit)
            span = np.ptp(self.y)
            self.ax_fit.set_ylim(self.y.min() - span / 4, self.y.max() + span / 4)
            plot_loss_surface(
                self.x,
                self.y,
                s["path"],
                a_range=self.a_range,
                b_range=self.b_range,
                resolution=60,
                ax=self.ax_loss,
                title=f"MSE over (a, b): {s['steps']} steps",
            )
            self.artists = labelled_artists(self.ax_fit) | labelled_artists(
                self.ax_loss
            )
            return
        # afterwards move only what changed: redrawing it all would halve the frame rate
        a, b = s["a"], s["b"]
        self.artists["y = a x + b"].set_data(*s["line"])
        self.artists["residuals"].set_segments(residual_segments(self.x, self.y, a, b))
        self.ax_fit.set_title(line_fit_title(a, b, s["loss"]))
        move_path(self.artists, s["path"])
        self.ax_loss.set_title(f"MSE over (a, b): {s['steps']} steps")

    def readout_html(self) -> str:
        s = self.state
        da, db = s["grad"]
        return (
            f"a = {s['a']:.3f}, b = {s['b']:.3f}, <b>MSE = {s['loss']:.4f}</b>, "
            f"gradient (dL/da, dL/db) = ({da:.3f}, {db:.3f})"
        )


def line_fit_explorer(
    x: np.ndarray | None = None,
    y: np.ndarray | None = None,
    *,
    a: float = 0.0,
    b: float = 0.0,
    lr: float = 0.1,
) -> LineFitExplorer:
    """An explorer for fitting $y = a x + b$ by hand and by gradient descent.

    Display the returned object (last line of a cell); drive it from Python through
    ``.controls["a"].value = ...`` and ``.gradient_step()``, read ``.state``.

    Args:
        x: the inputs (n,); ``None`` (with ``y``) uses
            ``make_line(50, a=2, b=1, noise=0.5, seed=0)``. Default: ``None``.
        y: the targets (n,). Default: ``None``.
        a: the slope at the start. Default: ``0.0``.
        b: the intercept at the start. Default: ``0.0``.
        lr: the learning rate of the gradient-step button. Default: ``0.1``.

    Returns:
        A ``LineFitExplorer``.

    Example:
        >>> from nnlib.widgets import line_fit_explorer
        >>> x, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0])
        >>> explorer = line_fit_explorer(x, y, lr=0.1)
        >>> explorer
        LineFitExplorer(a=0, b=0, loss=11.67)
        >>> explorer.gradient_step()
        >>> explorer, explorer.state["steps"]
        (LineFitExplorer(a=0.8667, b=0.6, loss=3.207), 1)
    """
    if x is None or y is None:
        x, y = make_line(50, a=2.0, b=1.0, noise=0.5, seed=0)
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    if x.shape != y.shape or len(x) < 2:
        raise ValueError(
            f"line_fit_explorer expected x and y of one shape (n >= 2), "
            f"got {x.shape} and {y.shape}"
        )
    return LineFitExplorer(x, y, a, b, lr)
