"""The Gradescope bundle and its run_autograder, in a folder laid out as Gradescope's.

``run_autograder`` runs here against the installed nnlib
(``NNLIB_GRADESCOPE_PYTHON`` = this Python, ``NNLIB_GRADESCOPE_ROOT`` = a
temporary ``/autograder``), not by installing the bundle: setup.sh needs root,
apt and PyPI and is only checked for its syntax and pins. Every results.json is
validated against ``RESULTS_SCHEMA``, written from Gradescope's "Autograder
Specifications" (gradescope-autograders.readthedocs.io/en/latest/specs/, the
file docs/specs.md of github.com/gradescope/autograder_samples).
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from nnlib import course
from nnlib.grader import gradescope
from nnlib.grader.secret import fingerprint

ROOT = Path(__file__).resolve().parents[1]
SECRET = b"a gradescope test secret, long enough"
CHAPTER = course.chapter("01")
NOTEBOOK = Path(CHAPTER["exercise"]).name

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
TEST_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "max_score": {"type": "number"},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"},
        "name_format": FORMAT,
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": VISIBILITY,
        "extra_data": {"type": "object"},
    },
    "additionalProperties": False,
}
RESULTS_SCHEMA = {
    "type": "object",
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": FORMAT,
        "test_output_format": FORMAT,
        "test_name_format": FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": TEST_SCHEMA},
        "leaderboard": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "value"],
                "properties": {
                    "name": {"type": "string"},
                    "value": {"type": ["number", "string"]},
                    "order": {"enum": ["asc", "desc"]},
                },
            },
        },
    },
    "additionalProperties": False,
    # "score": required at the top level unless every test has one
    "anyOf": [
        {"required": ["score"]},
        {
            "required": ["tests"],
            "properties": {"tests": {"items": {"required": ["score"]}}},
        },
    ],
}


def _sandbox() -> bool:
    from nnlib.grader.sandbox import sandbox_works

    why = sandbox_works()
    if why and os.environ.get("NNLIB_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"NNLIB_REQUIRE_SANDBOX=1 but there is no sandbox: {why}")
    return not why


SANDBOX = _sandbox()


def _validate(data: dict) -> None:
    jsonschema.Draft202012Validator.check_schema(RESULTS_SCHEMA)
    jsonschema.validate(data, RESULTS_SCHEMA)
    for test in data["tests"]:  # what nnlib promises beyond the format
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    return gradescope.build_bundle(
        "01",
        out,
        SECRET,
        timeout=60,
        memory_mb=1500,
        allow_unsandboxed=not SANDBOX,
    )


def _layout(bundle: Path, tmp_path: Path, files: dict[str, bytes]) -> Path:
    """``tmp_path/autograder`` as Gradescope makes it: source/ is the zip."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
        for info in archive.infolist():  # extractall drops the modes
            (root / "source" / info.filename).chmod((info.external_attr >> 16) & 0o777)
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    return root


