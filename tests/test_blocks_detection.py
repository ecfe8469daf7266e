"""nnlib.blocks.detection: GridDetector, its loss and decoding (chapter 13)."""

import numpy as np
import pytest
import torch
from blocks_checks import assert_every_parameter_learns, gradcheck_module
from dtype_rule import check_float16_input, check_float64_input

from nnlib.blocks import GridDetectionLoss, GridDetector
from nnlib.data import make_detection_shapes
from nnlib.scratch import mean_average_precision

pytestmark = pytest.mark.ch13


@pytest.mark.parametrize(
    ("cell_size", "size", "grid"),
    [
        (4, (32, 32), (8, 8)),
        (2, (8, 12), (4, 6)),
        (8, (32, 16), (4, 2)),
        (4, (4, 4), (1, 1)),
    ],
)
def test_output_is_one_row_per_grid_cell(cell_size, size, grid):
    model = GridDetector(1, 3, width=4, cell_size=cell_size).eval()
    out = model(torch.randn(2, 1, *size))
    assert tuple(out.shape) == (2, *grid, 5 + 3)
    assert tuple(model.boxes(out).shape) == (2, *grid, 4)


def _perfect_output(targets, grid, n_classes, cell_size=4):
    """The logits a perfect detector would give: decoding them returns the targets."""
    has_object, box, label = GridDetectionLoss(cell_size=cell_size).encode(
        targets, grid, n_classes
    )
    out = torch.full((len(targets), *grid, 5 + n_classes), -12.0, dtype=torch.float64)
    out[..., 0][has_object] = 12.0
    out[..., 1:5] = torch.logit(box.clamp(1e-9, 1 - 1e-9))
    out[..., 5:] = 12.0 * torch.nn.functional.one_hot(label, n_classes) - 6.0
    return out


def test_perfect_logits_decode_to_the_targets_and_score_map_one():
    _, targets = make_detection_shapes(12, size=32, seed=0)
    out = _perfect_output(targets, (8, 8), 3)
    model = GridDetector(1, 3, cell_size=4)
    detections = model.decode(out, score_threshold=0.5)
    for found, true in zip(detections, targets, strict=True):
        order = np.lexsort(true["boxes"].T[::-1])
        mine = np.lexsort(found["boxes"].T[::-1])
        np.testing.assert_allclose(
            found["boxes"][mine], true["boxes"][order], atol=1e-4
        )
        np.testing.assert_array_equal(found["labels"][mine], true["labels"][order])
        assert found["boxes"].dtype == np.float32 and found["labels"].dtype == np.int64
        assert (np.diff(found["scores"]) <= 0).all()
    assert mean_average_precision(detections, targets, n_classes=3) == 1.0
    assert GridDetectionLoss()(out, targets).item() < 1e-3


def test_encode_puts_each_object_in_the_cell_of_its_centre():
    loss_fn = GridDetectionLoss(cell_size=4)
    targets = [{"boxes": np.array([[2.0, 9.0, 8.0, 15.0]]), "labels": np.array([1])}]
    has_object, box, label = loss_fn.encode(targets, (4, 4), 2)
    # centre (5, 12): column 5 // 4 = 1, row 12 // 4 = 3
    assert has_object.sum() == 1 and has_object[0, 3, 1]
    # offsets in the cell (5/4 - 1, 12/4 - 3), size as a share of the 16 px image
    torch.testing.assert_close(
        box[0, 3, 1], torch.tensor([0.25, 0.0, 6 / 16, 6 / 16]).double()
    )
    assert label[0, 3, 1] == 1
    # a centre on the last pixel edge stays in the grid
    edge = [{"boxes": np.array([[8.0, 8.0, 16.0, 16.0]]), "labels": np.array([0])}]
    assert loss_fn.encode(edge, (4, 4), 2)[0][0, 3, 3]


def test_decode_keeps_overlapping_boxes_of_different_classes_only():
    model = GridDetector(1, 2, cell_size=4)
    out = torch.full((1, 2, 2, 7), -10.0)
    out[0, 0, 0, 0] = out[0, 0, 1, 0] = out[0, 1, 0, 0] = 10.0  # three cells fire
    out[0, :, :, 1:5] = 0.0  # centred in their cells ...
    out[0, :, :, 3:5] = float(np.log(3))  # ... 0.75 of the 8 px image wide and high
    out[0, :, :, 5] = 10.0  # class 0 everywhere ...
    out[0, 1, 0, 5:] = torch.tensor([-10.0, 10.0])  # ... but class 1 in one cell
    out[0, 0, 1, 0] = 9.0  # the second class-0 box scores a little lower
    found = model.decode(out, iou_threshold=0.1)[0]
    # class 0 at (0, 0, 5, 5) and (3, 0, 8, 5) (clipped) overlap by 10 / 40: NMS
    # drops the weaker one; the class-1 box overlaps too but has its own class
    assert found["labels"].tolist() == [0, 1]
    np.testing.assert_allclose(found["boxes"], [[0, 0, 5, 5], [0, 3, 5, 8]], atol=1e-4)
    assert len(model.decode(out, iou_threshold=0.5)[0]["labels"]) == 3
    assert len(model.decode(out, score_threshold=1.0)[0]["labels"]) == 0
    assert len(model.decode(out, max_detections=1)[0]["labels"]) == 1


def test_boxes_are_clipped_to_the_image():
    model = GridDetector(1, 1, cell_size=4)
    out = torch.zeros(1, 2, 2, 6)
    out[..., 3:5] = 20.0  # boxes as large as the image, centred in their cells
    boxes = model.boxes(out)
    assert boxes.min() >= 0 and boxes.max() <= 8


