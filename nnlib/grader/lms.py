"""Grades into the LMS: ``OUT/grades.csv`` as a Canvas or Moodle gradebook import.

    nnlib-grade --export canvas --out grades/            # grades/canvas_import.csv
    nnlib-grade --export canvas --out grades/ --roster roster.csv
    nnlib-grade --export moodle --out grades/ --roster roster.csv --roster-key username
    nnlib-grade --export canvas --out grades/ --roster gradebook_export.csv \\
        --roster-key "SIS Login ID" --chapter 01 --assignment "01=Chapter 1 (4711)"

One row per student, one column per chapter (course order; ``--chapter`` keeps
only those), each cell the chapter's points: a number (0 included) for a graded
submission, blank for a chapter the student has no graded submission of. A
submission named ``student/assignment`` (a student with several files) counts
for ``student``. Two submissions of one student for one chapter are an error,
never a silent choice.

**Roster** (``--roster FILE``): a CSV file (UTF-8, a byte-order mark is fine)
with a header row. Its key column (``student``, or the one ``--roster-key``
names) holds the grader's names for the students, as ``naming`` makes them: the
folder after ``submitted/`` (nbgrader), else the file name without ``.ipynb``
for a file directly in the folder graded, else the first folder under it. Names
are compared in Unicode NFC, so a name typed on one system matches a folder
made on another. The other columns give the LMS identity:

- Canvas: ``Student`` (name), ``ID`` (Canvas user id), ``SIS User ID``,
  ``SIS Login ID``, ``Section``; each row needs an ``ID``, ``SIS User ID`` or
  ``SIS Login ID`` (Canvas matches on those, then on the name). Canvas's own
  gradebook export is such a roster (``--roster-key "SIS Login ID"`` when the
  grader's names are the login IDs; its "Points Possible" row is skipped).
- Moodle: one or more of ``username``, ``email`` (or ``Email address``),
  ``idnumber`` (or ``ID number``), filled on every row, and optionally
  ``firstname``/``lastname`` (``First name``/``Last name``).

Every graded student must be in the roster: those missing are listed and
nothing is written. Roster students with nothing graded are listed and left out
(so the import cannot touch their grades). Without a roster the grader's names
are taken as the LMS login names: Canvas's ``Student`` and ``SIS Login ID``
columns, Moodle's ``Username`` column.

**Columns.** Default header of a chapter: ``Chapter NN: title``, which makes a
new assignment (Canvas) or grade item (Moodle); ``--assignment NN=NAME`` names
an existing one instead: Canvas's header for it is ``Name (assignment id)``, as
in its own export. Moodle creates new grade items with a maximum of 100: create
them first with the chapter's points and map the column to them.

The files (UTF-8 with a byte-order mark, so that Excel shows non-ASCII names;
comma-separated, CRLF line ends):

- ``canvas_import.csv``: ``Student, ID, SIS User ID, SIS Login ID, Section``,
  then the chapters; the second row is ``Points Possible`` with each chapter's
  points (from course_map.json). Import it under Grades > Import; check the
  preview before applying it.
- ``moodle_import.csv``: the identity columns, then the chapters (no points
  row: Moodle would take it for a student). Import it under Grades > Import >
  CSV file; in the preview map your identifier column ("Map from") to the
  matching user field ("Map to": username, useremail or useridnumber).

A blank cell is "no grade": both LMSs may then clear a grade entered by hand
in that column, so export one chapter at a time (``--chapter NN``) to change
only that column, and read the import preview.

Format sources: Canvas's importer and exporter, lib/gradebook_importer.rb and
lib/gradebook_exporter.rb of github.com/instructure/canvas-lms (the header is
recognised by its first cell containing "Student" and the second "ID", then
optional ``SIS User ID`` and ``SIS Login ID``, the student columns ending with
``Section``; a row whose first cell contains "Points Possible" sets points;
``Title (id)`` headers name existing assignments, other headers make new ones;
columns named like "Current Score" or "Final Grade" are dropped; students are
matched by ID, SIS User ID, SIS Login ID, then name), lib/csv_with_i18n.rb (its
exports carry a UTF-8 byte-order mark when the user asks for one, and the
header test above accepts one), and the Instructure guide "How do I import
grades in the Gradebook?" as summarised by the Ohio State guide
https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades
(name or ID or SIS User ID, SIS Login ID, Section, then assignments; new
columns make new assignments). Moodle: https://docs.moodle.org/en/Grade_import
(map from a column to userid, username, useremail or useridnumber) and its
code, grade/import/csv/classes/load_data.php (a user not found aborts the whole
import; a blank or "-" grade is no grade; a row with a blank identifier is
skipped but keeps the previous row's student, hence "filled on every row") and
lib/csvlib.class.php (``csv_import_reader`` strips a UTF-8 byte-order mark).
Not tested here: an import into a real Canvas or Moodle.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nnlib import course

from .store import write_atomic
from .summary import CSV_COLUMNS, NO_TASK

LMS = ("canvas", "moodle")
FILE_NAMES = {"canvas": "canvas_import.csv", "moodle": "moodle_import.csv"}
ROSTER_KEY = "student"
BOM = "\ufeff"
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_IDS = ["ID", "SIS User ID", "SIS Login ID"]
POINTS_POSSIBLE = "Points Possible"
# Canvas drops columns whose header contains one of these (gradebook_importer.rb)
CANVAS_RESERVED = (
    "Current Score",
    "Current Points",
    "Current Grade",
    "Final Score",
    "Final Points",
    "Final Grade",
    "Override Score",
    "Override Grade",
    "Override Status",
)
# Moodle user fields: accepted roster headers (lower case) -> the header written
MOODLE_FIELDS = {
    "firstname": "First name",
    "first name": "First name",
    "lastname": "Last name",
    "last name": "Last name",
    "idnumber": "ID number",
    "id number": "ID number",
    "username": "Username",
    "email": "Email address",
    "email address": "Email address",
}
MOODLE_ORDER = ["First name", "Last name", "ID number", "Username", "Email address"]
MOODLE_IDS = {"ID number", "Username", "Email address"}


class ExportError(ValueError):
    """The grades cannot be exported as they are; ``problems`` says why, one a line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "nnlib-grade --export expected grades it can export, got:\n  "
            + "\n  ".join(self.problems)
        )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


