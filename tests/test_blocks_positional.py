"""Positional encodings: the sinusoidal table and what adding it to tokens does."""

import math

import pytest
import torch

from nnlib.blocks import (
    LearnedPositionalEncoding,
    PositionalEncoding,
    sinusoidal_table,
)


def test_sinusoidal_table_values():
    table = sinusoidal_table(50, 8)
    assert table.shape == (50, 8)
    t, i = 7, 1  # column pair (2i, 2i+1) = (2, 3)
    angle = t / 10000 ** (2 * i / 8)
    assert table[t, 2].item() == pytest.approx(math.sin(angle), abs=1e-6)
    assert table[t, 3].item() == pytest.approx(math.cos(angle), abs=1e-6)
    torch.testing.assert_close(table[0, 1::2], torch.ones(4))  # cos(0) = 1
    with pytest.raises(ValueError, match="even"):
        sinusoidal_table(10, 7)


def test_positional_encodings_add_per_position():
    x = torch.zeros(2, 5, 8)
    fixed = PositionalEncoding(8, max_len=16)
    torch.testing.assert_close(fixed(x)[1], sinusoidal_table(16, 8)[:5])
    assert "table" not in fixed.state_dict()  # fixed: not a parameter, not saved
    learned = LearnedPositionalEncoding(8, max_len=16)
    torch.testing.assert_close(learned(x)[0], learned.table[:5].detach())
    assert learned.table.requires_grad
    for encoding in (fixed, learned):
        name = type(encoding).__name__
        message = rf"{name} expected at most max_len=16 .*got input \(1, 17, 8\)"
        with pytest.raises(ValueError, match=message):
            encoding(torch.zeros(1, 17, 8))
