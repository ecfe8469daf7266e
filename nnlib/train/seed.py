"""Seeding, and saving/restoring every random number generator a run touches.

``seed_everything`` is the one place a notebook sets randomness. ``rng_state`` and
``set_rng_state`` capture Python's, numpy's and torch's generators (CPU and CUDA) so a
checkpoint can resume a run exactly where it stopped.
"""

import os
import random

import numpy as np
import torch

from nnlib.scratch.init import seed_default_rng


def seed_everything(seed: int, deterministic: bool = False) -> None:
    """Seed Python's ``random``, numpy's global generator, torch (CPU and GPU) and
    the default generators of ``nnlib.scratch`` layers built with ``rng=None``.

    With ``deterministic=True`` torch also refuses nondeterministic GPU kernels
    (``torch.use_deterministic_algorithms``); slower, and only matters on a GPU:
    on the CPU, same seed and same thread count already give identical bits.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(
            f"seed_everything expected seed as an int, got {type(seed).__name__}"
        )
    if not 0 <= seed < 2**32:
        raise ValueError(
            f"seed_everything expected seed in [0, 2**32 - 1] (numpy's range), "
            f"got {seed}"
        )
    seed = int(seed)
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
    """Snapshot of all global generators, as plain types and tensors (safe to save)."""
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
    """Restore the generators saved by ``rng_state``."""
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
