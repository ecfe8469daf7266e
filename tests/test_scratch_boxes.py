"""nnlib.scratch.boxes: IoU, non-maximum suppression and VOC mAP (chapter 13).

Hand-computed cases first, then properties (hypothesis), then torchvision as an
oracle where it is installed.
"""

import importlib.util

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnlib.scratch import (
    average_precision,
    average_precision_per_class,
    box_area,
    box_iou,
    match_detections,
    mean_average_precision,
    nms,
)

pytestmark = pytest.mark.ch13


def B(*rows):
    """Boxes from rows of four numbers, float64 (N, 4)."""
    return np.array(rows, dtype=np.float64).reshape(-1, 4)


# --- box_iou: hand-computed -----------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0, 0, 2, 2), (0, 0, 2, 2), 1.0),  # identical
        ((0, 0, 2, 2), (5, 5, 7, 7), 0.0),  # disjoint
        ((0, 0, 4, 4), (1, 1, 3, 3), 4 / 16),  # nested: inner area / outer area
        ((0, 0, 2, 2), (2, 0, 4, 2), 0.0),  # touching along an edge
        ((0, 0, 2, 2), (2, 2, 4, 4), 0.0),  # touching at a corner
        ((0, 0, 2, 2), (1, 1, 3, 3), 1 / 7),  # quarter overlap: 1 / (4 + 4 - 1)
        ((0, 0, 2, 1), (1, 0, 3, 1), 1 / 3),  # half of each: 1 / (2 + 2 - 1)
        ((0, 0, 0, 0), (0, 0, 0, 0), 0.0),  # two empty boxes: 0, not NaN
        ((1, 1, 1, 3), (0, 0, 2, 2), 0.0),  # a line has no area
    ],
)
def test_box_iou_hand_computed(a, b, expected):
    assert box_iou(B(a), B(b)) == pytest.approx(np.array([[expected]]), abs=1e-15)
    assert box_iou(B(b), B(a)) == pytest.approx(np.array([[expected]]), abs=1e-15)


def test_box_iou_is_a_table_of_every_pair():
    a = B((0, 0, 2, 2), (0, 0, 4, 4))
    b = B((0, 0, 2, 2), (1, 1, 3, 3), (10, 10, 11, 11))
    iou = box_iou(a, b)
    assert iou.shape == (2, 3)
    np.testing.assert_allclose(
        iou, [[1, 1 / 7, 0], [4 / 16, 4 / 16, 0]], rtol=0, atol=1e-15
    )
    assert box_iou(B(), b).shape == (0, 3) and box_iou(a, B()).shape == (2, 0)


def test_box_iou_follows_the_input_dtype_and_accepts_ints():
    a32 = B((0, 0, 2, 2)).astype(np.float32)
    assert box_iou(a32, a32).dtype == np.float32
    assert box_iou([[0, 0, 2, 2]], [[1, 1, 3, 3]])[0, 0] == pytest.approx(1 / 7)
    np.testing.assert_array_equal(box_area([[0, 0, 2, 3], [1, 1, 1, 5]]), [6, 0])


@pytest.mark.parametrize(
    ("a", "error", "match"),
    [
        (np.zeros((2, 3)), ValueError, r"box_iou expected a \(N, 4\), got \(2, 3\)"),
        (np.zeros(4), ValueError, r"expected a \(N, 4\), got \(4,\)"),
        (B((2, 0, 1, 1)), ValueError, r"x1 <= x2 and y1 <= y2, got a\[0\]"),
        (B((0, 0, 1, np.nan)), ValueError, "finite"),
        (np.array([["a", "b", "c", "d"]]), TypeError, "real-valued"),
    ],
)
def test_box_iou_refuses_bad_boxes(a, error, match):
    with pytest.raises(error, match=match):
        box_iou(a, B((0, 0, 1, 1)))


# --- box_iou: properties ----------------------------------------------------------


@st.composite
def boxes(draw, max_n=6):
    n = draw(st.integers(0, max_n))
    coords = st.floats(-50, 50, allow_nan=False, width=32)
    rows = []
    for _ in range(n):
        x = sorted(draw(st.tuples(coords, coords)))
        y = sorted(draw(st.tuples(coords, coords)))
        rows.append((x[0], y[0], x[1], y[1]))
    return B(*rows)


@given(boxes(), boxes())
def test_iou_is_symmetric_and_in_the_unit_interval(a, b):
    iou = box_iou(a, b)
    np.testing.assert_array_equal(iou, box_iou(b, a).T)
    assert ((iou >= 0) & (iou <= 1 + 1e-12)).all()


