"""The layer protocol, checked the same way for every layer.

backward before forward, untouched inputs, overwritten (not accumulated)
gradients, matching params/grads, dtype following the input, docstrings.
"""

import inspect

import numpy as np
import pytest

from nnlib import scratch
from nnlib.scratch import (
    RNN,
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    LayerNorm,
    LeakyReLU,
    MaxPool2D,
    MultiHeadSelfAttention,
    Neuron,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)

pytestmark = pytest.mark.ch04


def _rng():
    return np.random.default_rng(0)


# (factory, input shape): one small instance of every layer
LAYERS = {
    "Neuron": (lambda: Neuron(4, activation="tanh", rng=_rng()), (3, 4)),
    "Dense": (lambda: Dense(4, 3, rng=_rng()), (3, 4)),
    "ReLU": (ReLU, (3, 4)),
    "LeakyReLU": (LeakyReLU, (3, 4)),
    "Sigmoid": (Sigmoid, (3, 4)),
    "Tanh": (Tanh, (3, 4)),
    "Softmax": (Softmax, (3, 4)),
    "Flatten": (Flatten, (2, 3, 4)),
    "Conv2D": (lambda: Conv2D(2, 3, 3, stride=2, padding=1, rng=_rng()), (2, 2, 5, 5)),
    "MaxPool2D": (lambda: MaxPool2D(2), (2, 2, 5, 5)),
    "AvgPool2D": (lambda: AvgPool2D(2, stride=1), (2, 2, 5, 5)),
    "RNN": (lambda: RNN(3, 4, rng=_rng()), (2, 5, 3)),
    "MultiHeadSelfAttention": (
        lambda: MultiHeadSelfAttention(4, 2, causal=True, rng=_rng()),
        (2, 5, 4),
    ),
    "LayerNorm": (lambda: LayerNorm(4), (2, 3, 4)),
    "Sequential": (
        lambda: Sequential(Dense(4, 5, rng=_rng()), ReLU(), Dense(5, 2, rng=_rng())),
        (3, 4),
    ),
}
names = pytest.mark.parametrize("name", sorted(LAYERS))


def make(name):
    factory, shape = LAYERS[name]
    rng = np.random.default_rng(1)
    return factory(), rng.standard_normal(shape), rng


@names
def test_backward_before_forward_is_a_clear_error(name):
    layer, _, _ = make(name)
    with pytest.raises(RuntimeError, match="before .*forward"):
        layer.backward(np.ones(3))


@names
def test_forward_and_backward_leave_their_arguments_untouched(name):
    layer, x, rng = make(name)
    x_copy = x.copy()
    y = layer.forward(x)
    dy = rng.standard_normal(y.shape)
    dy_copy = dy.copy()
    dx = layer.backward(dy)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(dy, dy_copy)
    assert dx.shape == x.shape


@names
def test_grads_are_overwritten_not_accumulated(name):
    layer, x, rng = make(name)
    dy = rng.standard_normal(layer.forward(x).shape)
    layer.backward(dy)
    first = {k: v.copy() for k, v in layer.grads.items()}
    layer.forward(x)
    layer.backward(dy)
    for k, v in layer.grads.items():
        np.testing.assert_array_equal(v, first[k], err_msg=k)


@names
def test_params_and_grads_have_the_same_keys_and_shapes(name):
    layer, x, rng = make(name)
    assert {k: v.shape for k, v in layer.params.items()} == {
        k: v.shape for k, v in layer.grads.items()
    }  # before any backward
    layer.backward(rng.standard_normal(layer.forward(x).shape))
    assert {k: v.shape for k, v in layer.params.items()} == {
        k: v.shape for k, v in layer.grads.items()
    }


@names
@pytest.mark.parametrize("cast_params", [False, True])
def test_float32_input_gives_float32_outputs_and_grads_in_the_params_dtype(
    name, cast_params
):
    layer, x, rng = make(name)
    if cast_params:
        layer.astype(np.float32)
    y = layer.forward(x.astype(np.float32))
    dx = layer.backward(rng.standard_normal(y.shape).astype(np.float32))
    assert y.dtype == np.float32 and dx.dtype == np.float32
    expected = np.float32 if cast_params else np.float64
    for key, g in layer.grads.items():
        assert g.dtype == expected, key  # stored in its parameter's dtype
    assert all(p.dtype == expected for p in layer.params.values())


@names
@pytest.mark.parametrize("optimizer", [scratch.SGD, scratch.Adam])
def test_float64_input_to_float32_params_keeps_the_params_float32(name, optimizer):
    # computation follows the input (float64 here); gradients are stored in the
    # parameter's dtype, so the optimizer's step leaves every parameter float32
    layer, x, rng = make(name)
    reference, _, _ = make(name)  # the same weights, kept in float64
    layer.astype(np.float32)
    reference.params.update({k: v.astype(np.float64) for k, v in layer.params.items()})
    y = layer.forward(x)
    dy = rng.standard_normal(y.shape)
    dx = layer.backward(dy)
    reference.forward(x)
    want_dx = reference.backward(dy)
    assert y.dtype == np.float64 and dx.dtype == np.float64
    np.testing.assert_allclose(dx, want_dx, rtol=1e-12, atol=1e-12)
    for key, g in layer.grads.items():
        assert g.dtype == np.float32, key
        np.testing.assert_allclose(g, reference.grads[key], rtol=1e-5, atol=1e-6)
    optimizer(layer, 0.1).step()
    assert all(p.dtype == np.float32 for p in layer.params.values())


@names
def test_integer_input_is_computed_in_float64(name):
    layer, x, _ = make(name)
    y = layer.forward(np.round(3 * x).astype(np.int64))
    assert y.dtype == np.float64


@names
def test_backward_rejects_a_wrong_dy_shape(name):
    layer, x, _ = make(name)
    y = layer.forward(x)
    with pytest.raises(ValueError, match="expected dy"):
        layer.backward(np.ones((*y.shape[:-1], y.shape[-1] + 1)))


@names
def test_repr_and_shape_docstring(name):
    layer, _, _ = make(name)
    assert repr(layer).startswith(name + "(")
    assert "Shape:" in inspect.getdoc(type(layer))
    if name in ("Conv2D", "MaxPool2D", "AvgPool2D"):
        assert "(H + 2p - k) // s + 1" in inspect.getdoc(type(layer))


def test_every_public_name_is_documented():
    for name in scratch.__all__:
        obj = getattr(scratch, name)
        assert inspect.getdoc(obj), name
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if callable(member) and not attr.startswith("_"):
                    assert inspect.getdoc(member), f"{name}.{attr}"
