"""Scenes of a few shapes: boxes to detect (chapter 13) and masks to segment.

Letters: n images, H = W = size pixels, G objects in one image.

Each image holds 1 to ``max_objects`` shapes (circle, square, triangle, cross: the
first ``n_classes`` of ``SHAPE_NAMES``) at random positions and sizes, drawn white on
black with anti-aliased edges, then noise. Shapes never overlap: their boxes are
at least ``gap`` pixels apart along x or along y. So two object centres are always
more than ``2 * radius[0] * size + gap`` pixels apart along one axis (8.7 px at size
32 with the default half sizes), and a grid detector with cells smaller than that
never has two objects in a cell.

``clutter`` adds that many thin line segments per image (random place, angle,
length and brightness) that belong to no class: a detector must learn to ignore
them, and a segmentation model to call them background. They may cross objects; an
object's mask and box are those of the shape alone.

A pixel belongs to a shape when its centre is inside it (the anti-aliased value is
then >= 0.5); the box of a shape is the tight box around those pixels, in pixel
edges: ``(x1, y1, x2, y2) = (first column, first row, last column + 1, last row + 1)``.
"""

from __future__ import annotations

import numpy as np

from nnlib._checks import check_int, check_number, check_seed
from nnlib.data.shapes import SHAPE_NAMES, _signed_distance
from nnlib.data.synthetic import balanced_labels

_RADIUS = (0.12, 0.22)  # an object's half size, as a fraction of the image size


def _check_radius(where: str, radius: object) -> tuple[float, float]:
    """A (smallest, largest) half size as fractions of the image, in (0, 0.5)."""
    if not isinstance(radius, tuple | list) or len(radius) != 2:
        raise TypeError(
            f"{where} expected radius as a pair (low, high), got "
            f"{type(radius).__name__}"
        )
    low = check_number(where, "radius[0]", radius[0], low=0.02, high=0.45)
    high = check_number(where, "radius[1]", radius[1], low=low, high=0.45)
    return low, high


def _check_scene(
    where, n, size, max_objects, n_classes, noise, gap, seed, radius, clutter
):
    n = check_int(where, "n", n)
    size = check_int(where, "size", size, minimum=16)
    max_objects = check_int(where, "max_objects", max_objects)
    n_classes = check_int(where, "n_classes", n_classes)
    if n_classes > len(SHAPE_NAMES):
        raise ValueError(
            f"{where} expected n_classes <= {len(SHAPE_NAMES)} (the shapes "
            f"{SHAPE_NAMES}), got {n_classes}"
        )
    noise = check_number(where, "noise", noise, low=0.0)
    gap = check_number(where, "gap", gap, low=0.0)
    seed = check_seed(where, seed)
    radius = _check_radius(where, radius)
    clutter = check_int(where, "clutter", clutter, minimum=0)
    return n, size, max_objects, n_classes, noise, gap, seed, radius, clutter


def _strokes(rng, n, count, size):
    """``count`` anti-aliased line segments per image: (n, H, W) in [0, 1]."""
    grid = np.arange(size) + 0.5  # pixel centres
    x, y = grid[None, :], grid[:, None]  # (1, W) and (H, 1)
    out = np.zeros((n, size, size))
    for i in range(n):
        for _ in range(count):
            x0, y0 = rng.uniform(0, size, size=2)
            angle = rng.uniform(0, np.pi)
            length = rng.uniform(0.3, 0.6) * size
            ux, uy = np.cos(angle), np.sin(angle)
            # distance of each pixel centre to the segment from (x0, y0) along (ux, uy)
            t = np.clip((x - x0) * ux + (y - y0) * uy, 0.0, length)  # (H, W)
            dist = np.hypot(x - x0 - t * ux, y - y0 - t * uy)
            line = np.clip(1.0 - dist, 0.0, 1.0) * rng.uniform(0.5, 1.0)  # ~1 px wide
            out[i] = np.maximum(out[i], line)
    return out


