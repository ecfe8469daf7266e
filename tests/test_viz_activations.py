"""plot_activation: functions and derivatives, from names, layers or functions."""

import numpy as np
import pytest

from nnlib.viz import ACTIVATIONS, activation_pair, figure_png, plot_activation


@pytest.mark.ch02
def test_four_panels_with_function_and_derivative():
    names = ["sigmoid", "tanh", "relu", "leaky_relu"]
    fig = plot_activation(names)
    assert figure_png(fig)
    assert [ax.get_title() for ax in fig.axes] == names
    for ax, name in zip(fig.axes, names, strict=True):
        curves = {
            line.get_label(): line for line in ax.lines if line.get_label()[0] != "_"
        }
        assert set(curves) == {f"{name}(x)", "derivative"}
        x = curves["derivative"].get_xdata()
        f, df = ACTIVATIONS[name]
        np.testing.assert_allclose(curves[f"{name}(x)"].get_ydata(), f(x))
        np.testing.assert_allclose(curves["derivative"].get_ydata(), df(x))


@pytest.mark.ch02
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_exact_derivatives_match_central_differences(name):
    f, df = ACTIVATIONS[name]
    x = np.linspace(-4, 4, 81) + 0.0125  # avoid the kink of the ReLUs at 0
    h = 1e-6
    numeric = (f(x + h) - f(x - h)) / (2 * h)
    # central differences are accurate to about h^2 * f''' ~ 1e-12 plus rounding 1e-10
    np.testing.assert_allclose(df(x), numeric, atol=1e-8)


def test_sigmoid_does_not_overflow():
    f, _ = ACTIVATIONS["sigmoid"]
    with np.errstate(over="raise"):
        np.testing.assert_allclose(f(np.array([-1000.0, 0.0, 1000.0])), [0, 0.5, 1])


def test_layers_and_plain_functions():
    class Square:  # a layer in nnlib.scratch's protocol
        def forward(self, x):
            self._x = x
            return x**2

        def backward(self, dy):
            return 2 * self._x * dy

    x = np.linspace(-2, 2, 9)
    name, values, slopes = activation_pair(Square(), x)
    assert name == "Square"
    np.testing.assert_allclose(values, x**2)
    np.testing.assert_allclose(slopes, 2 * x)

    def cube(v):
        return v**3

    name, values, slopes = activation_pair(cube, x)
    assert name == "cube"
    np.testing.assert_allclose(slopes, 3 * x**2, atol=1e-6)  # central differences
    fig = plot_activation(cube, x_range=(-1, 1))
    assert fig.axes[0].get_title() == "cube"


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="activation_pair expected an activation in"):
        plot_activation("swish-ish")
