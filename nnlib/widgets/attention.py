"""Pick a query position and see how its attention spreads over the keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from nnlib.scratch.functional import softmax
from nnlib.viz.attention import plot_attention
from nnlib.viz.style import COLORS, FONT_SIZE, new_figure
from nnlib.widgets.base import Explorer

DEMO_TOKENS = ("the", "cat", "sat", "on", "the", "mat", "because", "it", "was", "tired")


def demo_attention(
    tokens: Sequence[str], d: int = 16, *, sharpness: float = 1.0, seed: int = 0
) -> np.ndarray:
    """Weights of one random, untrained attention head over ``tokens``.

    Each distinct token gets a random embedding (equal tokens share one), queries and
    keys are random projections, and the weights are
    $\\text{softmax}(\\text{sharpness}\\cdot QK^\\top/\\sqrt{d})$: ``sharpness`` 0
    spreads attention evenly, large values make each query pick one key.

    Args:
        tokens: T words (or any strings).
        d: the size of the random embeddings. Default: ``16``.
        sharpness: the factor on the scores. Default: ``1.0``.
        seed: the seed of the random embeddings and projections. Default: ``0``.

    Shape:
        - Output: (T, T), each row sums to 1

    Example:
        >>> from nnlib.widgets import demo_attention
        >>> demo_attention(["the", "cat", "sat"]).shape
        (3, 3)
        >>> demo_attention(["a", "b"], sharpness=0.0)  # an even spread
        array([[0.5, 0.5],
               [0.5, 0.5]])
    """
    rng = np.random.default_rng(seed)
    vocab = sorted(set(tokens))
    table = rng.standard_normal((len(vocab), d))  # one embedding per distinct token
    E = table[[vocab.index(t) for t in tokens]]  # (T, d)
    Wq, Wk = rng.standard_normal((2, d, d)) / np.sqrt(d)
    Q, K = E @ Wq, E @ Wk  # (T, d) @ (d, d) -> (T, d)
    scores = Q @ K.T / np.sqrt(d)  # (T, d) @ (d, T) -> (T, T)
    return softmax(sharpness * scores)


class AttentionExplorer(Explorer):
    """A query menu over an attention heat map, and bars of that query's weights.

    Build one with ``attention_explorer``. With several heads a head slider, for the
    demo head a sharpness slider; the heat map marks the query's row.
    State: ``query``, ``head``, ``weights`` (T, T) of the shown head, ``row`` (T,) the
    query's weights (they sum to 1), ``top`` (the most attended key token).

    Args:
        tokens: the T tokens, as strings.
        weights: (heads, T, T) attention weights, or ``None`` for the demo head of
            ``demo_attention`` with a sharpness slider.
        query: the query position shown first.
        seed: the seed of the demo head.

    Example:
        >>> from nnlib.widgets import AttentionExplorer, Explorer
        >>> issubclass(AttentionExplorer, Explorer), AttentionExplorer.summary_keys
        (True, ('query', 'head', 'top'))
    """

    summary_keys = ("query", "head", "top")

    def __init__(
        self, tokens: list[str], weights: np.ndarray | None, query: int, seed: int
    ) -> None:
        self.tokens, self.fixed, self.seed = tokens, weights, seed
        T = len(tokens)
        controls: dict[str, widgets.Widget] = {
            "query": widgets.Dropdown(
                options=[(f"{i}: {t}", i) for i, t in enumerate(tokens)],
                value=query,
                description="query",
            ),
        }
        if weights is None:
            controls["sharpness"] = widgets.FloatSlider(
                value=1.0, min=0.0, max=4.0, step=0.1, description="sharpness"
            )
        elif len(weights) > 1:
            controls["head"] = widgets.IntSlider(
                value=0, min=0, max=len(weights) - 1, description="head"
            )
        side = min(2.0 + 0.3 * T, 5.0)
        figure, (self.ax_map, self.ax_bar) = new_figure(
            1, 2, figsize=(2 * side, side), grid=False
        )
        super().__init__(controls, figure)

    def compute(self) -> dict[str, Any]:
        query = int(self.controls["query"].value)
        head = int(self.controls["head"].value) if "head" in self.controls else 0
        if self.fixed is None:
            sharpness = float(self.controls["sharpness"].value)
            weights = demo_attention(self.tokens, sharpness=sharpness, seed=self.seed)
        else:
            weights = self.fixed[head]
        row = weights[query]
        return {
            "query": query,
            "head": head,
            "weights": weights,
            "row": row,
            "top": self.tokens[int(np.argmax(row))],
        }

    def draw(self) -> None:
        s = self.state
        T = len(self.tokens)
        self.ax_map.clear()
        self.ax_bar.clear()
        plot_attention(
            s["weights"],
            self.tokens,
            ax=self.ax_map,
            annotate=False,
            title="all queries",
        )
        self.ax_map.add_patch(
            Rectangle(
                (-0.5, s["query"] - 0.5),
                T,
                1,
                fill=False,
                edgecolor=COLORS[3],
                linewidth=2.5,
            )
        )
        labels = [f"{j}: {t}" for j, t in enumerate(self.tokens)]
        colours = [COLORS[3] if j == s["query"] else COLORS[0] for j in range(T)]
        self.ax_bar.barh(range(T), s["row"], color=colours)
        self.ax_bar.set_yticks(range(T), labels, fontsize=FONT_SIZE - 1)
        self.ax_bar.invert_yaxis()  # same top-to-bottom order as the heat map
        self.ax_bar.set_xlim(0, 1)
        self.ax_bar.set_xlabel("attention weight")
        self.ax_bar.set_title(
            f"query {s['query']} '{self.tokens[s['query']]}' attends to"
        )
        self.ax_bar.grid(True, axis="x", color="0.85", linewidth=0.6)

    def readout_html(self) -> str:
        s = self.state
        j = int(np.argmax(s["row"]))
        return (
            f"query {s['query']} '{self.tokens[s['query']]}' puts "
            f"<b>{s['row'][j]:.2f}</b> of its attention on key {j} '{s['top']}'"
            f" (weights sum to {s['row'].sum():.2f})"
        )


def attention_explorer(
    tokens: Sequence[str] | None = None,
    weights: np.ndarray | None = None,
    *,
    query: int = 0,
    seed: int = 0,
) -> AttentionExplorer:
    """An explorer of attention weights, one query position at a time.

    Drive it with ``.controls["query"].value = 3``; read ``.state["row"]``.

    Args:
        tokens: the T tokens; ``None`` is a ten-word sentence. Default: ``None``.
        weights: attention weights for the tokens, e.g. a model's ``.attention``
            for one sample; ``None`` uses a random demo head with a sharpness
            slider (``demo_attention``). Default: ``None``.
        query: the query position shown first. Default: ``0``.
        seed: the seed of the demo head. Default: ``0``.

    Shape:
        - weights: (T, T), (h, T, T) or (1, h, T, T)

    Returns:
        An ``AttentionExplorer``.

    Example:
        >>> from nnlib.widgets import attention_explorer
        >>> weights = np.eye(3)  # every token attends to itself
        >>> explorer = attention_explorer(["a", "b", "c"], weights, query=2)
        >>> explorer.state["top"], explorer.state["row"].tolist()
        ('c', [0.0, 0.0, 1.0])
        >>> explorer
        AttentionExplorer(query=2, head=0, top='c')
    """
    tokens = list(DEMO_TOKENS if tokens is None else (str(t) for t in tokens))
    T = len(tokens)
    if weights is not None:
        w = np.asarray(
            weights.detach().cpu() if hasattr(weights, "detach") else weights,
            dtype=float,
        )
        if w.ndim == 4 and w.shape[0] == 1:
            w = w[0]  # (1, heads, T, T) -> (heads, T, T)
        if w.ndim == 2:
            w = w[None]  # (T, T) -> (1, T, T)
        if w.ndim != 3 or w.shape[1:] != (T, T):
            raise ValueError(
                f"attention_explorer expected weights (T, T) or (heads, T, T) with "
                f"T = {T} tokens, got {np.shape(weights)}"
            )
        weights = w
    if not 0 <= query < T:
        raise ValueError(
            f"attention_explorer expected query in 0..{T - 1}, got {query}"
        )
    return AttentionExplorer(tokens, weights, query, seed)
