"""Chapter 13's tasks: IoU of (x, y, w, h) boxes, NMS, the U-Net train task and the
motion measure task, each with the mistakes it recognises."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnlib.grading import get_spec, run_check
from nnlib.grading.result import evaluate
from nnlib.grading.runner import run_case
from nnlib.grading.tasks import ch13
from nnlib.scratch import box_iou as corner_iou
from nnlib.scratch import nms as library_nms

pytestmark = pytest.mark.ch13


# ------------------------------------------------------------------------ IoU


def my_iou(a, b):
    """A learner's IoU of (x, y, w, h) boxes, written out with plain numpy."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    ax2, ay2 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx2, by2 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    w = np.minimum(ax2[:, None], bx2[None]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(ay2[:, None], by2[None]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(w, 0, None) * np.clip(h, 0, None)
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def test_the_iou_reference_converts_and_agrees_with_a_hand_computation():
    a = np.array([[0.0, 0.0, 6.0, 4.0]])  # (x, y, w, h): corners (0, 0, 6, 4)
    b = np.array([[3.0, 0.0, 6.0, 4.0]])  # corners (3, 0, 9, 4): a 3 x 4 overlap
    assert ch13.box_iou(a, b)[0, 0] == pytest.approx(12 / (24 + 24 - 12), abs=1e-15)
    corners = np.array([[0.0, 0.0, 6.0, 4.0], [3.0, 0.0, 9.0, 4.0]])
    np.testing.assert_allclose(
        ch13.box_iou(np.vstack([a, b]), np.vstack([a, b])),
        corner_iou(corners, corners),
        atol=1e-15,
    )
    assert run_check("13.box_iou", my_iou).passed
    assert run_check("13.box_iou", my_iou, seed=1).passed


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (ch13._read_as_corners, "were read as (x1, y1, x2, y2)"),
        (ch13._plus_one, "a pixel too much on every side"),
        (ch13._union_not_subtracted, "counts the overlap twice"),
        (lambda a, b: ch13.box_iou(a, b).T, "transposed"),
    ],
)
def test_each_iou_mistake_is_named(fn, words):
    result = run_check("13.box_iou", fn)
    assert not result.passed and words in result.message, result.line()


def test_the_iou_mistakes_really_differ_from_the_right_answer_in_the_first_case():
    (first, *_) = get_spec("13.box_iou").cases(0)
    right = ch13.box_iou(*first.args)
    for wrong in (ch13._read_as_corners, ch13._plus_one, ch13._union_not_subtracted):
        assert np.abs(wrong(*first.args) - right).max() > 0.01, wrong.__name__
    a, b = first.args  # the case's boxes read as corners are still valid boxes
    assert (a[:, 2:] > a[:, :2]).all() and (b[:, 2:] > b[:, :2]).all()


def test_empty_boxes_give_zero_not_nan():
    (case,) = [c for c in get_spec("13.box_iou").cases(0) if "empty" in c.name]
    out = ch13.box_iou(*case.args)
    np.testing.assert_array_equal(out, np.zeros((1, 2)))

    def nan_for_empty(a, b):  # divides 0 by 0
        with np.errstate(invalid="ignore"):
            return ch13._iou_of_corners(ch13._corners(a), ch13._corners(b)) * np.where(
                ch13._corners(a)[:, 2:3] > ch13._corners(a)[:, :1], 1.0, np.nan
            )

    result = run_check("13.box_iou", nan_for_empty)
    assert not result.passed


def test_calling_nnlibs_box_iou_is_flagged():
    result = run_check("13.box_iou", ch13.box_iou)
    assert result.passed and result.flags


# ------------------------------------------------------------------------ NMS


def my_nms(boxes, scores, iou_threshold):
    """A learner's greedy NMS with its own overlaps (no nnlib inside)."""
    boxes = np.asarray(boxes, float).reshape(-1, 4)
    xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
    iou = my_iou(xywh, xywh)
    keep = []
    for i in np.argsort(-np.asarray(scores, float), kind="stable"):
        if all(iou[i, k] <= iou_threshold for k in keep):
            keep.append(int(i))
    return keep


