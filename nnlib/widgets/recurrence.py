"""Gradient against distance in time for a tanh RNN, as its recurrent weights grow.

A slider scales the recurrent weights $W_h$ of nnlib's numpy ``RNN``; a second one
sets the number of steps. A loss on the last hidden state only is backpropagated
through time (``RNN.backward``), and the size of the gradient reaching each earlier
input, $\\|\\partial L / \\partial x_t\\|$, is drawn against the distance $T - t$ on
a log scale, relative to its size at distance 0. A straight line there is a
geometric change; its slope is the per-step factor (below 1: the gradient vanishes,
above 1: it explodes). The curve for the weights as initialised stays in grey.
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import numpy as np

from nnlib._checks import check_int, check_number, check_seed
from nnlib.scratch import RNN
from nnlib.viz.style import COLORS, FONT_SIZE, new_figure
from nnlib.widgets.base import Explorer, slider

SCALE_RANGE = (0.25, 4.0)
STEPS_RANGE = (5, 100)
BATCH = 16  # sequences averaged into each gradient norm


def gradient_by_distance(
    scale: float,
    steps: int,
    *,
    input_size: int = 8,
    hidden_size: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """Gradient norm reaching each input of a tanh RNN, from a loss on the last state.

    The RNN starts from nnlib's Glorot weights (``np.random.default_rng(seed)``) with
    ``Wh`` multiplied by ``scale``; the inputs are standard normal from the same
    generator. The same seed gives the same weights and inputs at every scale.

    Args:
        scale: the factor on the recurrent weights ``Wh``.
        steps: T, the length of the sequences.
        input_size: D, the features per step. Default: ``8``.
        hidden_size: H, the size of the hidden state. Default: ``32``.
        seed: the seed of the weights, the inputs and the loss. Default: ``0``.

    Shape:
        - Output: (T,), entry k is $\\|\\partial L / \\partial x_{T-k}\\|$ (distance k)

    Returns:
        The norms, over the batch and the features, from distance 0 to T - 1.

    Example:
        >>> from nnlib.widgets.recurrence import gradient_by_distance
        >>> g = gradient_by_distance(1.0, 20)
        >>> g.shape, bool(g[-1] < g[0])  # the weights as initialised: it vanishes
        ((20,), True)
    """
    where = "gradient_by_distance"
    scale = check_number(where, "scale", scale, low=0.0, low_open=True)
    steps = check_int(where, "steps", steps, minimum=2)
    rng = np.random.default_rng(check_seed(where, seed))
    layer = RNN(input_size, hidden_size, rng=rng)
    layer.params["Wh"][...] *= scale
    x = rng.standard_normal((BATCH, steps, input_size))  # (N, T, D)
    hs = layer(x)  # (N, T, H)
    dy = np.zeros_like(hs)
    dy[:, -1] = rng.standard_normal(hidden_size)  # L = sum over the batch of h_T . g
    dx = layer.backward(dy)  # (N, T, D): backpropagation through time
    return np.linalg.norm(dx, axis=(0, 2))[::-1].copy()  # (T,), distance 0 first


def per_step_factor(gradient: np.ndarray) -> float:
    """The geometric mean change per step: (g[T-1] / g[0]) ** (1 / (T - 1)).

    Example:
        >>> from nnlib.widgets.recurrence import per_step_factor
        >>> per_step_factor(np.array([1.0, 0.5, 0.25]))
        0.5
    """
    return float(math.pow(gradient[-1] / gradient[0], 1 / (len(gradient) - 1)))


def regime(factor: float) -> str:
    """``"vanishes"``, ``"explodes"`` or ``"holds"`` (within 5 % of 1 per step)."""
    if factor < 0.95:
        return "vanishes"
    if factor > 1.05:
        return "explodes"
    return "holds"


class RecurrenceExplorer(Explorer):
    """A slider for the scale of ``Wh`` and one for T; the gradient against distance.

    Build one with ``recurrence_explorer``. State: ``scale``, ``steps``, ``factor``
    (per step), ``regime``, ``distance`` (0 .. T-1), ``gradient`` (relative to
    distance 0, as plotted) and ``baseline`` (the same at scale 1).

    Args:
        scale: the factor on ``Wh`` at the start, in [0.25, 4].
        steps: T at the start, in [5, 100].
        seed: the seed of the weights, inputs and loss.

    Example:
        >>> from nnlib.widgets import Explorer, RecurrenceExplorer
        >>> issubclass(RecurrenceExplorer, Explorer), RecurrenceExplorer.summary_keys
        (True, ('scale', 'steps', 'factor', 'regime'))
    """

    summary_keys = ("scale", "steps", "factor", "regime")

    def __init__(self, scale: float, steps: int, seed: int) -> None:
        self.seed = seed
        controls: dict[str, widgets.Widget] = {
            "scale": slider(
                "recurrence_explorer",
                widgets.FloatLogSlider,
                value=scale,
                base=2,
                min=math.log2(SCALE_RANGE[0]),
                max=math.log2(SCALE_RANGE[1]),
                step=0.05,
                description="Wh scale",
                readout_format=".2f",
            ),
            "steps": slider(
                "recurrence_explorer",
                widgets.IntSlider,
                value=steps,
                min=STEPS_RANGE[0],
                max=STEPS_RANGE[1],
                step=5,
                description="steps T",
            ),
        }
        figure, self.ax = new_figure(figsize=(5.2, 3.2))
        super().__init__(controls, figure)

    def compute(self) -> dict[str, Any]:
        scale = float(self.controls["scale"].value)
        steps = int(self.controls["steps"].value)
        g = gradient_by_distance(scale, steps, seed=self.seed)
        base = gradient_by_distance(1.0, steps, seed=self.seed)
        factor = per_step_factor(g)
        return {
            "scale": scale,
            "steps": steps,
            "factor": factor,
            "regime": regime(factor),
            "distance": np.arange(steps),
            "gradient": g / g[0],
            "baseline": base / base[0],
        }

    def draw(self) -> None:
        s, ax = self.state, self.ax
        ax.clear()
        ax.semilogy(
            s["distance"], s["baseline"], color="0.65", linewidth=1.2, label="Wh x 1"
        )
        ax.semilogy(
            s["distance"],
            s["gradient"],
            color=COLORS[0],
            linewidth=2,
            label=f"Wh x {s['scale']:.2f}",
        )
        ax.axhline(1.0, color="0.6", linewidth=0.6)
        ax.set_xlabel("distance in time T - t (steps)")
        ax.set_ylabel("gradient norm / at distance 0")
        ax.set_title(
            f"x {s['factor']:.2f} per step: the gradient {s['regime']}",
            fontsize=FONT_SIZE + 1,
        )
        ax.legend(fontsize=FONT_SIZE - 1, loc="best")
        ax.grid(True, color="0.85", linewidth=0.6)

    def readout_html(self) -> str:
        s = self.state
        left = s["gradient"][-1]
        return (
            f"Wh x {s['scale']:.2f}: <b>gradient x {s['factor']:.3f} per step</b>, "
            f"{left:.1e} of it left after {s['steps'] - 1} steps ({s['regime']})"
        )


def recurrence_explorer(
    *, scale: float = 1.0, steps: int = 40, seed: int = 0
) -> RecurrenceExplorer:
    """An explorer of the vanishing and exploding gradient of a tanh RNN.

    Drive it with ``.controls["scale"].value = 2.5`` and
    ``.controls["steps"].value = 60``.

    Args:
        scale: the factor on the recurrent weights at the start, in [0.25, 4].
            Default: ``1.0``.
        steps: the sequence length T at the start, in [5, 100]. Default: ``40``.
        seed: the seed of the weights, the inputs and the loss. Default: ``0``.

    Returns:
        A ``RecurrenceExplorer``.

    Example:
        >>> from nnlib.widgets import recurrence_explorer
        >>> explorer = recurrence_explorer(scale=0.5, steps=20)
        >>> explorer.state["regime"]
        'vanishes'
        >>> explorer.controls["scale"].value = 3.0
        >>> explorer.state["regime"]
        'explodes'
    """
    check_seed("recurrence_explorer", seed)
    return RecurrenceExplorer(scale, steps, seed)