@dataclass
class Grades:
    """``grades.csv`` summed per submission and chapter."""

    points: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> ch -> pts
    most: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> ch -> max
    ungraded: dict[str, str] = field(default_factory=dict)  # name -> why (task "-")


def read_grades(path: Path) -> Grades:
    """Read ``grades.csv`` (``summary.grades_csv``'s columns).

    Raises:
        ExportError: no such file, other columns, or a row that is not numbers.
    """
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise ExportError(
            [f"{path}: {exc.strerror or exc} (grade a class first)"]
        ) from None
    grades = Grades()
    problems = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames != CSV_COLUMNS:
        raise ExportError(
            [f"{path}: columns {reader.fieldnames}, expected {CSV_COLUMNS}"]
        )
    for line, row in enumerate(reader, start=2):
        name, task = row["student"], row["task"]
        if task == NO_TASK:
            grades.ungraded[name] = row["feedback"]
            continue
        try:
            points, most = int(float(row["points"])), int(float(row["max_points"]))
        except (TypeError, ValueError):
            problems.append(f"{path}:{line}: points {row['points']!r} is not a number")
            continue
        chapter = task.split(".", 1)[0]
        grades.points.setdefault(name, {}).setdefault(chapter, 0)
        grades.most.setdefault(name, {}).setdefault(chapter, 0)
        grades.points[name][chapter] += points
        grades.most[name][chapter] += most
    if problems:
        raise ExportError(problems)
    return grades


@dataclass
class Roster:
    """The roster's rows, by the grader's name (NFC), in the file's order."""

    key: str
    columns: list[str]
    rows: dict[str, dict[str, str]]


