"""Activation functions and their derivatives, side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from nnlib.scratch import functional as F
from nnlib.viz.style import COLORS, FONT_SIZE, new_figure, to_numpy

Fn = Callable[[np.ndarray], np.ndarray]


# name -> (function, exact derivative), the formulas of nnlib.scratch.functional (the
# leaky ReLU with its default slope 0.01 below zero)
ACTIVATIONS: dict[str, tuple[Fn, Fn]] = {
    "identity": (F.identity, F.identity_derivative),
    "sigmoid": (F.sigmoid, F.sigmoid_derivative),
    "tanh": (F.tanh, F.tanh_derivative),
    "relu": (F.relu, F.relu_derivative),
    "leaky_relu": (F.leaky_relu, F.leaky_relu_derivative),
}


def activation_pair(fn: str | Any, x: np.ndarray) -> tuple[str, np.ndarray, np.ndarray]:
    """Name, values and derivative of an activation at the points ``x``.

    Args:
        fn: a name from ``ACTIVATIONS``, a layer with ``forward``/``backward`` (the
            derivative is ``backward`` of ones, which is exactly what backprop
            uses), or a plain function (derivative by central differences, step
            1e-5).
        x: the points.

    Shape:
        - x: (P,)
        - values, derivative: (P,)

    Returns:
        ``(name, values, derivative)``.

    Example:
        >>> from nnlib.scratch import Tanh
        >>> from nnlib.viz import activation_pair
        >>> activation_pair("relu", np.array([-1.0, 2.0]))
        ('relu', array([0., 2.]), array([0., 1.]))
        >>> activation_pair(Tanh(), np.zeros(1))
        ('Tanh', array([0.]), array([1.]))
    """
    if isinstance(fn, str):
        key = fn.lower().replace("-", "_").replace(" ", "_")
        if key not in ACTIVATIONS:
            raise ValueError(
                f"activation_pair expected an activation in {sorted(ACTIVATIONS)}, "
                f"got {fn!r}"
            )
        f, df = ACTIVATIONS[key]
        return fn, f(x), df(x)
    if hasattr(fn, "forward") and hasattr(fn, "backward"):
        column = x[:, None]  # (P,) -> (P, 1): layers expect a batch axis
        values = to_numpy(fn.forward(column))[:, 0]
        slopes = to_numpy(fn.backward(np.ones_like(column)))[:, 0]
        return type(fn).__name__, values, slopes
    if callable(fn):
        h = 1e-5
        slopes = (to_numpy(fn(x + h)) - to_numpy(fn(x - h))) / (2 * h)
        return getattr(fn, "__name__", "f"), to_numpy(fn(x)), slopes
    raise TypeError(
        "activation_pair expected fn as a name, a layer or a function, "
        f"got {type(fn).__name__}"
    )


def plot_activation(
    fn: str | Any | Sequence[str | Any],
    *,
    x_range: tuple[float, float] = (-5.0, 5.0),
    points: int = 401,
    title: str | None = None,
) -> Figure:
    """Each activation (solid) with its derivative (dashed), one panel per function.

    Args:
        fn: one activation or a list of them, each as :func:`activation_pair`
            takes it, e.g. ``["sigmoid", "tanh", "relu", "leaky_relu"]``.
        x_range: the interval of x. Default: ``(-5.0, 5.0)``.
        points: the number of x values. Default: ``401``.
        title: the title; ``None`` for none. Default: ``None``.

    Example:
        >>> from nnlib.viz import plot_activation
        >>> fig = plot_activation(["sigmoid", "relu"])
        >>> type(fig).__name__, [ax.get_title() for ax in fig.axes]
        ('CourseFigure', ['sigmoid', 'relu'])
    """
    fns = list(fn) if isinstance(fn, list | tuple) else [fn]
    x = np.linspace(*x_range, points)
    fig, axes = new_figure(1, len(fns), figsize=(3.0 * len(fns), 2.8))
    for ax, f in zip(np.atleast_1d(axes), fns, strict=True):
        name, values, slopes = activation_pair(f, x)
        ax.axhline(0, color="0.6", linewidth=0.6)
        ax.axvline(0, color="0.6", linewidth=0.6)
        ax.plot(x, values, color=COLORS[0], linewidth=2, label=f"{name}(x)")
        ax.plot(
            x,
            slopes,
            color=COLORS[3],
            linewidth=1.5,
            linestyle="--",
            label="derivative",
        )
        ax.set_title(name)
        ax.set_xlabel("x")
        ax.legend(fontsize=FONT_SIZE - 2, loc="upper left")
    if title:
        fig.suptitle(title, fontsize=FONT_SIZE + 1)
    return fig
