"""The 8x8 handwritten digits shipped with nnlib (UCI, CC BY 4.0; see files/)."""

from __future__ import annotations

import hashlib
import io
from importlib import resources

import numpy as np

DIGITS_FILE = "digits.npz"
# SHA-256 of files/digits.npz; load_digits refuses a file that does not match.
DIGITS_SHA256 = "b2dab7b501728c22e9119ad76740b2e17c77a231e42d1e592380d90886f1a05e"


def _read_digits_bytes() -> bytes:
    return resources.files("nnlib.data").joinpath("files", DIGITS_FILE).read_bytes()


def digits_sha256() -> str:
    """SHA-256 hex digest of the shipped ``digits.npz`` as it is on disk now.

    Returns:
        64 hexadecimal characters; ``DIGITS_SHA256`` while the file is intact.

    Example:
        >>> from nnlib.data import DIGITS_SHA256, digits_sha256
        >>> digits_sha256() == DIGITS_SHA256
        True
    """
    return hashlib.sha256(_read_digits_bytes()).hexdigest()


def load_digits(*, flatten: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Load the 1,797 handwritten digits (8x8 pixels, labels 0..9), no download.

    Pixels are the original counts 0..16 divided by 16, so they lie in [0, 1].
    The source, licence and checksum are in ``nnlib/data/files/digits_SOURCE.txt``.

    Args:
        flatten: if ``True``, each image is one row of 64 pixels.
            Default: ``False``.

    Shape:
        - X: (1797, 1, 8, 8) float32, or (1797, 64) with ``flatten=True``
        - y: (1797,) int64

    Returns:
        ``(X, y)``: the images and their labels.

    Example:
        >>> from nnlib.data import load_digits
        >>> X, y = load_digits()
        >>> X.shape, X.dtype, float(X.min()), float(X.max())
        ((1797, 1, 8, 8), dtype('float32'), 0.0, 1.0)
        >>> y.shape, np.bincount(y).tolist()[:4]
        ((1797,), [178, 182, 177, 183])
        >>> load_digits(flatten=True)[0].shape
        (1797, 64)
    """
    raw = _read_digits_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != DIGITS_SHA256:
        raise OSError(
            f"nnlib/data/files/{DIGITS_FILE} is damaged: expected SHA-256 "
            f"{DIGITS_SHA256}, got {digest}; reinstall nnlib"
        )
    with np.load(io.BytesIO(raw)) as archive:
        images = archive["images"]  # (1797, 8, 8) uint8, 0..16
        labels = archive["labels"]  # (1797,) uint8, 0..9
    X = (images.astype(np.float32) / 16.0)[:, None, :, :]  # (N, 8, 8) -> (N, 1, 8, 8)
    if flatten:
        X = X.reshape(len(X), 64)  # (N, 1, 8, 8) -> (N, 64)
    return X, labels.astype(np.int64)
