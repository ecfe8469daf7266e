"""The lecture slides (`make slides`, tools/slides.py): the lectures carry the slide
metadata the script's rules give, one deck renders with reveal.js served from the
deck's own folder, and it initialises in headless Chromium with nothing from the web.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import webpage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import slides  # noqa: E402

COURSE = json.loads((ROOT / "nnlib" / "course_map.json").read_text("utf-8"))
LECTURE = ROOT / "notebooks" / "01_neuron_and_gradient_descent.ipynb"
DECK = "01_neuron_and_gradient_descent.slides.html"
# the next slide, once reveal.js has finished moving to it (a screenshot during the
# transition catches a faded page)
NEXT_SLIDE = """() => new Promise((resolve) => {
    window.nnlibReveal.on('slidetransitionend', resolve);
    window.nnlibReveal.right();
})"""


def test_the_lectures_carry_the_generated_slide_metadata():
    result = subprocess.run(
        [sys.executable, "tools/slides.py", "--mark", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        "the lectures' slide metadata is not what tools/slides.py's rules give; "
        "run `python tools/slides.py --mark`\n" + result.stdout + result.stderr
    )
    for ch in COURSE["chapters"]:
        cells = nbformat.read(ROOT / ch["notebook"], as_version=4).cells
        types = [c.metadata.get("slideshow", {}).get("slide_type") for c in cells]
        assert types[0] == "slide", f"{ch['notebook']}: the title is not a slide"
        assert types.count("slide") >= 3 and "subslide" in types, ch["notebook"]


def test_the_rules():
    cell = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    figure = nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})
    printed = nbformat.v4.new_output("stream", name="stdout", text="loss 0.1\n")
    cases = [
        (cell("# Title\n\nlong " * 200), 0, "slide"),
        (cell("## A section"), 3, "slide"),
        (cell("### A part"), 3, "subslide"),
        (cell("prose " * 100), 3, "notes"),
        (cell("A short remark."), 3, None),
        (code("plot()", outputs=[figure]), 3, "subslide"),
        (code("import numpy as np"), 3, "skip"),
        (code("print(loss)", outputs=[printed]), 3, None),
    ]
    for given, index, expected in cases:
        assert slides.slide_type(given, index) == expected, given.source[:30]


def test_marking_changes_only_the_slide_metadata(tmp_path):
    copy = tmp_path / LECTURE.name
    original = LECTURE.read_text("utf-8")
    nb = nbformat.reads(original, as_version=4)
    for c in nb.cells:
        c.metadata.pop("slideshow", None)
    copy.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    assert slides.mark([copy], check=True) == 1
    assert slides.mark([copy], check=False) == 0
    assert copy.read_text("utf-8") == original  # byte for byte what is committed


def test_make_slides_runs_the_tool():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    out = subprocess.run(
        [make, "-n", "-o", ".venv/.installed", "-o", "node_modules/.ci", "slides"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "tools/slides.py --out build/slides" in out


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """Chapter 1's deck, rendered by tools/slides.py into a temporary folder."""
    webpage.require_node_modules("reveal.js", "mathjax", "requirejs")
    out = tmp_path_factory.mktemp("slides")
    result = subprocess.run(
        [sys.executable, "tools/slides.py", "--out", str(out), str(LECTURE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.mark.integration
def test_the_deck_serves_reveal_from_its_own_folder(deck):
    text = (deck / DECK).read_text("utf-8")
    assert '"vendor/reveal.js/dist/reveal.js"' in text
    assert (deck / "vendor" / "reveal.js" / "dist" / "reveal.js").exists()
    broken, web, checked = webpage.check_links(deck)
    assert not broken, "\n".join(broken)
    assert not web, "loaded from the web:\n" + "\n".join(web)
    loads = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", text)
    assert not loads, loads
    assert checked > 5


@pytest.mark.integration
@pytest.mark.browser
@pytest.mark.timeout(180)
def test_the_deck_initialises_in_chromium(deck, tmp_path):
    sync_playwright = webpage.require_browser()
    with (
        webpage.serve(deck) as base,
        webpage.browser_page(sync_playwright, width=1280, height=800) as (page, visit),
    ):
        page.goto(base + DECK, wait_until="networkidle")
        page.wait_for_function("window.nnlibReveal && window.nnlibReveal.isReady()")
        page.wait_for_function("document.querySelectorAll('mjx-container').length > 0")
        sections = page.evaluate(
            "document.querySelectorAll('.reveal .slides section').length"
        )
        total = page.evaluate("window.nnlibReveal.getTotalSlides()")
        title = page.evaluate(
            "document.querySelector('.reveal .slides section.present h1').textContent"
        )
        notes = page.evaluate("document.querySelectorAll('aside.notes').length")
        page.screenshot(path=str(tmp_path / "title.png"))
        page.evaluate(NEXT_SLIDE)
        assert page.evaluate("window.nnlibReveal.getIndices().h") == 1
        page.screenshot(path=str(tmp_path / "second.png"))
    assert not visit.off_site(base), f"fetched from the web: {visit.off_site(base)}"
    assert not visit.failed, f"failed to load: {visit.failed}"
    assert not visit.errors, f"errors in the page: {visit.errors}"
    assert "One neuron" in title, title
    assert sections >= 10 and total >= 10 and notes > 0, (sections, total, notes)
    for name in ("title.png", "second.png"):
        webpage.picture_check(tmp_path / name)
