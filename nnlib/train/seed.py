"""Seeding, and saving/restoring every random number generator a run touches.

``seed_everything`` is the one place a notebook sets randomness. ``rng_state`` and
``set_rng_state`` capture Python's, numpy's and torch's generators (CPU and CUDA) so a
checkpoint can resume a run exactly where it stopped.
"""

import os
import random

import numpy as np
import torch

from nnlib._checks import check_seed
from nnlib.scratch.init import seed_default_rng


def seed_everything(seed: int, *, deterministic: bool = False) -> None:
    """Seed every random generator a notebook uses, in one call.

    That is Python's ``random``, numpy's global generator, torch (CPU and GPU) and
    the default generators of ``nnlib.scratch`` layers built with ``rng=None``.

    Args:
        seed: an int in [0, 2**32 - 1] (numpy's range).
        deterministic: if ``True``, torch also refuses nondeterministic GPU kernels
            (``torch.use_deterministic_algorithms``); slower, and only matters on a
            GPU: on the CPU, same seed and same thread count already give identical
            bits. Default: ``False``.

    Example:
        >>> import torch
        >>> from nnlib.train import seed_everything
        >>> seed_everything(0)
        >>> a = torch.rand(3)
        >>> seed_everything(0)
        >>> bool(torch.equal(torch.rand(3), a))
        True
    """
    seed = check_seed("seed_everything", seed)
    if seed >= 2**32:
        raise ValueError(
            f"seed_everything expected seed in [0, 2**32 - 1] (numpy's range), "
            f"got {seed}"
        )
    random.seed(seed)
    np.random.seed(seed)
    seed_default_rng(seed)  # nnlib.scratch layers built with rng=None
    torch.manual_seed(seed)  # also seeds every CUDA device
    if deterministic:
        # cuBLAS needs this workspace setting to be deterministic (CUDA >= 10.2).
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.benchmark = False


def rng_state() -> dict:
    """Snapshot of all global generators, as plain types and tensors (safe to save).

    Returns:
        A dict with the states of ``"python"``, ``"numpy"``, ``"torch"`` and
        ``"cuda"`` (a list, empty without a GPU), for ``set_rng_state``.

    Example:
        >>> from nnlib.train import rng_state
        >>> sorted(rng_state())
        ['cuda', 'numpy', 'python', 'torch']
    """
    np_state = np.random.get_state(legacy=False)
    return {
        "python": random.getstate(),
        "numpy": {
            "key": np_state["state"]["key"].tolist(),
            "pos": int(np_state["state"]["pos"]),
            "has_gauss": int(np_state["has_gauss"]),
            "gauss": float(np_state["gauss"]),
        },
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }


def set_rng_state(state: dict) -> None:
    """Restore the generators saved by ``rng_state``.

    Args:
        state: a dict from ``rng_state``.

    Example:
        >>> import torch
        >>> from nnlib.train import rng_state, set_rng_state
        >>> state = rng_state()
        >>> a = torch.rand(3)
        >>> set_rng_state(state)
        >>> bool(torch.equal(torch.rand(3), a))
        True
    """
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    n = state["numpy"]
    np.random.set_state(
        {
            "bit_generator": "MT19937",
            "state": {"key": np.array(n["key"], dtype=np.uint32), "pos": n["pos"]},
            "has_gauss": n["has_gauss"],
            "gauss": n["gauss"],
        }
    )
    torch.set_rng_state(state["torch"].cpu())
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
