"""Forward and backward, one node at a time, on a sigmoid neuron's graph (chapter 4).

The graph is chapter 4's neuron with a squared error on one example,
$L = (\\sigma(w_1 x_1 + w_2 x_2 + b) - t)^2$, cut into nodes
$m_1 = w_1 x_1$, $m_2 = w_2 x_2$, $z = m_1 + m_2 + b$, $y = \\sigma(z)$,
$L = (y - t)^2$. ``graph_steps`` lists what is computed, in order: the five forward
values, then $\\partial L/\\partial L = 1$ and the gradient of every node, from the
loss back to the inputs. The sigmoid and the loss come from the library
(``functional.sigmoid``, ``sigmoid_derivative``, ``MSELoss``). The explorer shows
the graph after any number of steps: values in blue, gradients in orange, the node
just computed outlined, and the step's formula with its numbers.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from nnlib._checks import check_int, check_number
from nnlib.scratch import MSELoss
from nnlib.scratch import functional as F
from nnlib.viz.style import COLORS, FONT_SIZE, new_figure
from nnlib.widgets.base import Explorer, slider

LEAVES = ("x1", "w1", "x2", "w2", "b", "t")  # known before the first step
# where each node sits in the drawing (data coordinates)
POSITIONS = {
    "x1": (0.0, 3.2),
    "w1": (0.0, 2.2),
    "x2": (0.0, 1.2),
    "w2": (0.0, 0.2),
    "m1": (2.3, 2.7),
    "m2": (2.3, 0.7),
    "b": (2.3, -0.6),
    "z": (4.5, 1.2),
    "y": (6.5, 1.2),
    "t": (6.5, -0.6),
    "L": (8.5, 1.2),
}
EDGES = (
    ("x1", "m1"),
    ("w1", "m1"),
    ("x2", "m2"),
    ("w2", "m2"),
    ("m1", "z"),
    ("m2", "z"),
    ("b", "z"),
    ("z", "y"),
    ("y", "L"),
    ("t", "L"),
)


def graph_steps(
    x1: float, x2: float, w1: float, w2: float, b: float, t: float
) -> list[dict[str, Any]]:
    """Every step of the forward and backward pass of the neuron's graph, in order.

    Args:
        x1: the first input.
        x2: the second input.
        w1: the weight of ``x1``.
        w2: the weight of ``x2``.
        b: the bias.
        t: the target.

    Returns:
        A list of 15 dicts, one per step: ``phase`` (``"forward"`` or
        ``"backward"``), ``node`` (its name), ``value`` (the node's value, or the
        gradient $\\partial L/\\partial\\,$node), ``formula`` (the rule with its
        numbers, as text).

    Example:
        >>> from nnlib.widgets import graph_steps
        >>> steps = graph_steps(1.5, -2.0, 0.8, 0.4, 0.1, 1.0)
        >>> [s["node"] for s in steps[:5]], round(steps[2]["value"], 4)  # z
        (['m1', 'm2', 'z', 'y', 'L'], 0.5)
        >>> steps[-1]["phase"], steps[-1]["node"], round(steps[-1]["value"], 4)
        ('backward', 'x2', -0.071)
    """
    where = "graph_steps"
    x1, x2, w1, w2, b, t = (
        check_number(where, name, value)
        for name, value in zip(
            ("x1", "x2", "w1", "w2", "b", "t"), (x1, x2, w1, w2, b, t), strict=True
        )
    )
    steps: list[dict[str, Any]] = []

    def add(phase: str, node: str, value: float, formula: str) -> float:
        steps.append({"phase": phase, "node": node, "value": value, "formula": formula})
        return value

    # forward: each node from the nodes that feed it
    m1 = add("forward", "m1", w1 * x1, f"m1 = w1·x1 = {w1:.4g}·{x1:.4g}")
    m2 = add("forward", "m2", w2 * x2, f"m2 = w2·x2 = {w2:.4g}·{x2:.4g}")
    z = add(
        "forward", "z", m1 + m2 + b, f"z = m1 + m2 + b = {m1:.4g} + {m2:.4g} + {b:.4g}"
    )
    y = add("forward", "y", float(F.sigmoid(np.array(z))), f"y = σ(z) = σ({z:.4g})")
    mse = MSELoss()  # the mean over one example: (y - t)^2
    add(
        "forward",
        "L",
        mse(np.array([y]), np.array([t])),
        f"L = (y − t)² = ({y:.4g} − {t:.4g})²",
    )
    # backward: each gradient from the gradient of the node it feeds
    add("backward", "L", 1.0, "∂L/∂L (where every backward pass starts)")
    dy = add(
        "backward",
        "y",
        float(mse.backward()[0]),
        f"∂L/∂y = 2(y − t) = 2·({y:.4g} − {t:.4g})",
    )
    dz = add(
        "backward",
        "z",
        dy * float(F.sigmoid_derivative(np.array(z))),
        f"∂L/∂z = ∂L/∂y · σ'(z) = {dy:.4g} · y(1 − y) = {dy:.4g} · {y * (1 - y):.4g}",
    )
    for node in ("m1", "m2", "b"):
        add("backward", node, dz, f"∂L/∂{node} = ∂L/∂z (a sum passes it on)")
    pairs = (("w1", "x1", "m1", w1, x1), ("w2", "x2", "m2", w2, x2))
    for w, x, m, wv, xv in pairs:
        add("backward", w, dz * xv, f"∂L/∂{w} = ∂L/∂{m} · {x} = {dz:.4g} · {xv:.4g}")
        add("backward", x, dz * wv, f"∂L/∂{x} = ∂L/∂{m} · {w} = {dz:.4g} · {wv:.4g}")
    return steps


class BackpropStepper(Explorer):
    """A step slider with back/next buttons over the forward and backward pass.

    Build one with ``backprop_steps``. State: ``step`` (0 = only the inputs known),
    ``n_steps`` (15), ``phase``, ``node`` and ``formula`` of the step just taken
    (``None`` at step 0), ``values`` and ``grads`` (dicts node -> number known so
    far).

    Args:
        steps: the steps from ``graph_steps``.
        leaves: node -> value of the inputs, weights, bias and target.
        step: the step shown at the start.

    Example:
        >>> from nnlib.widgets import BackpropStepper
        >>> BackpropStepper.summary_keys  # the state its text line shows
        ('step', 'phase', 'node')
    """

    summary_keys = ("step", "phase", "node")

    def __init__(
        self, steps: list[dict[str, Any]], leaves: dict[str, float], step: int
    ) -> None:
        self.steps, self.leaves = steps, leaves
        step_slider = slider(
            "backprop_steps",
            widgets.IntSlider,
            value=step,
            min=0,
            max=len(steps),
            description="step",
        )
        back = widgets.Button(description="◀ back")
        forward = widgets.Button(description="next ▶")
        back.on_click(lambda _: self.advance(-1))
        forward.on_click(lambda _: self.advance(1))
        controls = {"step": step_slider, "back": back, "next": forward}
        figure, self.ax = new_figure(figsize=(8.0, 3.4), grid=False)
        super().__init__(controls, figure)

    def advance(self, by: int = 1) -> None:
        """Move the step slider by ``by`` (clamped to the first and last step)."""
        control = self.controls["step"]
        control.value = int(np.clip(control.value + by, control.min, control.max))

    def compute(self) -> dict[str, Any]:
        step = int(self.controls["step"].value)
        values, grads = dict(self.leaves), {}
        for s in self.steps[:step]:
            (values if s["phase"] == "forward" else grads)[s["node"]] = s["value"]
        last = self.steps[step - 1] if step else None
        return {
            "step": step,
            "n_steps": len(self.steps),
            "phase": last["phase"] if last else "start",
            "node": last["node"] if last else None,
            "formula": last["formula"] if last else None,
            "values": values,
            "grads": grads,
        }

    def draw(self) -> None:
        s, ax = self.state, self.ax
        ax.clear()
        ax.axis("off")
        for source, target in EDGES:
            ax.annotate(
                "",
                xy=POSITIONS[target],
                xytext=POSITIONS[source],
                arrowprops={
                    "arrowstyle": "->",
                    "color": "0.6",
                    "shrinkA": 16,
                    "shrinkB": 16,
                },
            )
        for node, (px, py) in POSITIONS.items():
            value = s["values"].get(node)
            text = f"{node} = {value:.4g}" if value is not None else f"{node} = ?"
            current = node == s["node"]
            ax.text(
                px,
                py,
                text,
                ha="center",
                va="center",
                fontsize=FONT_SIZE,
                gid=f"value:{node}",
                bbox={
                    "boxstyle": "round,pad=0.35",
                    "fc": "#E8F1F8" if value is not None else "white",
                    "ec": "black" if current else COLORS[0],
                    "lw": 2.0 if current else 0.8,
                },
            )
            if node in s["grads"]:
                ax.text(
                    px,
                    py - 0.42,
                    f"∂L/∂{node} = {s['grads'][node]:.4g}",
                    ha="center",
                    va="center",
                    fontsize=FONT_SIZE - 1,
                    color=COLORS[1],
                    gid=f"grad:{node}",
                )
        ax.set_xlim(-0.9, 9.4)
        ax.set_ylim(-1.2, 3.7)
        ax.set_title(self.caption(), fontsize=FONT_SIZE)

    def caption(self) -> str:
        """The step's description: which node, which rule, which numbers."""
        s = self.state
        if s["node"] is None:
            return f"step 0 of {s['n_steps']}: only the inputs, weights, bias and t"
        value = (s["values"] if s["phase"] == "forward" else s["grads"])[s["node"]]
        return (
            f"step {s['step']} of {s['n_steps']} ({s['phase']}): "
            f"{s['formula']} = {value:.4g}"
        )

    def readout_html(self) -> str:
        return self.caption()


