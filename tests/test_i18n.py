"""The course's language (nnlib.i18n) and figures drawn in Chinese (nnlib.viz.style).

A figure learns its language when it is drawn: ``NNLIB_LANG``, else the notebook's
folder (``.../zh/``). Its titles, labels and legends are translated for that draw only,
text with Chinese characters gets a CJK font as fallback, and a figure drawn in Chinese
has a glyph for every character (matplotlib warns "Glyph ... missing from font(s)"
otherwise, and this test fails on that warning).
"""

from __future__ import annotations

import ast
import json
import logging
import string
import warnings
from pathlib import Path

import numpy as np
import pytest
import tool

from nnlib import i18n
from nnlib.viz import style

PACKAGE = Path(__file__).resolve().parent.parent / "nnlib"
ZH = i18n.FIGURE_TEXT["zh"]
EDITIONS = tool.load("editions")
pytestmark = pytest.mark.ch01


@pytest.fixture
def no_language(monkeypatch, tmp_path):
    """No language set anywhere: not in the environment, not by the folder."""
    monkeypatch.delenv("NNLIB_LANG", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture
def chinese(no_language):
    no_language.setenv("NNLIB_LANG", "zh")


def test_the_language_is_english_unless_chosen(no_language):
    assert i18n.language() == "en"


@pytest.mark.parametrize(
    "value, expected",
    [("zh", "zh"), ("zh_CN.UTF-8", "zh"), ("zh-Hans", "zh"), ("ZH", "zh")]
    + [("en", "en"), ("en_US", "en"), ("fr", "en")],
)
def test_nnlib_lang_chooses_it(no_language, value, expected):
    no_language.setenv("NNLIB_LANG", value)
    assert i18n.language() == expected


def test_a_notebook_in_a_zh_folder_speaks_chinese(no_language, tmp_path):
    # Jupyter Server gives the kernel the notebook's path ...
    no_language.setenv("JPY_SESSION_NAME", "notebooks/zh/01_x.ipynb")
    assert i18n.language() == "zh"
    no_language.setenv("JPY_SESSION_NAME", "notebooks/01_x.ipynb")
    assert i18n.language() == "en"
    # ... nbval, nbclient and tools/execute.py start it in the notebook's folder
    no_language.delenv("JPY_SESSION_NAME")
    (tmp_path / "notebooks" / "zh").mkdir(parents=True)
    no_language.chdir(tmp_path / "notebooks" / "zh")
    assert i18n.language() == "zh"
    no_language.chdir(tmp_path / "notebooks")
    assert i18n.language() == "en"
    no_language.setenv("NNLIB_LANG", "en")  # the variable wins over the folder
    no_language.chdir(tmp_path / "notebooks" / "zh")
    assert i18n.language() == "en"


def test_translate_whole_texts_patterns_and_their_parts():
    assert i18n.translate("descent path", lang="zh") == "下降路径"
    assert (
        i18n.translate("loss per step (lr = 0.1)", lang="zh")
        == "每一步的损失（lr = 0.1）"
    )
    # the parts a pattern matched are looked up too
    assert i18n.translate("too large: lr = 1.2", lang="zh") == "太大：lr = 1.2"
    assert i18n.translate("SGD (20 steps)", lang="zh") == "SGD（20 步）"
    # line by line when the whole text has no entry
    assert i18n.translate("data\nminimum", lang="zh") == "数据\n最小值"
    # no entry: unchanged (symbols, maths, words nobody translated)
    for text in ["$x_1$", "MSE", "tol = 1e-4", "", "a brand new title"]:
        assert i18n.translate(text, lang="zh") == text
    assert i18n.translate("descent path", lang="en") == "descent path"


def test_every_entry_is_chinese_and_fills_its_placeholders():
    for english, chinese in ZH.items():
        assert i18n.has_cjk(chinese), f"{english!r} -> {chinese!r} has no Chinese"
        if "{}" not in english:  # drawn as it is, never formatted ($\mathrm{x}$)
            continue
        fields = [
            f for _, f, _, _ in string.Formatter().parse(chinese) if f is not None
        ]
        assert len(fields) == english.count("{}"), (english, chinese)
        chinese.format(*["7"] * len(fields))


def _drawn_strings(code: str) -> list[tuple[str, int]]:
    """(text, line) of each title, label and legend entry some code draws.

    The strings given straight to ``set_title``, ``label=`` and the like, and the
    defaults of arguments named ``title`` or ``*label*``: constant strings as they
    are, f-strings as patterns, each ``{...}`` a ``{}``. (Text built elsewhere, such
    as training curves' split names, is checked by name below.)
    """

    def text_of(node) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            return [
                "".join(
                    p.value if isinstance(p, ast.Constant) else "{}"
                    for p in node.values
                )
            ]
        if isinstance(node, ast.IfExp):  # title if title is not None else f"..."
            return text_of(node.body) + text_of(node.orelse)
        return []

    methods = {"set_title", "set_xlabel", "set_ylabel", "suptitle", "text"}
    keywords = {"label", "title", "xlabel", "ylabel"}
    found = []
    for node in ast.walk(ast.parse(code)):
        values = []
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None)
            if name in methods and node.args:
                values.append(node.args[-1] if name == "text" else node.args[0])
            values += [k.value for k in node.keywords if k.arg in keywords]
        elif isinstance(node, ast.arguments):  # defaults such as xlabel="epoch"
            named = node.args[len(node.args) - len(node.defaults) :] + node.kwonlyargs
            defaults = list(node.defaults) + list(node.kw_defaults)
            values += [
                d
                for a, d in zip(named, defaults, strict=True)
                if d is not None and ("label" in a.arg or a.arg == "title")
            ]
        for value in values:
            found += [(text, value.lineno) for text in text_of(value)]
    return found


