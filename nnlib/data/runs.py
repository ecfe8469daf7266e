"""Results of full runs too long for a notebook's default run, shipped as JSON.

A lecture's default run uses small settings that fit a minute on a laptop; its full
version sits behind ``FULL_RUN = True``. What the full version measured once is
stored in ``nnlib/data/files/runs/<name>.json`` by the script named in the file's
``"source"`` field, and a notebook shows it with :func:`load_run`, so that every
number it quotes is one the learner can see loaded.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["load_run", "run_names"]


def _folder() -> Any:
    return resources.files("nnlib.data").joinpath("files", "runs")


def run_names() -> list[str]:
    """The names of the shipped runs, sorted.

    Example:
        >>> from nnlib.data import run_names
        >>> isinstance(run_names(), list)
        True
    """
    folder = _folder()
    if not folder.is_dir():
        return []
    return sorted(
        entry.name.removesuffix(".json")
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    )


def load_run(name: str) -> dict[str, Any]:
    """The stored results of one full run, as the dict its script wrote.

    Args:
        name: the run's file name without ``.json``, e.g. ``"10_sequence_models"``.

    Returns:
        The parsed JSON: at least ``"source"`` (the script that made it) and the
        measured values.

    Example:
        >>> from nnlib.data import load_run, run_names
        >>> all(isinstance(load_run(n), dict) for n in run_names())
        True
    """
    names = run_names()
    if not isinstance(name, str):
        raise TypeError(
            f"load_run expected name as a string, got {type(name).__name__}"
        )
    if name not in names:
        known = ", ".join(names) or "none"
        raise ValueError(
            f"load_run expected the name of a shipped run ({known}), got {name!r}"
        )
    with _folder().joinpath(f"{name}.json").open(encoding="utf-8") as f:
        return json.load(f)
