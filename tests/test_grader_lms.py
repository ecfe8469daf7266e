"""grades.csv into Canvas's and Moodle's gradebook import files (no kernels).

The layouts checked are those documented in ``nnlib.grader.lms`` (from Canvas's
lib/gradebook_importer.rb and gradebook_exporter.rb, and Moodle's
grade/import/csv/classes/load_data.php); ``_canvas_reads`` applies the
importer's own header and row rules to the file.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pytest

from nnlib import course
from nnlib.grader.cli import main
from nnlib.grader.lms import BOM, ExportError, export
from nnlib.grader.records import SubmissionResult, TaskGrade
from nnlib.grader.summary import grades_csv

CH01 = course.chapter("01")
CH02 = course.chapter("02")
POINTS = {c["id"]: sum(t["points"] for t in c["tasks"]) for c in (CH01, CH02)}
ZOE_NFD = unicodedata.normalize("NFD", "zoë")  # a folder name made on macOS


def _result(
    name: str, chapter: dict, passed: set[str] | None = None
) -> SubmissionResult:
    """A graded submission: the tasks in ``passed`` full marks, the rest 0."""
    passed = set() if passed is None else passed
    r = SubmissionResult(name, f"{name}.ipynb", "0" * 64, [chapter["id"]], name)
    r.tasks = [
        TaskGrade(
            t["id"],
            t["title"],
            t["points"] if t["id"] in passed else 0,
            t["points"],
            "passed" if t["id"] in passed else "failed",
            "…",
        )
        for t in chapter["tasks"]
    ]
    return r


def _all(chapter: dict) -> set[str]:
    return {t["id"] for t in chapter["tasks"]}


def _out(tmp_path: Path, results: list[SubmissionResult]) -> Path:
    out = tmp_path / "grades"
    out.mkdir()
    (out / "grades.csv").write_text(grades_csv(results), "utf-8")
    return out


def _class(tmp_path: Path) -> Path:
    """ann: ch01 full, ch02 zero; 李雷: ch02 only, 1 task; zoë (NFD): ch01 zero;
    a file that could not be graded at all (task "-")."""
    one_task = {CH02["tasks"][0]["id"]}
    lost = SubmissionResult("mystery", "x.ipynb", "", [], "x.ipynb")
    lost.faults = ["could not tell which chapter this is"]
    return _out(
        tmp_path,
        [
            _result("ann/ch02", CH02),  # listed before ch01: columns still in order
            _result("ann/ch01", CH01, _all(CH01)),
            _result("李雷", CH02, one_task),
            _result(ZOE_NFD, CH01),
            lost,
        ],
    )


def _roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, "utf-8")
    return path


CANVAS_ROSTER = (
    "student,Student,ID,SIS User ID,SIS Login ID,Section\n"
    'ann,"Lee, Ann",101,S-1,ann,A\n'
    '李雷,"李, 雷",102,S-2,lilei,A\n'
    'zoë,"Ærø, Zoë",103,S-3,zoe,B\n'
    "mystery,Mystery,104,S-4,mystery,B\n"
    'dan,"Dan, Dan",105,S-5,dan,B\n'
)


def _read(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM.encode("utf-8")), "UTF-8 with a byte-order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _canvas_reads(rows: list[list[str]]) -> dict:
    """What Canvas's GradebookImporter makes of the rows (its header rules)."""
    head = rows[0]
    assert len(head) > 3 and "Student" in head[0] and "ID" in head[1]
    assert re.search(r"SIS\s+User\s+ID", head[2])
    assert re.search(r"SIS\s+Login\s+ID", head[3])
    assert "Section" in head[4]  # the last student column
    assignments = head[5:]
    assert "Points Possible" in rows[1][0]
    return {
        "assignments": assignments,
        "points": dict(zip(assignments, rows[1][5:], strict=True)),
        "students": {
            r[3]: dict(zip(assignments, r[5:], strict=True)) for r in rows[2:]
        },
    }


def test_canvas_layout_points_possible_order_and_blanks(tmp_path: Path) -> None:
    out = _class(tmp_path)
    done = export(out, "canvas", roster=_roster(tmp_path, CANVAS_ROSTER))
    assert done.path == out / "canvas_import.csv"
    rows = _read(done.path)
    h1 = f"Chapter 01: {CH01['title']}"
    h2 = f"Chapter 02: {CH02['title']}"
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        h1,
        h2,
    ]
    assert rows[1] == ["Points Possible", "", "", "", ""] + [
        str(POINTS["01"]),
        str(POINTS["02"]),
    ]
    canvas = _canvas_reads(rows)
    assert canvas["assignments"] == [h1, h2]  # course order
    assert canvas["students"] == {
        "ann": {h1: str(POINTS["01"]), h2: "0"},  # graded 0 is 0
        "lilei": {h1: "", h2: str(CH02["tasks"][0]["points"])},  # ungraded: blank
        "zoe": {h1: "0", h2: ""},
    }
    # roster order; the roster's own spelling and identities, non-ASCII intact
    assert [r[:5] for r in rows[2:]] == [
        ["Lee, Ann", "101", "S-1", "ann", "A"],
        ["李, 雷", "102", "S-2", "lilei", "A"],
        ["Ærø, Zoë", "103", "S-3", "zoe", "B"],
    ]
    notes = "\n".join(done.notes)
    assert "'mystery' could not be graded" in notes  # never silently dropped
    assert "'dan'" in notes and "left out" in notes


