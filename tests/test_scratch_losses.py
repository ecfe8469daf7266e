"""Losses: values and gradients against torch, bad labels, non-finite values."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK_TOL, TORCH_TOL, batch_sizes, randn, seeds

from nnlib.scratch import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, gradcheck

pytestmark = pytest.mark.ch04


class LossAsLayer:
    """Wrap loss(pred, target) as a layer of pred, so gradcheck can test it."""

    def __init__(self, loss, target):
        self.loss, self.target = loss, target
        self.params, self.grads = {}, {}

    def forward(self, pred):
        return np.array(self.loss.forward(pred, self.target))

    def backward(self, dy):
        return dy * self.loss.backward()


def cross_entropy_case(n, k, seed):
    rng = np.random.default_rng(seed)
    return 3 * randn(rng, n, k), rng.integers(0, k, n)


def regression_case(n, k, seed):
    rng = np.random.default_rng(seed)
    return randn(rng, n, k), randn(rng, n, k)


def binary_case(n, k, seed):
    rng = np.random.default_rng(seed)
    return 3 * randn(rng, n, k), rng.uniform(0, 1, (n, k))


CASES = {
    "cross_entropy": (CrossEntropyLoss, cross_entropy_case, TF.cross_entropy),
    "mse": (MSELoss, regression_case, TF.mse_loss),
    "bce": (BCEWithLogitsLoss, binary_case, TF.binary_cross_entropy_with_logits),
}
names = st.sampled_from(sorted(CASES))
classes = st.integers(1, 6)


@given(name=names, n=batch_sizes, k=classes, seed=seeds)
def test_loss_gradcheck(name, n, k, seed):
    make, case, _ = CASES[name]
    pred, target = case(n, k, seed)
    assert gradcheck(LossAsLayer(make(), target), pred) < GRADCHECK_TOL


@given(name=names, n=batch_sizes, k=classes, seed=seeds)
def test_loss_matches_torch(name, n, k, seed):
    make, case, torch_fn = CASES[name]
    pred, target = case(n, k, seed)
    loss = make()
    value = loss.forward(pred, target)
    grad = loss.backward()
    pt = torch.tensor(pred, requires_grad=True)
    vt = torch_fn(pt, torch.tensor(target))
    vt.backward()
    assert isinstance(value, float)
    assert value == pytest.approx(vt.item(), rel=1e-10, abs=1e-10)
    np.testing.assert_allclose(grad, pt.grad.numpy(), **TORCH_TOL)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4]])
    labels = np.array([2, 0])
    loss = CrossEntropyLoss()
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.forward(logits, labels)
    pt = torch.tensor(logits, requires_grad=True)
    ref = TF.cross_entropy(pt, torch.tensor(labels))
    ref.backward()
    assert value == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), pt.grad.numpy(), **TORCH_TOL)


def test_cross_entropy_rejects_bad_labels():
    loss = CrossEntropyLoss()
    logits = np.zeros((3, 4))
    with pytest.raises(
        ValueError, match=r"labels in \[0, 3\] for 4 classes, got values from 0 to 4"
    ):
        loss.forward(logits, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match="from -1"):
        loss.forward(logits, np.array([0, -1, 2]))
    with pytest.raises(TypeError, match="integer class labels, got dtype float64"):
        loss.forward(logits, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match=r"one-hot rows\? use labels.argmax\(axis=1\)"):
        loss.forward(logits, np.eye(4)[[0, 1, 2]])
    with pytest.raises(ValueError, match=r"expected labels \(3,\), got \(3, 1\)"):
        loss.forward(logits, np.array([[0], [1], [2]]))
    with pytest.raises(ValueError, match=r"expected logits \(N, K\), got \(4,\)"):
        loss.forward(np.zeros(4), np.array([0]))


def test_regression_losses_reject_shape_mismatch_instead_of_broadcasting():
    with pytest.raises(
        ValueError,
        match=r"MSELoss expected target of shape \(5, 1\) like pred, got \(5,\)",
    ):
        MSELoss().forward(np.zeros((5, 1)), np.zeros(5))
    with pytest.raises(ValueError, match="targets in \\[0, 1\\]"):
        BCEWithLogitsLoss().forward(np.zeros(3), np.array([0.0, 2.0, 1.0]))


@pytest.mark.parametrize("loss", [MSELoss(), BCEWithLogitsLoss(), CrossEntropyLoss()])
def test_non_finite_loss_raises(loss):
    pred = np.array([[np.nan, 0.0], [1.0, 2.0]])
    target = (
        np.array([0, 1]) if isinstance(loss, CrossEntropyLoss) else np.zeros((2, 2))
    )
    with pytest.raises(FloatingPointError, match="not finite"):
        loss.forward(pred, target)


def test_overflowing_mse_raises():
    with np.errstate(over="ignore"), pytest.raises(FloatingPointError, match="inf"):
        MSELoss().forward(np.array([1e200]), np.array([-1e200]))


@pytest.mark.parametrize("loss", [MSELoss(), BCEWithLogitsLoss(), CrossEntropyLoss()])
def test_loss_backward_before_forward(loss):
    with pytest.raises(RuntimeError, match="before .*forward"):
        loss.backward()
    assert repr(loss) == f"{type(loss).__name__}()"
