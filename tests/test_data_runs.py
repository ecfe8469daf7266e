"""Shipped results of full runs: each loads, and names the script that made it."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlib.data import load_run, run_names

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", run_names())
def test_each_shipped_run_names_an_existing_script(name: str) -> None:
    run = load_run(name)
    source = run.get("source")
    assert isinstance(source, str) and source, f"{name} has no 'source'"
    script = source.split()[0]  # e.g. "benchmarks/x.py --full"
    assert (ROOT / script).is_file(), f"{name}: {script} does not exist"


def test_an_unknown_run_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"expected the name of a shipped run"):
        load_run("no such run")
    with pytest.raises(TypeError, match=r"load_run expected name as a string, got int"):
        load_run(3)


def test_runs_ship_with_the_package() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/files/runs/*.json"' in text