def backprop_steps(
    *,
    x1: float = 1.5,
    x2: float = -2.0,
    w1: float = 0.8,
    w2: float = 0.4,
    b: float = 0.1,
    t: float = 1.0,
    step: int = 0,
) -> BackpropStepper:
    """A step-through of forward and backward values on the neuron's graph.

    Drive it with ``.controls["step"].value = 7`` or ``.advance()`` (what the
    **next** button does); read ``.state``. The defaults are chapter 4's numbers.

    Args:
        x1: the first input. Default: ``1.5``.
        x2: the second input. Default: ``-2.0``.
        w1: the weight of ``x1``. Default: ``0.8``.
        w2: the weight of ``x2``. Default: ``0.4``.
        b: the bias. Default: ``0.1``.
        t: the target. Default: ``1.0``.
        step: the step shown at the start, 0 .. 15. Default: ``0``.

    Returns:
        A ``BackpropStepper``.

    Example:
        >>> from nnlib.widgets import backprop_steps
        >>> stepper = backprop_steps(step=5)
        >>> stepper.state["phase"], round(stepper.state["values"]["L"], 4)
        ('forward', 0.1425)
        >>> stepper.advance(2)  # dL/dL, then dL/dy
        >>> stepper.state["node"], round(stepper.state["grads"]["y"], 4)
        ('y', -0.7551)
    """
    steps = graph_steps(x1, x2, w1, w2, b, t)
    step = check_int("backprop_steps", "step", step, minimum=0)
    leaves = {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "t": t}
    return BackpropStepper(steps, {k: float(v) for k, v in leaves.items()}, step)
