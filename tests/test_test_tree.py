"""The test tree shows the package (shared/STYLE.md, item 10).

Every module ``nnlib/<part>/<module>.py`` has ``tests/test_<part>_<module>.py``
(``nnlib/<module>.py``: ``tests/test_<module>.py``), or is listed below with the test
files that cover it and why they are named otherwise. A new module without either
fails here, naming the file to write.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"

# module -> (test files that cover it, why not a mirror file)
COVERED_ELSEWHERE = {
    "nnlib/blocks/_dtype.py": (
        ["test_blocks_attention.py", "test_blocks_cnn.py", "test_blocks_vit.py"],
        "the dtype rule is checked on each block that follows it",
    ),
    "nnlib/grader/answers.py": (["test_grader_store.py"], "a kernel's answers"),
    "nnlib/grader/chapters.py": (["test_grader_store.py"], "which chapter a file is"),
    "nnlib/grader/cli.py": (
        ["test_grader_batch.py", "test_grader_gradescope.py", "test_grader_lms.py"],
        "the command is driven through its modes",
    ),
    "nnlib/grader/launcher.py": (["test_grader_attacks.py"], "limits, by attacks"),
    "nnlib/grader/naming.py": (["test_grader_store.py"], "student names from paths"),
    "nnlib/grader/records.py": (["test_grader_store.py"], "signed result records"),
    "nnlib/grader/remote.py": (["test_grader_store.py"], "the agent in the kernel"),
    "nnlib/grader/sandbox.py": (["test_grader_attacks.py"], "bubblewrap, by attacks"),
    "nnlib/grader/scan.py": (["test_grader_store.py"], "static flags"),
    "nnlib/grader/secret.py": (["test_grader_store.py"], "the instructor's secret"),
    "nnlib/grader/submission.py": (["test_grader_batch.py"], "one notebook, graded"),
    "nnlib/grader/summary.py": (["test_grader_batch.py"], "the CSVs of a batch"),
    "nnlib/grading/codec.py": (["test_grading_compare.py"], "kernel <-> grader data"),
    "nnlib/grading/hints.py": (["test_grading_framework.py"], "tiered hints, per task"),
    "nnlib/grading/result.py": (["test_grading_selfcheck.py"], "one line of feedback"),
    "nnlib/grading/runner.py": (["test_grading_selfcheck.py"], "calling an answer"),
    "nnlib/grading/spec.py": (["test_grading_tasks.py"], "every task's spec"),
    "nnlib/scratch/base.py": (
        ["test_scratch_protocol.py"],
        "the layer protocol every layer follows",
    ),
    "nnlib/scratch/flatten.py": (["test_scratch_protocol.py"], "a protocol-only layer"),
    "nnlib/train/batches.py": (["test_train_loop.py"], "batch checks inside fit"),
}


def _modules() -> list[str]:
    found = []
    for path in sorted((ROOT / "nnlib").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if path.name in ("__init__.py", "__main__.py"):
            continue
        if "/grading/tasks/" in rel:  # task specs: tests/test_grading_tasks.py
            continue
        found.append(rel)
    return found


def _mirror(module: str) -> str:
    parts = Path(module).with_suffix("").parts[1:]  # drop "nnlib"
    return "test_" + "_".join(p.lstrip("_") for p in parts) + ".py"


@pytest.mark.parametrize("module", _modules())
def test_every_module_has_its_tests(module):
    mirror = _mirror(module)
    if (TESTS / mirror).exists():
        assert module not in COVERED_ELSEWHERE, f"{module} has {mirror}: drop its entry"
        return
    assert module in COVERED_ELSEWHERE, f"{module}: write tests/{mirror}"
    files, _why = COVERED_ELSEWHERE[module]
    missing = [f for f in files if not (TESTS / f).exists()]
    assert not missing, f"{module}: its tests {missing} are gone"


def test_every_entry_names_a_module_that_exists():
    assert not [m for m in COVERED_ELSEWHERE if not (ROOT / m).exists()]
