"""Chapter 13 tasks: the overlap of two boxes, non-maximum suppression, a U-Net
trained to a stated mean IoU, and what a 3D convolution sees that a per-frame CNN
cannot.

References: ``box_iou`` and ``nms`` from ``nnlib.scratch`` (the same results as
torchvision's). ``13.train_unet`` (train) is judged on the validation scenes in the
notebook and, in the batch grader, on held-out scenes generated from the case seed
(the instructor's secret there), so no shipped file and no self-check holds them;
its probe reuses the budget machinery of ``_train``. ``13.motion_direction``
(measure) within tolerances set from the solution's spread over seeds (below).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from nnlib.data import make_segmentation_shapes
from nnlib.measured import measured
from nnlib.scratch import box_iou as _box_iou
from nnlib.scratch import nms as _nms
from nnlib.scratch.functional import confusion_matrix

from ..compare import TRANSPOSED, variant
from ..spec import Case, TaskSpec
from ._measure import Choice, Quantity, measure_task
from ._train import _scores, not_trained, over_budget, run_training

# IoU is a ratio of sums and products of a few numbers below 100: float64 gets it
# to about 1e-15; 1e-9 leaves room for any order of the operations.
RTOL, ATOL = 1e-9, 1e-12

# ----------------------------------------------------------------- box_iou


def _corners(boxes: np.ndarray) -> np.ndarray:
    """(x, y, w, h) -> (x1, y1, x2, y2): the far corner is the near one plus size."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return np.concatenate([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]], axis=1)


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Reference: IoU of every (x, y, w, h) box of ``a`` with every one of ``b``."""
    return _box_iou(_corners(a), _corners(b))


def _iou_of_corners(
    a: np.ndarray, b: np.ndarray, *, plus_one: bool = False, subtract: bool = True
) -> np.ndarray:
    """The IoU formula written out on (x1, y1, x2, y2) boxes, with the two common
    slips as switches (the mistakes below; the reference is ``nnlib.scratch``)."""
    one = 1.0 if plus_one else 0.0
    area_a = (a[:, 2] - a[:, 0] + one) * (a[:, 3] - a[:, 1] + one)  # (N,)
    area_b = (b[:, 2] - b[:, 0] + one) * (b[:, 3] - b[:, 1] + one)  # (M,)
    left_top = np.maximum(a[:, None, :2], b[None, :, :2])  # (N, M, 2)
    right_bottom = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(right_bottom - left_top + one, 0, None)
    inter = wh[..., 0] * wh[..., 1]  # (N, M)
    union = area_a[:, None] + area_b[None, :] - (inter if subtract else 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def _read_as_corners(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _iou_of_corners(np.asarray(a, float), np.asarray(b, float))


def _plus_one(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _iou_of_corners(_corners(a), _corners(b), plus_one=True)


def _union_not_subtracted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _iou_of_corners(_corners(a), _corners(b), subtract=False)


def _xywh(rng: np.random.Generator, n: int) -> np.ndarray:
    """Boxes whose numbers also pass for corners (w > x, h > y), so that reading
    them wrongly gives valid, different boxes: the mistake shows in the values."""
    xy = rng.integers(0, 6, size=(n, 2))
    wh = rng.integers(6, 14, size=(n, 2))
    return np.concatenate([xy, wh], axis=1).astype(np.float64)


def _iou_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("3 boxes against 2", (_xywh(rng, 3), _xywh(rng, 2))),
        Case(
            "a box against itself, a quarter overlap and a neighbour",
            (
                np.array([[0.0, 0.0, 4.0, 4.0]]),
                np.array([[0.0, 0.0, 4.0, 4.0], [2, 2, 4, 4], [4, 0, 4, 4]]),
            ),
        ),
        Case(
            "one box inside another",
            (np.array([[1.0, 1.0, 2.0, 3.0]]), np.array([[0.0, 0.0, 8.0, 8.0]])),
        ),
        Case(
            "far apart",
            (np.array([[0.0, 0.0, 2.0, 2.0]]), np.array([[10.0, 10.0, 3.0, 3.0]])),
        ),
        Case(
            "empty boxes (width 0): IoU 0, also for two of them",
            (
                np.array([[1.0, 1.0, 0.0, 5.0]]),
                np.array([[1, 1, 0, 5], [0, 0, 4, 4.0]]),
            ),
        ),
        Case(
            "fractional pixels",
            (_xywh(rng, 4) + rng.uniform(0, 1, (4, 4)), _xywh(rng, 3)),
        ),
    ]


# --------------------------------------------------------------------- nms


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Reference: indices of the boxes greedy NMS keeps, best first."""
    return _nms(
        np.asarray(boxes, dtype=np.float64).reshape(-1, 4),
        np.asarray(scores, dtype=np.float64),
        iou_threshold=iou_threshold,
    )


