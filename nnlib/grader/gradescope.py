"""Gradescope: an autograder bundle for one chapter, and the script it runs there.

The instructor makes the bundle and uploads it as the assignment's autograder::

    nnlib-grade --gradescope-bundle 01 --out grades/  # grades/nnlib_gradescope_ch01.zip
    nnlib-grade --gradescope-bundle 01 --out grades/ --secret-file FILE --timeout 300 \\
        --memory-mb 4096 --gradescope-visibility after_due_date [--unsafe-no-sandbox]

The zip holds, at its root: ``setup.sh`` (run once by Gradescope, as root, when
it builds the image: installs bubblewrap, a Python 3.11 or 3.12 and, in the venv
``/opt/nnlib-grader``, nnlib from the bundled wheel built from this checkout with
its ``[grader]`` extra, every version pinned by ``lock.txt``
(requirements/lock.txt) and torch's CPU build from PyTorch's index);
``run_autograder`` (run for each submission); the wheel; ``lock.txt``;
``nnlib_gradescope.json`` (chapter, tasks, limits, visibility, the secret's
fingerprint); ``secret``; ``README.txt``. The chapter's task specs come with the
wheel (``nnlib.grading.tasks``).

**The secret is in the zip.** The hidden cases are seeded by the instructor's
secret (``--secret-file``, else ``$NNLIB_GRADER_SECRET``, else ``OUT/.secret``:
the same rule as ``nnlib-grade``, so Gradescope grades exactly as a local run
with that ``--out`` would). The autograder zip is the assignment's private
source: Gradescope extracts it into ``/autograder/source``, which it never
shows to students, but code running in the container could read it, so the
learner's notebook runs in the bubblewrap sandbox, where ``/autograder`` does
not exist. Keep the zip as private as the secret itself.

``run_autograder`` grades the notebook in ``/autograder/submission/`` (the
exercise's file name, or the one notebook there) with the batch grader itself,
``batch.grade_batch`` with ``--chapter NN``: the same code path, sandbox and
limits as ``nnlib-grade``. It writes ``/autograder/results/results.json``: one
test per task (name "task id: title", score, max_score from course_map.json, the
grader's feedback line as output), the task's result shown to students
``after_due_date`` (``--gradescope-visibility``: also ``after_published`` or
``visible``) since it is computed on the hidden cases, except a task not
attempted or never graded (the notebook could not be read, or stopped before
it), which reveals nothing and is always visible; an overall ``score`` (which
Gradescope hides from students while any test is hidden); a top-level output for
the student (what went wrong, if anything); ``stdout_visibility: hidden`` (the
log printed for the instructor has every feedback line). A notebook that cannot
be read gets 0 points with the reason; one that runs past ``--timeout`` keeps
the points of the tasks graded before, as in ``nnlib-grade``. A results.json of
score 0 saying "did not finish" is written before grading starts, so a run that
Gradescope stops (its overall limit is 10 minutes by default) still ends with a
clear result.

No sandbox: inside Gradescope's container bwrap may be unable to make
namespaces. Then ``run_autograder`` gives every submission 0 with the reason,
unless the bundle was made with ``--unsafe-no-sandbox``: then it reads the
secret, deletes its file (each submission has a fresh container) and grades
with the grader's tripwire only, which a hostile notebook running as root can
get around (it could read the source folder or rewrite its own result); use it
only for notebooks you trust.

Paths, for running it elsewhere (the tests lay out a temporary folder the way
Gradescope does): ``run_autograder`` reads ``NNLIB_GRADESCOPE_ROOT`` (default
``/autograder``; it holds ``source/``, ``submission/``, ``results/``) and
``NNLIB_GRADESCOPE_PYTHON`` (default ``/opt/nnlib-grader/bin/python``), and runs
``python -m nnlib.grader.gradescope run --root ROOT``.

Format sources: Gradescope's "Autograder Specifications"
(https://gradescope-autograders.readthedocs.io/en/latest/specs/, the file
docs/specs.md of github.com/gradescope/autograder_samples, read at commit
af5dee4 of January 2025): setup.sh and run_autograder at the zip's root,
/autograder/source, /autograder/submission, /autograder/results/results.json,
the keys score, execution_time, output, output_format, test_output_format,
test_name_format, visibility, stdout_visibility, extra_data, tests (score,
max_score, status, name, output, visibility, ...), the visibilities hidden,
after_due_date, after_published, visible, and the formats text, html,
simple_format (the default for the top-level output), md, ansi; its
"Technical Details" (docs/tech.md: one image, a new container per submission),
"Troubleshooting" (docs/troubleshooting.md: the 10-minute default limit, up to
40, half a virtual CPU) and "Best Practices" (docs/best_practices.md: always
write results.json; run student code with minimal privileges). Not verified
here: a run on Gradescope itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nnlib
from nnlib import course

CONFIG = "nnlib_gradescope.json"
SECRET = "secret"
LOCK = "lock.txt"
VENV = "/opt/nnlib-grader"
DEFAULT_ROOT = "/autograder"
ROOT_VAR, PYTHON_VAR = "NNLIB_GRADESCOPE_ROOT", "NNLIB_GRADESCOPE_PYTHON"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
VISIBILITIES = ("after_due_date", "after_published", "visible")
WHEN = {
    "after_due_date": "after the due date",
    "after_published": "when the grades are published",
    "visible": "right away",
}
CHECKOUT = Path(__file__).resolve().parents[2]  # the repository, when nnlib is one
# what a wheel is built from (a clean copy: no stale build/ folder gets in)
WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "nnlib")


def bundle_name(chapter: str) -> str:
    """The zip's file name for one chapter: ``nnlib_gradescope_chNN.zip``."""
    return f"nnlib_gradescope_ch{chapter}.zip"


