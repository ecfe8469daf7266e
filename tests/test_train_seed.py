"""seed_everything and the saved generator states (nnlib.train.seed)."""

import random

import numpy as np
import torch

from nnlib.train import (
    rng_state,
    seed_everything,
    set_rng_state,
)


def _draws():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_seed_everything_repeats_every_generator():
    seed_everything(5)
    first = _draws()
    seed_everything(5)
    assert _draws() == first
    seed_everything(6)
    assert _draws() != first


def test_rng_state_round_trip():
    seed_everything(1)
    np.random.randn()  # leave numpy with a cached Gaussian, part of its state
    state = rng_state()
    first = _draws()
    _draws()
    set_rng_state(state)
    assert _draws() == first
