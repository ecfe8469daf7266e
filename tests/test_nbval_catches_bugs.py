"""The stored outputs still catch real regressions under the tolerant nbval policy.

Measured results (``0.992 ±0.01``) may move by their tolerance, so these tests check
that a deliberate bug still fails ``make test``: a ReLU made leaky in the numpy
library (chapter 6), and a learning rate changed in a PyTorch chapter (chapter 7).
Each runs nbval over the real notebook, in a subprocess, as ``make test`` does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tool

# starts kernels and runs whole notebooks again: make test-slow
pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
portability = tool.load("portability")  # its nbval flags and thread variables
NBVAL = portability.NBVAL_FLAGS


def _failed_cells(cwd: Path, notebook: Path, report: Path, env: dict) -> list[str]:
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *NBVAL, f"--junitxml={report}"]
        + [str(notebook)],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=False,
        timeout=600,
    )
    cases = list(ET.parse(report).getroot().iter("testcase"))
    assert len(cases) > 10, "nbval did not run the notebook"
    return [c.get("name") for c in cases if c.find("failure") is not None]


def _code_cell(notebook: Path, text: str) -> str:
    """nbval's name ("Cell k", counting code cells) of the cell containing text."""
    import nbformat

    code = [
        c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"
    ]
    (index,) = [k for k, cell in enumerate(code) if text in cell.source]
    return f"Cell {index}"


def _index(name: str) -> int:
    return int(name.split()[-1])


def _env(**extra: str) -> dict:
    env = dict(os.environ, NNLIB_DEVICE="cpu", **extra)
    for var in portability.THREAD_VARS:
        env[var] = "1"
    return env


@pytest.mark.ch06
def test_a_leaky_relu_in_nnlib_scratch_fails_chapter_6(tmp_path):
    package = tmp_path / "site" / "nnlib"
    shutil.copytree(
        ROOT / "nnlib", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    functional = package / "scratch" / "functional.py"
    source = functional.read_text()
    assert "    return np.maximum(x, 0)\n" in source
    functional.write_text(
        source.replace(
            "    return np.maximum(x, 0)\n", "    return np.where(x > 0, x, 0.01 * x)\n"
        )
    )
    notebook = ROOT / "notebooks" / "06_digit_recognizer_from_scratch.ipynb"
    env = _env(PYTHONPATH=str(package.parent))  # the kernel imports the broken copy
    failed = _failed_cells(ROOT, notebook, tmp_path / "report.xml", env)
    # the untrained network's loss (exact) and the first epoch's loss (exact) both move
    assert _code_cell(notebook, "untrained: validation loss") in failed
    assert _code_cell(notebook, "training loss in epoch 1") in failed


@pytest.mark.ch07
def test_a_changed_learning_rate_fails_chapter_7(tmp_path):
    for name in ("conftest.py", "nbval_sanitize.cfg"):
        shutil.copy(ROOT / name, tmp_path / name)
    text = (ROOT / "notebooks" / "07_from_scratch_to_pytorch.ipynb").read_text()
    old = "lr=2e-3)"
    assert text.count(old) == 1
    notebook = tmp_path / "07.ipynb"
    notebook.write_text(text.replace(old, "lr=3e-3)"))
    failed = _failed_cells(tmp_path, notebook, tmp_path / "report.xml", _env())
    # caught by the first epoch's loss; nothing before the optimizer is built differs
    assert _code_cell(notebook, "training loss in epoch 1") in failed
    changed = _index(_code_cell(notebook, "lr=3e-3)"))
    assert min(_index(name) for name in failed) > changed
