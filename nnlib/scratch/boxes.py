"""Boxes for object detection: overlap (IoU), non-maximum suppression and mAP.

Letters: N and M numbers of boxes, K detections, G ground-truth boxes.

A box is four numbers ``(x1, y1, x2, y2)``: left, top, right, bottom, in pixels, with
x along the columns and y down the rows (as torchvision writes them); a pixel's box
is ``(c, r, c + 1, r + 1)``. Three steps turn a detector's many guesses into a score:

1. ``box_iou``: intersection over union, $|A \\cap B| / |A \\cup B|$, in [0, 1].
2. ``nms``: keep the best-scoring box, drop every other box that overlaps it by more
   than ``iou_threshold``, repeat (one box per object instead of a cloud of them).
3. ``mean_average_precision``: the PASCAL VOC measure (Everingham et al., 2010). For
   each class, detections from all images are ranked by score; one counts as a true
   positive if its best-overlapping ground-truth box of that class has IoU >= the
   threshold and was not already claimed by a higher-scoring detection
   (``match_detections``). The area under the precision-recall curve
   (``average_precision``) is averaged over classes. Predictions and targets are
   one dict per image, in torchvision's format.

``box_iou`` and ``nms`` give the same results as ``torchvision.ops.box_iou`` and
``torchvision.ops.nms``. Numpy only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from nnlib._checks import check_int, check_number, check_shape, format_shape

# --- one image --------------------------------------------------------------------


def _check_boxes(where: str, boxes: object, *, name: str = "boxes") -> np.ndarray:
    """(N, 4) finite boxes with x1 <= x2 and y1 <= y2."""
    boxes = check_shape(where, boxes, ("N", 4), name=name)
    if not np.isfinite(boxes).all():
        raise ValueError(f"{where} expected finite {name}, got NaN or inf")
    bad = (boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{where} expected {name} as (x1, y1, x2, y2) with x1 <= x2 and "
            f"y1 <= y2, got {name}[{i}] = {boxes[i].tolist()}"
        )
    return boxes


def box_area(boxes: np.ndarray) -> np.ndarray:
    """Area of each box, $(x_2 - x_1)(y_2 - y_1)$.

    Args:
        boxes: boxes as ``(x1, y1, x2, y2)``.

    Shape:
        - boxes: (N, 4)
        - Output: (N,)

    Returns:
        The areas, in the boxes' float dtype.

    Example:
        >>> import numpy as np
        >>> from nnlib.scratch import box_area
        >>> box_area(np.array([[0, 0, 2, 3], [1, 1, 1, 5]]))
        array([6., 0.])
    """
    boxes = _check_boxes("box_area", boxes)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every box in ``a`` with every box in ``b``.

    $\\mathrm{IoU}(A, B) = |A \\cap B| / (|A| + |B| - |A \\cap B|)$. Boxes that only
    touch along an edge have IoU 0; two empty boxes (zero area) also give 0.

    Args:
        a: boxes as ``(x1, y1, x2, y2)``.
        b: boxes as ``(x1, y1, x2, y2)``.

    Shape:
        - a: (N, 4), b: (M, 4)
        - Output: (N, M)

    Returns:
        ``iou[i, j]``, the IoU of ``a[i]`` and ``b[j]``, in [0, 1].

    Example:
        >>> import numpy as np
        >>> from nnlib.scratch import box_iou
        >>> a = np.array([[0, 0, 2, 2]])
        >>> b = np.array([[1, 1, 3, 3], [0, 0, 2, 2], [2, 0, 4, 2]])
        >>> box_iou(a, b).round(4)  # a quarter overlap: 1 / (4 + 4 - 1)
        array([[0.1429, 1.    , 0.    ]])
    """
    a = _check_boxes("box_iou", a, name="a")
    b = _check_boxes("box_iou", b, name="b")
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])  # (N,)
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])  # (M,)
    # the intersection of two boxes is a box: largest left/top, smallest right/bottom
    # (N, 1, 2) against (1, M, 2) -> (N, M, 2)
    left_top = np.maximum(a[:, None, :2], b[None, :, :2])
    right_bottom = np.minimum(a[:, None, 2:], b[None, :, 2:])  # (N, M, 2)
    wh = np.clip(right_bottom - left_top, 0, None)  # no overlap: width or height 0
    inter = wh[..., 0] * wh[..., 1]  # (N, M)
    union = area_a[:, None] + area_b[None, :] - inter  # (N, 1) + (1, M) -> (N, M)
    iou = np.zeros_like(inter)
    np.divide(inter, union, out=iou, where=union > 0)  # two empty boxes: 0, not NaN
    return iou


