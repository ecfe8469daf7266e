"""Save and restore a training run so that it can continue exactly where it stopped.

A checkpoint holds the model's and optimizer's state (and a scheduler's), the number
of finished epochs, the history so far, and the state of every random generator,
including a data loader's own shuffling generator. It is written to a temporary file
that then replaces the old checkpoint in one step (``os.replace``), so a run killed
while saving leaves the previous checkpoint intact, never half a file.
"""

import os
from collections.abc import Iterable
from pathlib import Path

import torch
from torch import nn

from nnlib.train.seed import rng_state, set_rng_state


def loader_generators(loader: object) -> list[torch.Generator]:
    """The ``torch.Generator`` objects a DataLoader shuffles with (may be none)."""
    found = []
    for owner in (loader, getattr(loader, "sampler", None)):
        gen = getattr(owner, "generator", None)
        if isinstance(gen, torch.Generator) and all(gen is not g for g in found):
            found.append(gen)
    return found


def save_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    *,
    epoch: int,
    history: dict | None = None,
    scheduler: object | None = None,
    generators: Iterable[torch.Generator] = (),
) -> None:
    """Write a checkpoint atomically; ``epoch`` is the number of finished epochs.

    Args:
        path: the file to write (its folder is created if missing).
        model: the model whose ``state_dict`` is saved.
        optimizer: an optimizer to save as well, or ``None``. Default: ``None``.
        epoch: the number of finished epochs.
        history: the history so far (as ``fit`` returns it), or ``None``.
            Default: ``None``.
        scheduler: a learning-rate scheduler to save as well, or ``None``.
            Default: ``None``.
        generators: ``torch.Generator`` objects to save, such as a data loader's.
            Default: ``()``.

    Example:
        >>> import tempfile, torch
        >>> from pathlib import Path
        >>> from nnlib.train import save_checkpoint
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     save_checkpoint(Path(folder) / "run.pt", torch.nn.Linear(2, 1), epoch=3)
        ...     print(sorted(p.name for p in Path(folder).iterdir()))
        ['run.pt']
    """
    state = {
        "epoch": epoch,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "history": history,
        "rng": rng_state(),
        "generators": [g.get_state() for g in generators],
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())  # on disk before it takes the real name
    os.replace(tmp, path)  # atomic: readers see the old file or the new one


def load_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
    *,
    scheduler: object | None = None,
    generators: Iterable[torch.Generator] = (),
    map_location: torch.device | str = "cpu",
    restore_rng: bool = True,
) -> dict:
    """Load a checkpoint into ``model`` (and optimizer, scheduler, generators).

    Args:
        path: a file written by ``save_checkpoint``.
        model: the model to load the weights into.
        optimizer: an optimizer to restore, or ``None``. Default: ``None``.
        scheduler: a scheduler to restore, or ``None``. Default: ``None``.
        generators: ``torch.Generator`` objects to restore (a loader's, see
            ``loader_generators``), as many as were saved. Default: ``()``.
        map_location: where to load the tensors. Default: ``"cpu"``.
        restore_rng: if ``True``, the global random generators continue from the
            saved state. Default: ``True``.

    Returns:
        The whole checkpoint dict (``epoch``, ``history``, ...).

    Example:
        >>> import tempfile, torch
        >>> from pathlib import Path
        >>> from nnlib.train import load_checkpoint, save_checkpoint
        >>> model, copy = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     save_checkpoint(Path(folder) / "run.pt", model, epoch=3)
        ...     state = load_checkpoint(Path(folder) / "run.pt", copy)
        >>> state["epoch"], torch.equal(copy.weight, model.weight)
        (3, True)
    """
    state = torch.load(path, map_location=map_location, weights_only=True)
    model.load_state_dict(state["model"])
    if optimizer is not None and state["optimizer"] is not None:
        optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None and state["scheduler"] is not None:
        scheduler.load_state_dict(state["scheduler"])
    generators = list(generators)
    if generators:
        if len(generators) != len(state["generators"]):
            raise ValueError(
                f"load_checkpoint expected {len(state['generators'])} data loader "
                f"generator(s), as saved in {os.fspath(path)!r}, "
                f"got {len(generators)}"
            )
        for gen, saved in zip(generators, state["generators"], strict=True):
            gen.set_state(saved.cpu())
    if restore_rng:
        set_rng_state(state["rng"])
    return state