def _run_autograder(root: Path, python: str = sys.executable) -> dict:
    env = dict(os.environ, NNLIB_GRADESCOPE_ROOT=str(root))
    env["NNLIB_GRADESCOPE_PYTHON"] = python
    done = subprocess.run(
        [str(root / "source" / "run_autograder")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text("utf-8"))
    _validate(data)
    return data


def test_bundle_holds_what_gradescope_needs(bundle: Path) -> None:
    assert bundle.name == "nnlib_gradescope_ch01.zip"
    with zipfile.ZipFile(bundle) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        (wheel,) = [n for n in infos if n.endswith(".whl")]
        assert set(infos) == {
            "setup.sh",
            "run_autograder",
            wheel,
            "lock.txt",
            "nnlib_gradescope.json",
            "secret",
            "README.txt",
        }
        mode = {n: (i.external_attr >> 16) & 0o777 for n, i in infos.items()}
        assert mode["run_autograder"] & 0o111 and mode["setup.sh"] & 0o111
        assert mode["secret"] == 0o600
        config = json.loads(archive.read("nnlib_gradescope.json"))
        setup = archive.read("setup.sh").decode()
        assert archive.read("secret").strip() == SECRET
        assert archive.read("lock.txt") == (ROOT / "requirements/lock.txt").read_bytes()
        with archive.open(wheel) as f, zipfile.ZipFile(f) as w:
            inside = set(w.namelist())
    assert {
        "nnlib/grading/tasks/ch01.py",
        "nnlib/course_map.json",
        "nnlib/grader/gradescope.py",
    } <= inside
    assert config["chapter"] == "01" and config["notebook"] == NOTEBOOK
    assert [(t["id"], t["points"]) for t in config["tasks"]] == [
        (t["id"], t["points"]) for t in CHAPTER["tasks"]
    ]
    assert config["secret_fingerprint"] == fingerprint(SECRET)
    assert config["limits"]["timeout"] == 60
    # setup.sh: the wheel with its grader extra, the lock, torch's CPU build
    lock = (ROOT / "requirements/lock.txt").read_text()
    torch = re.search(r"^torch==[^\s;]+", lock, re.M).group(0)
    assert f"{torch}+cpu" in setup and "download.pytorch.org/whl/cpu" in setup
    assert '-c "$SRC/lock.txt"' in setup and f'"$SRC/{wheel}[grader]"' in setup
    assert "apt-get install -y -q bubblewrap" in setup


def test_the_scripts_are_valid_bash(bundle: Path, tmp_path: Path) -> None:
    root = _layout(bundle, tmp_path, {})
    for script in ("setup.sh", "run_autograder"):
        path = root / "source" / script
        assert path.stat().st_mode & stat.S_IXUSR
        assert path.read_text().startswith("#!/usr/bin/env bash\n")
        subprocess.run(["bash", "-n", str(path)], check=True)


def test_the_cli_writes_the_bundle(tmp_path: Path, monkeypatch) -> None:
    from nnlib.grader.cli import main

    wheel = tmp_path / "nnlib-0.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as w:
        w.writestr("nnlib/__init__.py", "")
    # the wheel build itself is the fixture's; here only the command's wiring
    monkeypatch.setattr(gradescope, "build_wheel", lambda dest: wheel)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    args = ["--gradescope-bundle", "01", "--out", str(tmp_path / "out")]
    args += ["--secret-file", str(secret), "--timeout", "120"]
    args += ["--gradescope-visibility", "after_published"]
    assert main(args) == 0
    with zipfile.ZipFile(tmp_path / "out" / "nnlib_gradescope_ch01.zip") as archive:
        config = json.loads(archive.read("nnlib_gradescope.json"))
        assert archive.read("secret").strip() == SECRET
    assert config["limits"]["timeout"] == 120
    assert config["hidden_visibility"] == "after_published"
    assert config["allow_unsandboxed"] is False
    with pytest.raises(SystemExit):
        main(["--gradescope-bundle", "99", "--out", str(tmp_path / "x")])
    with pytest.raises(SystemExit):  # --out is where it goes
        main(["--gradescope-bundle", "01"])


@pytest.mark.integration
@pytest.mark.ch01
def test_the_solution_gets_full_marks(bundle: Path, tmp_path: Path) -> None:
    notebook = (ROOT / CHAPTER["solution"]).read_bytes()
    data = _run_autograder(_layout(bundle, tmp_path, {NOTEBOOK: notebook}))
    most = sum(t["points"] for t in CHAPTER["tasks"])
    assert data["score"] == most
    assert [(t["score"], t["max_score"]) for t in data["tests"]] == [
        (t["points"], t["points"]) for t in CHAPTER["tasks"]
    ]
    for test, task in zip(data["tests"], CHAPTER["tasks"], strict=True):
        assert test["name"] == f"{task['id']}: {task['title']}"
        assert test["output"].startswith(f"✓ {task['id']} passed")
        assert test["status"] == "passed"
        assert test["visibility"] == "after_due_date"  # results on hidden cases
    assert data["stdout_visibility"] == "hidden"
    assert data["extra_data"]["sandbox"] is SANDBOX


@pytest.mark.integration
@pytest.mark.ch01
def test_the_untouched_exercise_gets_zero_not_attempted(
    bundle: Path, tmp_path: Path
) -> None:
    notebook = (ROOT / CHAPTER["exercise"]).read_bytes()
    # any file name: the one notebook submitted is graded
    data = _run_autograder(_layout(bundle, tmp_path, {"mine.ipynb": notebook}))
    assert data["score"] == 0
    assert len(data["tests"]) == len(CHAPTER["tasks"])
    for test in data["tests"]:
        assert test["score"] == 0 and "not attempted" in test["output"]
        assert test["visibility"] == "visible"  # tells nothing about hidden cases
    assert "Not attempted" in data["output"]


def test_a_broken_notebook_gets_zero_with_the_reason(
    bundle: Path, tmp_path: Path
) -> None:
    root = _layout(bundle, tmp_path, {NOTEBOOK: b'{"cells": [ not JSON'})
    data = _run_autograder(root)
    assert data["score"] == 0
    assert "could not be graded" in data["output"]
    assert "not a valid notebook" in data["output"]
    for test in data["tests"]:
        assert test["score"] == 0 and "not graded" in test["output"]
        assert test["visibility"] == "visible"


@pytest.mark.integration
@pytest.mark.skipif(not SANDBOX, reason="only the sandbox hides the source folder")
def test_the_notebook_cannot_read_the_secret(bundle: Path, tmp_path: Path) -> None:
    """Task 1 answers right only when the bundle's secret is out of its reach."""
    import nbformat

    root = tmp_path / "autograder"
    secret = root / "source" / "secret"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "def neuron_forward(x, w, b):\n"
            "    try:\n"
            f"        open({str(secret)!r}).read()\n"
            "        return 0 * (x @ w)  # read it: a wrong answer\n"
            "    except OSError:\n"
            "        return x @ w + b"
        )
    ]
    _layout(bundle, tmp_path, {NOTEBOOK: nbformat.writes(nb).encode()})
    data = _run_autograder(root)
    assert data["tests"][0]["score"] == 1, data["tests"][0]["output"]
    assert secret.exists()


