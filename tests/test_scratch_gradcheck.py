"""gradcheck itself: it must pass correct layers and catch wrong ones."""

import numpy as np
import pytest

from nnlib.scratch import Dense, Tanh, gradcheck, gradient_errors

pytestmark = pytest.mark.ch04


class DenseWrongBias(Dense):
    """A classic mistake: db is not summed over the batch (takes the first row)."""

    def backward(self, dy):
        dx = super().backward(dy)
        self.grads["b"] = dy[0].copy()
        return dx


class TanhWrongDerivative(Tanh):
    """Another classic: using 1 - x**2 with the input instead of the output."""

    def backward(self, dy):
        x = self._x
        return dy * (1 - x**2)

    def forward(self, x):
        self._x = x
        return super().forward(x)


def test_gradcheck_passes_a_correct_layer():
    rng = np.random.default_rng(0)
    assert gradcheck(Dense(4, 3, rng=rng), rng.standard_normal((5, 4))) < 1e-8


def test_gradcheck_catches_wrong_parameter_and_input_gradients():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4))
    errors = gradient_errors(DenseWrongBias(4, 3, rng=rng), x)
    assert errors["x"] < 1e-8 and errors["W"] < 1e-8
    assert errors["b"] > 0.1  # the wrong gradient is flagged, and only it
    assert gradcheck(TanhWrongDerivative(), x) > 0.1


def test_gradcheck_leaves_input_and_params_untouched():
    rng = np.random.default_rng(1)
    layer = Dense(3, 2, rng=rng)
    x = rng.standard_normal((4, 3))
    x_before, W_before = x.copy(), layer.params["W"].copy()
    gradcheck(layer, x)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(layer.params["W"], W_before)


def test_gradcheck_needs_float64_params():
    layer = Dense(3, 2).astype(np.float32)
    with pytest.raises(TypeError, match="float64 parameters, got W as float32"):
        gradcheck(layer, np.ones((2, 3)))


def test_projection_depends_on_seed_but_result_is_small_for_all():
    rng = np.random.default_rng(2)
    layer, x = Dense(3, 2, rng=rng), rng.standard_normal((4, 3))
    assert max(gradcheck(layer, x, seed=s) for s in range(3)) < 1e-8