# ---------------------------------------------------------------- the bundle


def build_wheel(dest: Path, checkout: Path = CHECKOUT) -> Path:
    """Build nnlib's wheel from ``checkout`` into ``dest``; returns its path.

    The sources are copied to a temporary folder first, so files left in the
    checkout's ``build/`` by an earlier build (a module since removed) cannot
    end up in the wheel.

    Raises:
        ValueError: ``checkout`` is not nnlib's source tree.
        RuntimeError: pip could not build the wheel (with its message).
    """
    if not (checkout / "pyproject.toml").is_file():
        raise ValueError(
            f"nnlib-grade expected nnlib's source tree (pyproject.toml) in "
            f"{checkout} to build the wheel, got none: run it from a checkout"
        )
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nnlib-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in WHEEL_SOURCES:
            path = checkout / name
            if path.is_dir():
                shutil.copytree(
                    path,
                    src / name,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
                )
            elif path.is_file():
                shutil.copy2(path, src / name)
        built = Path(tmp) / "wheel"
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q"]
        cmd += ["--no-build-isolation", "-w", str(built), str(src)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:  # no setuptools here: let pip fetch it
            cmd.remove("--no-build-isolation")
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wheels = sorted(built.glob("nnlib-*.whl"))
        if done.returncode != 0 or not wheels:
            raise RuntimeError(
                "nnlib-grade expected pip to build nnlib's wheel, got: "
                + (done.stderr.strip()[-500:] or f"exit status {done.returncode}")
            )
        target = dest / wheels[0].name
        shutil.copy2(wheels[0], target)
    return target


def _torch_pin(lock_text: str) -> str:
    """``torch==X+cpu`` from the lock's ``torch==X``, or "" if it pins none."""
    match = re.search(r"^torch==([^\s;+#]+)", lock_text, re.M)
    return f"torch=={match.group(1)}+cpu" if match else ""


SETUP_SH = """\
#!/usr/bin/env bash
# nnlib's Gradescope autograder, chapter {chapter}, made by nnlib-grade
# --gradescope-bundle. Gradescope runs this once, as root, when it builds the
# autograder image (Ubuntu). It installs bubblewrap (the grader's sandbox), then
# Python 3.11 or 3.12 with nnlib from the bundled wheel and its [grader] extra in
# {venv}, every version pinned by lock.txt, torch's CPU build ({torch})
# from PyTorch's index.
set -euo pipefail
SRC="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
VENV="${{NNLIB_GRADESCOPE_VENV:-{venv}}}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || true
if ! apt-get install -y -q bubblewrap; then
  echo "setup.sh: bubblewrap could not be installed; run_autograder grades only" \\
       "if this bundle was made with --unsafe-no-sandbox" >&2
fi
find_python() {{
  for py in python3.12 python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c \\
        'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))'; then
      echo "$py"; return 0
    fi
  done
  return 1
}}
PY="$(find_python || true)"
if [ -z "$PY" ]; then
  apt-get install -y -q python3.11 python3.11-venv \\
    || apt-get install -y -q python3.12 python3.12-venv || true
  PY="$(find_python || true)"
fi
if [ -z "$PY" ]; then
  echo "setup.sh: nnlib needs Python 3.11 or 3.12 and found none; choose a base" \\
       "image that has one (Ubuntu 24.04 comes with 3.12)" >&2
  exit 1
fi
"$PY" -m venv "$VENV" \\
  || {{ apt-get install -y -q "$PY-venv" && "$PY" -m venv "$VENV"; }}
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -c "$SRC/{lock}" \\
  --extra-index-url {index} {torch} "$SRC/{wheel}[grader]"
chmod 600 "$SRC/{secret}"
# the build log says whether submissions will be graded in the sandbox
"$VENV/bin/python" -m nnlib.grader.gradescope check --root "$(dirname "$SRC")"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# nnlib's Gradescope autograder, chapter {chapter}: Gradescope runs this for each
# submission, as root, in a fresh container, from /autograder. It grades the notebook
# in submission/ with nnlib's batch grader and writes results/results.json.
#   {root_var}: the folder with source/, submission/, results/ (default {root})
#   {python_var}: the Python that has nnlib (default {venv}/bin/python)
set -u
ROOT="${{{root_var}:-{root}}}"
PY="${{{python_var}:-{venv}/bin/python}}"
"$PY" -m nnlib.grader.gradescope run --root "$ROOT"
status=$?
if [ "$status" -ne 0 ]; then
  # the grader itself could not run (did setup.sh fail?): still a result, score 0
  MSG="The autograder could not run (exit status $status): your notebook was"
  MSG="$MSG not graded. Please tell your instructor."
  mkdir -p "$ROOT/results"
  printf '{{"score": 0, "output": "%s", "output_format": "text", %s}}\\n' "$MSG" \\
    '"stdout_visibility": "hidden", "tests": []' > "$ROOT/results/results.json"
fi
exit 0
"""

README = """\
nnlib's Gradescope autograder for chapter {chapter}: {title}.
Made by nnlib-grade --gradescope-bundle {chapter} with nnlib {version}.

Upload this zip as the assignment's autograder (a Programming Assignment).
Students submit their notebook, {notebook}.
Each task is graded on hidden cases; the results are shown to students {when}.

This zip contains the grader's secret (file "secret"), which seeds the hidden cases:
keep it as private as the secret itself. Secret fingerprint: {fingerprint}.
"""


def bundle_config(
    chapter: str,
    secret: bytes,
    *,
    timeout: float = 300.0,
    memory_mb: int = 4096,
    max_output_mb: float = 50.0,
    file_mb: int = 512,
    disk_mb: int = 1024,
    allow_programs: bool = False,
    allow_unsandboxed: bool = False,
    visibility: str = "after_due_date",
) -> dict[str, Any]:
    """What ``run_autograder`` needs to know, as stored in ``nnlib_gradescope.json``."""
    from .secret import fingerprint

    if visibility not in VISIBILITIES:
        raise ValueError(
            f"nnlib-grade expected a visibility in {VISIBILITIES}, got {visibility!r}"
        )
    ch = course.chapter(chapter)
    return {
        "format": 1,
        "chapter": ch["id"],
        "title": ch["title"],
        "notebook": Path(ch["exercise"]).name,
        "tasks": [
            {"id": t["id"], "title": t["title"], "points": t["points"]}
            for t in ch["tasks"]
        ],
        "limits": {
            "timeout": timeout,
            "memory_mb": memory_mb,
            "max_output_mb": max_output_mb,
            "file_mb": file_mb,
            "disk_mb": disk_mb,
            "allow_programs": allow_programs,
        },
        "allow_unsandboxed": allow_unsandboxed,
        "hidden_visibility": visibility,
        "nnlib_version": nnlib.__version__,
        "secret_fingerprint": fingerprint(secret),
    }


def _add(archive: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.create_system = 3  # Unix, so that unzip honours the file mode
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def build_bundle(
    chapter: str,
    out: Path,
    secret: bytes,
    *,
    wheel: Path | None = None,
    lock: Path | None = None,
    **config: Any,
) -> Path:
    """Write ``out/nnlib_gradescope_chNN.zip`` and return its path.

    Args:
        chapter: the chapter id, e.g. ``"01"``.
        secret: the grader's secret (it goes into the zip).
        wheel: nnlib's wheel to bundle (default: built now from this checkout).
        lock: the pins (default: this checkout's requirements/lock.txt).
        config: the limits and settings of ``bundle_config``.

    Raises:
        KeyError: no such chapter. ValueError, RuntimeError: see ``build_wheel``.
    """
    settings = bundle_config(chapter, secret, **config)
    chapter = settings["chapter"]
    lock = lock or CHECKOUT / "requirements" / LOCK
    try:
        lock_text = lock.read_text("utf-8")
    except OSError as exc:
        raise ValueError(
            f"nnlib-grade expected the pins in {lock}, got {exc.strerror}"
        ) from None
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nnlib-bundle-") as tmp:
        wheel = wheel or build_wheel(Path(tmp))
        settings["wheel"] = wheel.name
        fields = {
            "chapter": chapter,
            "venv": VENV,
            "lock": LOCK,
            "wheel": wheel.name,
            "secret": SECRET,
            "torch": _torch_pin(lock_text),
            "index": TORCH_CPU_INDEX,
            "root": DEFAULT_ROOT,
            "root_var": ROOT_VAR,
            "python_var": PYTHON_VAR,
        }
        readme = README.format(
            chapter=chapter,
            title=settings["title"],
            version=settings["nnlib_version"],
            notebook=settings["notebook"],
            when=WHEN[settings["hidden_visibility"]],
            fingerprint=settings["secret_fingerprint"],
        )
        path = out / bundle_name(chapter)
        partial = path.with_name(path.name + ".part")
        with zipfile.ZipFile(partial, "w") as archive:
            _add(archive, "setup.sh", SETUP_SH.format(**fields).encode(), 0o755)
            _add(
                archive,
                "run_autograder",
                RUN_AUTOGRADER.format(**fields).encode(),
                0o755,
            )
            _add(archive, wheel.name, wheel.read_bytes(), 0o644)
            _add(archive, LOCK, lock_text.encode("utf-8"), 0o644)
            text = json.dumps(settings, indent=1, ensure_ascii=False) + "\n"
            _add(archive, CONFIG, text.encode("utf-8"), 0o644)
            _add(archive, SECRET, secret + b"\n", 0o600)
            _add(archive, "README.txt", readme.encode("utf-8"), 0o644)
        os.replace(partial, path)
    return path


# ------------------------------------------------------ results.json, in Gradescope


def _status(points: int, max_points: int) -> str:
    return "passed" if points >= max_points else "failed"


def _not_graded(task: Any) -> bool:
    """True for a task the grader never ran (``submission._zero``'s feedback)."""
    return bool(re.match(rf"\W*{re.escape(task.task)}: not graded:", task.feedback))


def failure(
    message: str, config: dict[str, Any] | None = None, seconds: float = 0.0
) -> dict[str, Any]:
    """A result of 0 points that says why, with each task (if known) at 0, visible."""
    tests = [
        {
            "name": f"{t['id']}: {t['title']}",
            "score": 0,
            "max_score": t["points"],
            "status": "failed",
            "output": f"not graded: {message}",
            "visibility": "visible",
        }
        for t in (config or {}).get("tasks", [])
    ]
    return {
        "score": 0,
        "execution_time": int(round(seconds)),
        "output": message,
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"nnlib_failure": True},
    }


def results_json(
    result: Any, config: dict[str, Any], seconds: float, sandboxed: bool
) -> dict[str, Any]:
    """Gradescope's results.json for one graded ``SubmissionResult``."""
    from nnlib.grading.result import NOT_ATTEMPTED

    if not result.tasks:  # nothing to grade it on: the grader itself failed
        why = "; ".join(result.faults) or "no task was graded"
        return failure(f"Your notebook could not be graded: {why}.", config, seconds)
    hidden = config.get("hidden_visibility", "after_due_date")
    tests = []
    for t in result.tasks:
        # a task not attempted, or never graded (the notebook could not be read,
        # or stopped before it), tells nothing about the hidden cases
        shown = t.status == NOT_ATTEMPTED or _not_graded(t)
        tests.append(
            {
                "name": f"{t.task}: {t.title}",
                "score": t.points,
                "max_score": t.max_points,
                "status": _status(t.points, t.max_points),
                "output": t.feedback,
                "visibility": "visible" if shown else hidden,
                "extra_data": {"task": t.task, "status": t.status, "flags": t.flags},
            }
        )
    lines = [
        f"Chapter {config['chapter']}: {config['title']} ({len(config['tasks'])} "
        f"tasks, {sum(t['points'] for t in config['tasks'])} points).",
        "Each task is graded on hidden cases drawn for this course; its result "
        f"and points are shown {WHEN.get(hidden, hidden)}.",
    ]
    if result.faults and all(_not_graded(t) for t in result.tasks):
        lines.append("Your notebook could not be graded: " + "; ".join(result.faults))
    elif result.faults:
        lines.append("Grading stopped early: " + "; ".join(result.faults))
    skipped = [t.task for t in result.tasks if t.status == NOT_ATTEMPTED]
    if skipped:
        lines.append("Not attempted: " + ", ".join(skipped) + ".")
    return {
        "score": result.points,
        "execution_time": int(round(seconds)),
        "output": "\n".join(lines),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "chapter": config["chapter"],
            "nnlib_version": nnlib.__version__,
            "sandbox": sandboxed,
            "faults": list(result.faults),
            "flags": list(result.flags),
        },
    }


