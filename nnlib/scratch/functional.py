"""Functional forms: the one implementation of the maths the layers use.

Letters: N batch, C channels, H/W height/width, K classes, k kernel size,
s stride, p padding, L = H' * W' output positions.

Exercises compare a learner's function against these references, and the
layers in this package call them, so there is a single version of each formula.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# ----------------------------------------------------------------- activations


def identity(x: np.ndarray) -> np.ndarray:
    """$f(x) = x$ (a neuron with no activation).

    Args:
        x: an array of any shape.

    Example:
        >>> from nnlib.scratch.functional import identity
        >>> identity(np.array([-1.0, 2.0]))
        array([-1.,  2.])
    """
    return x


def identity_derivative(x: np.ndarray) -> np.ndarray:
    """$f'(x) = 1$, the derivative of ``identity``.

    Args:
        x: an array of any shape.

    Example:
        >>> from nnlib.scratch.functional import identity_derivative
        >>> identity_derivative(np.array([-1.0, 2.0]))
        array([1., 1.])
    """
    return np.ones_like(x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    r"""$\sigma(x) = 1 / (1 + e^{-x})$, computed without overflow for large $|x|$.

    Args:
        x: an array of any shape.

    Example:
        >>> from nnlib.scratch.functional import sigmoid
        >>> sigmoid(np.array([0.0, -1000.0]))  # no overflow warning
        array([0.5, 0. ])
    """
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    r"""$\sigma'(x) = \sigma(x)(1 - \sigma(x))$, the derivative of ``sigmoid``.

    Args:
        x: an array of any shape.

    Example:
        >>> from nnlib.scratch.functional import sigmoid_derivative
        >>> sigmoid_derivative(np.array([0.0]))
        array([0.25])
    """
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    r"""$\tanh(x)$, the hyperbolic tangent.

    Args:
        x: an array of any shape.

    Example:
        >>> from nnlib.scratch.functional import tanh
        >>> tanh(np.array([0.0]))
        array([0.])
    """
    return np.tanh(x)


def tanh_derivative(x: np.ndarray) -> np.ndarray:
    r"""$\tanh'(x) = 1 - \tanh^2(x)$, the derivative of ``tanh``.

    Args:
        x: an array of any shape.

    Example:
        >>> from nnlib.scratch.functional import tanh_derivative
        >>> tanh_derivative(np.array([0.0]))
        array([1.])
    """
    t = np.tanh(x)
    return 1 - t * t


def relu(x: np.ndarray) -> np.ndarray:
    r"""$\max(0, x)$, the rectified linear unit.

    Args:
        x: an array of any shape.

    Example:
        >>> from nnlib.scratch.functional import relu
        >>> relu(np.array([-1.0, 2.0]))
        array([0., 2.])
    """
    return np.maximum(x, 0)


def relu_derivative(x: np.ndarray) -> np.ndarray:
    """1 where $x > 0$, else 0 (the value 0 is used at the kink, as PyTorch does).

    Args:
        x: an array of any shape.

    Example:
        >>> from nnlib.scratch.functional import relu_derivative
        >>> relu_derivative(np.array([-1.0, 0.0, 2.0]))
        array([0., 0., 1.])
    """
    return (x > 0).astype(x.dtype)


def leaky_relu(x: np.ndarray, *, alpha: float = 0.01) -> np.ndarray:
    r"""$x$ where $x > 0$, else $\alpha x$: the leaky ReLU.

    Args:
        x: an array of any shape.
        alpha: the slope below zero. Default: ``0.01``.

    Example:
        >>> from nnlib.scratch.functional import leaky_relu
        >>> leaky_relu(np.array([-2.0, 3.0]), alpha=0.1)
        array([-0.2,  3. ])
    """
    return np.where(x > 0, x, alpha * x)


def leaky_relu_derivative(x: np.ndarray, *, alpha: float = 0.01) -> np.ndarray:
    r"""1 where $x > 0$, else $\alpha$ (also at 0, as PyTorch does).

    Args:
        x: an array of any shape.
        alpha: the slope below zero. Default: ``0.01``.

    Example:
        >>> from nnlib.scratch.functional import leaky_relu_derivative
        >>> leaky_relu_derivative(np.array([-1.0, 0.0, 2.0]))
        array([0.01, 0.01, 1.  ])
    """
    return np.where(x > 0, 1, alpha).astype(x.dtype)


# ------------------------------------------------------------- softmax family


def softmax(x: np.ndarray, *, axis: int = -1) -> np.ndarray:
    r"""$e^{x_i} / \sum_j e^{x_j}$ along ``axis``; the max is subtracted first.

    Args:
        x: an array of any shape.
        axis: the axis that sums to 1. Default: ``-1``.

    Example:
        >>> from nnlib.scratch.functional import softmax
        >>> softmax(np.zeros(4))
        array([0.25, 0.25, 0.25, 0.25])
        >>> softmax(np.array([0.0, 1000.0]))  # no overflow
        array([0., 1.])
    """
    if (
        x.ndim and x.shape[axis] == 0
    ):  # nothing to normalise (and max() has no identity)
        return np.exp(x)
    if not np.issubdtype(x.dtype, np.inexact):
        x = x.astype(np.float64)  # integers have no -inf for the max below
    # initial=-inf gives the same max, but numpy reduces many short rows (the
    # attention scores) about 2.5x faster with it than without
    largest = x.max(axis=axis, keepdims=True, initial=-np.inf)
    e = np.exp(x - largest)  # largest term is e^0 = 1
    e /= e.sum(axis=axis, keepdims=True)  # in place: e is a new array
    return e


def softmax_backward(y: np.ndarray, dy: np.ndarray, *, axis: int = -1) -> np.ndarray:
    r"""dL/dx of softmax from its output y and dL/dy: $y \odot (dy - \sum y\,dy)$.

    Args:
        y: the output of ``softmax(x, axis)``.
        dy: dL/dy, the same shape as ``y``.
        axis: the axis softmax normalised. Default: ``-1``.

    Example:
        >>> from nnlib.scratch.functional import softmax, softmax_backward
        >>> softmax_backward(softmax(np.zeros(2)), np.array([1.0, 0.0]))
        array([ 0.25, -0.25])
    """
    return y * (dy - (dy * y).sum(axis=axis, keepdims=True))


def log_softmax(x: np.ndarray, *, axis: int = -1) -> np.ndarray:
    r"""$x_i - \log \sum_j e^{x_j}$, stable: the max is subtracted before ``exp``.

    Args:
        x: an array of any shape.
        axis: the axis of the classes. Default: ``-1``.

    Example:
        >>> from nnlib.scratch.functional import log_softmax
        >>> log_softmax(np.array([0.0, 1000.0]))  # log(0) would be -inf
        array([-1000.,     0.])
    """
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def one_hot(
    labels: np.ndarray, n_classes: int, *, dtype: type = np.float64
) -> np.ndarray:
    """Rows with a single 1, at each label's column.

    Args:
        labels: integer labels in [0, n_classes).
        n_classes: K, the number of classes.
        dtype: the dtype of the result. Default: ``np.float64``.

    Shape:
        - labels: (N,)
        - Output: (N, K)

    Example:
        >>> from nnlib.scratch.functional import one_hot
        >>> one_hot(np.array([0, 2]), 3)
        array([[1., 0., 0.],
               [0., 0., 1.]])
    """
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        # numpy would count -1 as the last class: say so instead
        raise ValueError(
            f"one_hot expected labels in [0, {n_classes}), "
            f"got labels from {labels.min()} to {labels.max()}"
        )
    out = np.zeros((len(labels), n_classes), dtype=dtype)
    out[np.arange(len(labels)), labels] = 1
    return out


# -------------------------------------------------------------- convolution


def conv_output_size(
    n: int, kernel_size: int, *, stride: int = 1, padding: int = 0
) -> int:
    """Output length along one axis: $n' = (n + 2p - k) // s + 1$.

    Args:
        n: the input length (H or W).
        kernel_size: k.
        stride: s. Default: ``1``.
        padding: p, added on each side. Default: ``0``.

    Example:
        >>> from nnlib.scratch.functional import conv_output_size
        >>> conv_output_size(8, 3, stride=2, padding=1)
        4
    """
    return (n + 2 * padding - kernel_size) // stride + 1


def pad2d(x: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    """Zero-pad the last two axes, the same on both sides.

    Args:
        x: images (N, C, H, W).
        padding: (pH, pW), the rows and columns of zeros added on each side.

    Shape:
        - x: (N, C, H, W)
        - Output: (N, C, H + 2pH, W + 2pW)

    Example:
        >>> from nnlib.scratch.functional import pad2d
        >>> pad2d(np.ones((1, 1, 2, 2)), (1, 1))[0, 0]
        array([[0., 0., 0., 0.],
               [0., 1., 1., 0.],
               [0., 1., 1., 0.],
               [0., 0., 0., 0.]])
    """
    pH, pW = padding
    if pH == 0 and pW == 0:
        return x
    N, C, H, W = x.shape
    # a frame of zeros with x copied into the middle (np.pad does the same, slower)
    xp = np.zeros((N, C, H + 2 * pH, W + 2 * pW), dtype=x.dtype)
    xp[:, :, pH : pH + H, pW : pW + W] = x
    return xp


def im2col(
    x: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int]
) -> np.ndarray:
    """Gather every kernel-sized patch of an (already padded) image into a column.

    Args:
        x: images (N, C, H, W), padded already if padding is wanted.
        kernel_size: (kH, kW).
        stride: (sH, sW).

    Shape:
        - x: (N, C, H, W)
        - Output: (N, C * kH * kW, L) with L = H' * W',
          $H' = (H - k_H) // s_H + 1$ and the same for W

    Example:
        >>> from nnlib.scratch.functional import im2col
        >>> im2col(np.zeros((2, 3, 5, 5)), (3, 3), (1, 1)).shape
        (2, 27, 9)
    """
    N, C, H, W = x.shape
    kH, kW = kernel_size
    sH, sW = stride
    Ho, Wo = (H - kH) // sH + 1, (W - kW) // sW + 1
    # a view, no copy: (N, C, H - kH + 1, W - kW + 1, kH, kW), then every s-th window
    windows = sliding_window_view(x, (kH, kW), axis=(2, 3))[:, :, ::sH, ::sW]
    # (N, C, H', W', kH, kW) -> (N, C, kH, kW, H', W') -> (N, C*kH*kW, H'*W'), a copy
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(N, C * kH * kW, Ho * Wo)


def col2im(
    cols: np.ndarray,
    shape: tuple[int, int, int, int],
    kernel_size: tuple[int, int],
    stride: tuple[int, int],
) -> np.ndarray:
    """The adjoint of ``im2col``: add each column back onto the pixels it came from.

    Args:
        cols: columns as ``im2col`` makes them, or their gradients.
        shape: (N, C, H, W), the shape of the (padded) images.
        kernel_size: (kH, kW).
        stride: (sH, sW).

    Shape:
        - cols: (N, C * kH * kW, L) with L = H' * W'
        - Output: (N, C, H, W), the given ``shape``

    Example:
        >>> from nnlib.scratch.functional import col2im
        >>> col2im(np.ones((1, 4, 4)), (1, 1, 3, 3), (2, 2), (1, 1))[0, 0]
        array([[1., 2., 1.],
               [2., 4., 2.],
               [1., 2., 1.]])

        Each pixel gets one 1 from every 2x2 window it lies in.
    """
    N, C, H, W = shape
    kH, kW = kernel_size
    sH, sW = stride
    Ho, Wo = (H - kH) // sH + 1, (W - kW) // sW + 1
    cols = cols.reshape(N, C, kH, kW, Ho, Wo)  # (N, C*kH*kW, H'*W') -> 6 axes
    out = np.zeros(shape, dtype=cols.dtype)
    # one vectorised add per kernel offset (i, j): overlapping windows accumulate
    for i in range(kH):
        for j in range(kW):
            out[:, :, i : i + sH * Ho : sH, j : j + sW * Wo : sW] += cols[:, :, i, j]
    return out


def conv2d(
    x: np.ndarray,
    W: np.ndarray,
    b: np.ndarray | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """Cross-correlation as in ``torch.nn.functional.conv2d`` (forward only).

    Args:
        x: images (N, C, H, W).
        W: kernels (F, C, kH, kW).
        b: one bias per kernel (F,), or ``None`` for none. Default: ``None``.
        stride: s, an int or a (sH, sW) pair. Default: ``1``.
        padding: p, zeros added on each side, an int or a (pH, pW) pair.
            Default: ``0``.

    Shape:
        - x: (N, C, H, W); W: (F, C, kH, kW); b: (F,)
        - Output: (N, F, H', W') with $H' = (H + 2p - k) // s + 1$ and
          $W' = (W + 2p - k) // s + 1$

    Example:
        >>> from nnlib.scratch.functional import conv2d
        >>> conv2d(np.ones((1, 1, 4, 4)), np.ones((2, 1, 3, 3)), padding=1)[0, 0]
        array([[4., 6., 6., 4.],
               [6., 9., 9., 6.],
               [6., 9., 9., 6.],
               [4., 6., 6., 4.]])
    """
    stride = (stride, stride) if isinstance(stride, int) else tuple(stride)
    padding = (padding, padding) if isinstance(padding, int) else tuple(padding)
    N = x.shape[0]
    F, C, kH, kW = W.shape
    xp = pad2d(x, padding)
    cols = im2col(xp, (kH, kW), stride)  # (N, C*kH*kW, L)
    y = W.reshape(F, -1) @ cols  # (F, C*kH*kW) @ (N, C*kH*kW, L) -> (N, F, L)
    if b is not None:
        y += b[:, None]  # (F, 1) broadcasts over L
    Ho = (xp.shape[2] - kH) // stride[0] + 1
    Wo = (xp.shape[3] - kW) // stride[1] + 1
    return y.reshape(N, F, Ho, Wo)  # (N, F, L) -> (N, F, H', W')


# ---------------------------------------------------------------- evaluation


def accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of rows whose largest score is at the true label.

    Args:
        scores: one score (logit or probability) per class and sample.
        labels: the true labels, integers in [0, K).

    Shape:
        - scores: (N, K)
        - labels: (N,)

    Returns:
        A Python float in [0, 1].

    Example:
        >>> from nnlib.scratch.functional import accuracy
        >>> scores = np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
        >>> round(accuracy(scores, np.array([0, 1, 1])), 4)
        0.6667
    """
    scores, labels = np.asarray(scores), np.asarray(labels)
    if scores.ndim != 2 or labels.shape != (scores.shape[0],):
        raise ValueError(
            f"accuracy expected scores (N, K) and labels (N,), got {scores.shape} "
            f"and {labels.shape}"
        )
    return float(np.mean(np.argmax(scores, axis=1) == labels))


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None
) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class i predicted as class j.

    Args:
        y_true: the true labels, integers in [0, K).
        y_pred: the predicted labels, integers in [0, K).
        n_classes: K; ``None`` takes the largest label + 1. Default: ``None``.

    Shape:
        - y_true, y_pred: (N,)
        - Output: (K, K) int64

    Example:
        >>> from nnlib.scratch.functional import confusion_matrix
        >>> confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]))
        array([[1, 0],
               [1, 1]])
    """
    y_true = np.asarray(y_true).astype(np.int64).ravel()
    y_pred = np.asarray(y_pred).astype(np.int64).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"confusion_matrix expected y_true and y_pred of one length, got "
            f"{y_true.shape} and {y_pred.shape}"
        )
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=0), y_pred.max(initial=0))) + 1
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
            # numpy would count -1 as the last class: say so instead
            raise ValueError(
                f"confusion_matrix expected {name} in [0, {n_classes}), "
                f"got labels from {labels.min()} to {labels.max()}"
            )
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix
