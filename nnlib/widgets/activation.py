"""Pick an activation and a point x: see f(x), its slope there, where it saturates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from nnlib._checks import check_choice
from nnlib.viz.activations import ACTIVATIONS
from nnlib.viz.style import COLORS, FONT_SIZE, new_figure
from nnlib.widgets.base import Explorer, slider

X_RANGE = (-5.0, 5.0)


class ActivationExplorer(Explorer):
    """A dropdown of activations and a slider for x; the tangent at x is drawn.

    Build one with ``activation_explorer``. State: ``name``, ``x``, ``value`` f(x),
    ``slope`` f'(x) (what backprop multiplies by), ``curve`` (xs, f(xs), f'(xs)) as
    plotted.

    Args:
        names: the activations in the menu, from ``nnlib.viz.ACTIVATIONS``.
        name: the activation shown first, one of ``names``.
        x: the point x at the start, in [-5, 5].

    Example:
        >>> from nnlib.widgets import ActivationExplorer, Explorer
        >>> issubclass(ActivationExplorer, Explorer), ActivationExplorer.summary_keys
        (True, ('name', 'x', 'value', 'slope'))
    """

    summary_keys = ("name", "x", "value", "slope")

    def __init__(self, names: Sequence[str], name: str, x: float) -> None:
        self.xs = np.linspace(*X_RANGE, 401)
        controls: dict[str, widgets.Widget] = {
            "name": widgets.Dropdown(
                options=list(names), value=name, description="activation"
            ),
            "x": slider(
                "activation_explorer",
                widgets.FloatSlider,
                value=x,
                min=X_RANGE[0],
                max=X_RANGE[1],
                step=0.05,
                description="x",
                readout_format=".2f",
            ),
        }
        figure, self.ax = new_figure(figsize=(4.8, 3.3))
        super().__init__(controls, figure)

    def compute(self) -> dict[str, Any]:
        name, x = self.controls["name"].value, float(self.controls["x"].value)
        f, df = ACTIVATIONS[name]
        point = np.array([x])
        return {
            "name": name,
            "x": x,
            "value": float(f(point)[0]),
            "slope": float(df(point)[0]),
            "curve": (self.xs, f(self.xs), df(self.xs)),
        }

    def draw(self) -> None:
        s, ax = self.state, self.ax
        ax.clear()
        xs, values, slopes = s["curve"]
        ax.axhline(0, color="0.6", linewidth=0.6)
        ax.axvline(0, color="0.6", linewidth=0.6)
        ax.plot(xs, values, color=COLORS[0], linewidth=2, label=f"{s['name']}(x)")
        ax.plot(xs, slopes, color=COLORS[3], linestyle="--", label="derivative")
        near = np.abs(xs - s["x"]) <= 1.5  # a short tangent segment around x
        ax.plot(
            xs[near],
            s["value"] + s["slope"] * (xs[near] - s["x"]),
            color=COLORS[2],
            linewidth=1.5,
            label="tangent",
        )
        ax.plot([s["x"]], [s["value"]], "o", color=COLORS[2], markersize=7)
        low, high = min(values.min(), slopes.min()), max(values.max(), slopes.max())
        pad = 0.1 * (high - low)
        ax.set_ylim(low - pad, high + pad)
        ax.set_xlabel("x")
        ax.set_title(
            f"{s['name']}: f(x) = {s['value']:.3f}, f'(x) = {s['slope']:.3f}",
            fontsize=FONT_SIZE + 1,
        )
        ax.legend(fontsize=FONT_SIZE - 1, loc="upper left")
        ax.grid(True, color="0.85", linewidth=0.6)

    def readout_html(self) -> str:
        s = self.state
        note = (
            " (saturated: almost no gradient flows back)"
            if abs(s["slope"]) < 0.05
            else ""
        )
        return (
            f"{s['name']}({s['x']:.2f}) = {s['value']:.4f}, "
            f"<b>slope = {s['slope']:.4f}</b>{note}"
        )


def activation_explorer(
    names: Sequence[str] = ("sigmoid", "tanh", "relu", "leaky_relu"),
    *,
    name: str | None = None,
    x: float = 1.0,
) -> ActivationExplorer:
    """An explorer of activation functions and their derivatives at a chosen point.

    Drive it with ``.controls["name"].value = "tanh"`` and
    ``.controls["x"].value = 2.0``.

    Args:
        names: the activations in the menu, from ``nnlib.viz.ACTIVATIONS``.
            Default: ``("sigmoid", "tanh", "relu", "leaky_relu")``.
        name: the activation shown first; ``None`` is the first of ``names``.
            Default: ``None``.
        x: the point x at the start, in [-5, 5]. Default: ``1.0``.

    Returns:
        An ``ActivationExplorer``.

    Example:
        >>> from nnlib.widgets import activation_explorer
        >>> explorer = activation_explorer(["sigmoid", "relu"], name="relu", x=-1.0)
        >>> explorer.state["value"], explorer.state["slope"]  # no gradient below 0
        (0.0, 0.0)
        >>> explorer
        ActivationExplorer(name='relu', x=-1, value=0, slope=0)
    """
    names = list(names)
    unknown = [n for n in names if n not in ACTIVATIONS]
    if unknown or not names:
        raise ValueError(
            f"activation_explorer expected names from {sorted(ACTIVATIONS)}, "
            f"got {names}"
        )
    name = names[0] if name is None else name
    check_choice("activation_explorer", "name", name, names)
    return ActivationExplorer(names, name, x)