def _write(path: Path, data: dict[str, Any]) -> None:
    from .store import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def find_notebook(folder: Path, expected: str) -> tuple[Path | None, str]:
    """The submitted notebook: ``expected`` by name, else the only one; else why not."""
    found = []
    for top, dirs, files in os.walk(folder, followlinks=False):  # links: not into
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        found += [Path(top) / f for f in files if f.endswith(".ipynb")]
    found.sort()
    named = [p for p in found if p.name == expected]
    if len(named) == 1:
        return named[0], ""
    if len(found) == 1:
        return found[0], ""
    if not found:
        return None, f"no notebook (.ipynb) was submitted; submit {expected}"
    names = ", ".join(str(p.relative_to(folder)) for p in found[:10])
    return None, f"several notebooks were submitted ({names}); submit only {expected}"


def _log(text: str) -> None:
    print(text, flush=True)  # Gradescope shows stdout to instructors only


def run(root: Path) -> int:
    """Grade ``root/submission``, write ``root/results/results.json``; 0 if written."""
    start = time.monotonic()
    results = root / "results" / "results.json"
    config: dict[str, Any] = {}
    _write(
        results,
        failure(
            "The autograder did not finish: it was stopped before grading ended "
            "(Gradescope's time limit for the whole run is 10 minutes unless the "
            "course raised it). Your notebook was not graded; try a faster one or "
            "tell your instructor."
        ),
    )
    try:
        config = json.loads((root / "source" / CONFIG).read_text("utf-8"))
        data = _grade(root, config, start)
    except Exception as exc:  # never end without a result
        _log(f"nnlib autograder: failed: {type(exc).__name__}: {exc}")
        data = failure(
            f"The autograder failed ({type(exc).__name__}); your notebook was not "
            "graded. Please tell your instructor.",
            config,
            time.monotonic() - start,
        )
    _write(results, data)
    _log(f"nnlib autograder: wrote {results} (score {data['score']})")
    return 0


