"""The batch grader without kernels: names, odd files, chapters, secret, results.

Each test here failed against the grader before this change (which named
nbgrader's students after their assignment folder, hung on a FIFO, let a
notebook's ``check`` calls choose its chapter, seeded the hidden cases with a
public default and trusted any results file on ``--resume``).
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from nnlib.grader import cli, require_extras, sandbox
from nnlib.grader.batch import grade_batch
from nnlib.grader.chapters import chapters_for
from nnlib.grader.kernel import MAX_ANSWER_BYTES, Limits
from nnlib.grader.naming import NameClash, find_submissions
from nnlib.grader.records import SubmissionResult, TaskGrade, safe_text
from nnlib.grader.remote import ANSWER_MIME
from nnlib.grader.remote import MAX_ANSWER_BYTES as REMOTE_MAX
from nnlib.grader.secret import case_seed, load_secret
from nnlib.grader.store import ResultStore, SecretMismatch, StoreBusy
from nnlib.grading import get_spec

SECRET = b"a test secret of enough bytes"
NOTEBOOK = "01_neuron_and_gradient_descent.ipynb"


def _notebook(path: Path, cells: list[str], metadata: dict | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata.update(metadata or {})
    nbformat.write(nb, path)
    return path


def _nbgrader_tree(root: Path, students: list[str]) -> Path:
    for s in students:
        _notebook(root / "submitted" / s / "ch01" / NOTEBOOK, ["x = 1"])
    return root / "submitted"


def test_nbgrader_students_are_named_after_their_folder(tmp_path: Path) -> None:
    students = ["ann", "ben", "cai", "dan", "eve", "fay"]
    subs = find_submissions([_nbgrader_tree(tmp_path / "course", students)])
    assert [s.name for s in subs] == students
    # the course folder itself works too: the folder after "submitted" counts
    assert [s.name for s in find_submissions([tmp_path / "course"])] == students
    assert len({s.key for s in subs}) == 6


def test_a_student_with_two_assignments_gets_two_names(tmp_path: Path) -> None:
    _notebook(tmp_path / "submitted" / "ann" / "ch01" / NOTEBOOK, ["x = 1"])
    _notebook(tmp_path / "submitted" / "ann" / "ch02" / "02_a.ipynb", ["x = 1"])
    _notebook(tmp_path / "submitted" / "ben" / "ch01" / NOTEBOOK, ["x = 1"])
    names = [s.name for s in find_submissions([tmp_path])]
    assert names == ["ann/ch01", "ann/ch02", "ben"]


def test_two_files_with_one_name_are_an_error_before_grading(tmp_path: Path) -> None:
    a = _notebook(tmp_path / "a" / "ann.ipynb", ["x = 1"])
    b = _notebook(tmp_path / "b" / "ann.ipynb", ["x = 1"])
    with pytest.raises(NameClash, match="ann"):
        find_submissions([a, b])
    with pytest.raises(SystemExit):
        cli.main([str(a), str(b), "--out", str(tmp_path / "out")])
    assert not (tmp_path / "out").exists()


def test_links_fifos_and_devices_get_a_row_and_never_hang(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    os.symlink("/dev/zero", folder / "zero.ipynb")
    os.mkfifo(folder / "fifo.ipynb")
    (folder / "broken.ipynb").write_text('{"cells": [ not JSON')
    results = grade_batch(
        [folder], Limits(timeout=5), out=tmp_path / "out", secret=SECRET
    )
    faults = {r.student: r.faults[0] for r in results}
    assert "symbolic link" in faults["zero"]
    assert "FIFO" in faults["fifo"]
    assert "not a valid notebook" in faults["broken"]
    with open(tmp_path / "out" / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"zero", "fifo", "broken"}  # a row each, without --chapter
    assert rows["fifo"]["points"] == "0" and "FIFO" in rows["fifo"]["feedback"]


def test_the_assignment_decides_the_chapter_never_the_check_calls() -> None:
    calls = {"cells": [{"source": 'check("01.gd_step", gd_step)'}]}
    assert chapters_for(Path("my_work.ipynb"), calls) == []
    assert chapters_for(Path("04_losses.ipynb"), calls) == ["04"]
    released = {"metadata": {"nnlib_release": {"chapter": "04"}}}
    assert chapters_for(Path("01_renamed.ipynb"), released) == ["04"]


def test_the_secret_seeds_cases_no_one_else_can_compute() -> None:
    spec = get_spec("01.neuron_forward")
    public = spec.cases(1)[0].args[0]
    mine = spec.cases(case_seed(SECRET, spec.id))[0].args[0]
    other = spec.cases(case_seed(SECRET + b"!", spec.id))[0].args[0]
    assert public.tobytes() != mine.tobytes() != other.tobytes()
    assert case_seed(SECRET, spec.id) != case_seed(SECRET, "01.gd_step")


def test_the_secret_is_made_once_and_kept_private(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("NNLIB_GRADER_SECRET", raising=False)
    first = load_secret(None, tmp_path)
    assert load_secret(None, tmp_path) == first
    assert (tmp_path / ".secret").stat().st_mode & 0o077 == 0
    with pytest.raises(ValueError, match="at least 16 bytes"):
        (tmp_path / "short").write_text("abc")
        load_secret(tmp_path / "short", None)


def _result(key: str = "ann.ipynb", points: int = 0) -> SubmissionResult:
    r = SubmissionResult("ann", key, "ab" * 32, ["01"], key)
    r.tasks = [TaskGrade("01.gd_step", "t", points, 1, "failed", "✗")]
    return r


def test_forged_or_altered_results_are_not_resumed(tmp_path: Path) -> None:
    store = ResultStore(tmp_path, SECRET)
    store.save(_result())
    store.close()
    (saved,) = (tmp_path / "results").glob("*.json")
    wrapper = json.loads(saved.read_text())
    wrapper["result"]["tasks"][0]["points"] = 1  # the student's wish
    saved.write_text(json.dumps(wrapper))
    forged = _result("bob.ipynb", 1).to_dict()
    (tmp_path / "results" / "bob.json").write_text(json.dumps(forged))
    store = ResultStore(tmp_path, SECRET, resume=True)
    assert store.results == {}
    assert not store.done("ann.ipynb", "ab" * 32)
    store.close()


def test_resume_with_another_secret_is_refused(tmp_path: Path) -> None:
    ResultStore(tmp_path, SECRET).close()
    with pytest.raises(SecretMismatch):
        ResultStore(tmp_path, SECRET + b"?", resume=True)
    store = ResultStore(tmp_path, SECRET, resume=True)  # the right one still works
    store.save(_result())
    assert ResultStore.__name__ and store.done("ann.ipynb", "ab" * 32)
    store.close()


def test_two_graders_on_one_folder_cannot_overlap(tmp_path: Path) -> None:
    first = ResultStore(tmp_path, SECRET)
    with pytest.raises(StoreBusy, match="another nnlib-grade"):
        ResultStore(tmp_path, SECRET)
    first.close()
    ResultStore(tmp_path, SECRET).close()  # free again once the first is done


def test_text_from_a_submission_is_made_safe() -> None:
    text = safe_text("bad \udc80 and \x1b[2J escape" + "x" * 1000, 50)
    assert "\udc80" not in text and "\x1b" not in text and len(text) == 50
    text.encode("utf-8")  # storable
    result = _result()
    result.faults = ["\udc80"]
    assert result.clean().faults == ["?"]


def test_the_answer_limit_is_the_same_on_both_sides() -> None:
    assert REMOTE_MAX == MAX_ANSWER_BYTES and ANSWER_MIME.startswith("application/")


def test_missing_grader_packages_say_which_extra(monkeypatch, capsys) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "jupyter_client" else real(name, *a),
    )
    assert "nnlib[grader]" in require_extras()
    assert cli.main(["nothing.ipynb"]) == 2
    assert "nnlib[grader]" in capsys.readouterr().err


def test_without_bubblewrap_a_class_is_not_graded_unless_asked(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: None)
    path = _notebook(tmp_path / "ann.ipynb", ["x = 1"])
    out = tmp_path / "out"
    assert cli.main([str(path), "--chapter", "01", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "--unsafe-no-sandbox" in err
    assert not (out / "grades.csv").exists()
    with pytest.raises(RuntimeError, match="bubblewrap"):
        sandbox.bwrap_command(tmp_path, tmp_path, tmp_path, {}, 10)


def test_nbgrader_hidden_tests_call_check_by_its_full_name() -> None:
    root = Path(__file__).resolve().parents[1] / "solutions"
    if not root.exists():
        pytest.skip("a class copy without solutions/")
    hidden = []
    for path in sorted(root.glob("*.ipynb")):
        for cell in json.loads(path.read_text("utf-8"))["cells"]:
            source = "".join(cell["source"])
            if "### BEGIN HIDDEN TESTS" in source:
                hidden.append(source.split("### BEGIN HIDDEN TESTS")[1])
    assert hidden
    # every call by its full name: a bare check( could be the student's own
    bare = [h for h in hidden if re.search(r"(?<![\w.])check\(", h)]
    assert not bare, bare[0]
    assert all("nnlib.grading.check(" in h for h in hidden)


def _neuron_via_importlib(x, w, b):
    import importlib

    scratch = importlib.import_module("nnlib.scratch")
    n = scratch.Neuron(len(w))
    n.params["w"][...], n.params["b"][...] = w, b
    return n.forward(x)


def _neuron_in_a_thread(x, w, b):
    import threading

    out = {}
    worker = threading.Thread(
        target=lambda: out.update(y=_neuron_via_importlib(x, w, b))
    )
    worker.start()
    worker.join()
    return out["y"]


def _neuron_unwatched(x, w, b):
    import sys

    sys.setprofile(None)
    return _neuron_via_importlib(x, w, b)


@pytest.mark.parametrize(
    ("fn", "flag"),
    [
        (_neuron_via_importlib, "nnlib.scratch.Neuron"),
        (_neuron_in_a_thread, "nnlib.scratch.Neuron"),  # unflagged before
        (_neuron_unwatched, "removed the grader's watch"),  # unflagged before
    ],
)
def test_the_reference_is_flagged_however_it_is_reached(fn, flag) -> None:
    # the same runner calls the function inside the sandboxed kernel
    from nnlib.grading import run_check

    result = run_check("01.neuron_forward", fn)
    assert result.passed and any(flag in f for f in result.flags), result.flags
    honest = run_check("01.neuron_forward", lambda x, w, b: x @ w + b)
    assert honest.flags == []


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("from nnlib.grading import check", False),
        # nbgrader's hidden tests call the self-check by its full name
        ("import nnlib.grading  # full name\nnnlib.grading.check('01.x', f)", False),
        ("import nnlib.grading.tasks", True),
        ("from nnlib.grading import compare", True),
        ("import nnlib.grading\nnnlib.grading.tasks.ch01", True),
        ("import nnlib.grading\ngetattr(nnlib.grading, 'tasks')", True),
    ],
)
def test_only_the_self_check_of_nnlib_grading_goes_unflagged(source, flagged):
    from types import SimpleNamespace

    from nnlib.grader.scan import static_flags

    flags = static_flags([SimpleNamespace(source=source)])
    assert ("code cell 1 uses nnlib.grading beyond `check`" in flags) == flagged