@given(boxes(), st.floats(-20, 20), st.floats(-20, 20), st.floats(0.5, 4))
def test_iou_does_not_change_when_both_boxes_move_or_scale(a, dx, dy, scale):
    moved = (a + np.array([dx, dy, dx, dy])) * scale
    np.testing.assert_allclose(box_iou(moved, moved), box_iou(a, a), atol=1e-9)


@given(boxes())
def test_a_box_with_area_overlaps_itself_fully(a):
    a = a[box_area(a) > 1e-3]
    np.testing.assert_allclose(np.diag(box_iou(a, a)), 1.0, rtol=1e-12)


# --- nms ----------------------------------------------------------------------------


def test_nms_keeps_the_best_of_each_cluster_sorted_by_score():
    boxes = B((0, 0, 10, 10), (20, 20, 30, 30), (1, 1, 11, 11), (21, 21, 31, 31))
    scores = np.array([0.6, 0.9, 0.8, 0.5])
    # (0) and (2) overlap by 81 / 119 = 0.68, (1) and (3) likewise
    np.testing.assert_array_equal(nms(boxes, scores), [1, 2])
    assert nms(boxes, scores).dtype == np.int64


def test_nms_breaks_ties_by_input_order():
    boxes = B((0, 0, 10, 10), (0, 0, 10, 10), (0, 0, 10, 10))
    np.testing.assert_array_equal(nms(boxes, np.array([0.5, 0.7, 0.7])), [1])
    separate = B((0, 0, 1, 1), (5, 5, 6, 6), (9, 9, 10, 10))
    np.testing.assert_array_equal(nms(separate, np.ones(3)), [0, 1, 2])


def test_nms_threshold_is_strict_and_has_its_extremes():
    boxes = B((0, 0, 2, 1), (1, 0, 3, 1))  # IoU exactly 1/3
    scores = np.array([0.9, 0.8])
    np.testing.assert_array_equal(nms(boxes, scores, iou_threshold=1 / 3), [0, 1])
    np.testing.assert_array_equal(nms(boxes, scores, iou_threshold=0.33), [0])
    np.testing.assert_array_equal(nms(boxes, scores, iou_threshold=1.0), [0, 1])
    touching = B((0, 0, 1, 1), (1, 0, 2, 1))
    np.testing.assert_array_equal(nms(touching, scores, iou_threshold=0.0), [0, 1])


def test_nms_of_nothing_is_nothing():
    kept = nms(B(), np.zeros(0))
    assert kept.shape == (0,) and kept.dtype == np.int64


@given(boxes(max_n=12), st.data(), st.floats(0, 1))
def test_nms_properties(boxes, data, threshold):
    n = len(boxes)
    scores = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    scores = scores.astype(np.float64)
    kept = nms(boxes, scores, iou_threshold=threshold)
    assert len(set(kept.tolist())) == len(kept)
    assert (np.diff(scores[kept]) <= 0).all()  # best first
    iou = box_iou(boxes, boxes)
    # no two kept boxes overlap by more than the threshold ...
    pair = iou[np.ix_(kept, kept)]
    assert (pair[~np.eye(len(kept), dtype=bool)] <= threshold).all()
    # ... and every dropped box overlaps a kept box that ranks above it
    rank = {i: r for r, i in enumerate(np.argsort(-scores, kind="stable"))}
    for i in sorted(set(range(n)) - set(kept.tolist())):
        assert any(iou[i, k] > threshold and rank[k] < rank[i] for k in kept)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"scores": np.zeros(3)}, ValueError, r"nms expected scores \(2,\)"),
        ({"scores": np.array([0.5, np.nan])}, ValueError, "finite scores"),
        ({"iou_threshold": 1.5}, ValueError, r"iou_threshold as a finite number in"),
        ({"iou_threshold": "0.5"}, TypeError, "iou_threshold as a number"),
    ],
)
def test_nms_refuses_bad_input(kwargs, error, match):
    args = {"boxes": B((0, 0, 1, 1), (0, 0, 2, 2)), "scores": np.array([0.5, 0.4])}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        nms(args.pop("boxes"), args.pop("scores"), **args)


def test_nms_options_are_keyword_only():
    with pytest.raises(TypeError):
        nms(B((0, 0, 1, 1)), np.ones(1), 0.5)


# --- matching and average precision ---------------------------------------------------


def test_a_second_detection_of_the_same_object_is_a_false_positive():
    truth = B((0, 0, 10, 10))
    boxes = B((0, 0, 10, 10), (0, 0, 10, 9))
    hits = match_detections(boxes, np.array([0.5, 0.9]), truth)
    # the higher-scoring one (index 1, IoU 0.9) claims the object first
    np.testing.assert_array_equal(hits, [False, True])