def _check_scores(where: str, scores: object, n: int) -> np.ndarray:
    """(n,) finite scores (a NaN would make the ranking meaningless)."""
    scores = check_shape(where, scores, ("N",), name="scores")
    if scores.shape[0] != n:
        raise ValueError(
            f"{where} expected scores ({n},), one per box, "
            f"got {format_shape(scores.shape)}"
        )
    if not np.isfinite(scores).all():
        raise ValueError(f"{where} expected finite scores, got NaN or inf")
    return scores


def _rank(scores: np.ndarray) -> np.ndarray:
    """Indices from the highest score down; equal scores keep their input order."""
    return np.argsort(-scores, kind="stable")


def nms(
    boxes: np.ndarray, scores: np.ndarray, *, iou_threshold: float = 0.5
) -> np.ndarray:
    """Non-maximum suppression: the boxes that survive, best first.

    Greedy, as in Girshick et al. (R-CNN, 2014) and ``torchvision.ops.nms``: take the
    highest-scoring box left, keep it, and discard every remaining box whose IoU with
    it is greater than ``iou_threshold``; repeat until no box is left. Equal scores
    keep their input order (a stable sort), so the result is reproducible.

    Args:
        boxes: boxes as ``(x1, y1, x2, y2)``.
        scores: one confidence per box.
        iou_threshold: boxes overlapping a kept box by more than this are dropped.
            Default: ``0.5``.

    Shape:
        - boxes: (N, 4), scores: (N,)
        - Output: (K,) int64, K <= N

    Returns:
        Indices into ``boxes`` of the kept boxes, sorted by decreasing score.

    Example:
        >>> import numpy as np
        >>> from nnlib.scratch import nms
        >>> boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]])
        >>> nms(boxes, np.array([0.9, 0.8, 0.7]), iou_threshold=0.5)
        array([0, 2])
    """
    boxes = _check_boxes("nms", boxes)
    scores = _check_scores("nms", scores, boxes.shape[0])
    threshold = check_number("nms", "iou_threshold", iou_threshold, low=0.0, high=1.0)
    order = _rank(scores)  # (N,) candidates, best first
    iou = box_iou(boxes, boxes)  # (N, N): all pairs at once (N is small here)
    alive = np.ones(len(order), dtype=bool)  # alive[r]: candidate order[r] not dropped
    keep = []
    for r, i in enumerate(order):
        if not alive[r]:
            continue
        keep.append(i)
        alive[r + 1 :] &= iou[i, order[r + 1 :]] <= threshold  # drop its overlaps
    return np.asarray(keep, dtype=np.int64)


# --- ranking detections --------------------------------------------------------


def match_detections(
    boxes: np.ndarray,
    scores: np.ndarray,
    true_boxes: np.ndarray,
    *,
    iou_threshold: float = 0.5,
) -> np.ndarray:
    """Mark each detection of one class in one image as a true or false positive.

    Detections are taken from the highest score down (ties in input order). Each one
    looks at the ground-truth box it overlaps most: if that IoU is >= ``iou_threshold``
    and the box is still unclaimed, the detection claims it (true positive);
    otherwise it is a false positive, including a second detection of an object
    already found (the PASCAL VOC rule).

    Args:
        boxes: detected boxes ``(x1, y1, x2, y2)``.
        scores: their confidences.
        true_boxes: the ground-truth boxes of the same class.
        iou_threshold: the least IoU that counts as a hit (0.5 for mAP@0.5).
            Default: ``0.5``.

    Shape:
        - boxes: (K, 4), scores: (K,), true_boxes: (G, 4)
        - Output: (K,) bool, in the order of ``boxes``

    Returns:
        ``hit[k]``: True if detection ``k`` is a true positive.

    Example:
        >>> import numpy as np
        >>> from nnlib.scratch import match_detections
        >>> true_boxes = np.array([[0, 0, 10, 10]])
        >>> boxes = np.array([[0, 0, 10, 10], [1, 0, 10, 10], [50, 50, 60, 60]])
        >>> match_detections(boxes, np.array([0.5, 0.9, 0.8]), true_boxes).tolist()
        [False, True, False]
    """
    where = "match_detections"
    boxes = _check_boxes(where, boxes)
    scores = _check_scores(where, scores, boxes.shape[0])
    true_boxes = _check_boxes(where, true_boxes, name="true_boxes")
    threshold = check_number(where, "iou_threshold", iou_threshold, low=0.0, high=1.0)
    hit = np.zeros(boxes.shape[0], dtype=bool)
    if true_boxes.shape[0] == 0:
        return hit  # nothing to find: every detection is a false positive
    iou = box_iou(boxes, true_boxes)  # (K, G)
    claimed = np.zeros(true_boxes.shape[0], dtype=bool)
    for k in _rank(scores):
        g = int(np.argmax(iou[k]))  # the best-overlapping object (first on ties)
        if iou[k, g] >= threshold and not claimed[g]:
            claimed[g] = True
            hit[k] = True
    return hit