def read_roster(path: Path, key: str | None = None) -> Roster:
    """Read a roster CSV (see the module docstring).

    Raises:
        ExportError: no such file, no key column, or one name on two rows.
    """
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise ExportError([f"{path}: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError:
        raise ExportError([f"{path}: not UTF-8 text (save it as CSV UTF-8)"]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in reader.fieldnames or []]
    wanted = key or ROSTER_KEY
    match = [c for c in columns if c == wanted] or [
        c for c in columns if c.lower() == wanted.lower()
    ]
    if not match:
        raise ExportError(
            [
                f"{path}: no column {wanted!r} with the grader's student names "
                f"(columns: {', '.join(columns) or 'none'}); name it with --roster-key"
            ]
        )
    column = match[0]
    rows: dict[str, dict[str, str]] = {}
    problems = []
    for line, raw in enumerate(reader, start=2):
        row = {
            (k or "").strip(): (v or "").strip()
            for k, v in raw.items()
            if isinstance(v, str)
        }
        name = _nfc(row.get(column, ""))
        if not name or row.get("Student", "") == POINTS_POSSIBLE:
            continue  # a blank line, or the points row of a Canvas export
        if name in rows:
            problems.append(f"{path}:{line}: {name!r} is on two rows of the roster")
        rows[name] = row
    if problems:
        raise ExportError(problems)
    return Roster(column, columns, rows)


def _student(name: str, roster: Roster | None) -> str:
    """The roster name of a submission: itself, else the student part of ``s/a``."""
    name = _nfc(name)
    if roster is not None and name in roster.rows:
        return name
    return name.split("/", 1)[0]


@dataclass
class Export:
    """What ``export`` wrote: the file, its rows, and notes for the instructor."""

    path: Path
    rows: list[list[str]]
    notes: list[str]


def _chapter_columns(
    grades: Grades, chapters: Sequence[str] | None, names: dict[str, str]
) -> tuple[list[dict], list[str]]:
    known = {ch["id"]: ch for ch in course.chapters()}
    present = {ch for by in grades.points.values() for ch in by}
    problems = [
        f"task ids of chapter {c!r}, which the course does not have"
        for c in sorted(present - set(known))
    ]
    problems += [
        f"--chapter {c}: the course has no such chapter"
        for c in chapters or []
        if c not in known
    ]
    problems += [
        f"--assignment {c}=...: the course has no such chapter"
        for c in names
        if c not in known
    ]
    wanted = set(chapters) if chapters else present
    cols = [ch for cid, ch in known.items() if cid in wanted]
    if not cols and not problems:
        problems.append("no graded chapter to export (grades.csv has no task rows)")
    return cols, problems


def table(
    grades: Grades,
    lms: str,
    *,
    roster: Roster | None = None,
    chapters: Sequence[str] | None = None,
    names: dict[str, str] | None = None,
) -> tuple[list[list[str]], list[str]]:
    """The rows of the import file (header first) and notes for the instructor.

    Raises:
        ExportError: students missing from the roster, two submissions of one
            student for one chapter, unknown chapters, unusable headers.
    """
    if lms not in LMS:
        raise ExportError([f"--export {lms}: expected one of {', '.join(LMS)}"])
    names = dict(names or {})
    cols, problems = _chapter_columns(grades, chapters, names)
    ids = [ch["id"] for ch in cols]
    possible = {ch["id"]: sum(t["points"] for t in ch["tasks"]) for ch in cols}
    headers = [names.get(c["id"], f"Chapter {c['id']}: {c['title']}") for c in cols]
    problems += _header_problems(lms, headers)

    cells: dict[str, dict[str, str]] = {}  # student -> chapter -> points
    source: dict[tuple[str, str], str] = {}
    missing = []
    for name in sorted(grades.points):
        if not set(grades.points[name]) & set(possible):
            continue  # nothing of it in the chapters exported
        student = _student(name, roster)
        if roster is not None and student not in roster.rows:
            missing.append(_nfc(name))
            continue
        for ch, points in grades.points[name].items():
            if ch not in possible:
                continue
            if (student, ch) in source:
                problems.append(
                    f"{student!r} has two submissions for chapter {ch}: "
                    f"{source[student, ch]!r} and {name!r} (grade one of them)"
                )
            source[student, ch] = name
            if grades.most[name][ch] != possible[ch]:
                problems.append(
                    f"{name!r}, chapter {ch}: graded out of {grades.most[name][ch]} "
                    f"points, the course now has {possible[ch]} (grade it again)"
                )
            cells.setdefault(student, {})[ch] = str(points)
    if missing:
        problems.append(
            f"not in the roster ({roster.key if roster else ''} column): "
            + ", ".join(repr(m) for m in missing)
        )
    if problems:
        raise ExportError(problems)

    notes = [
        f"{name!r} could not be graded ({why}): it has no points in the file"
        for name, why in sorted(grades.ungraded.items())
        if name not in grades.points
    ]
    if roster is not None:
        order = [s for s in roster.rows if s in cells]
        idle = [s for s in roster.rows if s not in cells]
        if idle:
            notes.append(
                f"{len(idle)} roster students have nothing graded here and are left "
                "out: " + ", ".join(repr(s) for s in idle)
            )
    else:
        order = sorted(cells)
        notes.append(
            "no --roster: the grader's names are written as the LMS login names "
            + ("(Student and SIS Login ID)" if lms == "canvas" else "(Username)")
        )
    identity, identity_cols, more = _identity(lms, order, roster)
    if more:
        raise ExportError(more)
    rows = [identity_cols + headers]
    if lms == "canvas":
        rows.append(
            [POINTS_POSSIBLE]
            + [""] * (len(identity_cols) - 1)
            + [str(possible[c]) for c in ids]
        )
    for student in order:
        rows.append(identity[student] + [cells[student].get(c, "") for c in ids])
    return rows, notes


def _header_problems(lms: str, headers: list[str]) -> list[str]:
    problems = []
    seen: set[str] = set()
    for h in headers:
        if not h.strip():
            problems.append("an empty column name (--assignment NN=NAME needs a NAME)")
        if h in seen:
            problems.append(f"two columns named {h!r}")
        seen.add(h)
        if lms == "canvas" and any(r in h for r in CANVAS_RESERVED):
            problems.append(f"{h!r}: Canvas ignores columns named like its totals")
    return problems


def _identity(
    lms: str, order: list[str], roster: Roster | None
) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """Each student's identity cells, the identity headers, and problems."""
    problems = []
    if lms == "canvas":
        cols = CANVAS_IDENTITY
        out = {}
        for s in order:
            if roster is None:
                out[s] = [s, "", "", s, ""]
                continue
            row = roster.rows[s]
            out[s] = [row.get(c, "") for c in cols]
            if not any(row.get(c) for c in CANVAS_IDS):
                problems.append(
                    f"roster row of {s!r}: Canvas needs its ID, SIS User ID or "
                    "SIS Login ID"
                )
        return out, list(cols), problems
    if roster is None:
        return {s: [s] for s in order}, ["Username"], problems
    found = {}
    for c in roster.columns:
        label = MOODLE_FIELDS.get(c.lower())
        if label and label not in found:
            found[label] = c
    cols = [label for label in MOODLE_ORDER if label in found]
    if not MOODLE_IDS & set(cols):
        return (
            {},
            cols,
            [
                "the roster has none of Moodle's identifiers (username, email, "
                f"idnumber); its columns: {', '.join(roster.columns)}"
            ],
        )
    out = {s: [roster.rows[s].get(found[c], "") for c in cols] for s in order}
    for label in MOODLE_IDS & set(cols):
        i = cols.index(label)
        blank = [s for s in order if not out[s][i]]
        if blank:
            problems.append(
                f"roster column {found[label]!r} is blank for "
                + ", ".join(repr(s) for s in blank)
                + " (Moodle would give their grades to the row above)"
            )
    return out, cols, problems


def to_csv(rows: Iterable[Sequence[str]]) -> str:
    """The rows as CSV text, starting with a UTF-8 byte-order mark."""
    buf = io.StringIO()
    buf.write(BOM)
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


def export(
    out: Path,
    lms: str,
    *,
    roster: Path | None = None,
    roster_key: str | None = None,
    chapters: Sequence[str] | None = None,
    names: dict[str, str] | None = None,
) -> Export:
    """Convert ``out/grades.csv`` to ``out/canvas_import.csv`` or ``moodle_import.csv``.

    Raises:
        ExportError: with every problem found; nothing is written then.
    """
    grades = read_grades(out / "grades.csv")
    table_roster = read_roster(roster, roster_key) if roster is not None else None
    rows, notes = table(
        grades, lms, roster=table_roster, chapters=chapters, names=names
    )
    path = out / FILE_NAMES[lms]
    write_atomic(path, to_csv(rows))
    return Export(path, rows, notes)


def parse_assignments(values: Sequence[str]) -> dict[str, str]:
    """``--assignment NN=NAME`` values as {chapter: name}.

    Raises:
        ExportError: a value without ``=``.
    """
    names, problems = {}, []
    for value in values:
        chapter, sep, name = value.partition("=")
        if not sep:
            problems.append(f"--assignment {value!r}: expected NN=NAME")
        names[chapter.strip()] = name.strip()
    if problems:
        raise ExportError(problems)
    return names
