"""A single-shot grid detector in the spirit of YOLO (chapter 13).

Letters: B batch, C channels, H x W image, S_H x S_W grid cells of ``cell_size``
pixels, K classes, G objects in an image.

Redmon et al., "You Only Look Once" (2016): one convolutional pass maps the image
to a grid, and every cell predicts whether an object's *centre* lies in it
(objectness), the object's class, and its box. Each output cell holds 5 + K numbers:

- ``[0]`` objectness logit;
- ``[1:5]`` box logits ``(tx, ty, tw, th)``: the centre is at
  ``(column + sigmoid(tx), row + sigmoid(ty)) * cell_size`` and the size is
  ``sigmoid(tw) * W`` by ``sigmoid(th) * H``;
- ``[5:]`` class logits.

A box's score is objectness times the best class probability; decoding keeps boxes
above a threshold and runs non-maximum suppression per class
(``nnlib.scratch.nms``). Two-stage detectors (Faster R-CNN: Ren et al., 2015) first
propose regions from anchor boxes, then classify and refine each one; a single-shot
detector does both at once, one prediction per cell, so two objects whose centres
fall in the same cell cannot both be found here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from nnlib._checks import (
    check_bool,
    check_divisible,
    check_int,
    check_nonempty,
    check_number,
    check_tensor,
)
from nnlib.blocks._dtype import needs_cast, run_in_dtype
from nnlib.blocks.cnn import ConvBlock
from nnlib.scratch.boxes import nms


def _check_cell_size(where: str, cell_size: object) -> int:
    cell_size = check_int(where, "cell_size", cell_size, minimum=2)
    if cell_size & (cell_size - 1):
        raise ValueError(f"{where} expected cell_size as a power of 2, got {cell_size}")
    return cell_size


class GridDetector(nn.Module):
    """YOLO-style detector: ConvBlocks and 2x2 poolings down to a grid, then a 1x1 head.

    The backbone pools ``log2(cell_size)`` times (a ConvBlock before each pooling,
    ``width`` channels doubling each time), then two more ConvBlocks widen the view:
    with ``cell_size=4`` every cell sees 26 x 26 pixels. A 1x1 convolution gives
    5 + K numbers per cell (see the module docstring for their meaning).

    Args:
        in_channels: channels of the images. Default: ``1``.
        n_classes: number of object classes K. Default: ``3``.
        width: channels of the first ConvBlock. Default: ``16``.
        cell_size: pixels per grid cell, a power of 2; H and W must be multiples.
            Default: ``4``.
        norm: batch normalisation in the ConvBlocks. Default: ``True``.

    Shape:
        - Input: (B, in_channels, H, W)
        - Output: (B, S_H, S_W, 5 + n_classes) with S_H = H / cell_size

    Returns:
        Raw per-cell predictions (logits).

    Example:
        >>> import torch
        >>> from nnlib.blocks import GridDetector
        >>> model = GridDetector(n_classes=3, width=4)
        >>> out = model(torch.zeros(2, 1, 32, 32))
        >>> tuple(out.shape)
        (2, 8, 8, 8)
        >>> detections = model.decode(out)
        >>> len(detections), sorted(detections[0])
        (2, ['boxes', 'labels', 'scores'])
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_classes: int = 3,
        *,
        width: int = 16,
        cell_size: int = 4,
        norm: bool = True,
    ) -> None:
        super().__init__()
        where = "GridDetector"
        self.in_channels = check_int(where, "in_channels", in_channels)
        self.n_classes = check_int(where, "n_classes", n_classes)
        self.width = check_int(where, "width", width)
        self.cell_size = _check_cell_size(where, cell_size)
        norm = check_bool(where, "norm", norm)
        layers: list[nn.Module] = []
        c_in, c_out = in_channels, width
        for _ in range(cell_size.bit_length() - 1):  # log2(cell_size) halvings
            layers += [ConvBlock(c_in, c_out, norm=norm), nn.MaxPool2d(2)]
            c_in, c_out = c_out, 2 * c_out
        layers += [
            ConvBlock(c_in, c_out, norm=norm),
            ConvBlock(c_out, c_out, norm=norm),
        ]
        self.backbone = nn.Sequential(*layers)
        self.head = nn.Conv2d(c_out, 5 + n_classes, 1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Return the (B, S_H, S_W, 5 + K) grid of predictions."""
        where = "GridDetector"
        check_tensor(where, images, ("B", self.in_channels, "H", "W"))
        check_nonempty(where, images)
        check_divisible(where, images, self.cell_size, "whole grid cells")
        if needs_cast(where, images, self.head.weight):  # the dtype rule (_dtype.py)
            return run_in_dtype(self, images.dtype, images)
        x = self.backbone(images)  # (B, C, H, W) -> (B, C', S_H, S_W)
        x = self.head(x)  # -> (B, 5 + K, S_H, S_W)
        return x.permute(0, 2, 3, 1)  # -> (B, S_H, S_W, 5 + K): one row per cell

    def boxes(self, output: torch.Tensor) -> torch.Tensor:
        """Every cell's box in pixels, ``(x1, y1, x2, y2)``, clipped to the image.

        Shape:
            - output: (B, S_H, S_W, 5 + K)
            - Output: (B, S_H, S_W, 4)
        """
        check_tensor(
            "GridDetector.boxes", output, ("B", "S_H", "S_W", 5 + self.n_classes)
        )
        _, S_H, S_W, _ = output.shape
        s = self.cell_size
        H, W = S_H * s, S_W * s
        rows = torch.arange(S_H, dtype=output.dtype, device=output.device)[:, None]
        cols = torch.arange(S_W, dtype=output.dtype, device=output.device)[None, :]
        t = torch.sigmoid(output[..., 1:5])  # (B, S_H, S_W, 4) in (0, 1)
        cx = (cols + t[..., 0]) * s  # (S_W,) + (B, S_H, S_W): centre, in pixels
        cy = (rows + t[..., 1]) * s
        w, h = t[..., 2] * W, t[..., 3] * H
        boxes = torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dim=-1)
        limits = torch.tensor([W, H, W, H], dtype=output.dtype, device=output.device)
        return torch.minimum(boxes.clamp(min=0), limits)

    @torch.no_grad()
    def decode(
        self,
        output: torch.Tensor,
        *,
        score_threshold: float = 0.05,
        iou_threshold: float = 0.5,
        max_detections: int = 100,
    ) -> list[dict[str, np.ndarray]]:
        """Turn the grid into boxes, scores and labels per image, after NMS.

        Args:
            output: the model's output.
            score_threshold: drop boxes scoring below this (objectness times the
                best class probability). Low values suit mAP, which ranks.
            iou_threshold: NMS drops a box overlapping a better one of the same
                class by more than this.
            max_detections: keep at most this many per image, best first.

        Shape:
            - output: (B, S_H, S_W, 5 + K)

        Returns:
            B dicts with ``"boxes"`` (N, 4) float32, ``"scores"`` (N,) float32 and
            ``"labels"`` (N,) int64, sorted by score: the format
            ``nnlib.scratch.mean_average_precision`` reads.
        """
        where = "GridDetector.decode"
        check_tensor(where, output, ("B", "S_H", "S_W", 5 + self.n_classes))
        score_threshold = check_number(
            where, "score_threshold", score_threshold, low=0, high=1
        )
        iou_threshold = check_number(
            where, "iou_threshold", iou_threshold, low=0, high=1
        )
        max_detections = check_int(where, "max_detections", max_detections)
        B = output.shape[0]
        boxes = self.boxes(output).reshape(B, -1, 4)  # (B, S_H * S_W, 4)
        objectness = torch.sigmoid(output[..., 0]).reshape(B, -1)  # (B, S_H * S_W)
        probs = F.softmax(output[..., 5:], dim=-1).reshape(B, -1, self.n_classes)
        best, labels = probs.max(dim=-1)  # (B, S_H * S_W) each
        scores = objectness * best
        results = []
        for b in range(B):
            keep = scores[b] >= score_threshold
            box = boxes[b][keep].double().cpu().numpy()  # float64 for the IoU maths
            score = scores[b][keep].double().cpu().numpy()
            label = labels[b][keep].cpu().numpy().astype(np.int64)
            kept = [np.zeros(0, dtype=np.int64)]
            for c in np.unique(label):  # NMS per class: a square does not hide a circle
                mine = np.flatnonzero(label == c)
                kept.append(
                    mine[nms(box[mine], score[mine], iou_threshold=iou_threshold)]
                )
            kept = np.concatenate(kept)
            kept = kept[np.argsort(-score[kept], kind="stable")][:max_detections]
            results.append(
                {
                    "boxes": box[kept].astype(np.float32).reshape(-1, 4),
                    "scores": score[kept].astype(np.float32),
                    "labels": label[kept],
                }
            )
        return results

    def extra_repr(self) -> str:
        return f"n_classes={self.n_classes}, cell_size={self.cell_size}"


def _as_numpy(value: object) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


class GridDetectionLoss(nn.Module):
    """YOLO-style loss: where the objects are, what they are, and their boxes.

    Each ground-truth box is given to the cell that contains its centre (a later
    box in the same cell replaces an earlier one). With $\\mathbb{1}$ marking those
    cells, summed over cells and averaged over the batch:

    $L = \\lambda_{box} \\sum \\mathbb{1} \\lVert \\sigma(t) - t^* \\rVert^2
    + \\sum \\mathbb{1}\\, \\mathrm{BCE}(o, 1)
    + \\lambda_{noobj} \\sum (1 - \\mathbb{1}) \\mathrm{BCE}(o, 0)
    + \\sum \\mathbb{1}\\, \\mathrm{CE}(\\text{class logits}, c)$

    where $t^*$ is the centre's offset in its cell and the box's size as a fraction
    of the image. Redmon et al. weight the box term by 5 and the empty cells by 0.5
    (most cells are empty; they would drown the rest).

    Args:
        cell_size: pixels per grid cell, as in the model. Default: ``4``.
        box_weight: $\\lambda_{box}$. Default: ``5.0``.
        noobj_weight: $\\lambda_{noobj}$. Default: ``0.5``.

    Shape:
        - output: (B, S_H, S_W, 5 + K), the detector's output
        - targets: B dicts with ``"boxes"`` (G, 4) in pixels and ``"labels"`` (G,)
        - Output: () scalar

    Returns:
        The loss (``parts`` gives its four terms).

    Example:
        >>> import numpy as np
        >>> import torch
        >>> from nnlib.blocks import GridDetectionLoss
        >>> loss_fn = GridDetectionLoss(cell_size=4)
        >>> output = torch.zeros(1, 2, 2, 5 + 3)  # a 2 x 2 grid, 8 x 8 pixels
        >>> targets = [{"boxes": np.array([[0, 0, 4, 4]]), "labels": np.array([2])}]
        >>> {k: round(v.item(), 4) for k, v in loss_fn.parts(output, targets).items()}
        {'box': 0.0, 'object': 0.6931, 'no_object': 2.0794, 'class': 1.0986}
    """

    def __init__(
        self, *, cell_size: int = 4, box_weight: float = 5.0, noobj_weight: float = 0.5
    ) -> None:
        super().__init__()
        where = "GridDetectionLoss"
        self.cell_size = _check_cell_size(where, cell_size)
        self.box_weight = check_number(where, "box_weight", box_weight, low=0.0)
        self.noobj_weight = check_number(where, "noobj_weight", noobj_weight, low=0.0)

    def encode(
        self,
        targets: Sequence[Mapping[str, object]],
        grid_size: tuple[int, int],
        n_classes: int,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Targets as grids: object mask (B, S_H, S_W) bool, box targets
        (B, S_H, S_W, 4) in [0, 1] and class indices (B, S_H, S_W) int64."""
        where = "GridDetectionLoss"
        S_H, S_W = grid_size
        s = self.cell_size
        H, W = S_H * s, S_W * s
        B = len(targets)
        has_object = torch.zeros(B, S_H, S_W, dtype=torch.bool)
        box_target = torch.zeros(B, S_H, S_W, 4, dtype=torch.float64)
        class_target = torch.zeros(B, S_H, S_W, dtype=torch.int64)
        for b, target in enumerate(targets):
            if not (
                isinstance(target, Mapping) and "boxes" in target and "labels" in target
            ):
                raise TypeError(
                    f"{where} expected targets as dicts with 'boxes' and 'labels', "
                    f"got {type(target).__name__} at index {b}"
                )
            boxes = _as_numpy(target["boxes"]).astype(np.float64).reshape(-1, 4)
            labels = _as_numpy(target["labels"])
            if labels.size and labels.dtype.kind not in "iu":  # [] is fine
                raise TypeError(
                    f"{where} expected integer labels, got dtype {labels.dtype} "
                    f"at image {b}"
                )
            outside = len(labels) and (labels.min() < 0 or labels.max() >= n_classes)
            if labels.shape != (len(boxes),) or outside:
                raise ValueError(
                    f"{where} expected one label in [0, {n_classes}) per box, got "
                    f"labels {labels.tolist()} for {len(boxes)} boxes at image {b}"
                )
            for (x1, y1, x2, y2), label in zip(boxes, labels, strict=True):
                cx, cy = (x1 + x2) / 2, (y1 + y2) / 2  # the centre picks the cell
                j = min(int(cx // s), S_W - 1)
                i = min(int(cy // s), S_H - 1)
                has_object[b, i, j] = True
                offsets = [cx / s - j, cy / s - i, (x2 - x1) / W, (y2 - y1) / H]
                box_target[b, i, j] = torch.tensor(offsets)
                class_target[b, i, j] = int(label)
        return has_object, box_target, class_target

    def parts(
        self, output: torch.Tensor, targets: Sequence[Mapping[str, object]]
    ) -> dict[str, torch.Tensor]:
        """The four terms, each summed over cells and averaged over the batch:
        ``box`` (before weighting), ``object``, ``no_object`` (before weighting),
        ``class``."""
        where = "GridDetectionLoss"
        check_tensor(where, output, ("B", "S_H", "S_W", "5 + K"))
        B, S_H, S_W, D = output.shape
        if D < 6:
            raise ValueError(
                f"{where} expected output (B, S_H, S_W, 5 + K) with K >= 1, "
                f"got {tuple(output.shape)}"
            )
        if len(targets) != B:
            raise ValueError(
                f"{where} expected one target per image, got {len(targets)} "
                f"targets for a batch of {B}"
            )
        has_object, box_target, class_target = self.encode(targets, (S_H, S_W), D - 5)
        has_object = has_object.to(output.device)
        obj_logit = output[..., 0]  # (B, S_H, S_W)
        bce = F.binary_cross_entropy_with_logits(
            obj_logit, has_object.to(output.dtype), reduction="none"
        )
        found = output[has_object]  # (N_obj, 5 + K): the cells that own an object
        box = (torch.sigmoid(found[:, 1:5]) - box_target.to(output)[has_object]) ** 2
        cls = F.cross_entropy(
            found[:, 5:], class_target.to(output.device)[has_object], reduction="sum"
        )
        return {
            "box": box.sum() / B,
            "object": bce[has_object].sum() / B,
            "no_object": bce[~has_object].sum() / B,
            "class": cls / B,
        }

    def forward(
        self, output: torch.Tensor, targets: Sequence[Mapping[str, object]]
    ) -> torch.Tensor:
        """The weighted sum of the four terms (see the class docstring)."""
        p = self.parts(output, targets)
        box = self.box_weight * p["box"]
        return box + p["object"] + self.noobj_weight * p["no_object"] + p["class"]
