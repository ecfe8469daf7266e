"""The lock, pyproject.toml and environment.yml describe one set of versions."""

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"^([A-Za-z0-9_.\-]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, version = line.partition("==")
        assert version, f"lock line is not an exact pin: {line!r}"
        pins[canonical(name)] = version
    return pins


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def requirement_names(reqs: list[str]) -> set[str]:
    return {canonical(NAME.match(r).group(1)) for r in reqs}


def env_pip_lines() -> list[str]:
    text = (ROOT / "environment.yml").read_text()
    lines = []
    in_pip = False
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("- pip:"):
            in_pip = True
            continue
        if in_pip and stripped.startswith("- "):
            lines.append(stripped[2:].strip())
    return lines


def test_every_dependency_is_pinned_in_the_lock():
    project = pyproject()["project"]
    names = requirement_names(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        names |= requirement_names(extra)
    missing = sorted(names - set(lock_pins()))
    assert not missing, f"in pyproject.toml but not pinned in the lock: {missing}"


def test_torch_is_pinned_to_the_cpu_build_version():
    assert lock_pins()["torch"] == "2.13.0"


def test_environment_yml_pins_agree_with_the_lock():
    pins = lock_pins()
    lines = env_pip_lines()
    assert "-c requirements/lock.txt" in lines, "environment.yml must use the lock"
    assert any(line.startswith("-e .") for line in lines), "must install nnlib itself"
    for line in lines:
        if "==" in line:
            name, version = line.split("==")
            locked = pins[canonical(name)]
            assert locked == version, (
                f"environment.yml pins {name}=={version}, the lock has {locked}"
            )


def test_environment_yml_python_is_supported_by_pyproject():
    text = (ROOT / "environment.yml").read_text()
    python = re.search(r"- python=(\d+)\.(\d+)", text)
    assert python, "environment.yml must pin python"
    spec = pyproject()["project"]["requires-python"]
    low = re.search(r">=(\d+)\.(\d+)", spec)
    high = re.search(r"<(\d+)\.(\d+)", spec)
    version = tuple(map(int, python.groups()))
    assert tuple(map(int, low.groups())) <= version < tuple(map(int, high.groups()))


@pytest.mark.parametrize(
    "name", ["numpy", "torch", "matplotlib", "ipywidgets", "nbval"]
)
def test_installed_versions_match_the_lock(name):
    # Stored outputs were produced with the lock's versions; a drifted venv would
    # make nbval failures confusing, so say so plainly.
    installed = metadata.version(name).split("+")[0]
    assert installed == lock_pins()[canonical(name)], (
        f"{name} {installed} is installed but the lock pins {lock_pins()[name]}: "
        "run `make install`"
    )


def test_running_python_is_supported():
    assert sys.version_info[:2] >= (3, 11)


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