def _greedy(boxes, scores, threshold, *, at_threshold=False, dropped_count=False):
    """Greedy NMS with the common slips as switches (the mistakes below)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    iou = _box_iou(boxes, boxes)
    keep: list[int] = []
    for r, i in enumerate(order):
        rivals = order[:r] if dropped_count else keep  # whom box i is compared with
        overlaps = iou[i, rivals]
        hit = overlaps >= threshold if at_threshold else overlaps > threshold
        if not hit.any():
            keep.append(int(i))
    return np.asarray(keep, dtype=np.int64)


def _drops_at_threshold(boxes, scores, iou_threshold):
    return _greedy(boxes, scores, iou_threshold, at_threshold=True)


def _dropped_still_suppress(boxes, scores, iou_threshold):
    return _greedy(boxes, scores, iou_threshold, dropped_count=True)


def _input_order(boxes, scores, iou_threshold):
    return np.sort(nms(boxes, scores, iou_threshold))


def _clusters(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Three objects, each found several times with jittered boxes."""
    centres = np.array([[10.0, 10.0], [30.0, 12.0], [20.0, 30.0]])
    boxes = []
    for cx, cy in centres:
        for _ in range(4):
            x, y = cx + rng.normal(0, 1.5), cy + rng.normal(0, 1.5)
            half = rng.uniform(4, 6)
            boxes.append([x - half, y - half, x + half, y + half])
    boxes = np.array(boxes)
    order = rng.permutation(len(boxes))
    return boxes[order], rng.uniform(0.1, 1.0, len(boxes))


def _nms_cases(rng: np.random.Generator) -> list[Case]:
    chain = np.array([[0.0, 0, 10, 10], [3, 0, 13, 10], [7, 0, 17, 10]])
    half = np.array([[0.0, 0, 4, 4], [0, 0, 4, 2], [0, 0, 4, 1]])  # IoU 1/2, 1/4
    twins = np.array([[0.0, 0, 4, 4], [0, 0, 4, 4], [10, 10, 12, 12], [10, 10, 12, 12]])
    boxes, scores = _clusters(rng)
    return [
        Case(
            "a chain: the middle box is dropped, so it drops nothing",
            (chain, np.array([0.9, 0.8, 0.7]), 0.3),
        ),
        Case("three objects found four times each", (boxes, scores, 0.5)),
        Case(
            "an IoU equal to the threshold is kept",
            (half, np.array([0.9, 0.8, 0.7]), 0.5),
        ),
        Case(
            "scores out of order",
            (chain[::-1].copy(), np.array([0.2, 0.9, 0.5]), 0.3),
        ),
        Case(
            "equal scores: the earlier box wins",
            (twins, np.array([0.5, 0.5, 0.7, 0.7]), 0.5),
        ),
        Case("a single box", (np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([0.3]), 0.5)),
        Case("no boxes at all", (np.zeros((0, 4)), np.zeros(0), 0.5)),
    ]


# ------------------------------------------------------------ train a U-Net

TRAIN_BUDGET = 60.0  # seconds; the solution trains in about 12 s of CPU time here
# how far another CPU's run lands: 0.942 here, 0.977 with torch's plain kernels
IOU_SPREAD = 0.05
MIOU_GOAL = 0.85
# Held-out scenes are 200 new images. The solution's model scored 0.977 on
# validation and 0.978-0.981 on five held-out sets (benchmarks/chapter13_tolerances.py):
# one set of new scenes moved the score by about 0.003 there, but a batch-grader
# run with a secret seed gave 0.925, so the spread is larger than those five sets
# show. 0.83 stays far below both and far above what a U-Net without skip
# connections reaches (about 0.65 in the lecture).
HELD_OUT_MIOU = 0.83
N_CLASSES = 4  # background and the three shapes
SCENES = {"size": 32, "n_classes": 3}
N_TRAIN, N_VAL, N_HELD_OUT = 1000, 200, 200
TRAIN_SEED, VAL_SEED = 11, 12  # the exercises' scenes; the lecture uses 0 and 1
# what makes scenes: a training function must learn from the arrays it is given
SCENE_MAKERS = (
    "nnlib.data.make_segmentation_shapes",
    "nnlib.data.make_detection_shapes",
)


