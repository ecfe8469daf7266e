"""Build the student notebooks (``exercises/``) from the solutions (``solutions/``).

    python -m nnlib.grading.release solutions exercises          # write
    python -m nnlib.grading.release solutions exercises --check  # exit 1 if stale

The markers are nbgrader's, so an instructor can also feed ``solutions/`` to
nbgrader. In each code cell the lines from ``### BEGIN SOLUTION`` to
``### END SOLUTION`` become ``# YOUR CODE HERE`` and ``raise NotImplementedError()``
at the marker's indentation; a solution cell without markers is replaced
whole; a markdown answer region becomes "YOUR ANSWER HERE". Lines from
``### BEGIN HIDDEN TESTS`` to ``### END HIDDEN TESTS`` are dropped. Every code
cell loses its outputs and execution count. Everything else (other cells,
metadata, key order, the JSON layout of nbformat) is copied unchanged, and the
notebook's metadata gains ``nnlib_release.sources_sha256``, a fingerprint of the
released cell sources.

Learners work in ``exercises/``. The fingerprint tells a released notebook from one
a learner has edited since: rewriting an edited notebook first copies it to
``NAME.ipynb.<time>.bak`` next to it, so regenerating never loses anyone's answers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = ("YOUR ANSWER HERE",)
FINGERPRINT = "nnlib_release"  # notebook metadata key


class ReleaseError(ValueError):
    """A solution notebook whose markers do not pair up."""


def _replace_regions(
    lines: list[str], begin: str, end: str, stub: Sequence[str], where: str
) -> list[str]:
    """Replace each begin..end region (inclusive) by ``stub`` at begin's indent."""
    out: list[str] = []
    inside = False
    for line in lines:
        if begin in line:
            if inside:
                raise ReleaseError(f"{where}: '{begin}' inside another region")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [f"{indent}{s}\n" for s in stub]
        elif end in line:
            if not inside:
                raise ReleaseError(f"{where}: '{end}' without '{begin}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ReleaseError(f"{where}: '{begin}' without '{end}'")
    return out


def release_source(source: str, cell_type: str, is_solution: bool, where: str) -> str:
    """The student version of one cell's source."""
    lines = source.splitlines(keepends=True)
    stub = CODE_STUB if cell_type == "code" else MARKDOWN_STUB
    has_markers = any(BEGIN_SOLUTION in line or END_SOLUTION in line for line in lines)
    if has_markers:
        lines = _replace_regions(lines, BEGIN_SOLUTION, END_SOLUTION, stub, where)
    elif is_solution:
        lines = [f"{s}\n" for s in stub]
    lines = _replace_regions(lines, BEGIN_HIDDEN, END_HIDDEN, (), where)
    text = "".join(lines)
    return text[:-1] if text.endswith("\n") and not source.endswith("\n") else text


def _as_stored(text: str, like: Any) -> Any:
    """Store ``text`` the way the original source was stored (a string or lines)."""
    return text.splitlines(keepends=True) if isinstance(like, list) else text


def release_notebook(nb: dict[str, Any], name: str = "notebook") -> dict[str, Any]:
    """The student version of a notebook given as parsed JSON (not modified)."""
    out = json.loads(json.dumps(nb))  # a deep copy that keeps key order
    for i, cell in enumerate(out.get("cells", [])):
        raw = cell.get("source", "")
        source = "".join(raw) if isinstance(raw, list) else raw
        is_solution = bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))
        if cell.get("cell_type") in ("code", "markdown"):
            new = release_source(
                source, cell["cell_type"], is_solution, f"{name} cell {i}"
            )
            if new != source:
                cell["source"] = _as_stored(new, raw)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    out.setdefault("metadata", {})[FINGERPRINT] = {
        "sources_sha256": sources_sha256(out)
    }
    return out


def sources_sha256(nb: dict[str, Any]) -> str:
    """SHA-256 of the cells' types and sources (outputs and metadata left out)."""
    digest = hashlib.sha256()
    for cell in nb.get("cells", []):
        raw = cell.get("source", "")
        source = "".join(raw) if isinstance(raw, list) else raw
        digest.update(json.dumps([cell.get("cell_type"), source]).encode())
    return digest.hexdigest()