def test_nms_reference_is_torchvisions_rule_and_a_plain_loop_passes():
    chain = np.array([[0.0, 0, 10, 10], [3, 0, 13, 10], [7, 0, 17, 10]])
    # A drops B (IoU 0.54), B would drop C (0.54), A and C overlap by 0.18: A, C
    np.testing.assert_array_equal(
        ch13.nms(chain, np.array([0.9, 0.8, 0.7]), 0.3), [0, 2]
    )
    assert ch13.nms(np.zeros((0, 4)), np.zeros(0), 0.5).shape == (0,)
    result = run_check("13.nms", my_nms)
    assert result.passed and not result.flags, result.line()
    assert run_check("13.nms", my_nms, seed=1).passed


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (ch13._dropped_still_suppress, "removed by a box that had itself been dropped"),
        (ch13._drops_at_threshold, "overlap equals the threshold was dropped"),
        (ch13._input_order, "in their input order"),
    ],
)
def test_each_nms_mistake_is_named(fn, words):
    result = run_check("13.nms", fn)
    assert not result.passed and words in result.message, result.line()


def test_nms_edge_cases_are_among_the_cases():
    cases = {c.name: c for c in get_spec("13.nms").cases(0)}
    empty = cases["no boxes at all"]
    assert empty.args[0].shape == (0, 4)
    twins = cases["equal scores: the earlier box wins"]
    np.testing.assert_array_equal(ch13.nms(*twins.args), [2, 0])  # ties: input order
    at = cases["an IoU equal to the threshold is kept"]
    boxes, _, threshold = at.args
    assert corner_iou(boxes[:1], boxes[1:2])[0, 0] == threshold  # exactly 0.5
    assert 1 in ch13.nms(*at.args)
    np.testing.assert_array_equal(
        ch13.nms(*cases["three objects found four times each"].args),
        library_nms(*cases["three objects found four times each"].args[:2]),
    )


# -------------------------------------------------------------- train a U-Net


def predictor(labels_for):
    """A 'model' (a plain function) giving one-hot scores of the labels chosen."""

    def model(X):
        labels = labels_for(X)  # (M, H, W)
        return np.moveaxis(np.eye(4)[labels], -1, 1)  # (M, 4, H, W)

    return model


def test_mean_iou_is_the_mean_of_the_per_class_iou():
    true = np.array([[[0, 0, 1, 1], [0, 2, 2, 3]]])
    pred = np.array([[[0, 1, 1, 1], [0, 2, 3, 3]]])
    # background 2/3, circle 2/3, square 1/2, triangle 1/2
    assert ch13.mean_iou(pred, true) == pytest.approx((2 / 3 + 2 / 3 + 0.5 + 0.5) / 4)
    assert ch13.mean_iou(true, true) == 1.0


def test_the_self_check_uses_validation_and_the_grader_new_scenes():
    spec = get_spec("13.train_unet")
    (public,) = spec.cases(0)
    (X_tr, y_tr), (X_val, y_val) = ch13.segmentation_split()
    assert public.args[0] is X_val and public.expected is y_val
    (hidden,) = spec.grader_cases(7)
    assert hidden.name == "held-out scenes" and len(hidden.args) == 1
    X_eval = hidden.args[0]
    shipped = {r.tobytes() for X in (X_tr, X_val) for r in X.reshape(len(X), -1)}
    assert not shipped & {r.tobytes() for r in X_eval.reshape(len(X_eval), -1)}
    (other,) = spec.grader_cases(8)  # another secret, other scenes
    assert not np.array_equal(other.args[0], X_eval)