@cache
def segmentation_split() -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The exercises' training and validation scenes: ((X, masks), (X, masks))."""
    return (
        make_segmentation_shapes(N_TRAIN, seed=TRAIN_SEED, **SCENES),
        make_segmentation_shapes(N_VAL, seed=VAL_SEED, **SCENES),
    )


def mean_iou(pred: np.ndarray, true: np.ndarray, n_classes: int = N_CLASSES) -> float:
    """IoU of each class over all pixels of all images, averaged over the classes.

    From the confusion matrix C: class k's IoU is C[k, k] over (row k + column k
    - C[k, k]), pixels that are k in the truth or the prediction.
    """
    C = confusion_matrix(true, pred, n_classes)  # (K, K) pixel counts
    inter = np.diag(C).astype(np.float64)
    union = C.sum(axis=0) + C.sum(axis=1) - inter
    return float(np.mean(inter[union > 0] / union[union > 0]))


def score_map_labels(model: Any, X: np.ndarray) -> dict:
    """The class of the largest score per pixel (M, H, W), one byte each, or the
    shape of what the model gave instead."""
    scores = np.asarray(_scores(model, X))
    if scores.ndim == 4 and scores.dtype.kind in "biuf":
        return {"labels": np.argmax(scores, axis=1).astype(np.uint8)}  # (M, H, W)
    return {"shape": list(scores.shape)}


def probe_unet(fn, X_eval) -> dict:
    """Train with the learner's function under the budget on the exercises' scenes;
    label ``X_eval``'s pixels with the class of the largest score.

    Runs in the learner's kernel. The training and validation scenes come from
    their public seeds there, so only the images to label cross the wire (the
    grader sends each case's inputs and gets them back, 16 MB at most), and the
    labels come back as one byte per pixel.
    """
    (X_train, y_train), (X_val, y_val) = segmentation_split()
    return run_training(
        fn,
        (X_train, y_train, X_val, y_val),
        X_eval,
        budget=TRAIN_BUDGET,
        loaders=SCENE_MAKERS,
        predict=score_map_labels,
    )


def _unet_public(rng: np.random.Generator) -> list[Case]:
    _, (X_val, y_val) = segmentation_split()
    return [Case.with_expected("trained on the training scenes", (X_val,), y_val)]


def _unet_hidden(rng: np.random.Generator) -> list[Case]:
    seed = int(rng.integers(1_000, 2**31))  # never 11 or 12: new scenes
    X_eval, y_eval = make_segmentation_shapes(N_HELD_OUT, seed=seed, **SCENES)
    return [Case.with_expected("held-out scenes", (X_eval,), y_eval)]


def _unet_where(case: Case) -> tuple[str, float]:
    if case.name.startswith("held-out"):
        return "held-out mean IoU", HELD_OUT_MIOU
    return "validation mean IoU", MIOU_GOAL


def _judge_unet(expected: np.ndarray, got: Any, case: Case) -> str | None:
    failed = not_trained(
        got,
        TRAIN_BUDGET,
        slower="fewer steps, or a narrower network",
        unseen="new scenes must play no part in training",
        maps="images to score maps",
    )
    if failed:
        return failed
    labels = got.get("labels")
    if labels is None or np.shape(labels) != expected.shape:
        shape = got.get("shape", None if labels is None else list(np.shape(labels)))
        M, H, W = expected.shape
        return (
            f"expected the model to give {N_CLASSES} score maps per image, "
            f"({M}, {N_CLASSES}, {H}, {W}), got output of shape {shape}"
        )
    name, needed = _unet_where(case)
    pred = np.asarray(labels)
    score = mean_iou(pred, expected)
    if score < needed:
        if (pred == 0).all():
            return (
                f"{name} {measured(score, IOU_SPREAD)}: the model calls every pixel "
                "background; weigh the rare shape pixels more, or train longer"
            )
        return f"{name} {measured(score, IOU_SPREAD)}, the goal is {needed:g}"
    return over_budget(got, TRAIN_BUDGET)


def _report_unet(expected: np.ndarray, got: dict, case: Case) -> str:
    name, needed = _unet_where(case)
    score = mean_iou(np.asarray(got["labels"]), expected)
    bar = "needs" if case.name.startswith("held-out") else "goal"
    return (
        f"{name} {measured(score, IOU_SPREAD)} ({bar} {needed:g}), within the "
        f"{TRAIN_BUDGET:g} s budget"
    )


def _not_a_reference(X_eval) -> Any:
    """Train tasks have no reference: the expected answers are the true masks."""
    raise NotImplementedError


# ----------------------------------------------------- measure: seeing motion