def test_moodle_layout_identifiers_and_no_points_row(tmp_path: Path) -> None:
    out = _class(tmp_path)
    roster = _roster(
        tmp_path,
        "student,firstname,lastname,username,email\n"
        "ann,Ann,Lee,ann,ann@example.edu\n"
        "李雷,雷,李,lilei,lilei@example.edu\n"
        "zoë,Zoë,Ærø,zoe,zoe@example.edu\n",
    )
    rows = _read(export(out, "moodle", roster=roster).path)
    assert (out / "moodle_import.csv").exists()
    h = [f"Chapter {c['id']}: {c['title']}" for c in (CH01, CH02)]
    assert rows[0] == ["First name", "Last name", "Username", "Email address", *h]
    assert rows[1:] == [
        ["Ann", "Lee", "ann", "ann@example.edu", str(POINTS["01"]), "0"],
        ["雷", "李", "lilei", "lilei@example.edu", "", "1"],
        ["Zoë", "Ærø", "zoe", "zoe@example.edu", "0", ""],
    ]


def test_a_blank_moodle_identifier_is_an_error(tmp_path: Path) -> None:
    out = _out(tmp_path, [_result("ann", CH01), _result("ben", CH01)])
    roster = _roster(tmp_path, "student,username\nann,ann\nben,\n")
    with pytest.raises(ExportError, match="blank for 'ben'"):
        export(out, "moodle", roster=roster)


def test_students_missing_from_the_roster_are_an_error(tmp_path: Path) -> None:
    out = _class(tmp_path)
    roster = _roster(tmp_path, "student,SIS Login ID\nann,ann\n")
    with pytest.raises(ExportError) as err:
        export(out, "canvas", roster=roster)
    text = str(err.value)
    assert "not in the roster" in text and "'李雷'" in text and "'zoë'" in text
    assert not (out / "canvas_import.csv").exists()


def test_the_cli_lists_the_missing_and_writes_nothing(tmp_path: Path, capsys) -> None:
    out = _class(tmp_path)
    roster = _roster(tmp_path, "student,username\nann,ann\n")
    args = ["--export", "moodle", "--out", str(out), "--roster", str(roster)]
    assert main(args) == 2
    assert "not in the roster" in capsys.readouterr().err
    assert not (out / "moodle_import.csv").exists()


def test_two_submissions_for_one_chapter_are_an_error(tmp_path: Path) -> None:
    out = _out(tmp_path, [_result("ann/try1", CH01), _result("ann/try2", CH01)])
    with pytest.raises(ExportError, match="two submissions for chapter 01"):
        export(out, "canvas")


def test_without_a_roster_names_are_login_ids(tmp_path: Path) -> None:
    out = _out(tmp_path, [_result("ann", CH01, _all(CH01)), _result("zoë", CH01)])
    done = export(out, "canvas")
    rows = _read(done.path)
    assert rows[2:] == [
        ["ann", "", "", "ann", "", str(POINTS["01"])],
        ["zoë", "", "", "zoë", "", "0"],
    ]
    assert any("no --roster" in n for n in done.notes)
    moodle = _read(export(out, "moodle").path)
    assert moodle[0][0] == "Username" and moodle[1][:2] == ["ann", str(POINTS["01"])]


def test_a_canvas_export_is_a_roster(tmp_path: Path, capsys) -> None:
    """Canvas's own export (Points Possible row included), keyed by SIS Login ID;
    --chapter keeps one column, --assignment names an existing assignment."""
    out = _class(tmp_path)
    roster = _roster(
        tmp_path,
        BOM + "Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (77)\n"
        "    Points Possible,,,,,10\n"
        '"Lee, Ann",101,S-1,ann,A,9\n'
        '"Ærø, Zoë",103,S-3,zoë,B,\n',
    )
    args = ["--export", "canvas", "--out", str(out), "--roster", str(roster)]
    args += ["--roster-key", "SIS Login ID", "--chapter", "01"]
    args += ["--assignment", "01=Chapter 1 (4711)"]
    assert main(args) == 0
    assert "wrote" in capsys.readouterr().out
    rows = _read(out / "canvas_import.csv")
    assert rows[0][5:] == ["Chapter 1 (4711)"]
    assert rows[1][5:] == [str(POINTS["01"])]
    assert rows[2:] == [
        ["Lee, Ann", "101", "S-1", "ann", "A", str(POINTS["01"])],
        ["Ærø, Zoë", "103", "S-3", "zoë", "B", "0"],
    ]


def test_bad_options_are_errors(tmp_path: Path) -> None:
    out = _class(tmp_path)
    with pytest.raises(ExportError, match="no column 'login'"):
        export(
            out, "canvas", roster=_roster(tmp_path, CANVAS_ROSTER), roster_key="login"
        )
    with pytest.raises(ExportError, match="Canvas ignores"):
        export(out, "canvas", names={"01": "Final Grade"})
    with pytest.raises(ExportError, match="no such chapter"):
        export(out, "canvas", chapters=["42"])
    with pytest.raises(ExportError, match="grade a class first"):
        export(tmp_path, "canvas")
    with pytest.raises(SystemExit):  # --export writes into --out
        main(["--export", "canvas"])
    with pytest.raises(SystemExit):
        main(["--roster", "r.csv", str(tmp_path)])
