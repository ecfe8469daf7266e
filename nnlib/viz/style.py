"""One small figure style for the course, and the figure class every plot returns.

How figures display (the one rule, for notebooks and scripts alike): every ``plot_*``
function returns a :class:`CourseFigure`, a ``matplotlib.figure.Figure`` made without
pyplot. In Jupyter it shows, once, when it is the value of the cell's last line (or
when passed to ``display``); a figure that is only assigned (``fig = plot_...``) does
not show. Nothing is registered with pyplot, so there is no double display, no
``plt.close`` to remember and no figure left open; rcParams are never touched. In a
script, save it with ``fig.savefig("name.png")``.

Language: a ``CourseFigure`` draws its titles, labels and legends in the course's
language (``nnlib.i18n``: Chinese in the Chinese edition, or with ``NNLIB_LANG=zh``)
and gives text with Chinese characters a CJK fallback font (``CJK_FONTS``), for the
draw only (``localized_text``): the figure's objects stay as the code made them.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from nnlib import i18n

DPI = 90
WIDTH = 4.2  # inches per panel
HEIGHT = 3.3
COLORS = (  # colour-blind-safe cycle (Okabe & Ito, 2008)
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
WRONG = "#D55E00"  # marks mistakes (wrong predictions)
FONT_SIZE = 9
# Fonts with Chinese characters, for text that has some (the Chinese edition's figures,
# a label holding a glossary term): the usual ones on Linux, macOS and Windows, tried
# in this order. matplotlib falls back glyph by glyph from the figure's own font to
# them. Debian's fonts-noto-cjk registers in matplotlib as "Noto Sans CJK JP" (its
# first face), whose glyphs cover simplified Chinese as well.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Source Han Sans",
    "Droid Sans Fallback",
)


class CourseFigure(Figure):
    """A matplotlib ``Figure`` that displays itself as PNG in Jupyter.

    It needs no pyplot and no backend: ``_repr_png_`` renders it with Agg on demand.
    It takes the arguments of ``matplotlib.figure.Figure`` (``figsize``, ``dpi``,
    ``layout``, ...); ``new_figure`` makes one with the course style.

    Example:
        >>> from nnlib.viz import CourseFigure
        >>> fig = CourseFigure(figsize=(2, 1), dpi=50)
        >>> fig, fig._repr_png_()[1:4]
        (<Figure size 100x50 with 0 Axes>, b'PNG')
    """

    def _repr_png_(self) -> bytes:
        return figure_png(self)

    def draw(self, renderer: Any) -> None:
        # in the course's language, with a Chinese font where needed, for this draw
        # only (see localized_text): every way of rendering passes through here
        with localized_text(self):
            super().draw(renderer)

    def __repr__(self) -> str:
        w, h = self.get_size_inches() * self.dpi
        n = len(self.axes)
        return f"<Figure size {w:g}x{h:g} with {n} Axes>"


@functools.cache
def cjk_fonts() -> tuple[str, ...]:
    """The installed fonts of ``CJK_FONTS``, in order, or else one found by its glyphs.

    matplotlib knows the fonts it found at its first run (it caches the list): a font
    installed since, or one with another name, is found the way the environment
    check finds it (``nnlib.doctor.find_cjk_font``) and added for this process.

    Returns:
        Font family names; empty when no font with Chinese characters is installed.

    Example:
        >>> from nnlib.viz.style import cjk_fonts
        >>> isinstance(cjk_fonts(), tuple)
        True
    """
    from matplotlib import font_manager

    names = {entry.name for entry in font_manager.fontManager.ttflist}
    found = tuple(name for name in CJK_FONTS if name in names)
    if found:
        return found
    from nnlib.doctor import find_cjk_font

    path = find_cjk_font()
    if path is None:
        return ()
    font_manager.fontManager.addfont(path)
    return (font_manager.get_font(path).family_name,)


def _has_math(text: str) -> bool:
    """Whether matplotlib reads ``text`` as mathtext: a pair of unescaped $."""
    return text.replace(r"\$", "").count("$") >= 2


@contextmanager
def localized_text(fig: Figure) -> Iterator[None]:
    """Within the block, ``fig``'s text is in the course's language (``nnlib.i18n``).

    Each title, axis label, legend entry and annotation is replaced by its translation,
    and text with Chinese characters gets ``cjk_fonts()`` as fallback fonts; at the end
    of the block all of it is put back. So a figure's objects, and everything a cell
    prints about them, are the same in every language: only the drawn pixels differ.
    ``CourseFigure.draw`` uses it; rcParams are not touched.

    Args:
        fig: the figure about to be drawn.

    Example:
        >>> from nnlib.viz.style import localized_text, new_figure
        >>> fig, ax = new_figure()
        >>> _ = ax.set_title("descent path")
        >>> with localized_text(fig):
        ...     pass  # in the Chinese edition the title reads 下降路径 here
        >>> ax.get_title()
        'descent path'
    """
    lang = i18n.language()
    saved = []
    for text in fig.findobj(Text):
        old = text.get_text()
        new = i18n.translate(old, lang=lang) if lang != "en" else old
        chinese = i18n.has_cjk(new)
        if new == old and not chinese:
            if lang != "en":
                i18n.note_untranslated(old)
            continue
        saved.append((text, old, text.get_fontproperties()))
        text.set_text(new)
        fonts = cjk_fonts() if chinese else ()
        if fonts:
            prop = text.get_fontproperties().copy()
            if _has_math(new):
                # matplotlib's mathtext draws the words around $...$ in one font, the
                # first it finds, with no fallback: the CJK font (with Latin letters)
                prop.set_family([*fonts, *prop.get_family()])
            else:
                prop.set_family([*prop.get_family(), *fonts])
            text.set_fontproperties(prop)
    try:
        yield
    finally:
        for text, old, prop in saved:
            text.set_text(old)
            text.set_fontproperties(prop)


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of ``fig`` at its own dpi.

    Args:
        fig: a matplotlib figure.

    Returns:
        The PNG file's bytes, on a white background.

    Example:
        >>> from nnlib.viz import figure_png, new_figure
        >>> fig, ax = new_figure(figsize=(2, 1))
        >>> figure_png(fig)[1:4]
        b'PNG'
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, facecolor="white")
    return buffer.getvalue()


def style_axes(ax: Axes, grid: bool = True) -> Axes:
    """Give one Axes the course look: small ticks, light grid, no top/right spines."""
    ax.tick_params(labelsize=FONT_SIZE - 1, length=3)
    ax.xaxis.label.set_size(FONT_SIZE)
    ax.yaxis.label.set_size(FONT_SIZE)
    ax.title.set_size(FONT_SIZE + 1)
    ax.set_prop_cycle(color=COLORS)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if grid:
        ax.grid(True, color="0.85", linewidth=0.6)
        ax.set_axisbelow(True)
    return ax


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    figsize: tuple[float, float] | None = None,
    dpi: int = DPI,
    grid: bool = True,
    **subplot_kw: Any,
) -> tuple[CourseFigure, Any]:
    """A styled figure with ``nrows x ncols`` axes: ``plt.subplots`` without pyplot.

    Args:
        nrows: rows of panels. Default: ``1``.
        ncols: columns of panels. Default: ``1``.
        figsize: (width, height) in inches; ``None`` gives each panel 4.2 x 3.3.
            Default: ``None``.
        dpi: dots per inch. Default: ``90``.
        grid: a light grid in every panel. Default: ``True``.
        **subplot_kw: passed to every Axes, e.g. ``projection="3d"``.

    Returns:
        ``(fig, ax)`` for one panel, else ``(fig, axes)`` with ``axes`` a 2-D
        object array when both counts exceed 1 and a 1-D one otherwise (as
        ``plt.subplots``). ``fig`` is a ``CourseFigure``.

    Example:
        >>> from nnlib.viz import new_figure
        >>> fig, axes = new_figure(2, 3)
        >>> type(fig).__name__, axes.shape
        ('CourseFigure', (2, 3))
    """
    if figsize is None:
        figsize = (WIDTH * ncols, HEIGHT * nrows)
    fig = CourseFigure(figsize=figsize, dpi=dpi, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    for ax in axes.flat:
        style_axes(ax, grid=grid)
    if nrows == 1 and ncols == 1:
        return fig, axes[0, 0]
    if nrows == 1 or ncols == 1:
        return fig, axes.ravel()
    return fig, axes


def target_axes(
    ax: Axes | None, figsize: tuple[float, float] | None = None, grid: bool = True
) -> tuple[Figure, Axes]:
    """The given Axes and its figure, or a new one-panel figure when ``ax`` is None."""
    if ax is None:
        return new_figure(figsize=figsize, grid=grid)
    return ax.get_figure(root=True), ax


def to_numpy(value: Any) -> np.ndarray:
    """An ndarray from an array-like or a torch tensor (duck-typed, no torch import)."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def image_grid(
    n: int, ncols: int, panel: float = 1.0, extra_height: float = 0.0
) -> tuple[CourseFigure, np.ndarray]:
    """A figure with ``n`` small image panels (ticks off), ``ncols`` per row.

    Returns the figure and a flat array of the first ``n`` axes (extra panels removed).
    """
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig = CourseFigure(
        figsize=(panel * ncols + 0.3, panel * nrows + 0.3 + extra_height),
        dpi=DPI,
        layout="constrained",
    )
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.remove()
    for ax in axes[:n]:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes[:n]