def _scenes(n, size, max_objects, n_classes, noise, gap, seed, radius, clutter):
    """Draw ``n`` scenes: clean-then-noisy images (n, 1, H, W) and, per image, the
    objects' pixel masks (G, H, W) bool and labels (G,)."""
    rng = np.random.default_rng(seed)
    layouts = []  # per image: (cx, cy, r) of each shape
    for count in rng.integers(1, max_objects + 1, size=n):  # objects wanted
        placed = []
        for _ in range(count):
            for _ in range(100):  # rejection sampling; a full image keeps fewer
                r = rng.uniform(*radius) * size
                cx, cy = rng.uniform(r + 0.5, size - r - 0.5, size=2)
                if all(
                    abs(cx - ox) > r + o_r + gap or abs(cy - oy) > r + o_r + gap
                    for ox, oy, o_r in placed
                ):
                    placed.append((cx, cy, r))
                    break
        layouts.append(placed)
    # labels balanced over every object of the data set, then shuffled
    n_objects = sum(len(placed) for placed in layouts)
    labels = rng.permutation(balanced_labels(n_objects, n_classes))
    grid = np.arange(size) + 0.5  # pixel centres
    images = np.zeros((n, 1, size, size), dtype=np.float32)
    objects = []
    start = 0
    for i, placed in enumerate(layouts):
        kinds = labels[start : start + len(placed)]
        start += len(placed)
        masks = np.zeros((len(placed), size, size), dtype=bool)
        for g, ((cx, cy, r), kind) in enumerate(zip(placed, kinds, strict=True)):
            dx = grid[None, :] - cx  # (1, W): column offsets
            dy = grid[:, None] - cy  # (H, 1): row offsets (down is +)
            inside = _signed_distance(int(kind), dx, dy, r)  # (H, W), > 0 inside
            coverage = np.clip(inside + 0.5, 0.0, 1.0)
            images[i, 0] = np.maximum(images[i, 0], coverage)
            masks[g] = coverage >= 0.5
        objects.append((masks, kinds))
    if clutter:  # drawn only when asked for: the default scenes stay as they were
        images[:, 0] = np.maximum(images[:, 0], _strokes(rng, n, clutter, size))
    images += noise * rng.standard_normal(images.shape).astype(np.float32)
    np.clip(images, 0.0, 1.0, out=images)
    return images, objects


