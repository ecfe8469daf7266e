"""PyTorch ``DataLoader``s from numpy arrays; torch is imported only when called."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from nnlib.data._checks import check_seed

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
    batch_size: int = 64,
    shuffle: bool = False,
    seed: int = 0,
) -> DataLoader:
    """A ``torch.utils.data.DataLoader`` over ``(X, y)`` (or ``X`` alone).

    Float arrays become float32 tensors, integer arrays int64. With ``shuffle=True`` the
    order comes from a generator seeded with ``seed``: the same seed gives the same
    batches, epoch after epoch, in every process.

    Shape:
        each batch: ``(X[b], y[b])`` with b <= batch_size rows (or ``(X[b],)``)
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
        raise TypeError(
            f"batch_size must be a positive integer, got {type(batch_size).__name__}"
        )
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    seed = check_seed(seed)
    tensors = [_to_tensor(torch, X, "X")]
    if y is not None:
        y_tensor = _to_tensor(torch, y, "y")
        if len(y) != len(X):
            raise ValueError(
                f"X and y need the same number of rows, got X {np.shape(X)} and "
                f"y {np.shape(y)}"
            )
        tensors.append(y_tensor)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        TensorDataset(*tensors),
        batch_size=int(batch_size),
        shuffle=shuffle,
        generator=generator,
    )