def test_no_notebook_or_two_is_a_clear_failure(bundle: Path, tmp_path: Path) -> None:
    none = _run_autograder(_layout(bundle, tmp_path / "a", {"notes.txt": b"hi"}))
    assert none["score"] == 0 and "no notebook" in none["output"]
    assert all(t["visibility"] == "visible" for t in none["tests"])
    two = _layout(bundle, tmp_path / "b", {"a.ipynb": b"{}", "b.ipynb": b"{}"})
    data = _run_autograder(two)
    assert data["score"] == 0 and "several notebooks" in data["output"]


def test_without_a_sandbox_it_refuses_unless_allowed(
    bundle: Path, tmp_path: Path, monkeypatch
) -> None:
    from nnlib.grader import sandbox

    monkeypatch.setattr(sandbox, "sandbox_works", lambda: "bwrap was not found")
    root = _layout(bundle, tmp_path, {NOTEBOOK: b"{}"})
    config = json.loads((root / "source" / gradescope.CONFIG).read_text())
    config["allow_unsandboxed"] = False
    (root / "source" / gradescope.CONFIG).write_text(json.dumps(config))
    assert gradescope.run(root) == 0
    data = json.loads((root / "results" / "results.json").read_text())
    _validate(data)
    assert data["score"] == 0 and "sandbox" in data["output"]
    assert "bwrap was not found" in data["output"]
    assert (root / "source" / "secret").exists()
    # allowed (--unsafe-no-sandbox): graded, the secret's file gone first
    config["allow_unsandboxed"] = True
    (root / "source" / gradescope.CONFIG).write_text(json.dumps(config))
    (root / "submission" / NOTEBOOK).write_bytes(b"not JSON")  # no kernel needed
    assert gradescope.run(root) == 0
    data = json.loads((root / "results" / "results.json").read_text())
    _validate(data)
    assert data["extra_data"]["sandbox"] is False
    assert "not a valid notebook" in data["output"]
    assert not (root / "source" / "secret").exists()


def test_a_grader_that_cannot_start_still_writes_a_result(
    bundle: Path, tmp_path: Path
) -> None:
    root = _layout(bundle, tmp_path, {NOTEBOOK: b"{}"})
    data = _run_autograder(root, python="/bin/false")
    assert data["score"] == 0 and "could not run" in data["output"]


