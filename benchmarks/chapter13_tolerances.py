"""Where chapter 13's graded numbers come from: the exercise's recipes over seeds.

- ``motion``: the experiment of ``13.motion_direction`` (Conv3DClassifier and
  FrameCNN, Adam 3e-3, batches of 32, 150 steps, clips of seeds 21 and 22) for
  seeds 0-4: the spread that sets the task's tolerances.
- ``unet``: the solution of ``13.train_unet`` (UNet depth 3, base 8, Adam 3e-3,
  batches of 16, 300 steps): its CPU time, its validation mean IoU and its mean IoU
  on five sets of 200 held-out scenes (how much one model's score moves from one
  set of new scenes to the next: the margin of the held-out threshold).

Usage::

    python benchmarks/chapter13_tolerances.py motion --seeds 0 1 2 3 4
    python benchmarks/chapter13_tolerances.py unet

Run with one thread (the default here), as the grader does. Set
``ATEN_CPU_CAPABILITY=default`` to see what a CPU without AVX2 gives.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch.nn import functional as F

from nnlib.blocks import Conv3DClassifier, FrameCNN, UNet
from nnlib.data import make_moving_shapes, make_segmentation_shapes
from nnlib.grading.tasks.ch13 import SCENES, mean_iou, segmentation_split


def _fit(model, X, y, *, steps, batch_size, seed):
    """Adam 3e-3 on shuffled mini-batches: the recipe of both tasks."""
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    step = 0
    while step < steps:
        for idx in np.array_split(rng.permutation(len(X)), len(X) // batch_size):
            loss = F.cross_entropy(model(X[idx]), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            if step == steps:
                break
    model.eval()
    return model


def motion(seeds: list[int]) -> None:
    clips, labels = make_moving_shapes(2000, size=16, frames=8, seed=21)
    val_clips, val_labels = make_moving_shapes(400, size=16, frames=8, seed=22)
    X, y = torch.from_numpy(clips), torch.from_numpy(labels)
    for seed in seeds:
        row = []
        for Model in (Conv3DClassifier, FrameCNN):
            torch.manual_seed(seed)
            model = _fit(Model(1, 4), X, y, steps=150, batch_size=32, seed=seed)
            with torch.no_grad():
                pred = model(torch.from_numpy(val_clips)).argmax(1).numpy()
            row.append(f"{Model.__name__} {np.mean(pred == val_labels):.4f}")
        print(f"seed {seed}: " + ", ".join(row), flush=True)


def unet(seed: int) -> None:
    (X_tr, y_tr), (X_val, y_val) = segmentation_split()
    torch.manual_seed(seed)
    cpu = time.process_time()
    model = _fit(
        UNet(1, 4, base=8, depth=3),
        torch.from_numpy(X_tr),
        torch.from_numpy(y_tr),
        steps=300,
        batch_size=16,
        seed=seed,
    )
    print(f"trained in {time.process_time() - cpu:.1f} s of CPU time")

    def score(X, y):
        with torch.no_grad():
            return mean_iou(model(torch.from_numpy(X)).argmax(1).numpy(), y)

    print(f"validation mean IoU {score(X_val, y_val):.4f}")
    held = [
        score(*make_segmentation_shapes(200, seed=s, **SCENES))
        for s in (101, 102, 103, 104, 105)
    ]
    print("held-out mean IoU", " ".join(f"{v:.4f}" for v in held))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", choices=["motion", "unet"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.experiment == "motion":
        motion(args.seeds)
    else:
        unet(args.seeds[0])


if __name__ == "__main__":
    main()
