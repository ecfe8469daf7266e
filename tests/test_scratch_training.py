"""End to end: scratch models learn (spirals with an MLP, a few images with a CNN)."""

import numpy as np
import pytest

from nnlib.scratch import (
    Adam,
    Conv2D,
    CrossEntropyLoss,
    Dense,
    Flatten,
    MaxPool2D,
    ReLU,
    Sequential,
    Tanh,
)


def two_spirals(n_per_class: int, rng: np.random.Generator):
    """Two interleaved spirals in the plane, labels 0 and 1."""
    t = np.sqrt(rng.uniform(0, 1, n_per_class)) * 3 * np.pi  # angle, denser outside
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi)
    X = np.concatenate([arm, -arm]) + 0.02 * rng.standard_normal((2 * n_per_class, 2))
    y = np.repeat([0, 1], n_per_class)
    return X, y


def train(model, X, y, steps, lr, batch=None, rng=None):
    loss_fn, opt = CrossEntropyLoss(), Adam(model, lr=lr)
    for _ in range(steps):
        idx = slice(None) if batch is None else rng.choice(len(X), batch, replace=False)
        loss_fn.forward(model.forward(X[idx]), y[idx])
        model.backward(loss_fn.backward())
        opt.step()
    return float(np.mean(model.forward(X).argmax(axis=1) == y))


@pytest.mark.ch03
def test_mlp_separates_two_spirals_perfectly():
    rng = np.random.default_rng(0)
    X, y = two_spirals(100, rng)
    # width 32 keeps every matrix product below OpenBLAS's threading threshold,
    # which makes the test fast even when the cores are shared
    model = Sequential(
        Dense(2, 32, rng=rng),
        ReLU(),
        Dense(32, 32, rng=rng),
        ReLU(),
        Dense(32, 2, rng=rng),
    )
    # a linear boundary cannot follow the arms: about 70 % of the points (seeds 0-5)
    assert train(Sequential(Dense(2, 2, rng=rng)), X, y, steps=300, lr=0.01) < 0.8
    # the MLP reached 100 % after 100-200 full-batch steps (seeds 0-2); 500 is margin
    assert train(model, X, y, steps=500, lr=0.01) == 1.0


@pytest.mark.ch08
def test_tiny_cnn_overfits_a_handful_of_images():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((12, 1, 8, 8))
    y = rng.integers(0, 4, 12)  # random labels: only memorising can fit them
    model = Sequential(
        Conv2D(1, 4, 3, padding=1, rng=rng),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(4 * 4 * 4, 4, rng=rng),
    )
    assert train(model, X, y, steps=200, lr=0.01) == 1.0


@pytest.mark.ch06
def test_float32_training_matches_float64_closely():
    # the speed path (float32) learns the same thing as the reference path
    rng = np.random.default_rng(2)
    X, y = two_spirals(50, rng)
    accuracies = []
    for dtype in (np.float64, np.float32):
        r = np.random.default_rng(3)
        model = Sequential(Dense(2, 32, rng=r), Tanh(), Dense(32, 2, rng=r)).astype(
            dtype
        )
        accuracies.append(train(model, X.astype(dtype), y, steps=300, lr=0.02))
    # identical starts; float32 rounding (1e-7) moves a point or two at most
    assert abs(accuracies[0] - accuracies[1]) <= 0.02
