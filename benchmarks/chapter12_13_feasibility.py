"""Can chapters 12-13's demos reach their targets on a laptop CPU in about a minute?

One function per experiment, each a short training run on generated data with one
thread (the course laptop has two cores; the notebook kernel gets one):

- ``resnet``: a 20-layer CNN, plain vs residual, on 28 x 28 shapes: final training
  loss and the gradient norm at the first layer (the plain one should stall);
- ``efficientnet``: ScalableCNN with separable vs full convolutions, and the
  separable one at phi = 0, 1, 2: test accuracy, parameters and multiply-adds;
- ``detector``: GridDetector on ``make_detection_shapes``: mAP@0.5 (target >= 0.8);
- ``unet``: UNet with and without skips on ``make_segmentation_shapes``: mean IoU
  (target >= 0.85 with skips);
- ``video``: Conv3DClassifier vs FrameCNN on ``make_moving_shapes``: direction
  accuracy (targets >= 90 % and about chance, 25 %);
- ``lesion``: UNet on ``make_phantoms``: lesion Dice (target >= 0.7).

Usage::

    python benchmarks/chapter12_13_feasibility.py resnet --skip both
    python benchmarks/chapter12_13_feasibility.py detector --steps 600
    python benchmarks/chapter12_13_feasibility.py all

Every run stops after ``--steps`` optimiser steps or ``--max-seconds`` (60), which
comes first, and prints its settings, the result, the wall time and the process's
CPU time (on a busy machine the wall time can be several times the CPU time).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from nnlib.blocks import (
    Conv3DClassifier,
    FrameCNN,
    GridDetectionLoss,
    GridDetector,
    ResNet,
    ScalableCNN,
    UNet,
    compound_scaling,
    model_cost,
)
from nnlib.data import (
    make_detection_shapes,
    make_moving_shapes,
    make_phantoms,
    make_segmentation_shapes,
    make_shapes,
)
from nnlib.scratch import mean_average_precision


def _train(
    model: nn.Module,
    step_loss: Callable[[np.ndarray], torch.Tensor],
    n: int,
    *,
    steps: int,
    batch_size: int,
    lr: float,
    max_seconds: float,
    seed: int = 0,
    on_step: Callable[[int], None] | None = None,
) -> dict:
    """Adam on random mini-batches of indices 0..n-1; returns loss history and time."""
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    wall, cpu = time.perf_counter(), time.process_time()
    model.train()
    step = 0
    while step < steps and time.perf_counter() - wall < max_seconds:
        for idx in np.array_split(rng.permutation(n), max(1, n // batch_size)):
            loss = step_loss(idx)
            optimizer.zero_grad()
            loss.backward()
            if on_step is not None:
                on_step(step)
            optimizer.step()
            losses.append(loss.item())
            step += 1
            if step >= steps or time.perf_counter() - wall >= max_seconds:
                break
    return {
        "steps": step,
        "losses": losses,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
    }


def _report(name: str, settings: dict, result: dict, run: dict) -> None:
    text = ", ".join(f"{k}={v}" for k, v in settings.items())
    metrics = ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in result.items()
    )
    print(
        f"{name}: {metrics} | {text} | steps={run['steps']} "
        f"wall={run['wall_s']:.1f}s cpu={run['cpu_s']:.1f}s"
    )


# --- chapter 12: plain vs residual ----------------------------------------------


def resnet(args: argparse.Namespace) -> None:
    X, y = make_shapes(args.n or 2000, size=28, seed=0)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    variants = {"both": (True, False), "yes": (True,), "no": (False,)}[args.skip]
    for skip in variants:
        torch.manual_seed(args.seed)
        model = ResNet(
            1, 4, depth=args.depth, width=args.width, skip=skip, norm=args.norm
        )
        norms = []

        def record(step, model=model, norms=norms):
            norms.append(model.stem.weight.grad.norm().item())

        run = _train(
            model,
            lambda idx, model=model: F.cross_entropy(model(X[idx]), y[idx]),
            len(X),
            steps=args.steps or 300,
            batch_size=64,
            lr=args.lr or 1e-3,
            max_seconds=args.max_seconds,
            on_step=record,
        )
        last = run["losses"][-20:]
        model.eval()
        with torch.no_grad():
            accuracy = (model(X[:500]).argmax(1) == y[:500]).float().mean().item()
        _report(
            f"resnet skip={skip}",
            {"depth": args.depth, "width": args.width, "norm": args.norm, "n": len(X)},
            {
                "first_loss": run["losses"][0],
                "final_loss": float(np.mean(last)),
                "train_acc": accuracy,
                "grad_first_layer_start": norms[0],
                "grad_first_layer_end": float(np.mean(norms[-20:])),
            },
            run,
        )


def efficientnet(args: argparse.Namespace) -> None:
    X, y = make_shapes(args.n or 2000, size=28, seed=0, noise=args.noise)
    X_test, y_test = make_shapes(500, size=28, seed=1, noise=args.noise)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    variants = [(f"separable phi={phi}", True, phi) for phi in (0, 1, 2)]
    variants.insert(1, ("full phi=0", False, 0))
    for name, separable, phi in variants:
        torch.manual_seed(args.seed)
        d, w, r = compound_scaling(phi)
        model = ScalableCNN(
            1,
            4,
            width_mult=w,
            depth_mult=d,
            resolution=round(28 * r),
            separable=separable,
        )
        cost = model_cost(model, (1, 28, 28))
        run = _train(
            model,
            lambda idx, model=model: F.cross_entropy(model(X[idx]), y[idx]),
            len(X),
            steps=args.steps or 150,
            batch_size=64,
            lr=args.lr or 3e-3,
            max_seconds=args.max_seconds,
        )
        model.eval()
        with torch.no_grad():
            pred = model(torch.from_numpy(X_test)).argmax(1).numpy()
        result = {
            "test_acc": float((pred == y_test).mean()),
            "params": cost.params,
            "MMACs": cost.macs / 1e6,
        }
        _report(
            f"efficientnet {name}", {"n": len(X), "res": round(28 * r)}, result, run
        )


# --- chapter 13: detection ---------------------------------------------------------


def detector(args: argparse.Namespace) -> None:
    images, targets = make_detection_shapes(args.n or 2000, size=32, seed=0)
    test_images, test_targets = make_detection_shapes(300, size=32, seed=1)
    X = torch.from_numpy(images)
    torch.manual_seed(args.seed)
    model = GridDetector(1, 3, width=args.width, cell_size=4)
    loss_fn = GridDetectionLoss(cell_size=4)
    run = _train(
        model,
        lambda idx: loss_fn(model(X[idx]), [targets[i] for i in idx]),
        len(X),
        steps=args.steps or 600,
        batch_size=32,
        lr=args.lr or 3e-3,
        max_seconds=args.max_seconds,
    )
    model.eval()
    with torch.no_grad():
        found = model.decode(model(torch.from_numpy(test_images)))
    result = {
        "final_loss": float(np.mean(run["losses"][-20:])),
        "mAP@0.5": mean_average_precision(found, test_targets, n_classes=3),
    }
    _report("detector", {"width": args.width, "n": len(X), "test": 300}, result, run)


# --- chapter 13: segmentation ------------------------------------------------------


def _iou_per_class(
    pred: torch.Tensor, true: torch.Tensor, n_classes: int
) -> np.ndarray:
    """IoU of each class over the whole test set (pixels pooled)."""
    out = []
    for c in range(n_classes):
        p, t = pred == c, true == c
        union = (p | t).sum().item()
        out.append((p & t).sum().item() / union if union else float("nan"))
    return np.array(out)


def unet(args: argparse.Namespace) -> None:
    images, masks = make_segmentation_shapes(args.n or 1000, size=32, seed=0)
    test_images, test_masks = make_segmentation_shapes(200, size=32, seed=1)
    X, Y = torch.from_numpy(images), torch.from_numpy(masks)
    variants = {"both": (True, False), "yes": (True,), "no": (False,)}[args.skip]
    for skips in variants:
        torch.manual_seed(args.seed)
        model = UNet(1, 4, base=args.width, depth=args.levels, skips=skips)
        run = _train(
            model,
            lambda idx, model=model: F.cross_entropy(model(X[idx]), Y[idx]),
            len(X),
            steps=args.steps or 300,
            batch_size=16,
            lr=args.lr or 3e-3,
            max_seconds=args.max_seconds,
        )
        model.eval()
        with torch.no_grad():
            pred = model(torch.from_numpy(test_images)).argmax(1)
        iou = _iou_per_class(pred, torch.from_numpy(test_masks), 4)
        result = {
            "mIoU_all": float(np.nanmean(iou)),
            "mIoU_objects": float(np.nanmean(iou[1:])),
            "iou_per_class": np.round(iou, 3).tolist(),
        }
        settings = {"base": args.width, "depth": args.levels, "n": len(X)}
        _report(f"unet skips={skips}", settings, result, run)


# --- chapter 13: video ----------------------------------------------------------------


def video(args: argparse.Namespace) -> None:
    clips, labels = make_moving_shapes(args.n or 2000, size=16, frames=8, seed=0)
    test_clips, test_labels = make_moving_shapes(400, size=16, frames=8, seed=1)
    X, y = torch.from_numpy(clips), torch.from_numpy(labels)
    for Model in (Conv3DClassifier, FrameCNN):
        torch.manual_seed(args.seed)
        model = Model(1, 4)
        run = _train(
            model,
            lambda idx, model=model: F.cross_entropy(model(X[idx]), y[idx]),
            len(X),
            steps=args.steps or 400,
            batch_size=32,
            lr=args.lr or 3e-3,
            max_seconds=args.max_seconds,
        )
        model.eval()
        with torch.no_grad():
            pred = model(torch.from_numpy(test_clips)).argmax(1).numpy()
        result = {
            "final_loss": float(np.mean(run["losses"][-20:])),
            "test_acc": float((pred == test_labels).mean()),
            "params": sum(p.numel() for p in model.parameters()),
        }
        _report(
            f"video {Model.__name__}", {"n": len(X), "size": 16, "T": 8}, result, run
        )


# --- chapter 13: CT-like phantoms ------------------------------------------------


def lesion(args: argparse.Namespace) -> None:
    size = args.size or 48
    images, masks = make_phantoms(args.n or 600, size=size, seed=0)
    test_images, test_masks = make_phantoms(200, size=size, seed=1)
    X, Y = torch.from_numpy(images), torch.from_numpy(masks)
    torch.manual_seed(args.seed)
    model = UNet(1, 2, base=args.width, depth=args.levels)
    weight = torch.tensor([1.0, args.lesion_weight])  # lesions are few pixels

    def step_loss(idx):
        return F.cross_entropy(model(X[idx]), Y[idx], weight=weight)

    run = _train(
        model,
        step_loss,
        len(X),
        steps=args.steps or 300,
        batch_size=16,
        lr=args.lr or 3e-3,
        max_seconds=args.max_seconds,
    )
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(test_images)).argmax(1).numpy()
    true = test_masks.astype(bool)
    pred = pred.astype(bool)
    dice = 2 * (pred & true).sum() / (pred.sum() + true.sum())
    has = true.any(axis=(1, 2))
    found = (pred & true).any(axis=(1, 2))
    false_alarm = pred[~has].any(axis=(1, 2)).mean()
    result = {
        "dice": float(dice),
        "lesions_found": float(found[has].mean()),
        "false_alarm_slices": float(false_alarm),
    }
    settings = {"size": size, "base": args.width, "depth": args.levels, "n": len(X)}
    settings["lesion_weight"] = args.lesion_weight
    _report("lesion", settings, result, run)


EXPERIMENTS = {
    "resnet": resnet,
    "efficientnet": efficientnet,
    "detector": detector,
    "unet": unet,
    "video": video,
    "lesion": lesion,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", choices=[*EXPERIMENTS, "all"])
    parser.add_argument("--steps", type=int, default=None, help="optimiser steps")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--n", type=int, default=None, help="training examples")
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--width", type=int, default=8, help="channels of layer 1")
    parser.add_argument("--depth", type=int, default=20, help="ResNet depth")
    parser.add_argument("--levels", type=int, default=2, help="UNet depth (poolings)")
    parser.add_argument("--skip", choices=["both", "yes", "no"], default="both")
    parser.add_argument("--norm", action="store_true", help="ResNet with BatchNorm")
    parser.add_argument("--noise", type=float, default=0.1, help="shape image noise")
    parser.add_argument("--size", type=int, default=None, help="phantom size")
    parser.add_argument("--lesion-weight", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = list(EXPERIMENTS) if args.experiment == "all" else [args.experiment]
    for name in names:
        EXPERIMENTS[name](args)


if __name__ == "__main__":
    main()
