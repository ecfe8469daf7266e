"""The stored runs behind lecture 11's patch-size widget (``nnlib.widgets.patches``).

Trains the lecture's ViT (2 blocks, d_model 64, 4 heads, a class token) on the 8x8
digits with patches of 1, 2, 4 and 8 pixels a side (65, 17, 5 and 2 tokens with the
class token), seeds 0 and 1, with the lecture's recipe: Adam, batches of 64, a
one-cycle schedule up to 2e-3, 300 updates (split seed 5, all 1,077 training
digits). Writes the test accuracies and the seconds per run, with the machine and
the date, to ``nnlib/data/files/runs/11_patch_size.json``, which the widget loads
with ``nnlib.data.load_run("11_patch_size")``.

Usage::

    python benchmarks/patch_size_runs.py           # about 10 minutes on one core
    python benchmarks/patch_size_runs.py --quick   # one seed, 30 updates: smoke test
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import time
from pathlib import Path

import torch
from torch import nn

from nnlib.blocks import ViT
from nnlib.data import load_digits, torch_loader, train_val_test_split
from nnlib.train import evaluate, fit, seed_everything

OUT = Path(__file__).resolve().parents[1] / "nnlib/data/files/runs/11_patch_size.json"
PATCH_SIZES = (1, 2, 4, 8)


def train_once(patch_size, X_train, y_train, test_loader, seed, steps):
    """One ViT run; returns (test accuracy, seconds)."""
    seed_everything(seed)
    loader = torch_loader(X_train, y_train, batch_size=64, shuffle=True, seed=seed)
    epochs = max(1, round(steps / len(loader)))
    model = ViT(image_size=8, patch_size=patch_size, d_model=64, n_heads=4, n_layers=2)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=2e-3, total_steps=epochs * len(loader)
    )
    start = time.perf_counter()
    fit(
        model,
        loader,
        None,
        epochs=epochs,
        optimizer=optimizer,
        loss_fn=nn.CrossEntropyLoss(),
        device="cpu",
        progress=False,
        scheduler=schedule,
    )
    seconds = time.perf_counter() - start
    acc = float(evaluate(model, test_loader, device="cpu")["acc"])
    return round(acc, 4), round(seconds, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    X, y = load_digits()
    (X_train, y_train), _, (X_test, y_test) = train_val_test_split(
        X, y, fractions=(0.6, 0.2, 0.2), seed=5
    )
    test_loader = torch_loader(X_test, y_test, batch_size=512)
    seeds, steps = ((0,), 30) if args.quick else ((0, 1), 300)
    accuracy, seconds = {}, {}
    for p in PATCH_SIZES:
        runs = [train_once(p, X_train, y_train, test_loader, s, steps) for s in seeds]
        accuracy[str(p)] = [a for a, _ in runs]
        seconds[str(p)] = [t for _, t in runs]
        print(p, accuracy[str(p)], seconds[str(p)], flush=True)
    result = {
        "source": "benchmarks/patch_size_runs.py",
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip()
        + f", {torch.get_num_threads()} thread, torch {torch.__version__}",
        "date": datetime.date.today().isoformat(),
        "note": "shared 2-core machine under load: the seconds are not idle times",
        "image_size": 8,
        "steps": steps,
        "seeds": list(seeds),
        "patch_sizes": list(PATCH_SIZES),
        "test_accuracy": accuracy,
        "seconds": seconds,
    }
    if args.quick:
        print(json.dumps(result, indent=1))
        return
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
