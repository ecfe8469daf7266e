"""Chapter 13's four trainings with the lecture's ``FULL_RUN = True`` settings.

Writes ``nnlib/data/files/runs/13_beyond_classification.json``, which the lecture
loads with ``nnlib.data.load_run("13_beyond_classification")`` and shows beside
its own small run. The recipes are the lecture's (Adam at 0.003 on shuffled
mini-batches, one thread), only longer and, for the detector, on more images:

- detector: GridDetector(width 16) on 3,000 cluttered scenes, 1,500 steps;
- U-Net with and without skip connections (depth 3, base 8), 600 steps each;
- Conv3DClassifier and FrameCNN on moving shapes, 400 steps each;
- lesion U-Net on 48 x 48 phantoms, lesion pixels weighted 3, 600 steps.

Usage::

    python benchmarks/chapter13_full_run.py            # about 3 minutes of CPU
    python benchmarks/chapter13_full_run.py --out /tmp/run.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from nnlib.blocks import (
    Conv3DClassifier,
    FrameCNN,
    GridDetectionLoss,
    GridDetector,
    UNet,
)
from nnlib.data import (
    make_detection_shapes,
    make_moving_shapes,
    make_phantoms,
    make_segmentation_shapes,
)
from nnlib.scratch import average_precision_per_class
from nnlib.scratch.functional import confusion_matrix

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "nnlib" / "data" / "files" / "runs" / "13_beyond_classification.json"
# the lecture's harder detection scenes
SCENES = {"size": 32, "clutter": 3, "noise": 0.25, "radius": (0.08, 0.25)}


def train(model, loss_of, n, *, steps, batch_size, seed=0):
    """The lecture's loop: Adam 3e-3 on shuffled mini-batches of indices."""
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    step, cpu = 0, time.process_time()
    while step < steps:
        for idx in np.array_split(rng.permutation(n), n // batch_size):
            loss = loss_of(idx)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            if step == steps:
                break
    model.eval()
    return round(time.process_time() - cpu, 1)


def class_scores(pred, true, n_classes):
    """IoU and Dice of each class, pixels pooled over the images."""
    C = confusion_matrix(true, pred, n_classes)
    inter = np.diag(C).astype(float)
    sizes = C.sum(axis=0) + C.sum(axis=1)  # predicted + true pixels per class
    return inter / (sizes - inter), 2 * inter / sizes


def detector() -> dict:
    images, targets = make_detection_shapes(3000, seed=0, **SCENES)
    test_images, test_targets = make_detection_shapes(300, seed=1, **SCENES)
    X = torch.from_numpy(images)
    torch.manual_seed(0)
    model = GridDetector(1, 3, width=16, cell_size=4)
    loss_fn = GridDetectionLoss(cell_size=4)
    seconds = train(
        model,
        lambda idx: loss_fn(model(X[idx]), [targets[i] for i in idx]),
        len(X),
        steps=1500,
        batch_size=32,
    )
    with torch.no_grad():
        found = model.decode(model(torch.from_numpy(test_images)))
    ap = average_precision_per_class(found, test_targets, n_classes=3)
    settings = {"train_images": 3000, "width": 16, "steps": 1500, **SCENES}
    settings["radius"] = list(SCENES["radius"])
    return {
        "settings": settings,
        "map50": round(float(np.mean(ap)), 4),
        "ap_per_class": [round(float(a), 4) for a in ap],
        "cpu_s": seconds,
    }


def unet() -> dict:
    images, masks = make_segmentation_shapes(1000, size=32, seed=0)
    test_images, test_masks = make_segmentation_shapes(200, size=32, seed=1)
    X, Y = torch.from_numpy(images), torch.from_numpy(masks)
    out = {"settings": {"base": 8, "depth": 3, "steps": 600, "train_images": 1000}}
    for skips in (True, False):
        torch.manual_seed(0)
        model = UNet(1, 4, base=8, depth=3, skips=skips)
        seconds = train(
            model,
            lambda idx, model=model: F.cross_entropy(model(X[idx]), Y[idx]),
            len(X),
            steps=600,
            batch_size=16,
        )
        with torch.no_grad():
            pred = model(torch.from_numpy(test_images)).argmax(1).numpy()
        iou, dice = class_scores(pred, test_masks, 4)
        out["skips" if skips else "no_skips"] = {
            "miou": round(float(iou.mean()), 4),
            "iou_per_class": [round(float(v), 4) for v in iou],
            "dice_per_class": [round(float(v), 4) for v in dice],
            "cpu_s": seconds,
        }
    return out


def video() -> dict:
    clips, labels = make_moving_shapes(2000, size=16, frames=8, seed=0)
    test_clips, test_labels = make_moving_shapes(400, size=16, frames=8, seed=1)
    X, y = torch.from_numpy(clips), torch.from_numpy(labels)
    out = {"settings": {"train_clips": 2000, "steps": 400}}
    for Model in (Conv3DClassifier, FrameCNN):
        torch.manual_seed(0)
        model = Model(1, 4)
        seconds = train(
            model,
            lambda idx, model=model: F.cross_entropy(model(X[idx]), y[idx]),
            len(X),
            steps=400,
            batch_size=32,
        )
        with torch.no_grad():
            pred = model(torch.from_numpy(test_clips)).argmax(1).numpy()
        out[Model.__name__] = {
            "accuracy": round(float(np.mean(pred == test_labels)), 4),
            "cpu_s": seconds,
        }
    return out


def lesion() -> dict:
    images, masks = make_phantoms(600, size=48, seed=0)
    test_images, test_masks = make_phantoms(200, size=48, seed=1)
    X, Y = torch.from_numpy(images), torch.from_numpy(masks)
    torch.manual_seed(0)
    model = UNet(1, 2, base=8, depth=2)
    weight = torch.tensor([1.0, 3.0])
    seconds = train(
        model,
        lambda idx: F.cross_entropy(model(X[idx]), Y[idx], weight=weight),
        len(X),
        steps=600,
        batch_size=16,
    )
    with torch.no_grad():
        pred = model(torch.from_numpy(test_images)).argmax(1).numpy()
    _, dice = class_scores(pred, test_masks, 2)
    has = test_masks.any(axis=(1, 2))
    found = (pred.astype(bool) & test_masks.astype(bool)).any(axis=(1, 2))
    return {
        "settings": {"size": 48, "train_slices": 600, "steps": 600, "weight": 3.0},
        "dice": round(float(dice[1]), 4),
        "lesions_found": round(float(found[has].mean()), 4),
        "false_alarms": round(float(pred[~has].any(axis=(1, 2)).mean()), 4),
        "cpu_s": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    torch.set_num_threads(1)
    result = {
        "source": "benchmarks/chapter13_full_run.py",
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
        f"torch {torch.__version__}, 1 thread, shared 2-core course machine",
        "date": datetime.date.today().isoformat(),
    }
    for name, experiment in [
        ("detector", detector),
        ("unet", unet),
        ("video", video),
        ("lesion", lesion),
    ]:
        result[name] = experiment()
        print(name, json.dumps(result[name]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