def _grade(root: Path, config: dict[str, Any], start: float) -> dict[str, Any]:
    from .batch import grade_batch
    from .kernel import Limits
    from .naming import Submission
    from .sandbox import sandbox_works
    from .secret import fingerprint

    _log(
        f"nnlib autograder: chapter {config['chapter']}, nnlib {nnlib.__version__} "
        f"(bundle made with {config.get('nnlib_version')})"
    )
    secret_file = root / "source" / SECRET
    secret = secret_file.read_bytes().strip()
    if fingerprint(secret) != config.get("secret_fingerprint"):
        raise ValueError("the bundle's secret does not match its fingerprint")
    notebook, why_not = find_notebook(root / "submission", config["notebook"])
    if notebook is None:
        _log(f"nnlib autograder: {why_not}")
        return failure(
            f"Your submission could not be graded: {why_not}.",
            config,
            time.monotonic() - start,
        )
    why = sandbox_works()
    if why:
        if not config.get("allow_unsandboxed"):
            _log(f"nnlib autograder: no sandbox: {why}")
            return failure(
                "The autograder could not start its sandbox (bubblewrap: "
                f"{why}), so your notebook was not graded. Please tell your "
                "instructor (the bundle can be made with --unsafe-no-sandbox).",
                config,
                time.monotonic() - start,
            )
        _log(f"nnlib autograder: WARNING: grading without a sandbox ({why})")
        secret_file.unlink()  # a fresh container per submission: no one needs it now
    lim = config["limits"]
    limits = Limits(
        sandbox=not why,
        timeout=float(lim["timeout"]),
        memory_mb=int(lim["memory_mb"]),
        max_output_mb=float(lim["max_output_mb"]),
        file_mb=int(lim["file_mb"]),
        disk_mb=int(lim["disk_mb"]),
        allow_programs=bool(lim["allow_programs"]),
        threads=1,  # Gradescope gives each run half a virtual CPU
    )
    sub = Submission(notebook, "submission", notebook.name)
    with tempfile.TemporaryDirectory(prefix="nnlib-gradescope-") as out:
        (result,) = grade_batch(
            [sub],
            limits,
            out=Path(out),
            chapters=[config["chapter"]],
            jobs=1,
            secret=secret,
        )
    seconds = time.monotonic() - start
    _log(
        f"nnlib autograder: {notebook.name}: {result.points}/{result.max_points} points"
    )
    for t in result.tasks:
        _log(f"    {t.points}/{t.max_points}  {t.feedback}")
    for f in result.faults:
        _log(f"    fault: {f}")
    for f in result.flags + [x for t in result.tasks for x in t.flags]:
        _log(f"    flag: {f}")
    return results_json(result, config, seconds, sandboxed=not why)


