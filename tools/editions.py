"""Build the course's Chinese edition from the English notebooks (``make editions``).

One source per notebook. The English notebook (``notebooks/``, ``solutions/``) is the
source of every code cell and output; the Chinese text of its markdown cells lives
beside it in ``i18n/zh/<folder>/<name>.json``, one entry per markdown cell:

    {"id": "<cell id>", "sha256": "<sha256 of the English source>",
     "en": [<the English it translates, by line>], "zh": [<the Chinese, by line>]}

An entry is *stale* when the English cell has changed since (its sha256 no longer
matches) and *missing* when a markdown cell has none (or ``"zh": null``). A cell
whose text is made from the course map (the start page's chapter table) has
``{"id": ..., "generated": "chapter-table"}`` instead.

The build writes ``notebooks/zh/``, ``solutions/zh/`` and, with nnlib's release of
the solutions, ``exercises/zh/``: the English notebook with each markdown cell's
source replaced by its Chinese, and nothing else changed (code cells, outputs, cell
ids, tags and the widgets' state are the English ones byte for byte), except

- relative links, which point from the new folder to the same files, and to the
  Chinese edition of a notebook where it has one;
- the figures: the build runs each edition that has figures once more
  (``tools/execute.py``, where ``nnlib.i18n`` picks Chinese for the ``zh`` folder), and
  takes the images of that run. The text outputs stay the English ones; the run's
  own text must equal them, or the build says where it differs. The notebook's
  metadata ``nnlib_edition.figures`` records which English outputs the figures were
  drawn for, so a build whose English code and outputs did not change keeps them
  without running anything;
- the self-checks' lines in printed outputs (``✓ 01.gd_step passed (5 cases)``),
  which are in Chinese, as the edition's checks print them (``localize_feedback``).

Chapters not yet translated are listed in ``PENDING`` (the visible debt); they have
no Chinese edition, and the Chinese start page links to their English notebooks.

Usage:
    python tools/editions.py [build] [--no-execute]  # write them (make editions)
    python tools/editions.py check          # exit 1 when anything is stale or missing
    python tools/editions.py status [--diff]  # per notebook: what is translated
    python tools/editions.py skeleton NB ...  # entries (zh: null) for new cells
    python tools/editions.py accept NB [ID ...]  # zh revised: record the English
"""

from __future__ import annotations

import argparse
import configparser
import copy
import difflib
import functools
import hashlib
import json
import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LANG = "zh"
I18N = ROOT / "i18n" / LANG
COURSE = json.loads((ROOT / "nnlib" / "course_map.json").read_text("utf-8"))
START = "notebooks/00_start_here.ipynb"

# Chapters without a Chinese edition yet: the visible debt, shrunk by the sessions that
# translate them (lecture and solution together). tests/test_editions.py fails when a
# notebook is neither translated nor listed here, or listed and translated.
PENDING: tuple[str, ...] = ()

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
META = "nnlib_edition"  # notebook metadata key of the editions
LINK = re.compile(r"(\]\(|href=\")([^)\"\s]+)")
EXTERNAL = re.compile(r"^([a-z][a-z0-9+.-]*:|#|/)", re.I)


# --- where things are ---------------------------------------------------------------
def sources() -> list[str]:
    """Repository paths of every English notebook that has (or will have) an edition."""
    paths = [START]
    for ch in COURSE["chapters"]:
        paths += [ch["notebook"], ch["solution"]]
    return [p for p in paths if (ROOT / p).exists()]


def chapter_of(source: str) -> str:
    """``notebooks/01_x.ipynb`` -> ``01`` (the start page is ``00``)."""
    return Path(source).name[:2]


def translated() -> list[str]:
    """The English notebooks whose chapter is translated (not in ``PENDING``)."""
    return [s for s in sources() if chapter_of(s) not in PENDING]


def edition_path(source: str) -> str:
    """``notebooks/01_x.ipynb`` -> ``notebooks/zh/01_x.ipynb``."""
    folder, name = posixpath.split(source)
    return posixpath.join(folder, LANG, name)


def translation_path(source: str) -> Path:
    """``notebooks/01_x.ipynb`` -> ``i18n/zh/notebooks/01_x.json``."""
    folder, name = posixpath.split(source)
    return I18N / folder / (posixpath.splitext(name)[0] + ".json")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_text(cell: dict[str, Any]) -> str:
    raw = cell.get("source", "")
    return "".join(raw) if isinstance(raw, list) else raw


