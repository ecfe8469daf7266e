"""CT-like head phantoms with an occasional lesion to find and outline (chapter 13).

Letters: n slices, H = W = size pixels.

Like the Shepp-Logan phantom (Shepp & Logan, 1974) that tests CT reconstruction,
each slice is built from ellipses of constant intensity, here with random size,
position and tilt: a bright skull ring, brain tissue inside it, two dark ventricles
(fluid) and a few faint patches of slightly denser or lighter tissue. With
probability ``lesion_prob`` a small lesion, a little denser than tissue (as a fresh
bleed is on CT), is placed somewhere in the brain. Intensities are on a 0-1 scale,
not Hounsfield units: air 0, fluid 0.3, tissue about 0.5, lesion 0.1-0.2 above
tissue, bone 1.

The noise is Gaussian, then averaged over 3 x 3 neighbourhoods and rescaled to
standard deviation ``noise``: reconstructed CT noise is grainy (neighbouring pixels
correlated), not independent per pixel. The lesion's contrast is comparable to the
noise, so single pixels do not give it away: a model has to look at regions.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import check_int, check_number, check_seed

AIR, FLUID, TISSUE, BONE = 0.0, 0.3, 0.5, 1.0


def _ellipse(x, y, cx, cy, a, b, angle):
    """Pixels whose centre lies inside an ellipse: semi-axes a (along x) and b,
    tilted by ``angle`` radians. ``x`` (1, W) and ``y`` (H, 1) are pixel centres."""
    c, s = np.cos(angle), np.sin(angle)
    u = (x - cx) * c + (y - cy) * s  # coordinates along the ellipse's own axes
    v = -(x - cx) * s + (y - cy) * c
    return (u / a) ** 2 + (v / b) ** 2 <= 1.0  # (H, W) bool


def _smooth3(x: np.ndarray) -> np.ndarray:
    """Mean over each pixel's 3 x 3 neighbourhood (edges repeated), per image."""
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1)), mode="edge")
    h, w = x.shape[1:]
    return sum(padded[:, i : i + h, j : j + w] for i in range(3) for j in range(3)) / 9


def make_phantoms(
    n: int,
    *,
    size: int = 64,
    lesion_prob: float = 0.5,
    noise: float = 0.05,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """CT-like head slices and a mask of the lesion in each (empty where none).

    Args:
        n: number of slices.
        size: image height and width in pixels (>= 24). Default: ``64``.
        lesion_prob: chance that a slice has a lesion (0 to 1). Default: ``0.5``.
        noise: standard deviation of the (grainy) scanner noise. Default: ``0.05``.
        seed: seed of the random generator; the same seed gives the same data.
            Default: ``0``.

    Shape:
        - images: (n, 1, size, size) float32, about 0 to 1 plus noise
        - masks: (n, size, size) int64, 1 on the lesion and 0 elsewhere

    Returns:
        ``(images, masks)``.

    Example:
        >>> from nnlib.data import make_phantoms
        >>> images, masks = make_phantoms(4, size=32, seed=0)
        >>> images.shape, images.dtype.name, masks.shape, masks.dtype.name
        ((4, 1, 32, 32), 'float32', (4, 32, 32), 'int64')
        >>> [bool(m.any()) for m in masks]
        [True, True, True, True]
    """
    where = "make_phantoms"
    n = check_int(where, "n", n)
    size = check_int(where, "size", size, minimum=24)
    lesion_prob = check_number(where, "lesion_prob", lesion_prob, low=0.0, high=1.0)
    noise = check_number(where, "noise", noise, low=0.0)
    rng = np.random.default_rng(check_seed(where, seed))
    x = (np.arange(size) + 0.5)[None, :]  # (1, W) pixel centres
    y = (np.arange(size) + 0.5)[:, None]  # (H, 1)
    images = np.zeros((n, size, size), dtype=np.float64)
    masks = np.zeros((n, size, size), dtype=np.int64)
    for i in range(n):
        image = images[i]  # a view: drawing on it fills images[i]
        cx, cy = size / 2 + rng.uniform(-0.03, 0.03, size=2) * size
        a, b = rng.uniform(0.36, 0.41) * size, rng.uniform(0.42, 0.46) * size
        tilt = rng.uniform(-0.15, 0.15)  # radians, about +-9 degrees
        thickness = rng.uniform(0.05, 0.08) * size  # of the skull
        image[_ellipse(x, y, cx, cy, a, b, tilt)] = BONE
        brain = _ellipse(x, y, cx, cy, a - thickness, b - thickness, tilt)
        image[brain] = TISSUE
        for _ in range(rng.integers(2, 5)):  # faint patches of other tissue
            px, py = rng.uniform(-0.45, 0.45, size=2) * (a, b)
            pa, pb = rng.uniform(0.06, 0.15, size=2) * size
            patch = _ellipse(x, y, cx + px, cy + py, pa, pb, rng.uniform(0, np.pi))
            image[patch & brain] = TISSUE + rng.uniform(-0.05, 0.05)
        for side in (-1, 1):  # the two ventricles, either side of the midline
            vx = cx + side * rng.uniform(0.06, 0.1) * size
            va, vb = rng.uniform(0.03, 0.05) * size, rng.uniform(0.1, 0.16) * size
            image[_ellipse(x, y, vx, cy, va, vb, tilt + side * 0.3)] = FLUID
        if rng.uniform() < lesion_prob:
            for _ in range(100):  # a lesion wholly inside the brain
                la, lb = rng.uniform(0.04, 0.09, size=2) * size
                lx, ly = rng.uniform(-0.6, 0.6, size=2) * (a - thickness, b - thickness)
                lesion = _ellipse(x, y, cx + lx, cy + ly, la, lb, rng.uniform(0, np.pi))
                if lesion.any() and not (lesion & ~brain).any():
                    image[lesion] = TISSUE + rng.uniform(0.1, 0.2)
                    masks[i][lesion] = 1
                    break
    grain = _smooth3(rng.standard_normal(images.shape)) * 3  # sum of 9 / 9: std 1/3
    images += noise * grain
    return images[:, None].astype(np.float32), masks