@pytest.mark.parametrize("part", ["viz", "widgets"])
def test_every_label_the_library_draws_has_chinese(part):
    missing = []
    for path in sorted((PACKAGE / part).glob("*.py")):
        for text, line in _drawn_strings(path.read_text(encoding="utf-8")):
            if not _has_chinese(text):
                missing.append(f"{path.relative_to(PACKAGE)}:{line}: {text!r}")
    assert not missing, "add to nnlib.i18n.FIGURE_TEXT:\n" + "\n".join(missing)


def _has_chinese(text: str) -> bool:
    """Whether a drawn label is translated (or has nothing to translate)."""
    sample = text.replace("{}", "7")
    return (
        not i18n.has_words(text)
        or text in ZH
        or i18n.translate(sample, lang="zh") != sample
    )


def _code_of(cell: dict) -> str:
    """A code cell's Python, its IPython magics and shell lines blanked."""
    raw = cell["source"]
    lines = ("".join(raw) if isinstance(raw, list) else raw).split("\n")
    return "\n".join("" if ln.lstrip()[:1] in "%!" else ln for ln in lines)


@pytest.mark.parametrize("source", EDITIONS.translated(), ids=lambda s: s[:-6])
def test_every_label_a_translated_notebook_draws_has_chinese(source):
    """The Chinese edition runs the English code cells: what they draw (titles, axis
    labels, legends, text) is translated from FIGURE_TEXT when drawn."""
    nb = json.loads((EDITIONS.ROOT / source).read_text(encoding="utf-8"))
    missing = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for text, line in _drawn_strings(_code_of(cell)):
            if not _has_chinese(text):
                missing.append(f"cell {i} ({cell['id']}) line {line}: {text!r}")
    assert not missing, "add to nnlib.i18n.FIGURE_TEXT:\n" + "\n".join(missing)


def test_learning_curves_name_their_splits_and_metrics_in_chinese():
    for word in ["train", "val", "test", "loss", "accuracy", "epoch", "step"]:
        assert i18n.has_cjk(i18n.translate(word, lang="zh")), word


def _surface():
    from nnlib.data import make_line
    from nnlib.viz import plot_loss_surface

    x, y = make_line(n=50, a=2.0, b=1.0, noise=0.3, seed=0)
    path = np.array([[0.0, 0.0], [1.0, 0.5], [2.0, 1.0]])
    return plot_loss_surface(x, y, path, title="3 steps of gradient descent, lr = 0.1")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _missing_glyphs(fig) -> list[str]:
    """What matplotlib says about glyphs it lacked while drawing ``fig``: warnings
    for plain text, log records for text with $maths$ (its mathtext renderer)."""
    handler = _Records()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            style.figure_png(fig)
    finally:
        logger.removeHandler(handler)
    said = [str(w.message) for w in caught] + handler.messages
    return [m for m in said if "missing from font" in m or "not have a glyph" in m]


