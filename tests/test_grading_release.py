"""solutions/ -> exercises/: the release tool, and the notebooks it is run on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from course_copy import needs_solutions

from nnlib import course
from nnlib.grading.release import (
    FINGERPRINT,
    ReleaseError,
    edited_since_release,
    is_stale,
    main,
    release_notebook,
    release_text,
    sources_sha256,
)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))

SOLUTION_META = {
    "solution": True,
    "grade": False,
    "locked": False,
    "grade_id": "f",
    "schema_version": 3,
}
GRADE_META = {
    "solution": False,
    "grade": True,
    "locked": True,
    "points": 2,
    "grade_id": "check_f",
    "schema_version": 3,
}


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    solved = nbformat.v4.new_code_cell(
        'def f(x):\n    """Double x."""\n    ### BEGIN SOLUTION\n    y = 2 * x\n'
        "    return y\n    ### END SOLUTION",
        metadata={"nbgrader": SOLUTION_META},
        execution_count=3,
        outputs=[nbformat.v4.new_output("stream", text="hi\n")],
    )
    graded = nbformat.v4.new_code_cell(
        'check("01.f", f)\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n'
        "### END HIDDEN TESTS\nprint('done')",
        metadata={"nbgrader": GRADE_META},
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nSome *text* — ünïcode."),
        solved,
        graded,
        nbformat.v4.new_code_cell("x = 1  # plain", execution_count=4),
    ]
    return nb


def _released() -> tuple[dict, dict]:
    text = nbformat.writes(_notebook())
    return json.loads(text), json.loads(release_text(text))


def test_solution_region_becomes_a_stub_at_the_markers_indentation() -> None:
    _, out = _released()
    assert "".join(out["cells"][1]["source"]) == (
        'def f(x):\n    """Double x."""\n    # YOUR CODE HERE\n'
        "    raise NotImplementedError()"
    )


def test_hidden_tests_and_outputs_are_removed() -> None:
    _, out = _released()
    assert "".join(out["cells"][2]["source"]) == "check(\"01.f\", f)\nprint('done')"
    for cell in out["cells"][1:]:
        assert cell["outputs"] == [] and cell["execution_count"] is None


def test_everything_else_is_kept_byte_for_byte() -> None:
    src, out = _released()
    fingerprint = out["metadata"].pop(FINGERPRINT)  # the one addition
    assert fingerprint == {"sources_sha256": sources_sha256(out)}
    assert out["metadata"] == src["metadata"] and out["nbformat"] == src["nbformat"]
    assert out["cells"][0] == src["cells"][0]  # markdown, untouched
    for s, o in zip(src["cells"][1:], out["cells"][1:], strict=True):
        assert o["metadata"] == s["metadata"] and o["id"] == s["id"]
    assert out["cells"][3]["source"] == src["cells"][3]["source"]
    # a notebook with nothing to release comes out as the very same bytes, once it
    # carries its fingerprint
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    text = release_text(nbformat.writes(plain))
    assert release_text(text) == text


def test_a_solution_cell_without_markers_is_replaced_whole() -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "answer = 42", metadata={"nbgrader": SOLUTION_META}
            ),
            nbformat.v4.new_markdown_cell(
                "Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION",
                metadata={"nbgrader": {**SOLUTION_META, "grade": True, "points": 1}},
            ),
        ]
    )
    out = release_notebook(json.loads(nbformat.writes(nb)))
    assert (
        "".join(out["cells"][0]["source"])
        == "# YOUR CODE HERE\nraise NotImplementedError()"
    )
    assert "".join(out["cells"][1]["source"]) == "Why?\nYOUR ANSWER HERE"


@pytest.mark.parametrize(
    "source",
    [
        "### BEGIN SOLUTION\nx = 1",
        "x = 1\n### END SOLUTION",
        "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION",
        "### BEGIN HIDDEN TESTS\nassert True",
    ],
)
def test_unpaired_markers_are_an_error(source: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    with pytest.raises(ReleaseError):
        release_notebook(json.loads(nbformat.writes(nb)))


def test_check_mode_reports_stale_folders(tmp_path: Path) -> None:
    src, dst = tmp_path / "solutions", tmp_path / "exercises"
    src.mkdir()
    nbformat.write(_notebook(), src / "01_x.ipynb")
    assert main([str(src), str(dst), "--check"]) == 1
    assert main([str(src), str(dst)]) == 0
    assert main([str(src), str(dst), "--check"]) == 0
    (dst / "01_x.ipynb").write_text((dst / "01_x.ipynb").read_text() + " ")
    assert main([str(src), str(dst), "--check"]) == 1


def _learner_edits(path: Path) -> str:
    """Answer the exercise in ``path`` and run a cell, as a learner would; new text."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][1]["source"] = 'def f(x):\n    """Double x."""\n    return x + x'
    nb["cells"][1]["execution_count"] = 1
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path.read_text(encoding="utf-8")


def test_regenerating_keeps_a_copy_of_a_learners_work(tmp_path: Path) -> None:
    src, dst = tmp_path / "solutions", tmp_path / "exercises"
    src.mkdir()
    solution = _notebook()
    nbformat.write(solution, src / "01_x.ipynb")
    assert main([str(src), str(dst)]) == 0
    exercise = dst / "01_x.ipynb"
    assert not edited_since_release(json.loads(exercise.read_text()))
    work = _learner_edits(exercise)
    assert edited_since_release(json.loads(work))

    # the solutions did not change: the learner's notebook is up to date, untouched
    assert main([str(src), str(dst), "--check"]) == 0
    assert main([str(src), str(dst)]) == 0
    assert exercise.read_text() == work and list(dst.glob("*.bak")) == []

    # the instructor changes a task: rewriting keeps the learner's version beside it
    solution.cells[0].source += "\n\nA new hint."
    nbformat.write(solution, src / "01_x.ipynb")
    assert main([str(src), str(dst), "--check"]) == 1
    assert main([str(src), str(dst)]) == 0
    (backup,) = dst.glob("01_x.ipynb.*.bak")
    assert backup.read_text() == work
    assert "A new hint." in exercise.read_text()
    assert not edited_since_release(json.loads(exercise.read_text()))

    # an unedited notebook is simply rewritten, without a backup
    solution.cells[0].source += " Another."
    nbformat.write(solution, src / "01_x.ipynb")
    assert main([str(src), str(dst)]) == 0
    assert len(list(dst.glob("*.bak"))) == 1


def test_a_cell_run_is_work_too(tmp_path: Path) -> None:
    path = tmp_path / "01_x.ipynb"
    released = release_text(nbformat.writes(_notebook()))
    nb = json.loads(released)
    nb["cells"][3]["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "1"}
    ]
    assert edited_since_release(nb)
    path.write_text(json.dumps(nb))
    assert not is_stale(path, released)  # same release fingerprint: keep it


# ---------------------------------------------------------------- the real notebooks


@needs_solutions
def test_solutions_exist_for_the_numpy_chapters() -> None:
    names = {p.name for p in SOLUTIONS}
    for ch in course.chapters()[:6]:
        assert Path(ch["solution"]).name in names


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_exercises_are_up_to_date(path: Path) -> None:
    exercise = ROOT / "exercises" / path.name
    assert exercise.exists(), f"{exercise} is missing: run `make exercises`"
    expected = release_text(path.read_text(encoding="utf-8"), path.name)
    nbformat.validate(nbformat.reads(expected, as_version=4))
    # byte for byte as released; a learner's edited copy only by its fingerprint
    assert not is_stale(exercise, expected), "stale: run `make exercises`"


def _validate_nbgrader(nb: nbformat.NotebookNode) -> None:
    """nbgrader's schema-3 rules (its MetadataValidatorV3), restated here so the
    course does not need nbgrader installed to check them."""
    ids = set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        src = cell.source
        if "BEGIN HIDDEN TESTS" in src:
            assert meta and meta["grade"], "hidden tests must sit in a grade cell"
        if "BEGIN SOLUTION" in src:
            assert meta and meta["solution"], "solution regions need a solution cell"
        if meta is None:
            continue
        assert meta["schema_version"] == 3
        for key in ("grade", "solution", "locked"):
            assert isinstance(meta[key], bool), key
        assert re.fullmatch(r"[A-Za-z0-9_-]+", meta["grade_id"]), meta["grade_id"]
        assert meta["grade_id"] not in ids, f"duplicate grade id {meta['grade_id']}"
        ids.add(meta["grade_id"])
        if meta["grade"]:
            assert isinstance(meta["points"], int | float) and meta["points"] >= 0
        if cell.cell_type == "markdown":
            assert meta["grade"] == meta["solution"], (
                "markdown: grade and solution together"
            )
        if meta["grade"] and not meta["solution"]:
            assert meta["locked"], "test cells are locked"
        if meta["solution"]:
            assert not meta["locked"], "answer cells are editable"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solutions_carry_valid_nbgrader_metadata(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    _validate_nbgrader(nb)
    chapter = course.chapter(path.name[:2])
    cells = [c for c in nb.cells if c.cell_type == "code"]
    for task in chapter["tasks"]:
        defs = [
            c for c in cells if re.search(rf"^def {task['function']}\(", c.source, re.M)
        ]
        assert len(defs) == 1 and defs[0].metadata["nbgrader"]["solution"], task["id"]
        checks = [
            c for c in cells if f'check("{task["id"]}", {task["function"]})' in c.source
        ]
        assert len(checks) == 1, task["id"]
        meta = checks[0].metadata["nbgrader"]
        assert meta["grade"] and meta["points"] == task["points"], task["id"]
