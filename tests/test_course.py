"""Course integrity: notebooks, course map, glossaries and start page agree.

Rules checked for every lecture notebook that exists (chapters not yet written are
listed as coming on the start page):
- the first cell has the title, learning goals, prerequisites and an estimated time;
- every concept of its chapter has a markdown cell tagged ``concept:<id>``;
- it has "Check your understanding" and "Summary" sections, and ends with a glossary
  table holding exactly the chapter's concepts, English and Chinese;
- it imports nnlib, defines no class the library exports, seeds no global RNG;
- outputs are stored (every code cell executed), hold at least two figures, no errors
  (except cells tagged raises-exception), no machine paths; ignored cells say why;
- key results are asserted in a cell.
"""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = json.loads((ROOT / "nnlib" / "course_map.json").read_text("utf-8"))
CHAPTERS = COURSE["chapters"]
WRITTEN = [ch for ch in CHAPTERS if (ROOT / ch["notebook"]).exists()]
IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}
MACHINE_PATH = re.compile(
    r"(/tmp/|/work/|/root/|/home/\w+|[A-Z]:\\\\Users|0x[0-9a-f]{8,})"
)


def read(path: str):
    return nbformat.read(ROOT / path, as_version=4)


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def library_names() -> set[str]:
    """Public names of nnlib's model packages, read without importing torch."""
    names = set()
    for package in ["scratch", "blocks"]:
        init = ROOT / "nnlib" / package / "__init__.py"
        if not init.exists():
            continue
        for node in ast.walk(ast.parse(init.read_text())):
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == "__all__" for t in node.targets
            ):
                names |= set(ast.literal_eval(node.value))
    return names


def output_text(output) -> str:
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return "\n".join(output.traceback)
    return str(output.get("data", {}).get("text/plain", ""))


def test_course_map_is_well_formed():
    ids = [ch["id"] for ch in CHAPTERS]
    assert ids == [f"{i:02d}" for i in range(1, len(ids) + 1)], "chapters out of order"
    task_ids = [t["id"] for ch in CHAPTERS for t in ch["tasks"]]
    assert len(task_ids) == len(set(task_ids)), "duplicate task id"
    for ch in CHAPTERS:
        assert ch["concepts"], f"chapter {ch['id']} teaches no concept"
        assert 2 <= len(ch["tasks"]) <= 6, f"chapter {ch['id']} needs 2-6 graded tasks"
        for t in ch["tasks"]:
            assert t["id"].startswith(ch["id"] + "."), t["id"]
            assert isinstance(t["points"], int) and t["points"] > 0
        for c in ch["concepts"]:
            assert c["en"] and c["zh"], f"concept {c['id']} lacks a term"
        stem = f"{ch['id']}_{ch['slug']}.ipynb"
        for key, folder in [
            ("notebook", "notebooks"),
            ("solution", "solutions"),
            ("exercise", "exercises"),
        ]:
            assert ch[key] == f"{folder}/{stem}"


def test_every_lecture_notebook_is_in_the_map():
    listed = {ch["notebook"] for ch in CHAPTERS}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        rel = path.relative_to(ROOT).as_posix()
        assert rel == "notebooks/00_start_here.ipynb" or rel in listed, (
            f"{rel} is not in nnlib/course_map.json"
        )


def test_start_page_table_matches_the_map():
    result = subprocess.run(
        [sys.executable, "tools/start_page.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("ch", WRITTEN, ids=[ch["id"] for ch in WRITTEN])
class TestLectureNotebook:
    def test_header(self, ch):
        first = read(ch["notebook"]).cells[0]
        assert first.cell_type == "markdown" and first.source.startswith("# ")
        for part in ["Learning goals", "Prerequisites", "Estimated time"]:
            assert part in first.source, f"the first cell lacks '{part}'"

    def test_every_concept_has_a_section(self, ch):
        nb = read(ch["notebook"])
        tagged = {t for cell in nb.cells for t in tags(cell)}
        missing = [
            c["id"] for c in ch["concepts"] if f"concept:{c['id']}" not in tagged
        ]
        assert not missing, f"no cell tagged concept:<id> for {missing}"

    def test_sections_and_glossary(self, ch):
        nb = read(ch["notebook"])
        headings = [
            line.lstrip("#").strip().lower()
            for cell in nb.cells
            if cell.cell_type == "markdown"
            for line in cell.source.splitlines()
            if line.startswith("#")
        ]
        assert any("check your understanding" in h for h in headings)
        assert any(h.startswith("summary") for h in headings)
        last = nb.cells[-1]
        assert last.cell_type == "markdown" and "glossary" in last.source.lower()
        rows = [r for r in last.source.splitlines() if r.startswith("|")][2:]
        assert len(rows) == len(ch["concepts"]), "glossary rows must match the map"
        for c in ch["concepts"]:
            assert any(c["en"] in r and c["zh"] in r for r in rows), (
                f"glossary lacks '{c['en']} / {c['zh']}' on one row"
            )

    def test_code_uses_the_library_and_no_global_seed(self, ch):
        nb = read(ch["notebook"])
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        assert re.search(r"^\s*(from|import) nnlib", code, re.M), "must import nnlib"
        assert "np.random.seed" not in code, "use an explicit rng, not np.random.seed"
        redefined = set(re.findall(r"^class (\w+)", code, re.M)) & library_names()
        assert not redefined, f"redefines library classes {sorted(redefined)}"
        assert re.search(r"^\s*assert ", code, re.M), "assert the key results in a cell"

    def test_stored_outputs(self, ch):
        nb = read(ch["notebook"])
        figures = 0
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            where = f"cell {i}"
            assert cell.execution_count is not None, f"{where} was not executed"
            if set(tags(cell)) & IGNORE_TAGS:
                assert "nbval" in cell.source, f"{where} is ignored without a reason"
            for out in cell.outputs:
                if out.output_type == "error":
                    assert "raises-exception" in tags(cell), f"{where} stored an error"
                figures += "image/png" in out.get("data", {})
                if not set(tags(cell)) & IGNORE_TAGS:
                    leak = MACHINE_PATH.search(output_text(out))
                    assert not leak, f"{where} output holds {leak.group(0)!r}"
        assert figures >= 2, "a lecture needs at least two figures"

    def test_size(self, ch):
        size = (ROOT / ch["notebook"]).stat().st_size
        assert size < 2_000_000, (
            f"{size / 1e6:.1f} MB: use smaller figures (dpi <= 100)"
        )
