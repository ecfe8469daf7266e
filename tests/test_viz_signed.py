"""Signed maps: one diverging colour map, centred at zero, with a colour bar."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from nnlib.viz import new_figure, plot_feature_maps, plot_kernels
from nnlib.viz.signed import SIGNED_CMAP, show_signed, signed_limit

ROOT = Path(__file__).resolve().parent.parent
# matplotlib's diverging maps: a signed map drawn with one of them directly (not
# through show_signed) would bypass the centring and the colour bar
DIVERGING = re.compile(
    r"""cmap\s*=\s*["'](RdBu|RdBu_r|bwr|seismic|coolwarm|PiYG|PRGn|BrBG|PuOr|RdGy|"""
    r"""RdYlBu|RdYlGn|Spectral)["']"""
)


def test_the_scale_is_symmetric_about_zero() -> None:
    fig, ax = new_figure()
    image = show_signed(ax, np.array([[0.5, -0.2], [0.1, 0.0]]))
    assert image.get_clim() == (-0.5, 0.5)
    assert image.get_cmap().name == SIGNED_CMAP
    # all positive: still centred at zero, so no value is drawn in blue
    image = show_signed(ax, np.array([[1.0, 2.0]]), colorbar=False)
    assert image.get_clim() == (-2.0, 2.0)


def test_a_colour_bar_is_drawn_unless_refused() -> None:
    fig, ax = new_figure()
    show_signed(ax, np.ones((2, 2)))
    assert len(fig.axes) == 2  # the map and its colour bar
    fig, ax = new_figure()
    show_signed(ax, np.ones((2, 2)), colorbar=False)
    assert len(fig.axes) == 1


def test_a_given_limit_is_shared_and_checked() -> None:
    fig, ax = new_figure()
    assert show_signed(ax, np.ones((2, 2)), limit=3.0).get_clim() == (-3.0, 3.0)
    with pytest.raises(ValueError, match=r"show_signed expected limit as a finite"):
        show_signed(ax, np.ones((2, 2)), limit=0.0)
    with pytest.raises(ValueError, match=r"of shape \(H, W\), got \(2,\)"):
        show_signed(ax, np.ones(2))


def test_the_limit_of_an_all_zero_or_empty_map_is_positive() -> None:
    assert signed_limit(np.zeros((3, 3))) == 1e-12
    assert signed_limit(np.zeros((0,))) == 1.0
    assert signed_limit([[np.nan, -2.0]]) == 2.0


def test_kernels_share_one_scale_and_one_colour_bar() -> None:
    w = np.arange(-4, 4, dtype=float).reshape(8, 1, 1, 1) * np.ones((1, 1, 2, 2))
    fig = plot_kernels(w)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 8 and {im.get_clim() for im in images} == {(-4.0, 4.0)}
    assert len(fig.axes) == 9  # eight panels and the colour bar


def test_signed_feature_maps_are_centred_and_relu_maps_keep_their_scale() -> None:
    signed = plot_feature_maps(np.array([[[1.0, -3.0]], [[2.0, 0.0]]]))
    clims = {ax.images[0].get_clim() for ax in signed.axes if ax.images}
    assert clims == {(-3.0, 3.0)} and len(signed.axes) == 3
    relu = plot_feature_maps(np.array([[[1.0, 3.0]], [[2.0, 0.0]]]))
    assert [ax.images[0].get_cmap().name for ax in relu.axes] == ["viridis"] * 2


def _code_sources() -> list[tuple[str, str]]:
    sources = [
        (str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "nnlib").rglob("*.py"))
        if p.name != "signed.py"
    ]
    for folder in ("notebooks", "solutions"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            for i, cell in enumerate(cells):
                if cell["cell_type"] == "code":
                    sources.append((f"{path.name} cell {i}", "".join(cell["source"])))
    return sources


def test_every_signed_map_in_the_course_goes_through_show_signed() -> None:
    found = [where for where, text in _code_sources() if DIVERGING.search(text)]
    assert found == [], f"draw signed maps with nnlib.viz.show_signed: {found}"


def test_the_scanner_sees_a_diverging_map() -> None:
    assert DIVERGING.search('ax.imshow(w, cmap="RdBu_r", vmin=-1, vmax=1)')
    assert not DIVERGING.search('ax.imshow(img, cmap="gray_r")')
