"""PyTorch ``DataLoader``s from numpy arrays; torch is imported only when called."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from nnlib._checks import check_int, check_seed, format_shape

if TYPE_CHECKING:  # for type checkers only: importing nnlib.data stays torch-free
    from torch.utils.data import DataLoader


def _to_tensor(torch: Any, array: np.ndarray, name: str) -> Any:
    array = np.asarray(array)
    if array.ndim == 0:
        raise ValueError(
            f"torch_loader expected {name} with one row per example, got a scalar"
        )
    if np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float32, copy=False)  # torch layers default to float32
    elif np.issubdtype(array.dtype, np.integer) or array.dtype == np.bool_:
        array = array.astype(np.int64, copy=False)  # class labels and token ids
    else:
        raise TypeError(
            f"torch_loader expected {name} as a numeric array, got dtype {array.dtype}"
        )
    if not array.flags.c_contiguous or min(array.strides, default=0) < 0:
        array = array.copy(order="C")  # torch refuses negative strides
    return torch.from_numpy(array)


def torch_loader(
    X: np.ndarray,
    y: np.ndarray | None = None,
    *,
    batch_size: int = 64,
    shuffle: bool = False,
    seed: int = 0,
) -> DataLoader:
    """A ``torch.utils.data.DataLoader`` over ``(X, y)`` (or ``X`` alone).

    Float arrays become float32 tensors, integer arrays int64.

    Args:
        X: the inputs, one row per example.
        y: the targets, one per row of ``X``, or ``None``. Default: ``None``.
        batch_size: the rows per batch (the last batch may be smaller).
            Default: ``64``.
        shuffle: if ``True``, every epoch visits the rows in a new random order.
            Default: ``False``.
        seed: the seed of the shuffling generator: the same seed repeats the same
            orders, epoch after epoch, in every process. Default: ``0``.

    Shape:
        - each batch: ``(X[b], y[b])`` with b <= batch_size rows (or ``(X[b],)``)

    Example:
        >>> from nnlib.data import torch_loader
        >>> loader = torch_loader(np.zeros((10, 3)), np.arange(10), batch_size=4)
        >>> x, y = next(iter(loader))
        >>> x.shape, x.dtype, y.dtype, len(loader)
        (torch.Size([4, 3]), torch.float32, torch.int64, 3)
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    batch_size = check_int("torch_loader", "batch_size", batch_size)
    seed = check_seed("torch_loader", seed)
    tensors = [_to_tensor(torch, X, "X")]
    if y is not None:
        y_tensor = _to_tensor(torch, y, "y")
        if len(y) != len(X):
            raise ValueError(
                f"torch_loader expected X and y with the same number of rows, "
                f"got X {format_shape(np.shape(X))} and y {format_shape(np.shape(y))}"
            )
        tensors.append(y_tensor)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        TensorDataset(*tensors),
        batch_size=batch_size,
        shuffle=shuffle,
        generator=generator,
    )
