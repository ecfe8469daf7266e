"""The Chinese edition: one source per notebook, kept in step with the English.

- every English notebook is translated or listed as not yet translated
  (``tools/editions.py`` ``PENDING``, the visible debt; each pending chapter shows as
  a skipped test);
- a translated notebook has Chinese for every markdown cell, made from its current
  English (a cell whose English changed since is listed, with the change);
- the edition on disk is what ``make editions`` writes now, and its code cells,
  outputs (images aside: they are drawn in Chinese), cell ids and metadata are the
  English ones byte for byte, so the nbval run of the English verifies them too
  (``make test-editions`` runs nbval over the editions themselves);
- ``exercises/zh`` is the release of ``solutions/zh``; links resolve; the Chinese
  lecture has its header, sections and glossary in Chinese; the Chinese names each
  glossary concept the English names by the glossary's term (in the concept's own
  section above all), and keeps the English's mathematics.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import tool

E = tool.load("editions")
ROOT = E.ROOT
TRANSLATED = E.translated()
LECTURES = [ch for ch in E.COURSE["chapters"] if ch["notebook"] in TRANSLATED]
# $...$ may run over a line break in the markdown; its whitespace does not change
# what MathJax draws, so formulas are compared with their whitespace normalised
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.S)


def _formulas(text: str) -> collections.Counter:
    return collections.Counter(" ".join(m.split()) for m in MATH.findall(text))


def _id(source: str) -> str:
    return source.removesuffix(".ipynb")


def read(path: str) -> dict:
    return json.loads((ROOT / path).read_text(encoding="utf-8"))


def test_every_notebook_is_translated_or_pending():
    chapters = {ch["id"] for ch in E.COURSE["chapters"]}
    assert set(E.PENDING) <= chapters, "PENDING lists a chapter the map does not have"
    assert E.START in TRANSLATED, "the Chinese start page is the edition's entry point"
    for source in E.sources():
        if E.chapter_of(source) in E.PENDING:
            assert not (ROOT / E.edition_path(source)).exists(), (
                f"{E.edition_path(source)} exists, but chapter "
                f"{E.chapter_of(source)} is listed as not yet translated"
            )
            report = E.check_translation(source)
            assert not (report.ok and E.translation_path(source).exists()), (
                f"{source} is translated: remove {E.chapter_of(source)} from PENDING "
                "in tools/editions.py"
            )


@pytest.mark.parametrize("chapter", E.PENDING)
def test_not_yet_translated(chapter):
    pytest.skip(
        f"chapter {chapter} has no Chinese edition yet (tools/editions.py PENDING)"
    )


@pytest.mark.parametrize("source", TRANSLATED, ids=_id)
def test_every_markdown_cell_has_a_current_translation(source):
    report = E.check_translation(source)
    assert report.ok, "\n".join(
        report.lines()
        + [
            "revise the Chinese, then: python tools/editions.py accept " + source,
            f"(a chapter not translated yet: add {E.chapter_of(source)} to PENDING "
            "in tools/editions.py)",
        ]
    )


@pytest.mark.parametrize("source", TRANSLATED, ids=_id)
def test_the_edition_is_what_make_editions_writes(source):
    path = E.edition_path(source)
    assert (ROOT / path).exists(), f"{path} is missing: run `make editions`"
    stored = read(path)
    wanted = E.build(source, stored)
    assert E.strip_images(stored) == E.strip_images(wanted), (
        f"{path} is stale: run `make editions`"
    )
    assert wanted["metadata"][E.META]["figures"] is not None, (
        f"{path}: its figures are not drawn in Chinese for the current English code "
        "and outputs: run `make editions`"
    )
    assert stored == wanted  # images included: the build is reproducible


@pytest.mark.parametrize("source", TRANSLATED, ids=_id)
def test_code_cells_and_outputs_are_the_englishes_byte_for_byte(source):
    """Images aside, and the self-checks' lines, which print in Chinese there."""
    english = E.localize_feedback(E.strip_images(read(source)))
    chinese = E.strip_images(read(E.edition_path(source)))
    assert [c["id"] for c in chinese["cells"]] == [c["id"] for c in english["cells"]]
    for en, zh in zip(english["cells"], chinese["cells"], strict=True):
        assert zh["cell_type"] == en["cell_type"]
        assert zh["metadata"] == en["metadata"], f"cell {en['id']}: metadata differ"
        if en["cell_type"] == "code":
            assert json.dumps(zh) == json.dumps(en), f"code cell {en['id']} differs"
    assert chinese["metadata"] == english["metadata"]  # the widgets' state included


