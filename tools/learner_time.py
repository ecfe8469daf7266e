"""Estimate how long a careful learner needs for each notebook.

Usage: python tools/learner_time.py [--markdown | --check | --write] [NOTEBOOK ...]

``--check`` compares each header's "**Estimated time** N minutes" with the estimate
(``tests/test_learner_time.py`` does the same); ``--write`` puts the estimate into
the headers (of the lectures and of solutions/, from which exercises/ is made).

The estimate is reading time plus running time:
- prose at READING_WPM words per minute (a careful first reading of technical text
  with formulas; ordinary English prose is read at 200-300 words per minute),
- SECONDS_PER_CODE_LINE for each non-blank, non-comment line of code (read, run,
  look at the output),
- for an exercise notebook, the tasks' solve times from ``nnlib/course_map.json``
  when a task states ``minutes``, else MINUTES_PER_TASK.

These paces are assumptions, stated so they can be argued with; the numbers printed
are what they give. The course's first edition stated about 9 h for the lectures;
these paces give about 13.5 h, close to what a reviewer reading as a learner measured
(13-14 h).
"""

from __future__ import annotations

import argparse
import json
import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READING_WPM = 120
SECONDS_PER_CODE_LINE = 15
MINUTES_PER_TASK = 15
WORD = re.compile(r"[A-Za-z0-9]+|[\u4e00-\u9fff]")  # a CJK character counts as a word


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def counts(path: Path) -> tuple[int, int]:
    """(prose words, lines of code) of a notebook."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    words = code = 0
    for cell in nb["cells"]:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            words += len(WORD.findall(text))
        elif cell["cell_type"] == "code":
            code += sum(
                1
                for line in text.splitlines()
                if line.strip() and not line.lstrip().startswith("#")
            )
    return words, code


def task_minutes(path: Path) -> int:
    """Solve time of the tasks of an exercise notebook's chapter (0 for a lecture)."""
    if path.parent.name not in ("exercises", "solutions"):
        return 0
    course = json.loads(
        (ROOT / "nnlib" / "course_map.json").read_text(encoding="utf-8")
    )
    chapter = path.name[:2]
    for ch in course["chapters"]:
        if ch["id"] == chapter:
            return sum(t.get("minutes", MINUTES_PER_TASK) for t in ch.get("tasks", []))
    return 0


def minutes(path: Path) -> int:
    """The estimate for one notebook, rounded to 5 minutes."""
    words, code = counts(path)
    total = words / READING_WPM + code * SECONDS_PER_CODE_LINE / 60 + task_minutes(path)
    return max(5, int(5 * round(total / 5)))


STATED = re.compile(r"\*\*Estimated time\*\*( about)? (\d+) minutes")
TOLERANCE = 5  # minutes: the estimate is rounded to 5, so one step either way


def stated(path: Path) -> int | None:
    """The minutes the notebook's first markdown cell states, or None."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            match = STATED.search(_source(cell))
            return int(match.group(2)) if match else None
    return None


def estimate_for(path: Path) -> int:
    """The estimate for the notebook a header belongs to (a solution: its exercise)."""
    if path.parent.name == "solutions":
        exercise = ROOT / "exercises" / path.name
        if exercise.exists():
            return minutes(exercise)
    return minutes(path)


LECTURE_TIME = (
    "**Estimated time** {minutes} minutes: reading at {wpm} words a minute and "
    "{seconds} s for each line of code, to read, run and look at "
    "(`tools/learner_time.py`). The notebook itself runs top to bottom in about a "
    "minute or less."
)
PARAGRAPH = re.compile(r"\*\*Estimated time\*\*.*?(?=\n\n|$)", re.S)


def write(path: Path) -> bool:
    """Put the estimate into the header; True when the file changed.

    A lecture's time paragraph is replaced by the standard one (``LECTURE_TIME``);
    in an exercise's header (in solutions/) only the number changes, since the
    paragraph goes on to say how its tasks' minutes were estimated.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cell = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if cell is None:
        return False
    est = estimate_for(path)
    if path.parent.name == "solutions":
        new = STATED.sub(
            lambda m: f"**Estimated time**{m.group(1) or ''} {est} minutes",
            cell.source,
            count=1,
        )
    else:
        paragraph = textwrap.fill(
            LECTURE_TIME.format(
                minutes=est, wpm=READING_WPM, seconds=SECONDS_PER_CODE_LINE
            ),
            width=88,
        )
        new = PARAGRAPH.sub(lambda m: paragraph, cell.source, count=1)
    if new == cell.source:
        return False
    cell.source = new
    nbformat.write(nb, path)
    return True


def instructors_table() -> str:
    """The per-chapter table of INSTRUCTORS.md: times, tasks, points, mistakes."""
    from nnlib.grading.tasks import get_spec  # the task specs: kinds and mistakes

    course = json.loads(
        (ROOT / "nnlib" / "course_map.json").read_text(encoding="utf-8")
    )
    rows = [
        "| chapter | lecture (min) | exercise (min) | tasks: kind (points) "
        "| points | mistakes diagnosed |",
        "|---|---:|---:|---|---:|---|",
    ]
    for ch in course["chapters"]:
        tasks = ch.get("tasks", [])
        if not tasks:
            continue
        lecture = minutes(ROOT / ch["notebook"])
        exercise = minutes(ROOT / ch["exercise"])
        kinds = ", ".join(
            f"{t['id'].split('.', 1)[1]}: {t['kind']} ({t['points']})" for t in tasks
        )
        mistakes = sorted({m.name for t in tasks for m in get_spec(t["id"]).mistakes})
        points = sum(t["points"] for t in tasks)
        rows.append(
            f"| {ch['id']} {ch['title']} | {lecture} | {exercise} | {kinds} "
            f"| {points} | {'; '.join(mistakes) or '-'} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print a table")
    parser.add_argument(
        "--instructors",
        action="store_true",
        help="the per-chapter table of INSTRUCTORS.md",
    )
    parser.add_argument("--check", action="store_true", help="headers vs estimates")
    parser.add_argument("--write", action="store_true", help="estimates into headers")
    args = parser.parse_args(argv)
    if args.check or args.write:
        paths = args.notebooks or [
            ROOT / ch[key]
            for ch in json.loads(
                (ROOT / "nnlib" / "course_map.json").read_text(encoding="utf-8")
            )["chapters"]
            for key in ("notebook", "solution")
            if (ROOT / ch[key]).exists()
        ]
        bad = 0
        for path in paths:
            if args.write and write(path):
                print(f"{path.name}: header now {estimate_for(path)} minutes")
            said, est = stated(path), estimate_for(path)
            if said is None or abs(said - est) > TOLERANCE:
                bad += 1
                print(f"{path.relative_to(ROOT)}: header says {said}, estimate {est}")
        raise SystemExit(1 if bad else 0)
    if args.instructors:
        print(instructors_table())
        return
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    total = 0
    if args.markdown:
        print("| notebook | prose words | code lines | tasks (min) | estimate (min) |")
        print("|---|---:|---:|---:|---:|")
    for path in paths:
        words, code = counts(path)
        est = minutes(path)
        total += est
        if args.markdown:
            print(f"| {path.name} | {words} | {code} | {task_minutes(path)} | {est} |")
        else:
            print(f"{path.name}: {est} min ({words} words, {code} lines of code)")
    print(f"total: {total} min ({total / 60:.1f} h)")


if __name__ == "__main__":
    main()