def as_lines(text: str) -> list[str]:
    """Source text as nbformat stores it: lines, each but the last ending in \\n."""
    return text.splitlines(keepends=True)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def dumps(data: Any) -> str:
    """JSON in nbformat's layout (indent 1, UTF-8 kept, key order kept, final \\n)."""
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


# --- translations ---------------------------------------------------------------------
def load_translation(source: str) -> dict[str, Any]:
    path = translation_path(source)
    if not path.exists():
        return {"english": source, "cells": []}
    return read_json(path)


def entry_zh(entry: dict[str, Any]) -> str | None:
    zh = entry.get("zh")
    return None if zh is None else "\n".join(zh)


def new_entry(cell: dict[str, Any], zh: str | None) -> dict[str, Any]:
    text = source_text(cell)
    return {
        "id": cell["id"],
        "sha256": sha256(text),
        "en": text.split("\n"),
        "zh": None if zh is None else zh.split("\n"),
    }


class Report:
    """What is wrong with one notebook's translation."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.missing: list[str] = []  # markdown cells without Chinese
        self.stale: list[tuple[str, str, str]] = []  # (id, English then, English now)
        self.orphans: list[str] = []  # entries for cells the English no longer has
        self.altered: list[str] = []  # "en" edited by hand without its "sha256"

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphans or self.altered)

    def lines(self, diffs: bool = True) -> list[str]:
        where = translation_path(self.source).relative_to(ROOT).as_posix()
        out = []
        if self.missing:
            out.append(f"{where}: no Chinese for cells {', '.join(self.missing)}")
        for cell_id, old, new in self.stale:
            out.append(f"{where}: cell {cell_id} is stale (its English changed):")
            if diffs:
                diff = difflib.unified_diff(
                    old.splitlines(), new.splitlines(), "translated", "now", lineterm=""
                )
                out += [f"    {line}" for line in list(diff)[2:]]
        if self.orphans:
            out.append(
                f"{where}: entries for cells gone from the English: {self.orphans}"
            )
        if self.altered:
            out.append(f"{where}: 'en' edited by hand (sha256 differs): {self.altered}")
        return out


def check_translation(source: str) -> Report:
    """Compare a notebook's markdown cells with its translation file."""
    nb = read_json(ROOT / source)
    entries = {e["id"]: e for e in load_translation(source)["cells"]}
    report = Report(source)
    cells = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    for cell in cells:
        entry = entries.get(cell["id"])
        if entry is not None and "generated" in entry:
            continue
        if entry is None or entry.get("zh") is None:
            report.missing.append(cell["id"])
            continue
        old = "\n".join(entry["en"])
        if sha256(old) != entry["sha256"]:
            report.altered.append(cell["id"])
        if entry["sha256"] != sha256(source_text(cell)):
            report.stale.append((cell["id"], old, source_text(cell)))
    report.orphans = sorted(set(entries) - {c["id"] for c in cells})
    return report


# --- links and generated cells -------------------------------------------------
def has_edition(target: str) -> bool:
    """Whether the repository file ``target`` has a Chinese edition in this build."""
    if target.startswith("exercises/"):
        target = "solutions/" + target.removeprefix("exercises/")
    return target in translated()


def rebase_links(text: str, source: str) -> str:
    """Relative links written for ``source``'s folder, rewritten for its edition's.

    A link to a notebook with a Chinese edition goes to that edition.
    """
    here, there = posixpath.dirname(source), posixpath.dirname(edition_path(source))

    def move(match: re.Match) -> str:
        opener, link = match.groups()
        if EXTERNAL.match(link):
            return match.group(0)
        path, sep, anchor = link.partition("#")
        target = posixpath.normpath(posixpath.join(here, path))
        if target.endswith(".ipynb") and has_edition(target):
            target = edition_path(target)
        return opener + posixpath.relpath(target, there) + sep + anchor

    return LINK.sub(move, text)


