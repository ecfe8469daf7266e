"""nnlib.blocks.cost: the attention cost measurement (structure, not timings)."""

import math

import pytest

from nnlib.blocks import attention_cost

pytestmark = pytest.mark.ch10


def test_attention_cost_reports_every_length_and_path():
    rows = attention_cost(
        seq_lens=(8, 16), batch_size=2, d_model=8, n_heads=2, repeats=1
    )
    assert [(r["seq_len"], r["path"]) for r in rows] == [
        (8, "explicit"),
        (8, "sdpa"),
        (16, "explicit"),
        (16, "sdpa"),
    ]
    for r in rows:
        assert r["seconds"] > 0
        # Memory is a measurement (may be NaN off Linux); never negative when known.
        assert math.isnan(r["peak_mb"]) or r["peak_mb"] >= 0


def test_attention_cost_rejects_unknown_paths():
    with pytest.raises(ValueError, match="paths"):
        attention_cost(seq_lens=(8,), paths=("flash",))
