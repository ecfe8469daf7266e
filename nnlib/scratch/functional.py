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
    """$f(x) = x$ (a neuron with no activation)."""
    return x


def identity_derivative(x: np.ndarray) -> np.ndarray:
    """$f'(x) = 1$."""
    return np.ones_like(x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    r"""$\sigma(x) = 1 / (1 + e^{-x})$, computed without overflow for large $|x|$."""
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    r"""$\sigma'(x) = \sigma(x)(1 - \sigma(x))$."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x: np.ndarray) -> np.ndarray:
    r"""$\tanh(x)$."""
    return np.tanh(x)


def tanh_derivative(x: np.ndarray) -> np.ndarray:
    r"""$\tanh'(x) = 1 - \tanh^2(x)$."""
    t = np.tanh(x)
    return 1 - t * t


def relu(x: np.ndarray) -> np.ndarray:
    r"""$\max(0, x)$."""
    return np.maximum(x, 0)


def relu_derivative(x: np.ndarray) -> np.ndarray:
    """1 where $x > 0$, else 0 (the value 0 is used at the kink, as PyTorch does)."""
    return (x > 0).astype(x.dtype)


def leaky_relu(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    r"""$x$ where $x > 0$, else $\alpha x$."""
    return np.where(x > 0, x, alpha * x)


def leaky_relu_derivative(x: np.ndarray, alpha: float = 0.01) -> np.ndarray:
    r"""1 where $x > 0$, else $\alpha$ (also at 0, as PyTorch does)."""
    return np.where(x > 0, 1, alpha).astype(x.dtype)


# ------------------------------------------------------------- softmax family


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""$e^{x_i} / \sum_j e^{x_j}$ along ``axis``; the max is subtracted first."""
    if (
        x.ndim and x.shape[axis] == 0
    ):  # nothing to normalise (and max() has no identity)
        return np.exp(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))  # largest term is e^0 = 1
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(y: np.ndarray, dy: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""dL/dx of softmax from its output y and dL/dy: $y \odot (dy - \sum y\,dy)$."""
    return y * (dy - (dy * y).sum(axis=axis, keepdims=True))


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""$x_i - \log \sum_j e^{x_j}$, stable: the max is subtracted before ``exp``."""
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def one_hot(labels: np.ndarray, n_classes: int, dtype: type = np.float64) -> np.ndarray:
    """(N,) integer labels -> (N, K) rows with a single 1."""
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
    n: int, kernel_size: int, stride: int = 1, padding: int = 0
) -> int:
    """Output length along one axis: $n' = (n + 2p - k) // s + 1$."""
    return (n + 2 * padding - kernel_size) // stride + 1


def pad2d(x: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    """Zero-pad the last two axes: (N, C, H, W) -> (N, C, H + 2pH, W + 2pW)."""
    pH, pW = padding
    if pH == 0 and pW == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (pH, pH), (pW, pW)))


def im2col(
    x: np.ndarray, kernel_size: tuple[int, int], stride: tuple[int, int]
) -> np.ndarray:
    """Gather every kernel-sized patch of an (already padded) image into a column.

    Shape:
        x: (N, C, H, W) -> (N, C * kH * kW, H' * W'),
        with $H' = (H - k_H) // s_H + 1$ and the same for W.
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

    Shape:
        cols: (N, C * kH * kW, H' * W') -> (N, C, H, W) where (N, C, H, W) = shape.
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
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> np.ndarray:
    """Cross-correlation as in ``torch.nn.functional.conv2d`` (forward only).

    Shape:
        x: (N, C, H, W), W: (F, C, kH, kW), b: (F,) -> (N, F, H', W'),
        $H' = (H + 2p - k) // s + 1$.
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


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None
) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class i predicted as class j.

    Shape: (N,), (N,) -> (K, K) int64; ``n_classes=None`` takes K from the labels.
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