def chapter_table() -> str:
    """The Chinese start page's chapter table, links as seen from notebooks/."""
    titles = read_json(I18N / "course.json")["chapters"]
    rows = ["| # | 讲义 | 练习 | 核心概念 |", "|---|---|---|---|"]
    for ch in COURSE["chapters"]:
        terms = "、".join(c["zh"] for c in ch["concepts"][:4])
        title = titles.get(ch["id"], ch["title"])  # a new chapter: English for now
        lecture, exercise = Path(ch["notebook"]), Path(ch["exercise"])
        english = "" if ch["id"] not in PENDING else "（暂为英文版）"
        if (ROOT / lecture).exists():
            cell = f"[{title}](../{lecture.as_posix()}){english}"
        else:
            cell = f"{title}（即将推出）"
        if (ROOT / exercise).exists() or (ROOT / ch["solution"]).exists():
            ex = f"[练习](../{exercise.as_posix()}){english}"
        else:
            ex = "（即将推出）"
        rows.append(f"| {ch['id']} | {cell} | {ex} | {terms} |")
    return "## 各章内容\n\n" + "\n".join(rows) + "\n"


GENERATED = {"chapter-table": chapter_table}


# --- building one notebook -----------------------------------------------------
def strip_images(nb: dict[str, Any]) -> dict[str, Any]:
    """A copy without images (in outputs and the widgets' state) or edition record.

    What is left is what the Chinese edition shares with the English byte for byte
    (its markdown aside).
    """
    out = copy.deepcopy(nb)
    out.get("metadata", {}).pop(META, None)
    for cell in out["cells"]:
        for output in cell.get("outputs", []):
            for kind in IMAGE_TYPES:
                if kind in output.get("data", {}):
                    output["data"][kind] = "<image>"
    state = out.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})
    for key, model in state.get("state", {}).items():
        state["state"][key] = bare_widget(model)
    return out


def bare_widget(model: dict[str, Any]) -> dict[str, Any]:
    """A copy of one widget's state with its image buffers' data left out."""
    out = copy.deepcopy(model)
    for buffer in out.get("buffers", []):
        buffer["data"] = "<image>"
    return out


def _importable() -> None:
    """Make this repository's nnlib importable (the tool runs from tools/)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def figure_text() -> dict[str, str]:
    """nnlib's translations of figure labels (nnlib.i18n.FIGURE_TEXT) for LANG."""
    _importable()
    from nnlib.i18n import FIGURE_TEXT

    return FIGURE_TEXT.get(LANG, {})


def code_fingerprint(nb: dict[str, Any]) -> str:
    """sha256 of what the figures are drawn from: the code cells' sources and
    outputs, images left out (cell metadata such as tags cannot change them), and
    the translations of figure labels (a new one redraws the figures)."""
    stripped = strip_images(nb)
    code = [
        [source_text(c), c["outputs"]]
        for c in stripped["cells"]
        if c["cell_type"] == "code"
    ]
    widgets = stripped.get("metadata", {}).get("widgets")
    labels = figure_text()
    return sha256(
        json.dumps([code, widgets, labels], sort_keys=True, ensure_ascii=False)
    )


def has_figures(nb: dict[str, Any]) -> bool:
    return any(
        kind in output.get("data", {})
        for cell in nb["cells"]
        for output in cell.get("outputs", [])
        for kind in IMAGE_TYPES
    )


IGNORED = {"nbval-ignore-output", "nbval-skip"}


@functools.cache
def _sanitizers() -> list[tuple[re.Pattern[str], str]]:
    """The rules of nbval_sanitize.cfg, which `make test` compares outputs under."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "nbval_sanitize.cfg", encoding="utf-8")
    return [
        (re.compile(parser[k]["regex"]), parser[k]["replace"])
        for k in parser.sections()
    ]


def _text(output: dict[str, Any]) -> str:
    raw = output.get("text", output.get("data", {}).get("text/plain", ""))
    text = "".join(raw) if isinstance(raw, list) else raw
    for regex, replace in _sanitizers():
        text = regex.sub(replace, text)
    return text


def same_outputs(cell: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether a run's outputs of ``cell`` are its stored ones, as nbval compares them:
    the same kinds of output, and text equal after sanitizing and up to the stated
    tolerances of measured results (any text, in a cell nbval ignores)."""
    from nnlib.measured import match

    def kinds(outputs):
        return [
            (o["output_type"], o.get("name"), sorted(o.get("data", {})))
            for o in outputs
        ]

    ours, theirs = cell.get("outputs", []), other.get("outputs", [])
    if kinds(ours) != kinds(theirs):
        return False
    if IGNORED & set(cell.get("metadata", {}).get("tags", [])):
        return True
    for a, b in zip(ours, theirs, strict=True):
        ta, tb = _text(a), _text(b)
        if ta != tb and not match(ta, tb):
            return False
    return True


def take_images(into: dict[str, Any], donor: dict[str, Any]) -> list[str]:
    """Copy the images of ``donor`` (a run of the same notebook) into ``into``.

    Only in cells whose outputs agree (``same_outputs``); returns those that do not.
    The widgets' state (it holds an explorer's last frame) is taken when it is the
    same but for its images; otherwise ``into`` keeps its own (a note, not a fault).
    """
    differ = []
    if [c["id"] for c in into["cells"]] != [c["id"] for c in donor["cells"]]:
        return ["the cells"]
    for i, (cell, other) in enumerate(zip(into["cells"], donor["cells"], strict=True)):
        if cell["cell_type"] != "code":
            continue
        if not same_outputs(cell, other):
            differ.append(f"cell {i} ({cell['id']})")
            continue
        for output, given in zip(cell["outputs"], other["outputs"], strict=True):
            for kind in IMAGE_TYPES:
                if kind in output.get("data", {}):
                    output["data"][kind] = given["data"][kind]
    ours = into.get("metadata", {}).get("widgets")
    theirs = donor.get("metadata", {}).get("widgets")
    if ours is not None:
        bare = [
            strip_images({"cells": [], "metadata": {"widgets": w}})
            for w in (ours, theirs)
        ]
        if bare[0] == bare[1]:
            into["metadata"]["widgets"] = copy.deepcopy(theirs)
        else:  # e.g. a progress bar's timing: take the images of the same widgets
            taken = _take_widget_images(ours, theirs)
            print(
                "note: the widgets' state of the Chinese run differs (progress bars' "
                f"timings, ...); took the images of {taken} widgets, kept the rest"
            )
    return differ


def _take_widget_images(ours: dict[str, Any], theirs: dict[str, Any] | None) -> int:
    """Copy the image buffers of each widget of ``theirs`` that is ``ours`` but for
    them (same id, model and state); return how many."""
    mine = ours.get(WIDGET_STATE, {}).get("state", {})
    given = (theirs or {}).get(WIDGET_STATE, {}).get("state", {})
    taken = 0
    for key, model in mine.items():
        other = given.get(key)
        if not model.get("buffers") or other is None:
            continue
        if bare_widget(model) == bare_widget(other):
            model["buffers"] = copy.deepcopy(other["buffers"])
            taken += 1
    return taken


FEEDBACK = re.compile(r"^(?:✓|✗|…) (\d\d\.\w+)")  # a self-check's line: its task


def feedback_in_language(text: str) -> str:
    """Printed text with its self-check lines in LANG, as the edition's checks print
    them (``nnlib.grading.language.say``); every other line as it is."""
    _importable()
    from nnlib.grading.language import say

    lines, task = [], None
    for line in text.split("\n"):
        match = FEEDBACK.match(line)
        task = match.group(1) if match else task
        if match or (task and line.startswith("For a hint: hint(")):
            line = say(line, task, lang=LANG)
        lines.append(line)
    return "\n".join(lines)


def localize_feedback(nb: dict[str, Any]) -> dict[str, Any]:
    """``nb`` with the self-check lines of its printed outputs in LANG (in place)."""
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "stream":
                continue
            raw = output["text"]
            text = "".join(raw) if isinstance(raw, list) else raw
            new = feedback_in_language(text)
            if new != text:
                output["text"] = as_lines(new) if isinstance(raw, list) else new
    return nb


def build(source: str, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Chinese edition of ``source`` (figures from ``previous`` if still valid)."""
    nb = read_json(ROOT / source)
    report = check_translation(source)
    if not report.ok:
        raise ValueError("\n".join(report.lines(diffs=False)))
    entries = {e["id"]: e for e in load_translation(source)["cells"]}
    out = copy.deepcopy(nb)
    for cell in out["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        entry = entries[cell["id"]]
        if "generated" in entry:
            text = GENERATED[entry["generated"]]()
        else:
            text = entry_zh(entry)
        cell["source"] = as_lines(rebase_links(text, source))
    localize_feedback(out)
    fingerprint = code_fingerprint(nb)
    record = {
        "language": LANG,
        "english": source,
        "translation": translation_path(source).relative_to(ROOT).as_posix(),
        "figures": None,
    }
    if not has_figures(nb):
        record["figures"] = fingerprint  # nothing to draw
    elif previous is not None:
        drawn = previous.get("metadata", {}).get(META, {}).get("figures")
        if drawn == fingerprint and not take_images(out, previous):
            record["figures"] = fingerprint
    out["metadata"][META] = record
    return out


# --- the commands ---------------------------------------------------------------------
def _previous(source: str) -> dict[str, Any] | None:
    path = ROOT / edition_path(source)
    try:
        return read_json(path) if path.exists() else None
    except ValueError:
        return None


def execute_figures(paths: list[str], jobs: int) -> dict[str, dict[str, Any]]:
    """Run the editions at ``paths`` (written already) in Chinese; return them.

    Figure text the runs draw in English (no entry in ``nnlib.i18n.FIGURE_TEXT``)
    is listed on stderr.
    """
    untranslated = ROOT / "build" / "untranslated.txt"
    untranslated.parent.mkdir(exist_ok=True)
    untranslated.write_text("", encoding="utf-8")
    env = dict(os.environ, NNLIB_LANG=LANG, NNLIB_UNTRANSLATED=str(untranslated))
    groups = [paths[i::jobs] for i in range(jobs) if paths[i::jobs]]
    runs = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "tools" / "execute.py"), *group],
            cwd=ROOT,
            env=env,
        )
        for group in groups
    ]
    failed = [run.wait() for run in runs]
    if any(failed):
        raise RuntimeError("running a Chinese edition failed (see above)")
    drawn = sorted(
        {
            json.loads(line)
            for line in untranslated.read_text("utf-8").split("\n")
            if line
        }
    )
    if drawn:
        print(
            "figure text drawn in English (add it to nnlib.i18n.FIGURE_TEXT):\n  "
            + "\n  ".join(repr(t) for t in drawn),
            file=sys.stderr,
        )
    return {p: read_json(ROOT / p) for p in paths}


def release_exercises(check: bool) -> list[str]:
    """exercises/zh from solutions/zh, as ``make exercises`` does for the English."""
    _importable()
    from nnlib.grading.release import release_folder

    src, dst = ROOT / "solutions" / LANG, ROOT / "exercises" / LANG
    if not src.exists():
        return []
    stale, backups = release_folder(src, dst, check=check)
    for backup in backups:
        print(f"kept your edited version as {backup.relative_to(ROOT)}")
    return [f"exercises/{LANG}/{name}" for name in stale]


def orphan_editions() -> list[str]:
    """Edition files with no translated English notebook behind them."""
    wanted = {edition_path(s) for s in translated()}
    found = []
    for folder in ("notebooks", "solutions"):
        for path in sorted((ROOT / folder / LANG).glob("*.ipynb")):
            rel = path.relative_to(ROOT).as_posix()
            if rel not in wanted:
                found.append(rel)
    return found


def cmd_build(args: argparse.Namespace) -> int:
    problems = [
        line for s in translated() for line in check_translation(s).lines(diffs=True)
    ]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("fix the translations first (tools/editions.py status)", file=sys.stderr)
        return 1
    built = {s: build(s, _previous(s)) for s in translated()}
    for source, nb in built.items():
        path = ROOT / edition_path(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(nb), encoding="utf-8")
    undrawn = [s for s, nb in built.items() if nb["metadata"][META]["figures"] is None]
    if undrawn and not args.no_execute:
        results = execute_figures([edition_path(s) for s in undrawn], args.jobs)
        for source in undrawn:
            nb, run = built[source], results[edition_path(source)]
            differ = take_images(nb, run)
            if differ:
                print(
                    f"{edition_path(source)}: its Chinese run differs from the English "
                    f"outputs in {', '.join(differ)}; kept the English there",
                    file=sys.stderr,
                )
            else:  # drawn for the English code and outputs (as build() checks)
                english = read_json(ROOT / source)
                nb["metadata"][META]["figures"] = code_fingerprint(english)
            (ROOT / edition_path(source)).write_text(dumps(nb), encoding="utf-8")
    elif undrawn:
        print(f"figures still in English (--no-execute): {undrawn}", file=sys.stderr)
    for orphan in orphan_editions():
        print(f"note: {orphan} has no translated English notebook; delete it")
    written = release_exercises(check=False)
    print(
        f"{len(built)} Chinese editions in notebooks/{LANG}/ and solutions/{LANG}/; "
        f"{len(written)} exercises written to exercises/{LANG}/; "
        f"not yet translated: chapters {', '.join(PENDING) or 'none'}"
    )
    return 0


def stale_editions() -> list[str]:
    """Why each stale edition is stale (empty when all are current)."""
    out = []
    for source in translated():
        report = check_translation(source)
        if not report.ok:
            out += report.lines(diffs=False)
            continue
        path = ROOT / edition_path(source)
        if not path.exists():
            out.append(f"{edition_path(source)} is missing")
            continue
        stored = read_json(path)
        wanted = build(source, stored)
        if strip_images(stored) != strip_images(wanted):
            out.append(f"{edition_path(source)} is stale")
        elif wanted["metadata"][META]["figures"] is None:
            out.append(f"{edition_path(source)}: its figures are not drawn in Chinese")
        elif stored["metadata"].get(META) != wanted["metadata"][META]:
            out.append(f"{edition_path(source)}: its edition record is stale")
    out += [f"{p} is stale" for p in release_exercises(check=True)]
    out += [f"{p} has no translated English notebook" for p in orphan_editions()]
    return out


def cmd_check(args: argparse.Namespace) -> int:
    problems = stale_editions()
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        print("run `make editions`", file=sys.stderr)
    return 1 if problems else 0


def cmd_status(args: argparse.Namespace) -> int:
    for source in sources():
        report = check_translation(source)
        cells = sum(
            c["cell_type"] == "markdown" for c in read_json(ROOT / source)["cells"]
        )
        done = cells - len(report.missing) - len(report.stale)
        pending = chapter_of(source) in PENDING
        state = "pending" if pending else "translated"
        print(f"{source:<55} {state:<10} {done:>3}/{cells} cells current")
        if not pending or translation_path(source).exists():
            for line in report.lines(diffs=args.diff):
                print(f"    {line}")
    return 0


def _source_arg(name: str) -> str:
    path = (Path.cwd() / name).resolve()
    return path.relative_to(ROOT).as_posix()


def cmd_skeleton(args: argparse.Namespace) -> int:
    for name in args.notebooks:
        source = _source_arg(name)
        nb = read_json(ROOT / source)
        data = load_translation(source)
        data.setdefault("english", source)
        entries = {e["id"]: e for e in data["cells"]}
        cells = []
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                tags = cell.get("metadata", {}).get("tags", [])
                if cell["id"] in entries:
                    cells.append(entries[cell["id"]])
                elif "chapter-table" in tags:
                    cells.append({"id": cell["id"], "generated": "chapter-table"})
                else:
                    cells.append(new_entry(cell, None))
        gone = sorted(set(entries) - {c["id"] for c in cells})
        data["cells"] = cells
        path = translation_path(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dumps(data), encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(cells)} cells; removed {gone or 'none'}")
    return 0


def cmd_accept(args: argparse.Namespace) -> int:
    source = _source_arg(args.notebook)
    cells = {c["id"]: c for c in read_json(ROOT / source)["cells"]}
    data = load_translation(source)
    for entry in data["cells"]:
        if "generated" in entry or (args.ids and entry["id"] not in args.ids):
            continue
        cell = cells.get(entry["id"])
        if cell is None or entry.get("zh") is None:
            continue
        if entry["sha256"] != sha256(source_text(cell)):
            entry.update(new_entry(cell, entry_zh(entry)))
            print(f"accepted {entry['id']}")
    translation_path(source).write_text(dumps(data), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    build_cmd = commands.add_parser("build", help="write the editions (the default)")
    for p in (parser, build_cmd):
        p.add_argument(
            "--no-execute",
            action="store_true",
            help="do not run notebooks: figures not yet drawn in Chinese stay English",
        )
        p.add_argument("--jobs", type=int, default=2, help="notebooks run at once")
    commands.add_parser("check", help="exit 1 when an edition or translation is stale")
    status = commands.add_parser("status", help="what is translated, per notebook")
    status.add_argument("--diff", action="store_true", help="show stale cells' diffs")
    skeleton = commands.add_parser("skeleton", help="add entries for new cells")
    skeleton.add_argument("notebooks", nargs="+")
    accept = commands.add_parser("accept", help="record revised translations")
    accept.add_argument("notebook")
    accept.add_argument("ids", nargs="*", help="cell ids (default: every stale cell)")
    args = parser.parse_args(argv)
    run = {
        None: cmd_build,
        "build": cmd_build,
        "check": cmd_check,
        "status": cmd_status,
        "skeleton": cmd_skeleton,
        "accept": cmd_accept,
    }[args.command]
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
