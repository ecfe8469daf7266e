"""SGD, RMSProp and Adam give the same parameters as torch.optim after 10 steps."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import TORCH_TOL, randomize_params, seeds

from nnlib.scratch import SGD, Adam, Dense, Neuron, ReLU, RMSProp, Sequential

pytestmark = pytest.mark.ch05

lrs = st.floats(1e-4, 0.5)


def run_both(make_ours, make_theirs, seed, steps=10):
    """Feed the same random gradients to both optimizers; return both parameters."""
    rng = np.random.default_rng(seed)
    model = Sequential(Dense(3, 4, rng=rng), ReLU(), Dense(4, 2, rng=rng), Neuron(2))
    randomize_params(model, rng)
    tparams = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    ours, theirs = make_ours(model), make_theirs(list(tparams.values()))
    for _ in range(steps):
        for i, layer in enumerate(model):
            for name, p in layer.params.items():
                g = rng.standard_normal(p.shape)
                layer.grads[name] = g
                tparams[f"{i}.{name}"].grad = torch.tensor(g)
        ours.step()
        theirs.step()
    return model.params, {k: v.detach().numpy() for k, v in tparams.items()}


def assert_same(ours, theirs):
    assert ours.keys() == theirs.keys()
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], **TORCH_TOL, err_msg=key)


@given(lr=lrs, momentum=st.sampled_from([0.0, 0.5, 0.9]), seed=seeds)
def test_sgd_matches_torch(lr, momentum, seed):
    assert_same(
        *run_both(
            lambda m: SGD(m, lr, momentum=momentum),
            lambda ps: torch.optim.SGD(ps, lr=lr, momentum=momentum),
            seed,
        )
    )


@given(
    lr=lrs, alpha=st.floats(0.5, 0.999), eps=st.sampled_from([1e-8, 1e-3]), seed=seeds
)
def test_rmsprop_matches_torch(lr, alpha, eps, seed):
    assert_same(
        *run_both(
            lambda m: RMSProp(m, lr, alpha=alpha, eps=eps),
            lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=alpha, eps=eps),
            seed,
        )
    )


@given(
    lr=lrs,
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.5, 0.9999),
    eps=st.sampled_from([1e-8, 1e-3]),
    seed=seeds,
)
def test_adam_matches_torch(lr, beta1, beta2, eps, seed):
    assert_same(
        *run_both(
            lambda m: Adam(m, lr, betas=(beta1, beta2), eps=eps),
            lambda ps: torch.optim.Adam(ps, lr=lr, betas=(beta1, beta2), eps=eps),
            seed,
        )
    )


def test_optimizer_updates_the_layers_in_place_and_descends():
    rng = np.random.default_rng(0)
    layer = Dense(2, 1, rng=rng)
    W_before = layer.params["W"]
    x = rng.standard_normal((50, 2))
    y = x @ np.array([[1.5], [-2.0]]) + 0.5
    opt = Adam(layer, lr=0.05)
    losses = []
    for _ in range(300):
        err = layer.forward(x) - y
        losses.append(float(np.mean(err**2)))
        layer.backward(2 * err / len(err))
        opt.step()
    assert layer.params["W"] is W_before  # the same array, updated in place
    assert losses[-1] < 1e-3 * losses[0]  # a noise-free linear fit: the loss collapses


def test_optimizer_errors_and_repr():
    with pytest.raises(ValueError, match=r"SGD expected lr as a finite number >= 0"):
        SGD(Dense(2, 2), lr=-1)
    with pytest.raises(TypeError, match="with params and grads, got int"):
        Adam(3)
    assert repr(SGD(Dense(1, 1), 0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9)"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda m: SGD(m, float("nan")), r"SGD expected lr as a finite .* got nan"),
        (lambda m: SGD(m, -0.1), r"expected lr as a finite number >= 0, got -0.1"),
        (lambda m: SGD(m, 0.1, momentum=float("nan")), "SGD expected momentum"),
        (lambda m: RMSProp(m, 0.1, alpha=1.5), r"RMSProp expected alpha .*\[0, 1\]"),
        (lambda m: RMSProp(m, 0.1, eps=0.0), r"RMSProp expected eps .* > 0, got 0"),
        (lambda m: Adam(m, betas=(1.5, 0.999)), r"expected betas\[0\] .* in \[0, 1\)"),
        (lambda m: Adam(m, betas=(0.9, 1.0)), r"expected betas\[1\] .* in \[0, 1\)"),
        (lambda m: Adam(m, betas=(0.9,)), r"Adam expected betas as a pair"),
        (lambda m: Adam(m, eps=-1e-8), r"Adam expected eps as a finite number > 0"),
    ],
)
def test_optimizers_refuse_nan_negative_and_out_of_range_hyperparameters(make, message):
    # before: each was accepted and trained to NaN or diverged later, far from the cause
    with pytest.raises(ValueError, match=message):
        make(Dense(2, 3, rng=np.random.default_rng(0)))


def test_optimizer_hyperparameters_must_be_numbers():
    with pytest.raises(TypeError, match="SGD expected lr as a number, got str"):
        SGD(Dense(2, 3, rng=np.random.default_rng(0)), "0.1")
