"""The course site (`make site`, tools/site.py): built from the stored outputs into a
temporary folder, every internal link and anchor resolves, nothing is loaded from the
web, the chapter map, the glossaries, the search and the exercises (without their
solutions) are there, and a lecture page renders in headless Chromium.
"""

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import webpage

pytestmark = pytest.mark.integration  # builds the site, starts a browser

ROOT = Path(__file__).resolve().parents[1]
COURSE = json.loads((ROOT / "nnlib" / "course_map.json").read_text("utf-8"))
CHAPTERS = COURSE["chapters"]
LECTURE = "notebooks/01_neuron_and_gradient_descent"
BUILD_SECONDS = 180  # measured: 10 s from scratch on a 2-core machine


def html(path: str) -> str:
    return path.removesuffix(".ipynb") + ".html"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built from scratch by tools/site.py (what `make site` runs)."""
    webpage.require_modules("sphinx", "myst_nb", "furo", extra="web")
    webpage.require_node_modules(
        "mathjax", "requirejs", "@jupyter-widgets/html-manager"
    )
    out = tmp_path_factory.mktemp("site") / "html"
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "tools/site.py", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - start
    assert result.returncode == 0, result.stdout + result.stderr
    assert seconds < BUILD_SECONDS, f"the site took {seconds:.0f} s to build"
    return out


def test_make_site_runs_the_tool():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    out = subprocess.run(
        [make, "-n", "-o", ".venv/.installed-web", "-o", "node_modules/.ci", "site"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "tools/site.py --out build/site" in out


def test_every_internal_link_and_anchor_resolves(site):
    broken, _, checked = webpage.check_links(site)
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:40])
    assert checked > 1000, f"only {checked} links checked: did the site build?"


def test_nothing_is_loaded_from_the_web(site):
    _, web, _ = webpage.check_links(site)
    assert not web, "scripts, styles or fonts from the web:\n" + "\n".join(web[:40])
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        for url in re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", text):
            assert not re.search(r"\.(js|css|woff2?|ttf|otf|eot)(\?|$)", url), (
                f"{page.relative_to(site)} refers to {url}"
            )


def test_the_chapter_map_links_every_lecture_and_exercise(site):
    index = webpage.parse(site / "index.html")
    hrefs = {href.split("#")[0] for kind, href in index.links if kind == "a"}
    for ch in CHAPTERS:
        for key in ("notebook", "exercise"):
            assert html(ch[key]) in hrefs, f"the chapter map lacks {ch[key]}"
            assert (site / html(ch[key])).exists()
    text = (site / "index.html").read_text("utf-8")
    assert "Chapter map" in text and "notebooks/00_start_here.html" in text


def test_both_glossaries_hold_every_concept(site):
    page = site / "glossary.html"
    text, ids = page.read_text("utf-8"), webpage.parse(page).ids
    concepts = [c for ch in CHAPTERS for c in ch["concepts"]]
    assert "English → 中文" in text and "中文 → English" in text
    terms = re.findall(r'<dt id="(term-[^"]+)"', text)
    assert len(terms) == 2 * len(concepts), "one entry per concept in each glossary"
    for c in concepts:
        assert c["en"].replace("&", "&amp;") in text and c["zh"] in text, c["id"]
    assert len(set(terms)) == len(terms) and set(terms) <= ids
    # and each lecture's own glossary, its last cell, is on its page
    for ch in CHAPTERS:
        lecture = (site / html(ch["notebook"])).read_text("utf-8")
        assert "Glossary" in lecture and ch["concepts"][0]["zh"] in lecture


def test_the_search_index_covers_the_pages(site):
    assert (site / "search.html").exists()
    index = (site / "searchindex.js").read_text("utf-8")
    for word in ("backpropag", "transform", "gradient"):
        assert word in index, f"the search index lacks {word!r}"
    docs = json.loads(re.search(r'"docnames":(\[[^\]]*\])', index).group(1))
    for ch in CHAPTERS:
        for key in ("notebook", "exercise"):
            assert ch[key].removesuffix(".ipynb") in docs


def solution_lines(path: Path) -> set[str]:
    """The distinctive lines inside the solution regions of a solution notebook."""
    lines, inside = set(), False
    for cell in nbformat.read(path, as_version=4).cells:
        for line in cell.source.splitlines():
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) > 15 and not line.strip().startswith("#"):
                lines.add(line.strip())
    return lines


def page_text(path: Path) -> str:
    """The text of an HTML page, with tags dropped and entities decoded."""
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", path.read_text("utf-8")))


def test_exercises_are_there_without_their_solutions(site):
    assert not (site / "solutions").exists()
    assert not list(site.rglob("*solution*.html"))
    for ch in CHAPTERS:
        exercise = page_text(site / html(ch["exercise"]))
        assert "raise NotImplementedError()" in exercise, ch["exercise"]
        assert ch["tasks"][0]["function"] in exercise
        solution = ROOT / ch["solution"]
        if not solution.exists():  # a class copy without solutions/
            continue
        given = nbformat.read(ROOT / ch["exercise"], as_version=4)
        released = "\n".join(cell.source for cell in given.cells)
        leaked = [
            line
            for line in solution_lines(solution)
            if line in exercise and line not in released
        ]
        assert not leaked, f"{ch['exercise']} shows solution lines: {leaked[:3]}"


def test_stored_outputs_are_shown_not_recomputed(site):
    # the start page's environment check is stored, not run at build time
    start = page_text(site / "notebooks" / "00_start_here.html")
    assert "Environment OK" in start
    view = "application/vnd.jupyter.widget-view+json"  # shown instead of its picture
    stored = sum(
        "image/png" in out.get("data", {}) and view not in out.get("data", {})
        for cell in nbformat.read(ROOT / f"{LECTURE}.ipynb", as_version=4).cells
        for out in cell.get("outputs", [])
    )
    images = re.findall(
        r'<img [^>]*src="../_images/', (site / f"{LECTURE}.html").read_text()
    )
    assert len(images) == stored > 0


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_a_lecture_page_renders_offline_in_chromium(site, tmp_path):
    sync_playwright = webpage.require_browser()
    with (
        webpage.serve(site) as base,
        webpage.browser_page(sync_playwright) as (
            page,
            visit,
        ),
    ):
        page.goto(base + f"{LECTURE}.html", wait_until="networkidle")
        page.wait_for_function("document.querySelectorAll('mjx-container').length > 0")
        page.wait_for_selector(".widget-slider, .widget-progress")
        typeset = page.evaluate("document.querySelectorAll('mjx-container').length")
        widgets = page.evaluate("document.querySelectorAll('.jupyter-widgets').length")
        shot = tmp_path / "lecture.png"
        page.screenshot(path=str(shot))
        # the search works offline too: Sphinx's index, searched in the page
        page.goto(base + "search.html?q=backpropagation", wait_until="networkidle")
        page.wait_for_selector("#search-results ul.search li")
        hits = page.evaluate("document.querySelectorAll('ul.search li').length")
    assert not visit.off_site(base), f"fetched from the web: {visit.off_site(base)}"
    assert not visit.failed, f"failed to load: {visit.failed}"
    assert not visit.errors, f"errors in the page: {visit.errors}"
    assert typeset > 20 and widgets > 0 and hits > 0, (typeset, widgets, hits)
    webpage.picture_check(shot)


def test_the_link_checker_catches_broken_links_anchors_and_web_assets(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "page.html").write_text(
        '<h1 id="top">t</h1><a href="#top">ok</a><a href="#gone">bad anchor</a>'
        '<a href="../b.html#here">ok</a><a href="../b.html#nowhere">bad</a>'
        '<a href="missing.html">bad file</a><a href="https://example.org">ok</a>'
        '<script src="https://cdn.example.org/x.js"></script>'
        '<link rel="stylesheet" href="../style.css">'
    )
    (tmp_path / "b.html").write_text('<section id="here"></section>')
    (tmp_path / "style.css").write_text(
        "@import 'https://fonts.example.org/f.css'; a { background: url(gone.png) }"
    )
    broken, web, checked = webpage.check_links(tmp_path)
    assert len(broken) == 4, broken
    assert ["#gone" in b for b in broken].count(True) == 1
    assert len(web) == 2 and checked == 10, (web, checked)