def test_only_the_self_check_lines_of_an_output_change_language():
    text = (
        "loss 0.25\n✓ 01.gd_step passed (5 cases)\n"
        "✗ 01.fit_line case 'zero steps': expected shape (2,), got (3,).\n"
        'For a hint: hint("01.fit_line") (from nnlib.grading import hint).\n'
        "the line fits, expected shape (2,), got (3,)\n"
    )
    assert E.feedback_in_language(text).split("\n") == [
        "loss 0.25",
        "✓ 01.gd_step 通过（5 个用例）",
        "✗ 01.fit_line 用例“zero steps”：形状应为 (2,)，得到 (3,)。",
        '提示：运行 hint("01.fit_line")（from nnlib.grading import hint）。',
        "the line fits, expected shape (2,), got (3,)",
        "",
    ]


@pytest.mark.parametrize(
    "source", [s for s in TRANSLATED if s.startswith("solutions/")], ids=_id
)
def test_the_chinese_solutions_show_their_checks_in_chinese(source):
    printed = [
        line
        for cell in read(E.edition_path(source))["cells"]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
        for line in "".join(output["text"]).split("\n")
        if E.FEEDBACK.match(line)
    ]
    assert printed, "the solution's checks print their results"
    assert all(re.search("通过|未通过|尚未作答", line) for line in printed), printed


def test_the_chinese_exercises_are_the_release_of_the_chinese_solutions():
    from nnlib.grading.release import release_folder

    solutions, exercises = ROOT / "solutions" / "zh", ROOT / "exercises" / "zh"
    stale, _ = release_folder(solutions, exercises, check=True)
    assert not stale, f"stale: {stale} (run `make editions`)"
    names = sorted(p.name for p in exercises.glob("*.ipynb"))
    assert names == sorted(p.name for p in solutions.glob("*.ipynb"))


def _links(nb: dict) -> list[str]:
    return [
        link
        for cell in nb["cells"]
        if cell["cell_type"] == "markdown"
        for _, link in E.LINK.findall(E.source_text(cell))
        if not E.EXTERNAL.match(link)
    ]


@pytest.mark.parametrize(
    "path",
    [E.edition_path(s) for s in TRANSLATED]
    + [f"exercises/zh/{Path(s).name}" for s in TRANSLATED if s.startswith("solutions")],
)
def test_links_resolve_and_prefer_the_chinese_edition(path):
    nb = read(path)
    links = _links(nb)
    for link in links:
        target = (ROOT / path).parent / link.partition("#")[0]
        assert target.resolve().exists(), f"{path}: broken link {link}"
        rel = target.resolve().relative_to(ROOT).as_posix()
        if rel.endswith(".ipynb") and "/zh/" not in rel:
            assert not E.has_edition(rel), f"{path}: {link} has a Chinese edition"
    if path == E.edition_path(E.START):
        assert len(links) >= 20, "the Chinese start page lost its chapter links"


def test_links_are_rebased_to_the_edition_folder(monkeypatch):
    start, solution = E.START, "solutions/01_neuron_and_gradient_descent.ipynb"
    rebase = E.rebase_links
    translated = [s for s in TRANSLATED if "/02_" not in s]  # as if 02 were pending
    monkeypatch.setattr(E, "translated", lambda: translated)
    assert rebase("[x](01_neuron_and_gradient_descent.ipynb)", start) == (
        "[x](01_neuron_and_gradient_descent.ipynb)"  # translated: the Chinese one
    )
    assert rebase("[x](02_activation_functions.ipynb#goals)", start) == (
        "[x](../02_activation_functions.ipynb#goals)"  # not yet: the English one
    )
    assert rebase(
        "[x](../notebooks/01_neuron_and_gradient_descent.ipynb)", solution
    ) == ("[x](../../notebooks/zh/01_neuron_and_gradient_descent.ipynb)")
    assert rebase("[r](../README.zh.md) [w](https://x.org) [a](#top)", start) == (
        "[r](../../README.zh.md) [w](https://x.org) [a](#top)"
    )