def test_loss_gradients_reach_only_what_each_cell_should_learn():
    loss_fn = GridDetectionLoss(cell_size=4)
    targets = [{"boxes": np.array([[0.0, 0.0, 4.0, 4.0]]), "labels": np.array([1])}]
    out = torch.randn(1, 3, 3, 5 + 2, requires_grad=True)
    loss_fn(out, targets).backward()
    g = out.grad[0]
    # the object's cell learns objectness, box and class
    assert (g[0, 0] != 0).all()
    # empty cells learn only that they are empty: no box, no class
    empty = torch.ones(3, 3, dtype=torch.bool)
    empty[0, 0] = False
    assert (g[empty][:, 0] != 0).all() and (g[empty][:, 1:] == 0).all()


def test_loss_weights_and_parts():
    targets = [{"boxes": np.array([[0.0, 0.0, 4.0, 4.0]]), "labels": np.array([0])}]
    out = torch.randn(1, 2, 2, 6, generator=torch.Generator().manual_seed(0))
    parts = GridDetectionLoss().parts(out, targets)
    for box_weight, noobj_weight in ((5.0, 0.5), (1.0, 0.0), (0.0, 2.0)):
        loss_fn = GridDetectionLoss(box_weight=box_weight, noobj_weight=noobj_weight)
        expected = (
            box_weight * parts["box"]
            + parts["object"]
            + noobj_weight * parts["no_object"]
            + parts["class"]
        )
        torch.testing.assert_close(loss_fn(out, targets), expected)
    # a single class: its cross-entropy is always 0
    assert parts["class"].item() == 0.0
    nothing = GridDetectionLoss().parts(
        out, [{"boxes": np.zeros((0, 4)), "labels": []}]
    )
    assert nothing["box"].item() == 0.0 and nothing["object"].item() == 0.0


def test_gradcheck_loss_in_float64():
    loss_fn = GridDetectionLoss(cell_size=4)
    targets = [
        {
            "boxes": np.array([[0.0, 0.0, 4.0, 6.0], [5.0, 5.0, 8.0, 8.0]]),
            "labels": [1, 0],
        },
        {"boxes": np.zeros((0, 4)), "labels": np.zeros(0, dtype=np.int64)},
    ]
    out = torch.randn(2, 2, 2, 7, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda o: loss_fn(o, targets), (out,))


def test_gradcheck_tiny_detector():
    torch.manual_seed(0)
    gradcheck_module(GridDetector(1, 2, width=2, cell_size=2), torch.randn(2, 1, 4, 4))


def test_a_float64_input_computes_in_float64():
    torch.manual_seed(0)
    block, x = GridDetector(1, 2, width=2), torch.randn(3, 1, 8, 8)
    check_float64_input(block, x)
    check_float16_input(block, x)


def test_every_parameter_gets_a_gradient():
    torch.manual_seed(0)
    model = GridDetector(1, 3, width=4)
    assert_every_parameter_learns(model, torch.randn(3, 1, 16, 16))
    images, targets = make_detection_shapes(3, size=16, seed=0)
    model.zero_grad()
    GridDetectionLoss()(model(torch.from_numpy(images)), targets).backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        (torch.randn(2, 1, 30, 32), ValueError, "H and W divisible by 4"),
        (
            torch.randn(2, 3, 32, 32),
            ValueError,
            r"GridDetector expected input \(B, 1, H, W\)",
        ),
        (np.zeros((2, 1, 32, 32)), TypeError, "torch.Tensor"),
    ],
)
def test_detector_refuses_bad_input(x, error, match):
    with pytest.raises(error, match=match):
        GridDetector(width=2)(x)


def test_detector_refuses_bad_options():
    with pytest.raises(ValueError, match="cell_size as a power of 2"):
        GridDetector(cell_size=6)
    with pytest.raises(ValueError, match="cell_size >= 2"):
        GridDetector(cell_size=1)
    with pytest.raises(TypeError, match="norm as True or False"):
        GridDetector(norm="yes")
    with pytest.raises(TypeError):
        GridDetector(1, 3, 16)  # width is keyword-only
    model = GridDetector(1, 3, width=2)
    with pytest.raises(
        ValueError, match=r"GridDetector.decode expected input \(B, S_H, S_W, 8\)"
    ):
        model.decode(torch.zeros(1, 2, 2, 7))
    with pytest.raises(ValueError, match="score_threshold"):
        model.decode(torch.zeros(1, 2, 2, 8), score_threshold=2)


@pytest.mark.parametrize(
    ("targets", "error", "match"),
    [
        ([], ValueError, "one target per image, got 0 targets for a batch of 1"),
        ([{"boxes": np.zeros((1, 4))}], TypeError, "dicts with 'boxes' and 'labels'"),
        (
            [{"boxes": np.zeros((1, 4)), "labels": [3]}],
            ValueError,
            r"label in \[0, 2\)",
        ),
        ([{"boxes": np.zeros((2, 4)), "labels": [0]}], ValueError, "per box"),
        ([{"boxes": np.zeros((1, 4)), "labels": [0.5]}], TypeError, "integer labels"),
    ],
)
def test_loss_refuses_bad_targets(targets, error, match):
    with pytest.raises(error, match=match):
        GridDetectionLoss()(torch.zeros(1, 2, 2, 7), targets)


def test_loss_refuses_bad_options():
    with pytest.raises(ValueError, match="GridDetectionLoss expected box_weight"):
        GridDetectionLoss(box_weight=-1)
    with pytest.raises(TypeError):
        GridDetectionLoss(4)
