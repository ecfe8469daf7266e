"""Clips of a moving shape whose direction only motion can tell (chapter 13, video).

Letters: n clips, T frames, H = W = size pixels.

A shape (circle, square, triangle or cross) moves ``speed`` pixels per frame right,
left, down or up. The image wraps around like an old arcade screen (a torus):
leaving on the right, the shape comes back on the left. With a start position drawn
uniformly over the whole image, the position in every frame is then uniform too,
whatever the direction, and shape, size and noise do not depend on it either: each
single frame has the same distribution for every label. Only the change from frame
to frame tells the direction, so a model that looks at frames one at a time (and
averages) is at chance, while a 3D convolution over (T, H, W) can see the motion.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import check_int, check_number, check_seed
from nnlib.data.shapes import SHAPE_NAMES, _signed_distance
from nnlib.data.synthetic import balanced_labels

DIRECTIONS: tuple[str, ...] = ("right", "left", "down", "up")
# (column, row) step of each direction, in pixels per frame; rows grow downwards
_STEPS = np.array([(1, 0), (-1, 0), (0, 1), (0, -1)], dtype=np.float64)


def make_moving_shapes(
    n: int,
    *,
    size: int = 16,
    frames: int = 8,
    speed: float = 1.0,
    noise: float = 0.1,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Clips of one shape moving in one of four directions, and the direction.

    Labels index ``DIRECTIONS`` = ("right", "left", "down", "up") and are balanced
    (counts differ by at most one). Shapes have a half size between 0.15 and 0.25
    of ``size``; edges are anti-aliased, Gaussian noise is added and pixels are
    clipped to [0, 1].

    Args:
        n: number of clips.
        size: frame height and width in pixels (>= 8). Default: ``16``.
        frames: frames per clip (>= 2: one frame shows no motion). Default: ``8``.
        speed: pixels moved per frame (> 0). Default: ``1.0``.
        noise: standard deviation of the Gaussian noise. Default: ``0.1``.
        seed: seed of the random generator; the same seed gives the same data.
            Default: ``0``.

    Shape:
        - clips: (n, 1, frames, size, size) float32 in [0, 1], i.e. (n, C, T, H, W)
        - labels: (n,) int64 in 0..3

    Returns:
        ``(clips, labels)``.

    Example:
        >>> from nnlib.data import make_moving_shapes
        >>> clips, labels = make_moving_shapes(8, size=16, frames=6, seed=0)
        >>> clips.shape, clips.dtype.name, labels.dtype.name
        ((8, 1, 6, 16, 16), 'float32', 'int64')
        >>> [DIRECTIONS[k] for k in labels[:2]]
        ['left', 'down']
    """
    where = "make_moving_shapes"
    n = check_int(where, "n", n)
    size = check_int(where, "size", size, minimum=8)
    frames = check_int(where, "frames", frames, minimum=2)
    speed = check_number(where, "speed", speed, low=0.0, low_open=True)
    noise = check_number(where, "noise", noise, low=0.0)
    rng = np.random.default_rng(check_seed(where, seed))
    labels = rng.permutation(balanced_labels(n, len(DIRECTIONS)))
    kinds = rng.integers(0, len(SHAPE_NAMES), size=n)  # independent of the label
    radii = rng.uniform(0.15, 0.25, size=n) * size
    starts = rng.uniform(0, size, size=(n, 2))  # (n, 2) centre (x, y) in frame 0
    grid = np.arange(size) + 0.5  # pixel centres
    clips = np.empty((n, 1, frames, size, size), dtype=np.float32)
    for i in range(n):
        for t in range(frames):
            cx, cy = (starts[i] + speed * t * _STEPS[labels[i]]) % size
            # offsets on the torus: the nearest copy of the centre, in [-size/2, size/2)
            dx = (grid[None, :] - cx + size / 2) % size - size / 2  # (1, W)
            dy = (grid[:, None] - cy + size / 2) % size - size / 2  # (H, 1)
            inside = _signed_distance(int(kinds[i]), dx, dy, radii[i])  # (H, W)
            clips[i, 0, t] = np.clip(inside + 0.5, 0.0, 1.0)
    clips += noise * rng.standard_normal(clips.shape).astype(np.float32)
    np.clip(clips, 0.0, 1.0, out=clips)
    return clips, labels