def recorded_sha256(nb: dict[str, Any]) -> str | None:
    """The fingerprint stored at release, or None for a notebook without one."""
    return nb.get("metadata", {}).get(FINGERPRINT, {}).get("sources_sha256")


def edited_since_release(nb: dict[str, Any]) -> bool:
    """True when a learner has worked in it: sources changed (or no record), or run."""
    if recorded_sha256(nb) != sources_sha256(nb):
        return True
    return any(
        cell.get("outputs") or cell.get("execution_count") is not None
        for cell in nb.get("cells", [])
        if cell.get("cell_type") == "code"
    )


def dumps(nb: dict[str, Any]) -> str:
    """Notebook JSON in nbformat's layout (indent 1, UTF-8 kept, final newline)."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def release_text(text: str, name: str = "notebook") -> str:
    """The student notebook's file content for a solution notebook's file content."""
    return dumps(release_notebook(json.loads(text), name))


def is_stale(target: Path, released: str) -> bool:
    """Does ``target`` lag behind ``released`` (the text the solution gives now)?

    An unedited target must equal it byte for byte. A target a learner has edited
    is compared by the fingerprint it was released with: it is stale only when the
    solution's released cells have changed since.
    """
    if not target.exists():
        return True
    text = target.read_text(encoding="utf-8")
    if text == released:
        return False
    try:
        current = json.loads(text)
    except ValueError:
        return True
    if not edited_since_release(current):
        return True
    return recorded_sha256(current) != recorded_sha256(json.loads(released))


def _backup(target: Path) -> Path:
    """Copy ``target`` to ``NAME.<time>.bak`` beside it (never over another file)."""
    stamp = time.strftime("%Y-%m-%dT%H-%M-%S")
    backup = target.with_name(f"{target.name}.{stamp}.bak")
    n = 1
    while backup.exists():
        backup = target.with_name(f"{target.name}.{stamp}-{n}.bak")
        n += 1
    backup.write_bytes(target.read_bytes())
    return backup


def release_folder(
    src: Path, dst: Path, check: bool = False
) -> tuple[list[str], list[Path]]:
    """Write (with ``check``: only compare) every notebook.

    Returns the names that were (or would be) rewritten and the backups made of
    notebooks a learner had edited before they were rewritten.
    """
    stale: list[str] = []
    backups: list[Path] = []
    if not check:
        dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.ipynb")):
        text = release_text(path.read_text(encoding="utf-8"), path.name)
        target = dst / path.name
        if not is_stale(target, text):
            continue
        stale.append(path.name)
        if check:
            continue
        if target.exists():
            try:
                edited = edited_since_release(json.loads(target.read_bytes()))
            except ValueError:
                edited = True
            if edited:
                backups.append(_backup(target))
        target.write_text(text, encoding="utf-8")
    return stale, backups


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build ``DST`` from ``SRC`` (or check it is up to date)."""
    parser = argparse.ArgumentParser(
        prog="python -m nnlib.grading.release", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("src", type=Path, help="folder of solution notebooks")
    parser.add_argument("dst", type=Path, help="folder for the student notebooks")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when DST differs from what SRC gives",
    )
    args = parser.parse_args(argv)
    try:
        stale, backups = release_folder(args.src, args.dst, check=args.check)
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    orphans = sorted(
        {p.name for p in args.dst.glob("*.ipynb")}
        - {p.name for p in args.src.glob("*.ipynb")}
    )
    for name in orphans:
        print(f"note: {args.dst / name} has no solution in {args.src}", file=sys.stderr)
    if args.check:
        for name in stale:
            print(f"stale: {args.dst / name} (run `make exercises`)", file=sys.stderr)
        return 1 if stale else 0
    for backup in backups:
        print(f"kept your edited version as {backup}", file=sys.stderr)
    print(
        f"{len(stale)} of {len(list(args.src.glob('*.ipynb')))} notebooks written "
        f"to {args.dst}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