@pytest.mark.integration
@pytest.mark.ch01
def test_a_notebook_past_its_time_limit_keeps_what_was_graded(
    bundle: Path, tmp_path: Path
) -> None:
    import nbformat

    with zipfile.ZipFile(bundle) as archive:  # the same wheel, a 5 s limit
        (name,) = [n for n in archive.namelist() if n.endswith(".whl")]
        wheel = tmp_path / name
        wheel.write_bytes(archive.read(name))
    fast = gradescope.build_bundle(
        "01",
        tmp_path / "b",
        SECRET,
        wheel=wheel,
        timeout=5,
        memory_mb=1500,
        allow_unsandboxed=not SANDBOX,
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("def neuron_forward(x, w, b):\n    return x @ w + b"),
        nbformat.v4.new_code_cell('check("01.neuron_forward", neuron_forward)'),
        nbformat.v4.new_code_cell("while True:\n    pass"),
    ]
    root = _layout(fast, tmp_path, {NOTEBOOK: nbformat.writes(nb).encode()})
    data = _run_autograder(root)
    first = CHAPTER["tasks"][0]["points"]
    assert data["score"] == first == data["tests"][0]["score"]
    assert "Grading stopped early" in data["output"] and "time limit" in data["output"]
    for test in data["tests"][1:]:
        assert test["score"] == 0 and "not graded" in test["output"]
        assert test["visibility"] == "visible"


def test_a_run_that_is_killed_leaves_a_clear_result(
    bundle: Path, tmp_path: Path
) -> None:
    """Gradescope's own time limit kills run_autograder: the result written
    before grading began says so (score 0)."""
    root = _layout(bundle, tmp_path, {NOTEBOOK: b"{}"})
    code = (
        "import os, sys\nfrom pathlib import Path\n"
        "import nnlib.grader.gradescope as g\n"
        "g._grade = lambda *a: os._exit(137)  # killed mid-grading\n"
        "g.run(Path(sys.argv[1]))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(root)], check=False)
    assert done.returncode == 137
    data = json.loads((root / "results" / "results.json").read_text("utf-8"))
    _validate(data)
    assert data["score"] == 0 and "did not finish" in data["output"]


def test_results_json_visibility_per_task(bundle: Path) -> None:
    """Without kernels: which task results wait for the due date, which do not."""
    from nnlib.grader.records import SubmissionResult, TaskGrade

    with zipfile.ZipFile(bundle) as archive:
        config = json.loads(archive.read(gradescope.CONFIG))
    config["hidden_visibility"] = "after_published"
    a, b, c, d = CHAPTER["tasks"]
    r = SubmissionResult("submission", NOTEBOOK, "", ["01"], NOTEBOOK)
    r.faults = ["the notebook ran past its time limit of 5 s in code cell 9"]
    r.tasks = [
        TaskGrade(a["id"], a["title"], a["points"], a["points"], "passed", "✓"),
        TaskGrade(b["id"], b["title"], 0, b["points"], "failed", f"✗ {b['id']}: no"),
        TaskGrade(c["id"], c["title"], 0, c["points"], "not attempted", "…"),
        TaskGrade(
            d["id"],
            d["title"],
            0,
            d["points"],
            "failed",
            f"✗ {d['id']}: not graded: x.",
        ),
    ]
    data = gradescope.results_json(r, config, 3.4, sandboxed=True)
    _validate(data)
    assert [t["visibility"] for t in data["tests"]] == [
        "after_published",
        "after_published",
        "visible",
        "visible",
    ]
    assert [t["status"] for t in data["tests"]] == ["passed"] + ["failed"] * 3
    assert data["score"] == a["points"] and data["execution_time"] == 3
    assert "when the grades are published" in data["output"]
    assert "Grading stopped early: the notebook ran past" in data["output"]
    r.tasks = []  # the grader itself failed: every task at 0, visible
    empty = gradescope.results_json(r, config, 1, sandboxed=True)
    _validate(empty)
    assert empty["score"] == 0 and len(empty["tests"]) == len(CHAPTER["tasks"])
    assert "could not be graded" in empty["output"]
