"""functional: the reference formulas the layers and exercises share."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from strategies import TORCH_TOL

from nnlib.scratch import functional as F

pytestmark = pytest.mark.ch02

X = np.linspace(-6, 6, 25).reshape(5, 5)


@pytest.mark.parametrize(
    ("f", "df", "ref"),
    [
        (F.sigmoid, F.sigmoid_derivative, torch.sigmoid),
        (F.tanh, F.tanh_derivative, torch.tanh),
        (F.relu, F.relu_derivative, torch.relu),
        (
            lambda x: F.leaky_relu(x, alpha=0.1),
            lambda x: F.leaky_relu_derivative(x, alpha=0.1),
            lambda t: TF.leaky_relu(t, 0.1),
        ),
        (F.identity, F.identity_derivative, lambda t: t),
    ],
)
def test_activation_and_derivative_match_autograd(f, df, ref):
    xt = torch.tensor(X, requires_grad=True)
    ref(xt).sum().backward()  # the gradient of a sum is the elementwise derivative
    np.testing.assert_allclose(f(X), ref(torch.tensor(X)).numpy(), **TORCH_TOL)
    np.testing.assert_allclose(df(X), xt.grad.numpy(), **TORCH_TOL)


def test_softmax_family_matches_torch():
    x = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    t = torch.tensor(x)
    np.testing.assert_allclose(F.softmax(x), torch.softmax(t, -1).numpy(), **TORCH_TOL)
    np.testing.assert_allclose(
        F.log_softmax(x), torch.log_softmax(t, -1).numpy(), **TORCH_TOL
    )
    np.testing.assert_allclose(
        F.softmax(x, axis=0), torch.softmax(t, 0).numpy(), **TORCH_TOL
    )


def test_one_hot_and_output_size():
    np.testing.assert_array_equal(
        F.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]]
    )
    assert F.conv_output_size(28, 3, stride=1, padding=1) == 28
    assert F.conv_output_size(7, 3, stride=2, padding=0) == 3
    assert F.conv_output_size(8, 2, stride=2) == 4


def test_conv2d_single_channel_edge_kernel():
    # a vertical edge: a kernel [-1, 1] responds exactly where the step is
    image = np.zeros((1, 1, 3, 4))
    image[..., 2:] = 1.0
    out = F.conv2d(image, np.array([[[[-1.0, 1.0]]]]))
    np.testing.assert_array_equal(out[0, 0], [[0, 1, 0]] * 3)


@pytest.mark.parametrize("labels", [[0, -1, 2], [0, 3, 1]])
def test_one_hot_refuses_labels_outside_the_classes(labels):
    # numpy indexing would have counted -1 as the last class
    with pytest.raises(ValueError, match=r"one_hot expected labels in \[0, 3\)"):
        F.one_hot(np.array(labels), 3)