def test_the_chinese_start_page_lists_every_chapter():
    titles = json.loads((E.I18N / "course.json").read_text("utf-8"))["chapters"]
    untitled = {ch["id"] for ch in E.COURSE["chapters"]} - set(titles)
    assert not untitled, (
        f"give chapters {sorted(untitled)} a title in i18n/zh/course.json"
    )
    start = read(E.edition_path(E.START))
    table = next(
        E.source_text(c)
        for c in start["cells"]
        if "chapter-table" in c["metadata"].get("tags", [])
    )
    assert table == E.rebase_links(E.chapter_table(), E.START)
    for ch in E.COURSE["chapters"]:
        assert titles[ch["id"]] in table
        if ch["id"] in E.PENDING:
            assert (
                f"{titles[ch['id']]}](../{Path(ch['notebook']).name})（暂为英文版）"
                in (table)
            )


@pytest.mark.parametrize("ch", LECTURES, ids=[ch["id"] for ch in LECTURES])
class TestChineseLecture:
    """The rules of tests/test_course.py for a lecture, in Chinese."""

    def cells(self, ch):
        return read(E.edition_path(ch["notebook"]))["cells"]

    def test_header(self, ch):
        first = E.source_text(self.cells(ch)[0])
        assert first.startswith(f"# {ch['id']} · ")
        for part in ["学习目标", "先修知识", "预计用时"]:
            assert part in first, f"the first cell lacks '{part}'"

    def test_sections_and_glossary(self, ch):
        cells = self.cells(ch)
        headings = [
            line.lstrip("#").strip()
            for c in cells
            if c["cell_type"] == "markdown"
            for line in E.source_text(c).splitlines()
            if line.startswith("#")
        ]
        assert "检验你的理解" in headings and "小结" in headings
        last = E.source_text(cells[-1])
        assert "术语表" in last
        rows = [r for r in last.splitlines() if r.startswith("|")][2:]
        assert len(rows) == len(ch["concepts"])
        for c in ch["concepts"]:
            assert any(c["en"] in r and c["zh"] in r for r in rows), c

    def test_each_concept_is_taught_with_the_glossary_term(self, ch):
        cells = self.cells(ch)
        for concept in ch["concepts"]:
            tagged = [
                E.source_text(c)
                for c in cells
                if f"concept:{concept['id']}" in c["metadata"].get("tags", [])
            ]
            assert tagged, f"no cell tagged concept:{concept['id']}"
            assert any(concept["zh"] in text for text in tagged), (
                f"the section of {concept['en']!r} does not use the glossary's term "
                f"{concept['zh']!r}"
            )


@pytest.mark.parametrize("source", TRANSLATED, ids=_id)
def test_the_mathematics_is_the_englishes(source):
    entries = {e["id"]: e for e in E.load_translation(source)["cells"]}
    changed = []
    for cell in read(source)["cells"]:
        entry = entries.get(cell["id"], {})
        if cell["cell_type"] != "markdown" or "generated" in entry:
            continue
        english = _formulas(E.source_text(cell))
        chinese = _formulas(E.entry_zh(entry) or "")
        if english != chinese:
            changed.append(
                f"cell {cell['id']}: {sorted((english ^ chinese).elements())}"
            )
    assert not changed, "the maths differs from the English:\n" + "\n".join(changed)


def test_a_new_figure_label_translation_redraws_the_figures(monkeypatch):
    """The figures record what they were drawn from, the label table included: a
    changed translation of a label makes every edition's figures stale."""
    nb = read(E.translated()[1])
    before = E.code_fingerprint(nb)
    table = dict(E.figure_text(), **{"a label nobody drew": "没人画过的标签"})
    monkeypatch.setattr(E, "figure_text", lambda: table)
    assert E.code_fingerprint(nb) != before


