"""Sequential: chaining, prefixed params, indexing, repr, and an MLP against torch."""

import numpy as np
import pytest
import torch
from hypothesis import given
from strategies import (
    GRADCHECK_TOL,
    TORCH_TOL,
    batch_sizes,
    randn,
    randomize_params,
    seeds,
)

from nnlib.scratch import (
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    ReLU,
    Sequential,
    Tanh,
    gradient_errors,
)

pytestmark = pytest.mark.ch03


def mlp(rng):
    return Sequential(Dense(4, 5, rng=rng), Tanh(), Dense(5, 3, rng=rng))


@given(n=batch_sizes, seed=seeds)
def test_sequential_gradcheck(n, seed):
    rng = np.random.default_rng(seed)
    model = Sequential(
        Conv2D(1, 2, 3, padding=1, rng=rng),
        ReLU(),
        MaxPool2D(2),
        Flatten(),
        Dense(2 * 2 * 2, 2, rng=rng),
        Tanh(),
    )
    randomize_params(model, rng)
    errors = gradient_errors(model, randn(rng, n, 1, 5, 4))  # pooled to 2 x 2
    assert set(errors) == {"x", "0.W", "0.b", "4.W", "4.b"}
    assert max(errors.values()) < GRADCHECK_TOL, errors


@given(n=batch_sizes, seed=seeds)
def test_mlp_matches_torch(n, seed):
    rng = np.random.default_rng(seed)
    model = mlp(rng)
    randomize_params(model, rng)
    x, dy = randn(rng, n, 4), randn(rng, n, 3)
    y = model.forward(x)
    dx = model.backward(dy)
    ref = torch.nn.Sequential(
        torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3)
    )
    ref = ref.double()
    with torch.no_grad():
        for i in (0, 2):
            ref[i].weight.copy_(torch.tensor(model[i].params["W"].T))
            ref[i].bias.copy_(torch.tensor(model[i].params["b"]))
    xt = torch.tensor(x, requires_grad=True)
    yt = ref(xt)
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TORCH_TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TORCH_TOL)
    for i in (0, 2):
        np.testing.assert_allclose(
            model.grads[f"{i}.W"], ref[i].weight.grad.T.numpy(), **TORCH_TOL
        )
        np.testing.assert_allclose(
            model.grads[f"{i}.b"], ref[i].bias.grad.numpy(), **TORCH_TOL
        )


def test_params_are_the_layers_arrays_with_prefixed_keys():
    model = mlp(np.random.default_rng(0))
    assert list(model.params) == ["0.W", "0.b", "2.W", "2.b"]
    assert list(model.grads) == list(model.params)
    assert model.params["2.W"] is model[2].params["W"]
    model.params["0.b"] += 1.0  # in place: the layer sees it
    np.testing.assert_array_equal(model[0].params["b"], 1.0)


def test_indexing_len_iter_and_repr():
    model = mlp(np.random.default_rng(0))
    assert len(model) == 3
    assert isinstance(model[1], Tanh)
    assert [type(layer).__name__ for layer in model] == ["Dense", "Tanh", "Dense"]
    head = model[:2]
    assert isinstance(head, Sequential) and len(head) == 2
    assert head.forward(np.ones((1, 4))).shape == (1, 5)
    assert (
        repr(model)
        == "Sequential(\n  (0): Dense(4, 5)\n  (1): Tanh()\n  (2): Dense(5, 3)\n)"
    )
    nested = Sequential(model, ReLU())
    assert "    (0): Dense(4, 5)" in repr(nested)
    assert "0.2.W" in nested.params


def test_assigning_into_params_sets_the_layer_parameter():
    # before: model.params was a dict built on the fly, so this assignment was lost
    model = mlp(np.random.default_rng(0))
    W_layer = model[0].params["W"]
    new = np.arange(20.0).reshape(4, 5)
    model.params["0.W"] = new
    np.testing.assert_array_equal(model[0].params["W"], new)
    assert model[0].params["W"] is W_layer  # written in place: one array everywhere
    np.testing.assert_array_equal(model.forward(np.eye(4))[:, :0], np.zeros((4, 0)))
    assert np.array_equal(model[0].forward(np.eye(4)), new)  # the layer uses it
    model.params["2.b"][...] = 7.0  # in-place writes keep working, as in notebooks
    np.testing.assert_array_equal(model[2].params["b"], np.full(3, 7.0))
    model.grads["0.W"] = np.ones((4, 5))
    np.testing.assert_array_equal(model[0].grads["W"], np.ones((4, 5)))


def test_params_assignment_refuses_wrong_shapes_and_new_keys():
    model = mlp(np.random.default_rng(0))
    before = model[0].params["W"].copy()
    with pytest.raises(
        ValueError, match=r"params\['0.W'\] expected shape \(4, 5\), got \(5,\)"
    ):
        model.params["0.W"] = np.zeros(5)  # no broadcast into (4, 5)
    with pytest.raises(KeyError, match="keys cannot be added"):
        model.params["9.W"] = np.zeros(5)
    with pytest.raises(TypeError, match="keys to stay"):
        del model.params["0.W"]
    np.testing.assert_array_equal(model[0].params["W"], before)
    assert dict(model.params).keys() == {"0.W", "0.b", "2.W", "2.b"}


def test_sequential_rejects_non_layers():
    with pytest.raises(
        TypeError, match="layers with forward and backward, got int at position 1"
    ):
        Sequential(ReLU(), 3)
