"""torch_loader, and that the numpy/plotting packages never import torch themselves."""

import subprocess
import sys

import numpy as np
import pytest


def test_importing_data_viz_widgets_does_not_import_torch():
    code = (
        "import sys\n"
        "import nnlib.data, nnlib.viz, nnlib.widgets\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'torch')\n"
        "assert not bad, bad\n"
        # nnlib.data is numpy only: no plotting, no models; viz and widgets take
        # their formulas from nnlib.scratch.functional (numpy), never from torch parts
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "for m in ('nnlib.train', 'nnlib.blocks'):\n"
        "    assert m not in sys.modules, m\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_data_alone_imports_no_plotting():
    code = "import sys, nnlib.data\nprint('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.ch07
def test_torch_loader_batches_and_dtypes():
    torch = pytest.importorskip("torch")
    from nnlib.data import torch_loader

    X = np.arange(20, dtype=np.float64).reshape(10, 2)
    y = np.arange(10, dtype=np.uint8)
    loader = torch_loader(X, y, batch_size=4)
    batches = list(loader)
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    xb, yb = batches[0]
    assert xb.dtype == torch.float32 and yb.dtype == torch.int64
    np.testing.assert_array_equal(xb.numpy(), X[:4])
    np.testing.assert_array_equal(torch.cat([b[1] for b in batches]).numpy(), y)


@pytest.mark.ch07
def test_torch_loader_shuffle_is_seeded():
    pytest.importorskip("torch")
    from nnlib.data import torch_loader

    X = np.arange(50).reshape(50, 1)  # integer inputs (token ids) stay integers

    def order(seed):
        loader = torch_loader(X, batch_size=8, shuffle=True, seed=seed)
        return [int(v) for (xb,) in loader for v in xb[:, 0]]

    first, again, other = order(3), order(3), order(4)
    assert first == again
    assert first != other
    assert sorted(first) == list(range(50)) and first != list(range(50))


def test_torch_loader_refuses_bad_input():
    pytest.importorskip("torch")
    from nnlib.data import torch_loader

    with pytest.raises(ValueError, match="same number of rows"):
        torch_loader(np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="batch_size"):
        torch_loader(np.zeros((4, 2)), batch_size=0)
