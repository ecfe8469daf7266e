"""The environment check of the start page (nnlib.doctor)."""

from pathlib import Path


def _font(path: Path, chars: str, family: str) -> str:
    """A tiny TrueType font at ``path`` with a glyph for each of ``chars``."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    names = [".notdef"] + [f"g{i}" for i in range(len(chars))]
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((0, 500))
    pen.lineTo((500, 500))
    pen.closePath()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): f"g{i}" for i, c in enumerate(chars)})
    builder.setupGlyf({name: pen.glyph() for name in names})
    builder.setupHorizontalMetrics({name: (600, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))
    return str(path)


def test_a_cjk_font_is_found_by_its_glyphs_not_its_name(tmp_path, monkeypatch):
    from matplotlib import font_manager

    from nnlib import doctor

    latin = _font(tmp_path / "NotoSansCJK-Fake.ttf", "abc", "Noto Sans CJK Fake")
    placeholder = _font(tmp_path / "LastResort.ttf", "abc神", "LastResort")
    fonts = [latin, placeholder]
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: list(fonts))
    assert doctor.find_cjk_font() is None  # a CJK name without the glyphs is no help
    chinese = _font(tmp_path / "Plain.ttf", "abc神经元", "Plain")
    fonts.append(chinese)
    assert doctor.find_cjk_font() == chinese


def test_the_environment_check_names_the_missing_cjk_font_package(monkeypatch):
    from nnlib import doctor

    monkeypatch.setattr(doctor, "find_cjk_font", lambda: None)
    report = doctor.check_environment()
    assert report.cjk_font == "none"
    assert any("fonts-noto-cjk" in note for note in report.notes)
    assert "fonts-noto-cjk" in str(report)
    # a missing font is a note: the start page's `assert report.ok` still passes
    assert not any("fonts-noto-cjk" in problem for problem in report.problems)

    found = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    monkeypatch.setattr(doctor, "find_cjk_font", lambda: found)
    report = doctor.check_environment()
    assert report.cjk_font == "NotoSansCJK-Regular.ttc" and not report.notes
    assert "fonts-noto-cjk" not in str(report)