def _tight_box(mask: np.ndarray) -> np.ndarray:
    """(x1, y1, x2, y2) in pixel edges around the True pixels of an (H, W) mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return np.array([cols[0], rows[0], cols[-1] + 1, rows[-1] + 1], dtype=np.float32)


def make_detection_shapes(
    n: int,
    *,
    size: int = 32,
    max_objects: int = 3,
    n_classes: int = 3,
    noise: float = 0.1,
    gap: float = 1.0,
    radius: tuple[float, float] = _RADIUS,
    clutter: int = 0,
    seed: int = 0,
) -> tuple[np.ndarray, list[dict[str, np.ndarray]]]:
    """Images of 1 to ``max_objects`` shapes each, with their boxes and classes.

    Object classes index ``SHAPE_NAMES`` and are balanced over all the objects of
    the set (counts differ by at most one). Targets use torchvision's detection
    format, which ``nnlib.scratch.mean_average_precision`` reads directly.

    Args:
        n: number of images.
        size: image height and width in pixels (>= 16). Default: ``32``.
        max_objects: most shapes in one image; each image draws 1 to this many
            (fewer if no room is left after 100 tries). Default: ``3``.
        n_classes: how many of the shapes ``SHAPE_NAMES`` to use (1 to 4).
            Default: ``3``.
        noise: standard deviation of the Gaussian noise; pixels are then clipped
            to [0, 1]. Default: ``0.1``.
        gap: least distance in pixels between two objects' boxes (along x or y).
            Default: ``1.0``.
        radius: smallest and largest half size of a shape, as fractions of
            ``size`` (0.02 to 0.45). Default: ``(0.12, 0.22)``.
        clutter: thin line segments per image that are no object. Default: ``0``.
        seed: seed of the random generator; the same seed gives the same data.
            Default: ``0``.

    Shape:
        - images: (n, 1, size, size) float32 in [0, 1]
        - targets: n dicts, ``"boxes"`` (G, 4) float32 as (x1, y1, x2, y2) and
          ``"labels"`` (G,) int64

    Returns:
        ``(images, targets)``.

    Example:
        >>> from nnlib.data import make_detection_shapes
        >>> images, targets = make_detection_shapes(4, size=32, seed=0)
        >>> images.shape, images.dtype.name
        ((4, 1, 32, 32), 'float32')
        >>> sorted(targets[0]), targets[0]["boxes"].shape[1]
        (['boxes', 'labels'], 4)
    """
    args = _check_scene(
        "make_detection_shapes",
        n,
        size,
        max_objects,
        n_classes,
        noise,
        gap,
        seed,
        radius,
        clutter,
    )
    images, objects = _scenes(*args)
    targets = [
        {
            "boxes": np.array([_tight_box(m) for m in masks], np.float32).reshape(
                -1, 4
            ),
            "labels": labels,
        }
        for masks, labels in objects
    ]
    return images, targets


def make_segmentation_shapes(
    n: int,
    *,
    size: int = 32,
    max_objects: int = 3,
    n_classes: int = 3,
    noise: float = 0.1,
    gap: float = 1.0,
    radius: tuple[float, float] = _RADIUS,
    clutter: int = 0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Images of 1 to ``max_objects`` shapes each, with a class for every pixel.

    The same scenes as ``make_detection_shapes`` (same seed, same images), labelled
    per pixel: 0 is background and ``k + 1`` the shape ``SHAPE_NAMES[k]``, so a
    segmentation model has ``n_classes + 1`` outputs.

    Args:
        n: number of images.
        size: image height and width in pixels (>= 16). Default: ``32``.
        max_objects: most shapes in one image (each image draws 1 to this many).
            Default: ``3``.
        n_classes: how many of the shapes ``SHAPE_NAMES`` to use (1 to 4).
            Default: ``3``.
        noise: standard deviation of the Gaussian noise; pixels are then clipped
            to [0, 1]. Default: ``0.1``.
        gap: least distance in pixels between two objects' boxes. Default: ``1.0``.
        radius: smallest and largest half size of a shape, as fractions of
            ``size`` (0.02 to 0.45). Default: ``(0.12, 0.22)``.
        clutter: thin line segments per image that are no object (background in
            the masks). Default: ``0``.
        seed: seed of the random generator; the same seed gives the same data.
            Default: ``0``.

    Shape:
        - images: (n, 1, size, size) float32 in [0, 1]
        - masks: (n, size, size) int64 in 0..n_classes

    Returns:
        ``(images, masks)``.

    Example:
        >>> from nnlib.data import make_segmentation_shapes
        >>> images, masks = make_segmentation_shapes(4, size=32, seed=0)
        >>> images.shape, masks.shape, masks.dtype.name
        ((4, 1, 32, 32), (4, 32, 32), 'int64')
        >>> int(masks.max()) <= 3
        True
    """
    args = _check_scene(
        "make_segmentation_shapes",
        n,
        size,
        max_objects,
        n_classes,
        noise,
        gap,
        seed,
        radius,
        clutter,
    )
    images, objects = _scenes(*args)
    masks = np.zeros((images.shape[0], *images.shape[2:]), dtype=np.int64)
    for i, (object_masks, labels) in enumerate(objects):
        for mask, label in zip(object_masks, labels, strict=True):
            masks[i][mask] = label + 1  # objects never overlap
    return images, masks