def average_precision(scores: np.ndarray, hits: np.ndarray, n_positives: int) -> float:
    """Area under the precision-recall curve, all-point interpolated (VOC 2010+).

    Detections are ranked by score (ties in input order). After the top r of them,
    recall is (true positives so far) / ``n_positives`` and precision (true
    positives so far) / r. Precision is first made non-increasing from the right,
    $p(r) = \\max_{r' \\ge r} p(r')$, then summed over the steps in recall:
    $\\mathrm{AP} = \\sum_i (R_i - R_{i-1})\\, p(R_i)$. This is the all-point
    interpolation of VOC 2010 onwards, not the 11-point one of VOC 2007.

    Args:
        scores: confidences of every detection of one class, over all images.
        hits: whether each detection is a true positive (``match_detections``).
        n_positives: how many ground-truth objects of that class exist.

    Shape:
        - scores: (K,), hits: (K,)

    Returns:
        AP in [0, 1]; 0 if nothing was detected; NaN if ``n_positives`` is 0 (there
        is nothing to recall; ``mean_average_precision`` leaves such classes out).

    Example:
        >>> import numpy as np
        >>> from nnlib.scratch import average_precision
        >>> # ranked hit, miss, hit with 2 objects: precision 1 up to recall 0.5,
        >>> # then 2/3 up to recall 1, so AP = 0.5 * 1 + 0.5 * 2/3
        >>> round(average_precision(np.array([0.9, 0.8, 0.7]),
        ...                         np.array([True, False, True]), 2), 4)
        0.8333
    """
    where = "average_precision"
    n_positives = check_int(where, "n_positives", n_positives, minimum=0)
    hits = np.asarray(hits)
    if hits.dtype != bool:
        raise TypeError(
            f"{where} expected hits as a bool array, got dtype {hits.dtype}"
        )
    if hits.ndim != 1:
        raise ValueError(f"{where} expected hits (K,), got {format_shape(hits.shape)}")
    scores = _check_scores(where, scores, hits.shape[0])
    if int(hits.sum()) > n_positives:
        raise ValueError(
            f"{where} expected at most n_positives={n_positives} true positives, "
            f"got {int(hits.sum())}"
        )
    if n_positives == 0:
        return float("nan")
    ranked = hits[_rank(scores)]  # (K,) true/false positives, best score first
    tp = np.cumsum(ranked)  # true positives among the top r, r = 1..K
    recall = tp / n_positives
    precision = tp / np.arange(1, len(ranked) + 1)
    # sentinels: recall starts at 0 and the curve ends with precision 0
    recall = np.concatenate([[0.0], recall, [1.0]])
    precision = np.concatenate([[0.0], precision, [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]  # envelope from the right
    steps = np.flatnonzero(recall[1:] != recall[:-1])  # where recall changes
    return float(np.sum((recall[steps + 1] - recall[steps]) * precision[steps + 1]))


# --- a data set -------------------------------------------------------------------


def _get(where: str, record: object, key: str, i: int) -> np.ndarray:
    if not isinstance(record, Mapping) or key not in record:
        raise TypeError(
            f"{where} expected each image as a dict with {key!r}, got "
            f"{type(record).__name__} at index {i}"
        )
    return record[key]


def _labels(where: str, labels: object, n: int, n_classes: int, i: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.size and labels.dtype.kind not in "iu":  # an empty [] is fine
        raise TypeError(f"{where} expected integer labels, got dtype {labels.dtype}")
    if labels.shape != (n,):
        raise ValueError(
            f"{where} expected labels ({n},), one per box, got "
            f"{format_shape(labels.shape)} at image {i}"
        )
    if n and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"{where} expected labels in [0, {n_classes}), got values from "
            f"{labels.min()} to {labels.max()} at image {i}"
        )
    return labels


def average_precision_per_class(
    predictions: Sequence[Mapping[str, np.ndarray]],
    targets: Sequence[Mapping[str, np.ndarray]],
    *,
    iou_threshold: float = 0.5,
    n_classes: int,
) -> np.ndarray:
    """VOC average precision of each class over a data set of images.

    Args:
        predictions: one dict per image with ``"boxes"`` (K, 4), ``"scores"`` (K,)
            and integer ``"labels"`` (K,) (the format of torchvision's detectors).
        targets: one dict per image with ``"boxes"`` (G, 4) and ``"labels"`` (G,).
        iou_threshold: the least IoU that counts as a hit. Default: ``0.5``.
        n_classes: labels run from 0 to ``n_classes - 1``.

    Shape:
        - Output: (n_classes,)

    Returns:
        AP of each class (see ``average_precision``); NaN for a class with no
        ground-truth box in any image, 0 for a class that has objects but was
        never detected.

    Example:
        >>> import numpy as np
        >>> from nnlib.scratch import average_precision_per_class
        >>> targets = [{"boxes": np.array([[0, 0, 4, 4]]), "labels": np.array([1])}]
        >>> predictions = [{"boxes": np.array([[0, 0, 4, 4]]),
        ...                 "scores": np.array([0.9]), "labels": np.array([1])}]
        >>> average_precision_per_class(predictions, targets, n_classes=2).tolist()
        [nan, 1.0]
    """
    where = "average_precision_per_class"
    n_classes = check_int(where, "n_classes", n_classes)
    check_number(where, "iou_threshold", iou_threshold, low=0.0, high=1.0)
    if len(predictions) != len(targets):
        raise ValueError(
            f"{where} expected one prediction per target image, got "
            f"{len(predictions)} predictions and {len(targets)} targets"
        )
    scores = [[] for _ in range(n_classes)]  # per class: scores of all detections
    hits = [[] for _ in range(n_classes)]  # ... and whether each is a true positive
    n_positives = np.zeros(n_classes, dtype=np.int64)
    for i, (pred, true) in enumerate(zip(predictions, targets, strict=True)):
        boxes = _check_boxes(where, _get(where, pred, "boxes", i))
        score = _check_scores(where, _get(where, pred, "scores", i), len(boxes))
        label = _labels(where, _get(where, pred, "labels", i), len(boxes), n_classes, i)
        true_boxes = _check_boxes(
            where, _get(where, true, "boxes", i), name="true boxes"
        )
        true_label = _labels(
            where, _get(where, true, "labels", i), len(true_boxes), n_classes, i
        )
        for c in range(n_classes):
            mine, theirs = label == c, true_label == c
            n_positives[c] += int(theirs.sum())
            hit = match_detections(
                boxes[mine],
                score[mine],
                true_boxes[theirs],
                iou_threshold=iou_threshold,
            )
            scores[c].append(score[mine])
            hits[c].append(hit)
    return np.array(
        [
            average_precision(
                np.concatenate(scores[c]), np.concatenate(hits[c]), int(n_positives[c])
            )
            for c in range(n_classes)
        ]
    )


def mean_average_precision(
    predictions: Sequence[Mapping[str, np.ndarray]],
    targets: Sequence[Mapping[str, np.ndarray]],
    *,
    iou_threshold: float = 0.5,
    n_classes: int,
) -> float:
    """mAP: VOC average precision (all-point interpolation), averaged over classes.

    With the default threshold this is mAP@0.5 as in PASCAL VOC 2010-2012. Classes
    without any ground-truth box are left out of the mean; a class that has objects
    but was never predicted counts with AP 0. An image without objects still counts:
    every detection on it is a false positive.

    Args:
        predictions: one dict per image with ``"boxes"`` (K, 4), ``"scores"`` (K,)
            and integer ``"labels"`` (K,).
        targets: one dict per image with ``"boxes"`` (G, 4) and ``"labels"`` (G,).
        iou_threshold: the least IoU that counts as a hit. Default: ``0.5``.
        n_classes: labels run from 0 to ``n_classes - 1``.

    Shape:
        - predictions, targets: sequences of the same length (the images)

    Returns:
        mAP in [0, 1], or NaN if no image has any ground-truth box.

    Example:
        >>> import numpy as np
        >>> from nnlib.scratch import mean_average_precision
        >>> targets = [{"boxes": np.array([[0, 0, 4, 4]]), "labels": np.array([0])},
        ...            {"boxes": np.zeros((0, 4)), "labels": np.array([], dtype=int)}]
        >>> predictions = [
        ...     {"boxes": np.array([[0, 0, 4, 4]]), "scores": np.array([0.6]),
        ...      "labels": np.array([0])},
        ...     {"boxes": np.array([[5, 5, 8, 8]]), "scores": np.array([0.9]),
        ...      "labels": np.array([0])}]
        >>> mean_average_precision(predictions, targets, n_classes=1)  # miss, then hit
        0.5
    """
    ap = average_precision_per_class(
        predictions, targets, iou_threshold=iou_threshold, n_classes=n_classes
    )
    found = ~np.isnan(ap)
    return float(ap[found].mean()) if found.any() else float("nan")
