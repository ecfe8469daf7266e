"""Detection and segmentation scenes: format, determinism, tight boxes, masks."""

import numpy as np
import pytest

from nnlib.data import SHAPE_NAMES, make_detection_shapes, make_segmentation_shapes
from nnlib.scratch import box_iou

pytestmark = pytest.mark.ch13


def test_format_and_determinism():
    images, targets = make_detection_shapes(20, size=32, seed=3)
    assert images.shape == (20, 1, 32, 32) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert len(targets) == 20
    for t in targets:
        assert sorted(t) == ["boxes", "labels"]
        assert t["boxes"].dtype == np.float32 and t["labels"].dtype == np.int64
        assert t["boxes"].shape == (len(t["labels"]), 4)
    again, targets2 = make_detection_shapes(20, size=32, seed=3)
    np.testing.assert_array_equal(images, again)
    for t, u in zip(targets, targets2, strict=True):
        np.testing.assert_array_equal(t["boxes"], u["boxes"])
        np.testing.assert_array_equal(t["labels"], u["labels"])
    assert not np.array_equal(images, make_detection_shapes(20, seed=4)[0])
    seg_images, masks = make_segmentation_shapes(20, size=32, seed=3)
    np.testing.assert_array_equal(seg_images, images)  # the same scenes
    assert masks.shape == (20, 32, 32) and masks.dtype == np.int64


def test_object_counts_and_class_balance():
    _, targets = make_detection_shapes(300, size=32, max_objects=3, n_classes=3)
    counts = np.array([len(t["labels"]) for t in targets])
    assert counts.min() == 1 and counts.max() == 3
    assert (np.bincount(counts)[1:] > 60).all()  # 1, 2 and 3 objects all common
    labels = np.concatenate([t["labels"] for t in targets])
    per_class = np.bincount(labels, minlength=3)
    assert len(per_class) == 3 and per_class.max() - per_class.min() <= 1
    _, four = make_detection_shapes(40, n_classes=4)
    assert set(np.concatenate([t["labels"] for t in four]).tolist()) == {0, 1, 2, 3}


@pytest.mark.parametrize("size", [16, 32, 45])
def test_boxes_are_inside_the_image_and_tight_around_the_drawn_shapes(size):
    images, targets = make_detection_shapes(40, size=size, noise=0.0, seed=1)
    for image, t in zip(images[:, 0], targets, strict=True):
        ink = image >= 0.5  # pixels whose centre is inside a shape
        covered = np.zeros_like(ink)
        for x1, y1, x2, y2 in t["boxes"].astype(int):
            assert 0 <= x1 < x2 <= size and 0 <= y1 < y2 <= size
            crop = ink[y1:y2, x1:x2]
            # tight: the shape touches all four sides of its box
            assert crop[0].any() and crop[-1].any()
            assert crop[:, 0].any() and crop[:, -1].any()
            covered[y1:y2, x1:x2] = True
        assert not (ink & ~covered).any()  # no drawn shape outside every box
        assert (box_iou(t["boxes"], t["boxes"]) == np.eye(len(t["boxes"]))).all()


