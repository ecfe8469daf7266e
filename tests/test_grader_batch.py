"""The batch grader against correct, wrong and hostile submissions.

Every submission is a chapter-01 notebook (tasks worth 1, 2, 1 and 2 points,
6 in all). Hostile ones insert one cell after the second task's check, so a
fault that stops grading leaves exactly the first two tasks: 3 points. All
notebooks are graded in one batch (two kernels at a time) shared by the tests.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import nbformat
import pytest

from nnlib.grader.batch import grade_batch, task_summary
from nnlib.grader.cli import main
from nnlib.grader.kernel import Limits

pytestmark = [pytest.mark.ch01, pytest.mark.integration]


def _sandbox() -> bool:
    """Grade in bubblewrap where it works (always in CI), else the old tripwire."""
    import os

    from nnlib.grader.sandbox import sandbox_works

    why = sandbox_works()
    if why and os.environ.get("NNLIB_REQUIRE_SANDBOX") == "1":
        pytest.fail(f"NNLIB_REQUIRE_SANDBOX=1 but there is no sandbox: {why}")
    return not why


SANDBOX = _sandbox()

IMPORTS = "import numpy as np\nfrom nnlib.grading import check"
SOLVED = [
    IMPORTS,
    "def neuron_forward(x, w, b):\n    return x @ w + b",
    'check("01.neuron_forward", neuron_forward)',
    "def mse_gradient(x, y, a, b):\n    e = a * x + b - y\n"
    "    return np.mean(2 * e * x), np.mean(2 * e)",
    'check("01.mse_gradient", mse_gradient)',
    "def gd_step(x, y, a, b, lr):\n    da, db = mse_gradient(x, y, a, b)\n"
    "    return a - lr * da, b - lr * db",
    'check("01.gd_step", gd_step)',
    "def fit_line(x, y, lr, steps):\n    a = b = 0.0\n    for _ in range(steps):\n"
    "        a, b = gd_step(x, y, a, b, lr)\n    return a, b",
    'check("01.fit_line", fit_line)',
]
FAULT_AT = 5  # hostile cells go here: after the checks of tasks 1 and 2 (3 points)
STUB = "    raise NotImplementedError()"


def _with(cell: str) -> list[str]:
    cells = list(SOLVED)
    cells.insert(FAULT_AT, cell)
    return cells


def _hostile(outside: Path) -> dict[str, list[str] | str]:
    """Submission name -> its code cells (or raw file text)."""
    stubs = [IMPORTS] + [
        c.split("\n")[0] + "\n" + STUB if c.startswith("def ") else c
        for c in SOLVED[1:]
    ]
    wrong = list(SOLVED)
    wrong[1] = "def neuron_forward(x, w, b):\n    return (x @ w + b)[:, None]"
    reference = list(SOLVED)
    reference[1] = (
        "from nnlib.scratch import Neuron\n\ndef neuron_forward(x, w, b):\n"
        "    n = Neuron(len(w))\n    n.params['w'][...] = w\n"
        "    n.params['b'][...] = b\n    return n.forward(x)"
    )
    cheat = [
        IMPORTS,
        "def check(task, answer):\n    print(f'✓ {task} passed (5 cases)')",
        "import nnlib.grading\nnnlib.grading.check = check\n"
        "import nnlib.grader.remote as remote\nremote.run = lambda *a: None",
        "def neuron_forward(x, w, b):\n    return 0.0",
        "def mse_gradient(x, y, a, b):\n    return 0.0, 0.0",
        "print('✓ 01.gd_step passed (5 cases)')\n"
        "print('✓ 01.fit_line passed (5 cases)')",
    ]
    return {
        "correct": SOLVED,
        "wrong": wrong,
        "not_attempted": stubs,
        "hang": _with("while True:\n    pass"),
        "sys_exit": _with("import sys\nsys.exit(1)"),
        "os_exit": _with("import os\nos._exit(0)"),
        "kill_kernel": _with("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        "memory": _with(
            "def grow():\n    blocks = []\n    while True:\n"
            "        blocks.append(np.ones(10**7))\n\ngrow()"
        ),
        # what a CUDA build of torch does at start: reserve far more address space
        # than the memory limit, without using it; the kernel must survive this
        "reserve": _with(
            "import ctypes, os\n"
            "libc = ctypes.CDLL(None)\n"
            "libc.mmap.restype = ctypes.c_void_p\n"
            "libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,\n"
            "                      ctypes.c_int, ctypes.c_int, ctypes.c_long]\n"
            "# PROT_NONE; MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE (Linux values)\n"
            "p = libc.mmap(None, 64 << 30, 0, 0x02 | 0x20 | 0x4000, -1, 0)\n"
            "if p in (None, ctypes.c_void_p(-1).value):\n"
            "    os._exit(3)  # refused: a fatal fault, later tasks ungraded"
        ),
        "flood": _with("for _ in range(1000):\n    print('x' * 100_000)  # 100 MB"),
        "files": _with(
            "import shutil\n"
            f"for attempt in (lambda: open({str(outside / 'note.txt')!r}, 'w'),\n"
            f"                lambda: shutil.rmtree({str(outside / 'keep')!r})):\n"
            "    try:\n        attempt()\n    except PermissionError as exc:\n"
            "        print(exc)"
        ),
        "cheat": cheat,
        "shadowing": _with(
            "__import__ = None\nrun = check = json = pickle = sys = None"
        ),
        "reference": reference,
        "invalid": '{"cells": [ this is not JSON',
    }


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("grading")
    outside = root / "outside"
    (outside / "keep").mkdir(parents=True)
    (outside / "note.txt").write_text("original")
    (outside / "keep" / "file.txt").write_text("kept")
    folder = root / "submissions"
    folder.mkdir()
    paths = []
    for name, cells in _hostile(outside).items():
        path = folder / f"{name}.ipynb"
        if isinstance(cells, str):
            path.write_text(cells)
        else:
            nb = nbformat.v4.new_notebook()
            nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
            nbformat.write(nb, path)
        paths.append(path)
    # 15 s per notebook: a correct one needs about 1 s, so the margin absorbs a
    # loaded machine; 20 MB of output is plenty for these notebooks.
    limits = Limits(timeout=15, memory_mb=1500, max_output_mb=20, sandbox=SANDBOX)
    out = root / "out"
    results = grade_batch(paths, limits, out=out, chapters=["01"], jobs=2)
    return {
        "results": {r.student: r for r in results},
        "out": out,
        "paths": paths,
        "outside": outside,
        "limits": limits,
    }


def _points(batch: dict, name: str) -> list[int]:
    return [t.points for t in batch["results"][name].tasks]


def test_correct_and_wrong_submissions(batch: dict) -> None:
    assert _points(batch, "correct") == [1, 2, 1, 2]
    wrong = batch["results"]["wrong"]
    assert [t.points for t in wrong.tasks] == [0, 2, 1, 2]
    assert "expected shape (5,), got (5, 1)" in wrong.tasks[0].feedback
    assert 'hint("01.neuron_forward")' in wrong.tasks[0].feedback  # points to hints


def test_unsolved_tasks_are_not_attempted(batch: dict) -> None:
    result = batch["results"]["not_attempted"]
    assert _points(batch, "not_attempted") == [0, 0, 0, 0]
    assert {t.status for t in result.tasks} == {"not attempted"}
    assert result.faults == []


@pytest.mark.parametrize("name", ["hang", "os_exit", "kill_kernel", "flood"])
def test_fatal_faults_keep_the_points_earned_before(batch: dict, name: str) -> None:
    result = batch["results"][name]
    assert [t.points for t in result.tasks] == [1, 2, 0, 0]
    assert result.faults, "the fault must be reported"
    for task in result.tasks[2:]:
        assert "not graded" in task.feedback and "cell 6" in task.feedback


def test_fault_reasons_name_what_happened(batch: dict) -> None:
    res = batch["results"]
    assert "time limit" in res["hang"].faults[0]
    assert "died" in res["os_exit"].faults[0]
    assert "SIGKILL" in res["kill_kernel"].faults[0]
    assert "printed more than 20 MB" in res["flood"].faults[0]


@pytest.mark.parametrize("name", ["sys_exit", "memory", "shadowing"])
def test_recoverable_faults_fail_only_their_cell(batch: dict, name: str) -> None:
    # SystemExit and MemoryError are exceptions the kernel survives: the cell
    # fails and the tasks after it are still graded. Rebinding names a grading
    # call might look up (__import__, json, ...) does not disturb it either.
    assert _points(batch, name) == [1, 2, 1, 2]


@pytest.mark.skipif(sys.platform != "linux", reason="Linux mmap flags and limits")
def test_reserved_address_space_is_not_counted_as_memory(batch: dict) -> None:
    # 64 GiB reserved under a 1500 MB limit: the kernel lives on and grades all
    # tasks, while the "memory" submission above still hits MemoryError.
    assert batch["limits"].memory_mb < 64 * 1024
    result = batch["results"]["reserve"]
    assert result.faults == []
    assert _points(batch, "reserve") == [1, 2, 1, 2]


def test_writes_outside_the_folder_are_refused_and_reported(batch: dict) -> None:
    outside = batch["outside"]
    assert (outside / "note.txt").read_text() == "original"
    assert (outside / "keep" / "file.txt").read_text() == "kept"
    if not SANDBOX:  # the tripwire refuses and reports; in bwrap the path is absent
        flags = " ".join(batch["results"]["files"].flags)
        assert "note.txt" in flags and "rmtree" in flags
    assert _points(batch, "files") == [1, 2, 1, 2]


def test_redefining_check_or_patching_the_grader_gains_nothing(batch: dict) -> None:
    result = batch["results"]["cheat"]
    assert result.points == 0
    flags = " ".join(result.flags)
    assert "redefines `check`" in flags and "nnlib.grading beyond" in flags


def test_using_the_reference_is_flagged_not_hidden(batch: dict) -> None:
    result = batch["results"]["reference"]
    task = result.tasks[0]
    assert task.points == 1 and task.flags
    assert "nnlib.scratch.Neuron" in task.feedback
    # found once, at run time, on the task (reading the code found it a second time)
    assert not any("Neuron" in f for f in result.flags)


def test_invalid_notebook_gets_zero_with_a_reason(batch: dict) -> None:
    result = batch["results"]["invalid"]
    assert result.points == 0 and result.max_points == 6
    assert "not a valid notebook" in result.faults[0]
    assert all("not a valid notebook" in t.feedback for t in result.tasks)


def test_csv_and_report_hold_every_task(batch: dict) -> None:
    out = batch["out"]
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["student", "task", "points", "max_points", "feedback"]
    assert len(rows) == 4 * len(batch["paths"])
    by_key = {(r["student"], r["task"]): r for r in rows}
    assert by_key[("hang", "01.fit_line")]["points"] == "0"
    assert by_key[("correct", "01.fit_line")]["max_points"] == "2"
    report = json.loads((out / "report.json").read_text())
    assert {s["student"] for s in report["submissions"]} == set(batch["results"])
    assert len(list((out / "results").glob("*.json"))) == len(batch["paths"])


def test_resume_skips_finished_submissions(batch: dict) -> None:
    out, paths = batch["out"], batch["paths"]
    saved = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    seen = []
    grade_batch(
        paths,
        batch["limits"],
        out=out,
        chapters=["01"],
        resume=True,
        on_result=lambda r, skipped: seen.append((r.student, skipped)),
    )
    assert len(seen) == len(paths) and all(skipped for _, skipped in seen)
    after = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    assert after == saved


def test_self_grading_prints_a_progress_table(tmp_path: Path, capsys) -> None:
    nb = nbformat.v4.new_notebook()
    cells = list(SOLVED)
    cells[7] = "def fit_line(x, y, lr, steps):\n" + STUB
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / "01_neuron_and_gradient_descent.ipynb"
    nbformat.write(nb, path)
    assert main([str(tmp_path), "--jobs", "1", "--timeout", "60"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("01 "))
    assert "3/4" in row and "4/6" in row
    assert "01.fit_line not attempted" in out


def test_class_summary_per_task(batch: dict) -> None:
    results = list(batch["results"].values())
    rows = task_summary(results)
    assert [r["task"] for r in rows] == [
        "01.neuron_forward",
        "01.mse_gradient",
        "01.gd_step",
        "01.fit_line",
    ]
    for row, k in zip(rows, range(4), strict=True):
        grades = [r.tasks[k] for r in results]
        assert row["submissions"] == len(results)
        assert row["passed"] == sum(t.points == t.max_points for t in grades)
        assert row["not_attempted"] == sum(t.status == "not attempted" for t in grades)
        assert row["passed"] + row["failed"] + row["not_attempted"] == len(results)
        assert row["mean_points"] == round(
            sum(t.points for t in grades) / len(grades), 2
        )
    # "wrong" fails task 1 and "not_attempted" skips all four; the faults (hang,
    # crash, flood) leave tasks 3 and 4 ungraded, which counts as failed
    assert rows[0]["failed"] >= 1 and rows[0]["not_attempted"] >= 1
    with (batch["out"] / "tasks.csv").open() as f:
        stored = list(csv.DictReader(f))
    assert [r["task"] for r in stored] == [r["task"] for r in rows]
    assert [int(r["passed"]) for r in stored] == [r["passed"] for r in rows]


def test_class_grading_prints_the_per_task_table(tmp_path: Path, capsys) -> None:
    # an nbgrader tree, given to the command as it is: a row per student
    tree = tmp_path / "course" / "submitted"
    for name, cells in [("ann", SOLVED), ("ben", _hostile(tmp_path)["not_attempted"])]:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
        (tree / name / "ch01").mkdir(parents=True)
        nbformat.write(nb, tree / name / "ch01" / "01_neuron.ipynb")
    out = tmp_path / "out"
    args = [str(tree), "--chapter", "01", "--out", str(out), "--timeout", "60"]
    assert main(args + ([] if SANDBOX else ["--unsafe-no-sandbox"])) == 0
    printed = capsys.readouterr().out
    row = next(line for line in printed.splitlines() if line.startswith("01.gd_step"))
    assert row.split() == ["01.gd_step", "1/2", "0", "1", "0.5/1"]
    assert (out / "tasks.csv").exists() and "tasks.csv" in printed
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        students = [r["student"] for r in csv.DictReader(f)]
    assert students == ["ann"] * 4 + ["ben"] * 4


def test_a_refused_limit_does_not_stop_the_kernel(monkeypatch, capsys) -> None:
    # some systems (macOS) reject a data limit: grading goes on without it
    import resource

    from nnlib.grader import launcher

    def refuse(kind, limits):
        raise ValueError("current limit exceeds maximum limit")

    monkeypatch.setattr(resource, "setrlimit", refuse)
    launcher._limit(resource.RLIMIT_DATA, 4096)
    assert "limit not applied" in capsys.readouterr().err