def _every_entry_figure():
    fig, ax = style.new_figure(figsize=(6, 12))
    for k, english in enumerate(ZH):
        ax.text(0.0, k / len(ZH), english.replace("{}", "7"), fontsize=6)
    ax.set_title("descent path")
    return fig


needs_font = pytest.mark.skipif(
    not style.cjk_fonts(),
    reason="no font with Chinese characters is installed (the environment check "
    "says so; on Debian/Ubuntu: apt-get install fonts-noto-cjk)",
)


@needs_font
def test_a_chinese_figure_has_every_glyph(chinese):
    assert _missing_glyphs(_surface()) == []
    assert _missing_glyphs(_every_entry_figure()) == []


def test_without_the_fallback_font_glyphs_go_missing(chinese, monkeypatch):
    # the check above is not vacuous: the figure's own font has no Chinese
    monkeypatch.setattr(style, "cjk_fonts", lambda: ())
    assert _missing_glyphs(_surface())


@needs_font
def test_a_label_with_a_glossary_term_draws_in_english_too(no_language):
    fig, ax = style.new_figure()
    ax.set_title("neuron 神经元")
    assert _missing_glyphs(fig) == []


def test_the_translation_lasts_for_the_draw_only(chinese):
    fig = _surface()
    ax = fig.axes[0]
    with style.localized_text(fig):
        assert ax.get_title() == "梯度下降 3 步，lr = 0.1"
        assert [t.get_text() for t in ax.get_legend().texts][:2] == [
            "最小值",
            "下降路径",
        ]
        assert ax.get_xlabel() == "a（斜率）"
    style.figure_png(fig)
    # what a cell can print or inspect is the same in both editions
    assert ax.get_title() == "3 steps of gradient descent, lr = 0.1"
    assert ax.get_legend().texts[0].get_text() == "minimum"
    assert repr(fig) == "<Figure size 378x297 with 1 Axes>"


def test_chinese_changes_the_pixels_and_english_figures_are_untouched(
    no_language, monkeypatch
):
    english = style.figure_png(_surface())
    no_language.setenv("NNLIB_LANG", "zh")
    assert style.figure_png(_surface()) != english
    # English: the same bytes as with the mechanism switched off
    no_language.setenv("NNLIB_LANG", "en")
    assert style.figure_png(_surface()) == english
    monkeypatch.setattr(style, "localized_text", lambda fig: _nothing())
    assert style.figure_png(_surface()) == english


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@needs_font
def test_widgets_redraw_in_chinese(chinese):
    from nnlib.data import make_line
    from nnlib.widgets import line_fit_explorer

    x, y = make_line(n=30, a=2.0, b=1.0, noise=0.3, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        explorer = line_fit_explorer(x, y, a=0.0, b=0.0, lr=0.1)
        explorer.gradient_step()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert explorer.figure.axes[1].get_title() == "MSE over (a, b): 1 steps"


def test_a_font_installed_after_matplotlib_listed_its_fonts_is_found(monkeypatch):
    """matplotlib caches its font list at its first run; a CJK font installed since
    is found by its glyphs (as the environment check finds it) and added."""
    from matplotlib import font_manager

    from nnlib import doctor

    found = doctor.find_cjk_font()
    added = []
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager.fontManager, "addfont", added.append)
    monkeypatch.setattr(doctor, "find_cjk_font", lambda: None)
    assert style.cjk_fonts.__wrapped__() == ()
    if found is None:
        pytest.skip("no font with Chinese characters is installed here")
    monkeypatch.setattr(doctor, "find_cjk_font", lambda: found)
    family = font_manager.get_font(found).family_name
    assert style.cjk_fonts.__wrapped__() == (family,)
    assert added == [found]


def test_text_drawn_untranslated_is_noted_for_make_editions(
    chinese, tmp_path, monkeypatch
):
    """``make editions`` lists the figure text its Chinese runs drew in English (an
    entry FIGURE_TEXT lacks, such as a legend made from a variable)."""
    noted = tmp_path / "untranslated.txt"
    monkeypatch.setenv(i18n.UNTRANSLATED_ENV, str(noted))
    fig, ax = style.new_figure()
    ax.plot([0, 1], label="a legend nobody translated")
    ax.set_title("descent path")
    ax.set_xlabel("$x_1$")
    ax.legend()
    style.figure_png(fig)
    # each draw notes it (a figure may be drawn more than once): the set is what counts
    assert set(noted.read_text("utf-8").splitlines()) == {
        '"a legend nobody translated"'
    }
