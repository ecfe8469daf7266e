"""Loss functions: one number that says how wrong the predictions are.

Letters: N batch, K classes. Each loss's ``forward(pred, target)`` returns a
Python float (the mean, as PyTorch's ``reduction="mean"``) and remembers what
``backward()`` needs to return dL/dpred, an array shaped like ``pred``.
A non-finite loss raises ``FloatingPointError`` instead of returning NaN.
"""

import math

import numpy as np

from nnlib._checks import as_float_array, check_shape, format_shape

from . import functional as F


class Loss:
    """Base class of the losses: ``forward(pred, target)``, then ``backward()``.

    ``forward`` returns the loss as a Python float and keeps what ``backward``
    needs in ``self._cache``; ``backward()`` returns dL/dpred. ``loss(pred,
    target)`` is ``loss.forward(pred, target)``.

    Example:
        >>> from nnlib.scratch import Loss
        >>> class L1Loss(Loss):
        ...     def forward(self, pred, target):
        ...         self._cache = (np.sign(pred - target) / pred.size,)
        ...         return float(np.mean(np.abs(pred - target)))
        ...     def backward(self):
        ...         return self._saved()[0]
        >>> loss = L1Loss()
        >>> loss(np.array([1.0, 3.0]), np.array([2.0, 2.0]))
        1.0
        >>> loss.backward()
        array([-0.5,  0.5])
    """

    def __init__(self) -> None:
        self._cache: tuple | None = None

    def __call__(self, pred: np.ndarray, target: np.ndarray) -> float:
        """Same as ``forward(pred, target)``."""
        return self.forward(pred, target)

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """The loss value (mean over the batch)."""
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """dL/dpred for the last ``forward``."""
        raise NotImplementedError

    def _saved(self) -> tuple:
        if self._cache is None:
            name = type(self).__name__
            raise RuntimeError(
                f"{name}.backward was called before {name}.forward: "
                "compute the loss first"
            )
        return self._cache

    def _finite(self, value: float) -> float:
        """Return ``value`` as a float; raise if it is NaN or infinite."""
        value = float(value)
        if not math.isfinite(value):
            raise FloatingPointError(
                f"{type(self).__name__} value is not finite ({value}): the inputs "
                "contain NaN/inf or training diverged (try a smaller learning rate)"
            )
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _same_shape(who: str, pred: np.ndarray, target: np.ndarray) -> None:
    if pred.shape != target.shape:
        raise ValueError(
            f"{who} expected target of shape {format_shape(pred.shape)} like pred, "
            f"got {format_shape(target.shape)}"
        )
    _not_empty(who, pred)


def _not_empty(who: str, pred: np.ndarray) -> None:
    """The mean of no values is NaN: refuse an empty batch instead."""
    if pred.size == 0:
        raise ValueError(
            f"{who} expected at least one prediction, got pred "
            f"{format_shape(pred.shape)}"
        )


class MSELoss(Loss):
    r"""Mean squared error $\frac{1}{M}\sum (pred - target)^2$ over all M entries.

    Shape:
        - pred: (*), any shape
        - target: (*), the same shape (no broadcasting: (N, 1) against (N,) is an
          error, not an (N, N) matrix)

    Example:
        >>> from nnlib.scratch import MSELoss
        >>> loss = MSELoss()
        >>> loss(np.array([1.0, 2.0]), np.array([1.0, 4.0]))
        2.0
        >>> loss.backward()  # 2 (pred - target) / M
        array([ 0., -2.])
    """

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """Mean of the squared differences."""
        pred = as_float_array("MSELoss", pred, name="pred")
        target = as_float_array("MSELoss", target, name="target")
        _same_shape("MSELoss", pred, target)
        diff = pred - target.astype(pred.dtype, copy=False)
        self._cache = (diff,)
        return self._finite(np.mean(diff * diff))

    def backward(self) -> np.ndarray:
        """$2(pred - target)/M$."""
        (diff,) = self._saved()
        return 2 * diff / diff.size


