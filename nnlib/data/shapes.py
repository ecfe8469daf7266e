"""Images of simple shapes at random positions and scales (why convolution helps).

A shape can sit anywhere in the image, so a model must recognise it wherever it is:
exactly what weight sharing (convolution) and pooling are good at.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import check_int, check_number, check_seed
from nnlib.data.synthetic import balanced_labels

SHAPE_NAMES: tuple[str, ...] = ("circle", "square", "triangle", "cross")


def _signed_distance(kind: int, dx: np.ndarray, dy: np.ndarray, r: float) -> np.ndarray:
    """Distance (pixels) inside the shape's edge: > 0 inside, < 0 outside.

    ``dx``, ``dy`` are pixel offsets from the shape's centre; ``r`` is its half size.
    """
    if kind == 0:  # circle of radius r
        return r - np.hypot(dx, dy)
    if kind == 1:  # axis-aligned square of half side r
        return r - np.maximum(np.abs(dx), np.abs(dy))
    if kind == 2:  # upright isosceles triangle: apex at the top, base at the bottom
        base = r - dy  # above the base line y = +r
        # the two slanted sides run from (0, -r) to (±r, r): |dx| <= (dy + r) / 2
        sides = ((dy + r) - 2 * np.abs(dx)) / np.sqrt(5.0)
        return np.minimum(base, sides)
    # cross ("plus" sign): two bars of half width r / 3 and half length r
    w = r / 3
    bar_h = np.minimum(w - np.abs(dy), r - np.abs(dx))
    bar_v = np.minimum(w - np.abs(dx), r - np.abs(dy))
    return np.maximum(bar_h, bar_v)


def make_shapes(
    n: int = 400, size: int = 16, *, seed: int = 0, noise: float = 0.1
) -> tuple[np.ndarray, np.ndarray]:
    """Grey images of circles, squares, triangles and crosses, one shape per image.

    Each shape has a random half size between 0.15 and 0.3 of ``size`` and a random
    centre that keeps it inside the image; edges are anti-aliased over one pixel, then
    Gaussian noise of standard deviation ``noise`` is added and pixels are clipped to
    [0, 1]. Labels index ``SHAPE_NAMES`` = ("circle", "square", "triangle", "cross");
    classes are balanced (counts differ by at most one).

    Args:
        n: the number of images. Default: ``400``.
        size: the side of the square images, at least 8. Default: ``16``.
        seed: the seed of the random generator. Default: ``0``.
        noise: the standard deviation of the added noise. Default: ``0.1``.

    Shape:
        - X: (n, 1, size, size) float32 in [0, 1]
        - y: (n,) int64 in 0..3

    Returns:
        ``(X, y)``: the images and their labels.

    Example:
        >>> from nnlib.data import SHAPE_NAMES, make_shapes
        >>> X, y = make_shapes(8, size=16)
        >>> X.shape, X.dtype, np.bincount(y).tolist(), len(SHAPE_NAMES)
        ((8, 1, 16, 16), dtype('float32'), [2, 2, 2, 2], 4)
    """
    n = check_int("make_shapes", "n", n)
    size = check_int("make_shapes", "size", size, minimum=8)
    noise = check_number("make_shapes", "noise", noise, low=0.0)
    rng = np.random.default_rng(check_seed("make_shapes", seed))
    y = rng.permutation(balanced_labels(n, len(SHAPE_NAMES)))
    grid = np.arange(size) + 0.5  # pixel centres
    X = np.empty((n, 1, size, size), dtype=np.float32)
    for i, kind in enumerate(y):
        r = rng.uniform(0.15, 0.3) * size
        cx, cy = rng.uniform(r + 0.5, size - r - 0.5, size=2)
        dx = grid[None, :] - cx  # (1, size): column offsets
        dy = grid[:, None] - cy  # (size, 1): row offsets (down is +)
        inside = _signed_distance(int(kind), dx, dy, r)  # (size, size)
        X[i, 0] = np.clip(inside + 0.5, 0.0, 1.0)
    X += noise * rng.standard_normal(X.shape).astype(np.float32)
    np.clip(X, 0.0, 1.0, out=X)
    return X, y