def test_matching_uses_the_iou_threshold_and_the_best_overlap():
    truth = B((0, 0, 10, 10), (20, 0, 30, 10))
    boxes = B((0, 0, 10, 20), (0, 0, 10, 21), (19, 0, 30, 10))
    # IoU 0.5 (a hit at >= 0.5), 100 / 210 < 0.5 (a miss), 100 / 110 (a hit)
    hits = match_detections(boxes, np.array([0.9, 0.8, 0.7]), truth)
    np.testing.assert_array_equal(hits, [True, False, True])
    assert not match_detections(boxes, np.ones(3), B()).any()  # no object: all false


def _ap_by_rank(scores, hits, n_positives):
    """A second witness: each hit at rank k adds (best precision at ranks >= k) / P."""
    ranked = hits[np.argsort(-scores, kind="stable")]
    precision = np.cumsum(ranked) / np.arange(1, len(ranked) + 1)
    return sum(precision[k:].max() for k in np.flatnonzero(ranked)) / n_positives


def test_average_precision_hand_computed():
    s = np.array([0.9, 0.8, 0.7])
    T, F = True, False
    assert average_precision(s, np.array([T, T, T]), 3) == 1.0
    # hit, miss, hit of 2 objects: 0.5 * 1 + 0.5 * 2/3
    assert average_precision(s, np.array([T, F, T]), 2) == pytest.approx(5 / 6)
    # miss, hit, hit: the envelope lifts the first step to 2/3
    assert average_precision(s, np.array([F, T, T]), 2) == pytest.approx(2 / 3)
    # one object of 4 found at the top: recall stops at 1/4
    assert average_precision(s, np.array([T, F, F]), 4) == pytest.approx(0.25)
    # the ranking, not the input order, counts
    shuffled = np.array([0.7, 0.9, 0.8])
    hits = np.array([True, True, False])
    assert average_precision(shuffled, hits, 2) == pytest.approx(5 / 6)


def test_average_precision_edge_cases():
    assert average_precision(np.zeros(0), np.zeros(0, dtype=bool), 3) == 0.0
    assert average_precision(np.ones(2), np.zeros(2, dtype=bool), 1) == 0.0
    assert np.isnan(average_precision(np.ones(2), np.zeros(2, dtype=bool), 0))
    # ties keep input order: a hit listed first ranks first
    assert average_precision(np.ones(2), np.array([True, False]), 1) == 1.0
    assert average_precision(np.ones(2), np.array([False, True]), 1) == 0.5


@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), max_size=20), st.data())
def test_average_precision_agrees_with_a_second_formula(rows, data):
    scores = np.array([float(s) for s, _ in rows])
    hits = np.array([h for _, h in rows], dtype=bool)
    n_positives = data.draw(st.integers(max(1, int(hits.sum())), 25))
    ap = average_precision(scores, hits, n_positives)
    assert 0 <= ap <= 1
    assert ap == pytest.approx(_ap_by_rank(scores, hits, n_positives), abs=1e-12)


def test_average_precision_refuses_bad_input():
    with pytest.raises(TypeError, match="hits as a bool array"):
        average_precision(np.ones(2), np.array([1, 0]), 1)
    with pytest.raises(ValueError, match="at most n_positives=1 true positives"):
        average_precision(np.ones(2), np.array([True, True]), 1)
    with pytest.raises(ValueError, match=r"scores \(2,\)"):
        average_precision(np.ones(3), np.array([True, True]), 2)
    with pytest.raises(ValueError, match="n_positives >= 0"):
        average_precision(np.ones(0), np.zeros(0, dtype=bool), -1)


# --- mean average precision over images ---------------------------------------------


def target(*rows, labels):
    return {"boxes": B(*rows), "labels": np.array(labels, dtype=np.int64)}


def pred(*rows, scores, labels):
    return {
        "boxes": B(*rows),
        "scores": np.array(scores, dtype=np.float64),
        "labels": np.array(labels, dtype=np.int64),
    }


def test_map_perfect_and_empty_predictions():
    targets = [target((0, 0, 4, 4), (5, 5, 9, 9), labels=[0, 1])]
    perfect = [pred((0, 0, 4, 4), (5, 5, 9, 9), scores=[0.9, 0.8], labels=[0, 1])]
    assert mean_average_precision(perfect, targets, n_classes=2) == 1.0
    nothing = [pred(scores=[], labels=[])]
    assert mean_average_precision(nothing, targets, n_classes=2) == 0.0