def test_a_changed_english_cell_makes_its_translation_stale(tmp_path, monkeypatch):
    """The mechanism on a tiny course: stale, missing and orphaned entries."""
    (tmp_path / "notebooks").mkdir()
    cells = [
        {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": ["# Title"]},
        {"cell_type": "markdown", "id": "b2", "metadata": {}, "source": ["Some text."]},
    ]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    english = tmp_path / "notebooks" / "x.ipynb"
    english.write_text(json.dumps(nb))
    monkeypatch.setattr(E, "ROOT", tmp_path)
    monkeypatch.setattr(E, "I18N", tmp_path / "i18n" / "zh")
    entries = [E.new_entry(cells[0], "# 标题"), E.new_entry(cells[1], "一些文字。")]
    target = E.translation_path("notebooks/x.ipynb")
    target.parent.mkdir(parents=True)
    target.write_text(E.dumps({"english": "notebooks/x.ipynb", "cells": entries}))
    assert E.check_translation("notebooks/x.ipynb").ok

    cells[1]["source"] = ["Some other text."]
    cells.append(
        {"cell_type": "markdown", "id": "c3", "metadata": {}, "source": ["New"]}
    )
    english.write_text(json.dumps(nb))
    report = E.check_translation("notebooks/x.ipynb")
    assert [s[0] for s in report.stale] == ["b2"] and report.missing == ["c3"]
    text = "\n".join(report.lines())
    assert "-Some text." in text and "+Some other text." in text
    with pytest.raises(ValueError, match="c3"):
        E.build("notebooks/x.ipynb")

    # the translator's commands: skeleton adds the new cell's entry (no Chinese yet)
    # and drops entries of cells gone; accept records the English a revised entry
    # now translates
    del cells[0]
    english.write_text(json.dumps(nb))
    assert E.check_translation("notebooks/x.ipynb").orphans == ["a1"]
    assert E.main(["skeleton", str(english)]) == 0
    report = E.check_translation("notebooks/x.ipynb")
    assert report.orphans == [] and report.missing == ["c3"]
    assert E.main(["accept", str(english), "b2"]) == 0
    report = E.check_translation("notebooks/x.ipynb")
    assert report.stale == [] and report.missing == ["c3"]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_lang_zh_opens_the_chinese_start_page():
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    out = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-n",
            "-o",
            ".venv/.installed",
            "lab",
            "LANG=zh",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert "--ServerApp.root_dir=. notebooks/zh/00_start_here.ipynb" in out
    english = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", "lab"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert "--ServerApp.root_dir=. notebooks/00_start_here.ipynb" in english


def _terms() -> list[tuple[str, str]]:
    """(English key, Chinese term) of every glossary concept of the course."""
    terms = []
    for ch in E.COURSE["chapters"]:
        for c in ch["concepts"]:
            key = c["en"].split(" (")[0]  # "ReLU (rectified linear unit)" -> "ReLU"
            terms.append((key, c["zh"].split("（")[0]))  # "设备（CPU / GPU）" -> "设备"
    return terms


@pytest.mark.parametrize("source", TRANSLATED, ids=_id)
def test_the_chinese_uses_the_glossary_term_for_each_concept(source):
    """Where the English names a glossary concept, the Chinese names it by the
    glossary's term (a name kept in English, such as ReLU or Adam, also counts)."""
    entries = {e["id"]: e for e in E.load_translation(source)["cells"]}
    wrong = []
    for cell in read(source)["cells"]:
        entry = entries.get(cell["id"], {})
        if cell["cell_type"] != "markdown" or "generated" in entry:
            continue
        english, chinese = E.source_text(cell), E.entry_zh(entry) or ""
        for key, zh in _terms():
            named = re.search(rf"\b{re.escape(key)}s?\b", english, re.I)
            if named and zh not in chinese and key not in chinese:
                wrong.append(f"cell {cell['id']}: {key!r} without {zh!r}")
    assert not wrong, "\n".join(wrong)