class CrossEntropyLoss(Loss):
    r"""Softmax and negative log-likelihood, fused: $-\frac{1}{N}\sum_n \log p_{n,y_n}$.

    Uses the stable log-softmax, so huge logits do not overflow. The gradient
    is the famous $(\mathrm{softmax}(z) - \mathrm{onehot}(y)) / N$.

    Shape:
        - pred: logits (N, K)
        - target: integer labels (N,) in [0, K)

    Example:
        >>> from nnlib.scratch import CrossEntropyLoss
        >>> loss = CrossEntropyLoss()
        >>> round(loss(np.zeros((2, 4)), np.array([0, 3])), 4)  # log 4
        1.3863
        >>> np.round(loss.backward()[0], 4)  # (softmax - onehot) / N
        array([-0.375,  0.125,  0.125,  0.125])
    """

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """Mean negative log-probability of the true class."""
        logits = check_shape("CrossEntropyLoss", pred, ("N", "K"), name="logits")
        N, K = logits.shape
        _not_empty("CrossEntropyLoss", logits)
        labels = np.asarray(target)
        if not np.issubdtype(labels.dtype, np.integer):
            hint = (
                "one-hot rows? use labels.argmax(axis=1)"
                if labels.shape == (N, K)
                else "use labels.astype(int) if they are whole numbers"
            )
            raise TypeError(
                f"CrossEntropyLoss expected integer class labels, got dtype "
                f"{labels.dtype}; {hint}"
            )
        if labels.shape != (N,):
            raise ValueError(
                f"CrossEntropyLoss expected labels ({N},), "
                f"got {format_shape(labels.shape)}"
            )
        if N and (labels.min() < 0 or labels.max() >= K):
            raise ValueError(
                f"CrossEntropyLoss expected labels in [0, {K - 1}] for {K} classes, "
                f"got values from {labels.min()} to {labels.max()}"
            )
        log_p = F.log_softmax(logits, axis=-1)  # (N, K)
        self._cache = (log_p, labels)
        return self._finite(-log_p[np.arange(N), labels].mean())

    def backward(self) -> np.ndarray:
        r"""$(\mathrm{softmax} - \mathrm{onehot}) / N$."""
        log_p, labels = self._saved()
        N = log_p.shape[0]
        grad = np.exp(log_p)  # softmax probabilities, a fresh array (N, K)
        grad[np.arange(N), labels] -= 1
        return grad / N


class BCEWithLogitsLoss(Loss):
    r"""Sigmoid then binary cross-entropy, fused and stable.

    $\ell = \max(z, 0) - z t + \log(1 + e^{-|z|})$ averaged over all entries,
    for logits $z$ and targets $t \in [0, 1]$.

    Shape:
        - pred: logits (*), any shape
        - target: (*), the same shape, values in [0, 1]

    Example:
        >>> from nnlib.scratch import BCEWithLogitsLoss
        >>> loss = BCEWithLogitsLoss()
        >>> round(loss(np.array([0.0, 0.0]), np.array([0.0, 1.0])), 4)  # log 2
        0.6931
        >>> loss.backward()  # (sigmoid(z) - t) / M
        array([ 0.25, -0.25])
    """

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        """Mean binary cross-entropy of ``sigmoid(pred)`` against ``target``."""
        z = as_float_array("BCEWithLogitsLoss", pred, name="pred")
        t = as_float_array("BCEWithLogitsLoss", target, name="target")
        _same_shape("BCEWithLogitsLoss", z, t)
        if t.size and (t.min() < 0 or t.max() > 1):
            raise ValueError(
                f"BCEWithLogitsLoss expected targets in [0, 1], "
                f"got values from {t.min()} to {t.max()}"
            )
        t = t.astype(z.dtype, copy=False)
        self._cache = (z, t)
        loss = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
        return self._finite(loss.mean())

    def backward(self) -> np.ndarray:
        r"""$(\sigma(z) - t) / M$."""
        z, t = self._saved()
        return (F.sigmoid(z) - t) / z.size