def test_map_counts_false_positives_on_images_without_objects():
    targets = [target((0, 0, 4, 4), labels=[0]), target(labels=[])]
    predictions = [
        pred((0, 0, 4, 4), scores=[0.6], labels=[0]),
        pred((5, 5, 8, 8), scores=[0.9], labels=[0]),  # nothing there to find
    ]
    # ranked: false positive, then the hit: precision 1/2 at recall 1
    assert mean_average_precision(predictions, targets, n_classes=1) == 0.5
    # scored below the hit, the same false positive costs nothing
    predictions[1]["scores"] = np.array([0.1])
    assert mean_average_precision(predictions, targets, n_classes=1) == 1.0


def test_map_a_class_never_predicted_counts_zero_a_class_never_present_is_left_out():
    targets = [target((0, 0, 4, 4), (5, 5, 9, 9), labels=[0, 1])]
    only_class_0 = [pred((0, 0, 4, 4), scores=[0.9], labels=[0])]
    ap = average_precision_per_class(only_class_0, targets, n_classes=3)
    np.testing.assert_array_equal(ap[:2], [1.0, 0.0])
    assert np.isnan(ap[2])  # class 2: no object anywhere
    assert mean_average_precision(only_class_0, targets, n_classes=3) == 0.5
    # a wrong-class detection does not find the object
    wrong = [pred((0, 0, 4, 4), (5, 5, 9, 9), scores=[0.9, 0.8], labels=[1, 0])]
    assert mean_average_precision(wrong, targets, n_classes=2) == 0.0
    no_objects = [target(labels=[])]
    assert np.isnan(mean_average_precision(only_class_0, no_objects, n_classes=1))


def test_map_pools_detections_of_all_images_before_ranking():
    targets = [target((0, 0, 4, 4), labels=[0]), target((0, 0, 4, 4), labels=[0])]
    predictions = [
        pred((0, 0, 4, 4), (10, 10, 12, 12), scores=[0.9, 0.8], labels=[0, 0]),
        pred((0, 0, 4, 4), scores=[0.7], labels=[0]),
    ]
    # ranked over both images: hit, miss, hit of 2 objects = 0.5 + 0.5 * 2/3
    assert mean_average_precision(predictions, targets, n_classes=1) == pytest.approx(
        5 / 6
    )
    loose = mean_average_precision(predictions, targets, n_classes=1, iou_threshold=0.0)
    assert loose == pytest.approx(5 / 6)


@pytest.mark.parametrize(
    ("predictions", "targets", "error", "match"),
    [
        ([], [target(labels=[])], ValueError, "one prediction per target image"),
        ([pred(scores=[], labels=[])], [{"labels": []}], TypeError, "'boxes'"),
        (
            [pred((0, 0, 1, 1), scores=[0.5], labels=[3])],
            [target(labels=[])],
            ValueError,
            r"labels in \[0, 2\)",
        ),
        (
            [{"boxes": B((0, 0, 1, 1)), "scores": [0.5], "labels": [0.0]}],
            [target(labels=[])],
            TypeError,
            "integer labels",
        ),
        (
            [pred((0, 0, 1, 1), scores=[0.5, 0.2], labels=[0])],
            [target(labels=[])],
            ValueError,
            r"scores \(1,\)",
        ),
    ],
)
def test_map_refuses_bad_input(predictions, targets, error, match):
    with pytest.raises(error, match=match):
        mean_average_precision(predictions, targets, n_classes=2)


def test_map_needs_n_classes_by_keyword():
    with pytest.raises(TypeError):
        mean_average_precision([], [], 0.5, 2)


# --- torchvision, where installed -----------------------------------------------------

needs_torchvision = pytest.mark.skipif(
    importlib.util.find_spec("torchvision") is None, reason="torchvision not installed"
)


@needs_torchvision
@given(boxes(max_n=10), boxes(max_n=10))
def test_box_iou_matches_torchvision(a, b):
    import torch
    from torchvision.ops import box_iou as tv_box_iou

    a, b = a[box_area(a) > 0], b[box_area(b) > 0]  # torchvision gives NaN for 0/0
    expected = tv_box_iou(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(box_iou(a, b), expected, rtol=1e-12, atol=1e-12)


@needs_torchvision
@given(boxes(max_n=12), st.data(), st.floats(0.05, 0.95))
def test_nms_matches_torchvision(boxes, data, threshold):
    import torch
    from torchvision.ops import nms as tv_nms

    boxes = boxes[box_area(boxes) > 0]
    n = len(boxes)
    # distinct scores: torchvision does not promise an order for ties
    scores = np.array(data.draw(st.permutations(range(n)))).astype(np.float64)
    expected = tv_nms(torch.from_numpy(boxes), torch.from_numpy(scores), threshold)
    np.testing.assert_array_equal(nms(boxes, scores, iou_threshold=threshold), expected)
