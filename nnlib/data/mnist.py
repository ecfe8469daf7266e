"""MNIST from local IDX files (nnlib never downloads anything at run time).

The IDX format (LeCun et al.): a 4-byte magic number ``0x00 0x00 <type> <ndim>``, then
``ndim`` big-endian uint32 sizes, then the values, big-endian, in C order.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from nnlib._checks import check_choice, format_shape

# IDX type byte -> numpy dtype (big-endian where it matters)
_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
MNIST_HELP = (
    "Download the four files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
    "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (for example from "
    "https://ossci-datasets.s3.amazonaws.com/mnist/, the mirror torchvision uses, or "
    "with torchvision.datasets.MNIST(root, download=True)) and put them, gzipped or "
    "not, directly in {root} (or in {root}/MNIST/raw)."
)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (raw, or gzip-compressed when the name ends in ``.gz``).

    Args:
        path: the file.

    Returns:
        The array, in native byte order.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from nnlib.data import read_idx, write_idx
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_idx(Path(folder) / "a.gz", np.uint8([[0, 1, 2], [3, 4, 5]]))
        ...     a = read_idx(Path(folder) / "a.gz")
        >>> a
        array([[0, 1, 2],
               [3, 4, 5]], dtype=uint8)
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise ValueError(
            f"read_idx expected an IDX file (magic number 0, 0, type, ndim), "
            f"got {data[:4]!r} at the start of {path}"
        )
    dtype, ndim = _IDX_TYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    shape = tuple(int(v) for v in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(
            f"read_idx expected {expected} bytes (the header's shape "
            f"{format_shape(shape)}), got {len(data)} in {path}"
        )
    values = np.frombuffer(data, dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))  # native byte order, writable copy


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file (gzip-compressed if the name ends in ``.gz``).

    Args:
        path: the file to write.
        array: uint8, int8, int16, int32, float32 or float64 values, at most 255
            axes.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from nnlib.data import read_idx, write_idx
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_idx(Path(folder) / "labels", np.array([7, 2, 1], np.uint8))
        ...     print((Path(folder) / "labels").stat().st_size)  # 8 header bytes
        11
    """
    path = Path(path)
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in _IDX_TYPES.items()}
    code = codes.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(
            "write_idx expected an array of dtype uint8, int8, int16, int32, float32 "
            f"or float64 (what IDX stores), got dtype {array.dtype}"
        )
    if array.ndim > 255:
        raise ValueError(
            f"write_idx expected at most 255 axes (what IDX stores), got {array.ndim}"
        )
    big = array.astype(_IDX_TYPES[code], copy=False)
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as f:
        f.write(header + np.ascontiguousarray(big).tobytes())


def _find(root: Path, stem: str) -> Path | None:
    """The first existing spelling of an MNIST file under ``root``."""
    for folder in (root, root / "MNIST" / "raw"):
        for name in (stem, stem + ".gz", stem.replace("-idx", ".idx")):
            if (folder / name).is_file():
                return folder / name
    return None


def load_mnist(
    root: str | os.PathLike, *, split: str = "train"
) -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST's ``"train"`` (60,000) or ``"test"`` (10,000) split from ``root``.

    Pixels 0..255 are divided by 255. A missing file raises ``FileNotFoundError``
    saying which files to put where.

    Args:
        root: the folder that holds the IDX files (or ``root/MNIST/raw``, where
            torchvision puts them), raw or gzipped.
        split: ``"train"`` or ``"test"``. Default: ``"train"``.

    Shape:
        - X: (N, 1, H, W) float32 in [0, 1] (H = W = 28 for MNIST)
        - y: (N,) int64

    Returns:
        ``(X, y)``: the images and their labels.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from nnlib.data import load_mnist, write_idx
        >>> with tempfile.TemporaryDirectory() as root:
        ...     images, labels = np.zeros((3, 28, 28), np.uint8), np.uint8([7, 2, 1])
        ...     write_idx(Path(root) / "t10k-images-idx3-ubyte", images)
        ...     write_idx(Path(root) / "t10k-labels-idx1-ubyte", labels)
        ...     X, y = load_mnist(root, split="test")
        >>> X.shape, X.dtype, y.tolist()
        ((3, 1, 28, 28), dtype('float32'), [7, 2, 1])
    """
    check_choice("load_mnist", "split", split, tuple(_MNIST_FILES))
    root = Path(root)
    paths = [_find(root, stem) for stem in _MNIST_FILES[split]]
    if None in paths:
        missing = [s for s, p in zip(_MNIST_FILES[split], paths, strict=True) if not p]
        raise FileNotFoundError(
            f"MNIST {split} files not found in {root}: missing {', '.join(missing)} "
            f"(raw or .gz). " + MNIST_HELP.format(root=root)
        )
    images, labels = read_idx(paths[0]), read_idx(paths[1])
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise ValueError(
            f"load_mnist expected images (N, H, W) and labels (N,), got "
            f"{format_shape(images.shape)} and {format_shape(labels.shape)} "
            f"from {paths[0]} and {paths[1]}"
        )
    X = (images.astype(np.float32) / 255.0)[:, None]  # (N, H, W) -> (N, 1, H, W)
    return X, labels.astype(np.int64)
