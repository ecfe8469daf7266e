"""INSTRUCTORS.md states what the course has: its per-chapter table is generated."""

from pathlib import Path

import tool

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- BEGIN GENERATED: tools/learner_time.py --instructors -->\n"
END = "<!-- END GENERATED -->"


def test_the_chapter_table_is_current():
    text = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
    stored = text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()
    fresh = tool.load("learner_time").instructors_table().strip()
    assert stored == fresh, "run tools/learner_time.py --instructors"


def test_the_guide_names_commands_that_exist():
    text = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("site", "slides", "test-hub", "lab"):
        assert f"make {target}" in text, target
        assert f"\n{target}:" in makefile, target
    for flag in ("--gradescope-bundle", "--export", "--roster", "--unsafe-no-sandbox"):
        assert flag in text
    assert (ROOT / "docs" / "jupyterhub.md").exists()
