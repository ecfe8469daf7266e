"""Release a solutions folder with nbgrader and compare it with nnlib's release.

Needs nbgrader (0.9.6 was tried) in a venv of its own, NOT the course's (as for
``tools/compare_nbgrader.py``):

    python3.11 -m venv /tmp/nbg/venv
    /tmp/nbg/venv/bin/pip install -c requirements/lock.txt nbgrader
    .venv/bin/python tools/compare_nbgrader_release.py solutions/zh exercises/zh \\
        --nbgrader-bin /tmp/nbg/venv/bin

It copies every notebook of the solutions folder into a fresh nbgrader course
(``WORK/course/source/release_check/``), runs ``nbgrader generate_assignment``, and
compares each released notebook with the same-named one of the exercises folder,
cell by cell: the same cell types and the same sources (trailing whitespace aside;
outputs are not compared, nbgrader clears them). It prints one line per notebook
and exits 1 when any differs. Not a test: nothing imports it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "release_check"


def cells(path: Path) -> list[tuple[str, str]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for cell in nb["cells"]:
        source = cell["source"]
        text = "".join(source) if isinstance(source, list) else source
        out.append((cell["cell_type"], text.rstrip()))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("solutions", type=Path)
    parser.add_argument("exercises", type=Path)
    parser.add_argument("--nbgrader-bin", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=Path("/tmp/nbg/release"))
    args = parser.parse_args()

    course = args.work / "course"
    shutil.rmtree(course, ignore_errors=True)
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    notebooks = sorted((REPO / args.solutions).glob("*.ipynb"))
    for path in notebooks:
        shutil.copy(path, source / path.name)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'nnlib'\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
    )
    env = dict(os.environ)
    env["PATH"] = f"{args.nbgrader_bin}{os.pathsep}{env['PATH']}"  # it calls alembic
    done = subprocess.run(
        [args.nbgrader_bin / "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"nbgrader generate_assignment failed:\n{done.stderr}")
    differ = 0
    for path in notebooks:
        theirs = cells(course / "release" / ASSIGNMENT / path.name)
        ours = cells(REPO / args.exercises / path.name)
        if theirs == ours:
            print(f"{path.name}: the same {len(ours)} cells")
            continue
        differ += 1
        first = next(
            (i for i, (a, b) in enumerate(zip(theirs, ours, strict=False)) if a != b),
            min(len(theirs), len(ours)),
        )
        print(f"{path.name}: differs from cell {first} ({len(theirs)} vs {len(ours)})")
    print(f"{len(notebooks) - differ} of {len(notebooks)} notebooks released alike")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
