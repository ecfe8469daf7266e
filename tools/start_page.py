"""Rebuild the chapter table of notebooks/00_start_here.ipynb from the course map.

The table is the markdown cell tagged ``chapter-table``. A chapter whose lecture
notebook exists gets links; one that does not yet is marked as coming.
Run with ``--check`` to fail (exit 1) when the stored table is stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
START = ROOT / "notebooks" / "00_start_here.ipynb"


def chapter_table(root: Path = ROOT) -> str:
    """The markdown chapter table for the current state of the repository."""
    course = json.loads((root / "nnlib" / "course_map.json").read_text("utf-8"))
    rows = [
        "| # | Lecture | Exercise | Key ideas (中文) |",
        "|---|---|---|---|",
    ]
    for ch in course["chapters"]:
        terms = ", ".join(f"{c['en']} ({c['zh']})" for c in ch["concepts"][:4])
        lecture = Path(ch["notebook"])
        exercise = Path(ch["exercise"])
        if (root / lecture).exists():
            cell = f"[{ch['title']}](../{lecture.as_posix()})"
        else:
            cell = f"{ch['title']} — *coming*"
        if (root / exercise).exists():
            ex = f"[exercise](../{exercise.as_posix()})"
        else:
            ex = "*coming*"
        rows.append(f"| {ch['id']} | {cell} | {ex} | {terms} |")
    return "## The chapters\n\n" + "\n".join(rows) + "\n"


def table_cell(nb) -> nbformat.NotebookNode:
    """The chapter-table cell of the start page."""
    for cell in nb.cells:
        if "chapter-table" in cell.metadata.get("tags", []):
            return cell
    raise LookupError("00_start_here has no cell tagged 'chapter-table'")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, do not write")
    args = parser.parse_args(argv)
    nb = nbformat.read(START, as_version=4)
    cell = table_cell(nb)
    wanted = chapter_table()
    if cell.source == wanted:
        return 0
    if args.check:
        print("00_start_here's chapter table is stale: run python tools/start_page.py")
        return 1
    cell.source = wanted
    nbformat.write(nb, START)
    print(f"updated {START.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