# 13.motion_direction: Conv3DClassifier(1, 4) and FrameCNN(1, 4) (default widths,
# 3,788 and 3,854 parameters), each trained with Adam at 0.003 on batches of 32
# for 150 steps on make_moving_shapes(2000, size=16, frames=8, seed=21), accuracy
# on make_moving_shapes(400, size=16, frames=8, seed=22). The solution's experiment
# for seeds 0-4 (benchmarks/chapter13_tolerances.py, one thread): 3D CNN 1.000 in
# all five, per-frame CNN 0.235-0.2675 (chance 0.25). The tolerances are about four
# times the half-range (the per-frame CNN's answer is a guess over 400 clips, whose
# standard error at chance is 0.022), and the two ranges are far apart.
MOTION = measure_task(
    "13.motion_direction",
    quantities=[
        Quantity("conv3d_acc", 0.99, 0.04, "3D CNN, validation clips"),
        Quantity("frame_acc", 0.25, 0.07, "per-frame CNN, validation clips"),
    ],
    choices=[Choice("why", "b", ("a", "b", "c"))],
    swapped=[("conv3d_acc", "frame_acc")],
    hints=(
        "Train both networks on the same clips with the same recipe, then count "
        "the validation clips each one labels with the right direction.",
        "Both are fractions between 0 and 1. With four directions, guessing gets "
        "one clip in four right. Ask what a single frame tells about the direction.",
    ),
)


SPECS = [
    TaskSpec(
        id="13.box_iou",
        make_cases=_iou_cases,
        reference=box_iou,
        hints=(
            "Turn each box into its four sides first. The overlap of two boxes is "
            "again a box, between the larger left and top sides and the smaller "
            "right and bottom ones; if they do not meet it is empty.",
            "The union is the two areas added, less the overlap, which they both "
            "count. The width of a box is its right side less its left side, with "
            "no extra pixel. Give every box of the first list a row and every box "
            "of the second a column, and call two empty boxes zero.",
        ),
        rtol=RTOL,
        atol=ATOL,
        forbidden=("nnlib.scratch.box_iou", "nnlib.scratch.boxes.box_iou"),
        mistakes=(
            variant(
                "read as corners",
                "the boxes were read as (x1, y1, x2, y2): they are given as "
                "(x, y, w, h), so the right side is x plus the width",
                _read_as_corners,
            ),
            variant(
                "plus one pixel",
                "a pixel too much on every side: the old convention of counting "
                "the last pixel (width plus 1); here a box from 0 to 4 is 4 wide",
                _plus_one,
            ),
            variant(
                "union not less the overlap",
                "the union counts the overlap twice: add the two areas and "
                "subtract the intersection",
                _union_not_subtracted,
            ),
            TRANSPOSED,
        ),
    ),
    TaskSpec(
        id="13.nms",
        make_cases=_nms_cases,
        reference=nms,
        hints=(
            "Go through the boxes from the highest score down. Keep a box unless "
            "it overlaps a box you already kept by more than the threshold.",
            "Only kept boxes can remove others: a box that was dropped removes "
            "nothing. An overlap equal to the threshold is not more than it. "
            "Return the positions of the kept boxes in the order you kept them; "
            "equal scores keep their order, and no boxes give an empty list.",
        ),
        rtol=0.0,  # indices: exact
        atol=0.0,
        forbidden=("nnlib.scratch.nms", "nnlib.scratch.boxes.nms"),
        mistakes=(
            variant(
                "dropped boxes still suppress",
                "a box was removed by a box that had itself been dropped: compare "
                "each box only with the boxes already kept",
                _dropped_still_suppress,
            ),
            variant(
                "drops at the threshold",
                "a box whose overlap equals the threshold was dropped: only an "
                "overlap greater than the threshold removes a box",
                _drops_at_threshold,
            ),
            variant(
                "input order",
                "the right boxes, in their input order: return them best first, "
                "in the order they were kept",
                _input_order,
            ),
        ),
    ),
    TaskSpec(
        id="13.train_unet",
        make_cases=_unet_public,
        make_hidden_cases=_unet_hidden,
        reference=_not_a_reference,
        hints=(
            "Train the lecture's U-Net with its skip connections on the training "
            "scenes, with a cross-entropy over the pixels, and hand the trained "
            "network back.",
            "Three levels of pooling and eight channels at the top are enough. "
            "Adam at a few thousandths, batches of sixteen, a few hundred steps. "
            "Look at the mean intersection over union on the validation scenes "
            "before you submit.",
        ),
        judge=_judge_unet,
        report=_report_unet,
        call=probe_unet,
    ),
    MOTION,
]