def test_two_objects_never_share_a_grid_cell_of_eight_pixels():
    _, targets = make_detection_shapes(200, size=32, max_objects=3, seed=2)
    for t in targets:
        b = t["boxes"]
        cells = {
            (int((x1 + x2) / 2 // 8), int((y1 + y2) / 2 // 8)) for x1, y1, x2, y2 in b
        }
        assert len(cells) == len(b)


def test_masks_agree_with_images_and_boxes():
    images, masks = make_segmentation_shapes(30, size=32, noise=0.0, seed=5)
    _, targets = make_detection_shapes(30, size=32, noise=0.0, seed=5)
    np.testing.assert_array_equal(masks > 0, images[:, 0] >= 0.5)
    for mask, t in zip(masks, targets, strict=True):
        for (x1, y1, x2, y2), label in zip(
            t["boxes"].astype(int), t["labels"], strict=True
        ):
            inside = mask[y1:y2, x1:x2]
            assert set(np.unique(inside[inside > 0]).tolist()) == {label + 1}
    noisy, noisy_masks = make_segmentation_shapes(30, size=32, noise=0.2, seed=5)
    np.testing.assert_array_equal(noisy_masks, masks)  # noise does not move objects
    assert np.abs(noisy - images).mean() > 0.05


def test_class_shapes_look_as_named():
    _, masks = make_segmentation_shapes(60, size=48, noise=0.0, n_classes=4)
    _, targets = make_detection_shapes(60, size=48, noise=0.0, n_classes=4)
    fill = {name: [] for name in SHAPE_NAMES}  # share of its box a shape covers
    for mask, t in zip(masks, targets, strict=True):
        for (x1, y1, x2, y2), label in zip(
            t["boxes"].astype(int), t["labels"], strict=True
        ):
            crop = mask[y1:y2, x1:x2]
            fill[SHAPE_NAMES[label]].append((crop == label + 1).mean())
    # ideal: square 1, circle pi/4 = 0.79, cross 5/9 = 0.56, triangle 1/2
    assert min(fill["square"]) > 0.99
    assert 0.7 < min(fill["circle"]) and max(fill["circle"]) < 0.85
    assert max(fill["cross"]) < 0.7
    assert max(fill["triangle"]) < 0.65


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n": 0}, ValueError),
        ({"n": 2.0}, TypeError),
        ({"n": 2, "size": 8}, ValueError),
        ({"n": 2, "max_objects": 0}, ValueError),
        ({"n": 2, "n_classes": 5}, ValueError),
        ({"n": 2, "noise": -0.1}, ValueError),
        ({"n": 2, "noise": float("nan")}, ValueError),
        ({"n": 2, "seed": -1}, ValueError),
        ({"n": 2, "gap": "1"}, TypeError),
    ],
)
@pytest.mark.parametrize("make", [make_detection_shapes, make_segmentation_shapes])
def test_bad_arguments_are_refused(make, kwargs, error):
    with pytest.raises(error, match=f"{make.__name__} expected"):
        make(**kwargs)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        make_detection_shapes(4, 32)
    with pytest.raises(TypeError):
        make_segmentation_shapes(4, 32)


# --- harder scenes: a range of sizes and clutter that is no object ---------------


def test_defaults_are_the_explicit_options():
    plain, targets = make_detection_shapes(10, seed=6)
    same, again = make_detection_shapes(10, radius=(0.12, 0.22), clutter=0, seed=6)
    np.testing.assert_array_equal(plain, same)
    for t, u in zip(targets, again, strict=True):
        np.testing.assert_array_equal(t["boxes"], u["boxes"])


def test_clutter_adds_strokes_but_moves_no_object():
    kwargs = {"size": 32, "noise": 0.0, "seed": 7}
    plain, targets = make_detection_shapes(30, **kwargs)
    cluttered, targets2 = make_detection_shapes(30, clutter=3, **kwargs)
    for t, u in zip(targets, targets2, strict=True):  # the same objects
        np.testing.assert_array_equal(t["boxes"], u["boxes"])
        np.testing.assert_array_equal(t["labels"], u["labels"])
    assert (cluttered >= plain).all()  # strokes are drawn over, never under
    extra = (cluttered - plain)[:, 0] > 0.25  # pixels the strokes brightened
    assert extra.sum(axis=(1, 2)).min() >= 10  # every image got visible strokes
    _, masks = make_segmentation_shapes(30, **kwargs)
    _, cluttered_masks = make_segmentation_shapes(30, clutter=3, **kwargs)
    np.testing.assert_array_equal(masks, cluttered_masks)  # strokes are background
    again, _ = make_detection_shapes(30, clutter=3, **kwargs)
    np.testing.assert_array_equal(again, cluttered)  # seeded


def test_radius_sets_the_range_of_object_sizes():
    size, low, high = 40, 0.06, 0.3
    _, targets = make_detection_shapes(
        200, size=size, radius=(low, high), noise=0.0, seed=8
    )
    boxes = np.concatenate([t["boxes"] for t in targets])
    sides = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    # a shape of half size r spans about 2r pixels (+-1 for the pixel grid)
    assert sides.min() >= 2 * low * size - 1 and sides.max() <= 2 * high * size + 1
    assert sides.min() < 2 * 0.12 * size - 1  # smaller than the default allows
    assert sides.max() > 2 * 0.22 * size + 1  # and larger


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"radius": 0.1}, TypeError),
        ({"radius": (0.1, 0.2, 0.3)}, TypeError),
        ({"radius": (0.2, 0.1)}, ValueError),
        ({"radius": (0.0, 0.1)}, ValueError),
        ({"radius": (0.1, 0.5)}, ValueError),
        ({"clutter": -1}, ValueError),
        ({"clutter": 1.5}, TypeError),
    ],
)
def test_bad_harder_options_are_refused(kwargs, error):
    with pytest.raises(error, match="make_detection_shapes expected"):
        make_detection_shapes(2, **kwargs)
