"""Importing nnlib.scratch must not import torch (the numpy chapters run without it)."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.ch01


def test_import_scratch_does_not_import_torch():
    code = (
        "import sys\n"
        "import nnlib.scratch\n"
        "from nnlib.scratch import *\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'torch')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