def check(root: Path) -> int:
    """Print whether submissions will be graded in the sandbox (for setup.sh's log)."""
    from .sandbox import sandbox_works

    try:
        config = json.loads((root / "source" / CONFIG).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        print(f"nnlib autograder: cannot read {CONFIG}: {exc}")
        return 1
    why = sandbox_works()
    if not why:
        print("nnlib autograder: the bubblewrap sandbox works here")
    elif config.get("allow_unsandboxed"):
        print(f"nnlib autograder: no sandbox ({why}): grading without one")
    else:
        print(
            f"nnlib autograder: no sandbox ({why}): every submission will get 0 "
            "with this reason; make the bundle with --unsafe-no-sandbox to grade "
            "without the sandbox"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nnlib.grader.gradescope run|check [--root DIR]``."""
    p = argparse.ArgumentParser(
        prog="python -m nnlib.grader.gradescope",
        description="nnlib's Gradescope autograder (what run_autograder runs).",
    )
    p.add_argument("command", choices=["run", "check"])
    p.add_argument(
        "--root",
        type=Path,
        default=Path(os.environ.get(ROOT_VAR, DEFAULT_ROOT)),
        help=f"the folder with source/, submission/, results/ (default ${ROOT_VAR} "
        f"or {DEFAULT_ROOT})",
    )
    args = p.parse_args(argv)
    return run(args.root) if args.command == "run" else check(args.root)


if __name__ == "__main__":
    sys.exit(main())