def test_what_crosses_the_wire_stays_far_below_16_mb():
    from nnlib.grading import codec

    spec = get_spec("13.train_unet")
    (hidden,) = spec.grader_cases(7)

    def blank(X_train, y_train, X_val, y_val):
        return predictor(lambda X: np.zeros((len(X), 32, 32), dtype=int))

    record = ch13.probe_unet(blank, *hidden.args)
    sent = json.dumps(codec.encode(hidden.args)) + json.dumps(codec.encode(record))
    assert len(sent) < 4 * 2**20  # arguments going and coming back, and the answer


def test_a_perfect_model_passes_and_everything_background_is_named():
    def perfect(X_train, y_train, X_val, y_val):
        truth = {X.tobytes(): y for X, y in zip(X_val, y_val, strict=True)}
        return predictor(lambda X: np.stack([truth[x.tobytes()] for x in X]))

    result = run_check("13.train_unet", perfect)
    assert result.passed and result.note.startswith("validation mean IoU 1.000")

    def background(X_train, y_train, X_val, y_val):
        return predictor(lambda X: np.zeros((len(X), 32, 32), dtype=int))

    result = run_check("13.train_unet", background)
    assert not result.passed and "calls every pixel background" in result.message


def test_a_wrong_output_shape_and_a_missing_model_are_told():
    def logits_per_image(X_train, y_train, X_val, y_val):
        return lambda X: np.zeros((len(X), 4))  # a classifier, not a segmenter

    result = run_check("13.train_unet", logits_per_image)
    assert not result.passed and "4 score maps per image" in result.message

    def nothing(X_train, y_train, X_val, y_val):
        return None

    result = run_check("13.train_unet", nothing)
    assert not result.passed and "return the trained model" in result.message


def test_making_scenes_inside_the_training_function_fails():
    from nnlib.data import make_segmentation_shapes

    def cheat(X_train, y_train, X_val, y_val):
        make_segmentation_shapes(2, size=32, seed=3)
        return predictor(lambda X: np.zeros((len(X), 32, 32), dtype=int))

    result = run_check("13.train_unet", cheat)
    assert not result.passed and "make_segmentation_shapes" in result.message


def test_a_weak_model_fails_on_the_held_out_scenes_too():
    spec = get_spec("13.train_unet")

    def blobs(X_train, y_train, X_val, y_val):  # bright pixels: "circle"
        return predictor(lambda X: (X[:, 0] > 0.5).astype(int))

    cases = spec.grader_cases(12345)
    outcomes = [run_case(blobs, spec, case) for case in cases]
    result = evaluate(spec, cases, [spec.expected(c) for c in cases], outcomes)
    assert not result.passed and "held-out mean IoU" in result.message
    assert ch13.HELD_OUT_MIOU < ch13.MIOU_GOAL


def test_the_stub_is_not_attempted():
    def stub(X_train, y_train, X_val, y_val):
        raise NotImplementedError

    assert run_check("13.train_unet", stub).status == "not attempted"


# ------------------------------------------------------------------ measure


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"frame_acc": 25.0}, "a percentage where a fraction"),
        ({"conv3d_acc": 0.25, "frame_acc": 0.99}, "look swapped"),
        ({"frame_acc": 0.6}, "higher than any careful run"),
        ({"why": "a"}, "does not fit what the measurements"),
        ({"why": "3d"}, "expected one of the letters"),
    ],
)
def test_each_motion_mistake_is_named(change, words):
    answers = {**get_spec("13.motion_direction").reference(), **change}
    result = run_check("13.motion_direction", lambda: answers)
    assert not result.passed and words in result.message, result.line()


def test_the_solutions_five_seeds_all_pass():
    # benchmarks/chapter13_tolerances.py, seeds 0-4
    for frame in (0.235, 0.2375, 0.235, 0.2675, 0.2425):
        answers = {"conv3d_acc": 1.0, "frame_acc": frame, "why": "b"}
        assert run_check("13.motion_direction", lambda a=answers: a).passed
