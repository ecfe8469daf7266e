"""The code follows the ruff rules in pyproject.toml, so `make lint` stays clean."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["nnlib", "tests", "tools", "benchmarks", "conftest.py"]


def _ruff() -> str:
    candidate = Path(sys.executable).with_name("ruff")
    found = str(candidate) if candidate.exists() else shutil.which("ruff")
    if found is None:
        pytest.skip("ruff is not installed (it comes with the `test` extra)")
    return found


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_is_clean(command):
    result = subprocess.run(
        [_ruff(), *command, *FOLDERS], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
