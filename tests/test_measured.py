"""nnlib.measured and the nbval tolerance hook in the root conftest.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from nnlib.measured import match, measured

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "tol", "text"),
    [
        (0.99167, 0.01, "0.992 ±0.01"),
        (0.99167, 0.005, "0.9917 ±0.005"),
        (0.0974, 0.02, "0.097 ±0.02"),
        (357, 4, "357 ±4"),
        (2.8886, 0.5, "2.89 ±0.5"),
        (np.float32(0.5), 0.1, "0.50 ±0.1"),
    ],
)
def test_measured_prints_one_digit_beyond_the_tolerance(value, tol, text):
    assert measured(value, tol) == text


@pytest.mark.parametrize(
    ("value", "tol", "error"),
    [
        ("0.9", 0.01, TypeError),
        (0.9, "0.01", TypeError),
        (float("nan"), 0.01, ValueError),
        (0.9, 0.0, ValueError),
        (0.9, -0.01, ValueError),
    ],
)
def test_measured_rejects_bad_input(value, tol, error):
    with pytest.raises(error, match="measured expected"):
        measured(value, tol)


def test_match_accepts_values_within_tolerance_and_nothing_else():
    ref = "CNN 0.992 ±0.01  MLP 0.472 ±0.03 (360 images)"
    assert match(ref, "CNN 0.983 ±0.01  MLP 0.500 ±0.03 (360 images)")
    assert match(ref, ref)
    assert not match(ref, "CNN 0.978 ±0.01  MLP 0.472 ±0.03 (360 images)")  # too far
    assert not match(ref, "CNN 0.992 ±0.02  MLP 0.472 ±0.03 (360 images)")  # other tol
    assert not match(ref, "CNN 0.992 ±0.01  MLP 0.472 ±0.03 (361 images)")  # exact part
    assert not match(ref, "CNN 0.992 ±0.01  MLP 0.472 (360 images)")  # one fewer
    assert not match(ref, "ViT 0.992 ±0.01  MLP 0.472 ±0.03 (360 images)")  # a word


def test_match_allows_one_unit_of_rounding_in_the_last_digit():
    # 0.9915 and 0.9826 differ by 0.0089 < 0.01 but print as 0.992 and 0.983 (0.009)
    assert match(measured(0.9915, 0.01), measured(0.9826, 0.01))
    assert match("1.000 ±0.01", "0.989 ±0.01")  # 0.011 = tol + one unit
    assert not match("1.000 ±0.01", "0.988 ±0.01")


def _notebook(path: Path, code: str, stored: str) -> None:
    out = new_output("stream", name="stdout", text=stored)
    nb = new_notebook(cells=[new_code_cell(code, execution_count=1, outputs=[out])])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)


@pytest.mark.integration  # starts three kernels
def test_nbval_accepts_a_measured_number_within_tolerance_only(tmp_path):
    """The hook in the real conftest.py, run by nbval over three small notebooks."""
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    stored = "accuracy 0.992 ±0.01 of 360 images\n"
    _notebook(
        tmp_path / "close.ipynb", "print('accuracy 0.986 ±0.01 of 360 images')", stored
    )
    _notebook(
        tmp_path / "far.ipynb", "print('accuracy 0.975 ±0.01 of 360 images')", stored
    )
    _notebook(
        tmp_path / "exact.ipynb", "print('accuracy 0.992 ±0.01 of 361 images')", stored
    )
    report = tmp_path / "report.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--nbval", "--nbval-current-env"]
        + ["-p", "no:cacheprovider", f"--junitxml={report}", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    outcome = {
        case.get("classname"): case.find("failure") is None
        for case in ET.parse(report).getroot().iter("testcase")
    }
    assert outcome == {"close.ipynb": True, "far.ipynb": False, "exact.ipynb": False}


def test_below_shows_a_bound_for_rounding_and_the_value_for_a_real_difference():
    from nnlib.measured import below

    assert below(0.0) == "< 1e-12"
    assert below(8.9e-16) == "< 1e-12"
    assert below(3e-7, bound=1e-6) == "< 1e-06"
    assert below(2.5e-4, bound=1e-6) == "= 2.5e-04"
    with pytest.raises(ValueError, match="below expected a difference >= 0"):
        below(float("nan"))


def test_the_examples_in_the_docstrings_run():
    import doctest

    import nnlib.measured

    result = doctest.testmod(nnlib.measured)
    assert result.attempted >= 6 and result.failed == 0
