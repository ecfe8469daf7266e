"""Lecture 11's full data-size run (``FULL_RUN = True``), stored for the notebook.

Trains the lecture's CNN (``SimpleCNN``, 16/32 channels), the ViT with 4x4 patches and
the ViT with 2x2 patches on the first 10 %, 25 %, 50 % and 100 % of the training
digits (split seed 5, as in the lecture), seeds 0, 1, 2, with the lecture's recipe:
Adam, batches of 64, a one-cycle schedule up to 2e-3, about 300 updates per run (a
smaller set is repeated more often). Writes the test accuracies, the machine and the
date to ``nnlib/data/files/runs/11_data_size.json``, which the notebook loads with
``nnlib.data.load_run("11_data_size")``.

Usage::

    python benchmarks/vit_data_size.py            # about 9 minutes on one idle core
    python benchmarks/vit_data_size.py --quick    # one seed, 30 updates: smoke test
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

from nnlib.blocks import SimpleCNN, ViT
from nnlib.data import load_digits, torch_loader, train_val_test_split
from nnlib.train import evaluate, fit, seed_everything

OUT = Path(__file__).resolve().parents[1] / "nnlib/data/files/runs/11_data_size.json"
MODELS = {
    "CNN": lambda: SimpleCNN(
        in_channels=1, n_classes=10, image_size=8, channels=(16, 32)
    ),
    "ViT, 4×4 patches": lambda: ViT(
        image_size=8, patch_size=4, d_model=64, n_heads=4, n_layers=2
    ),
    "ViT, 2×2 patches": lambda: ViT(
        image_size=8, patch_size=2, d_model=64, n_heads=4, n_layers=2
    ),
}


def train_once(make, X_train, y_train, test_loader, fraction, seed, steps):
    """The lecture's ``train``: a new model, about ``steps`` updates; test accuracy."""
    seed_everything(seed)
    n = round(fraction * len(X_train))
    loader = torch_loader(
        X_train[:n], y_train[:n], batch_size=64, shuffle=True, seed=seed
    )
    epochs = max(1, round(steps / len(loader)))
    model = make()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=2e-3, total_steps=epochs * len(loader)
    )
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
    return round(float(evaluate(model, test_loader, device="cpu")["acc"]), 4)


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
    fractions = (0.1, 0.25, 0.5, 1.0)
    seeds, steps = ((0,), 30) if args.quick else ((0, 1, 2), 300)
    start = time.perf_counter()
    acc = {}
    for name, make in MODELS.items():
        acc[name] = [
            [
                train_once(make, X_train, y_train, test_loader, f, s, steps)
                for s in seeds
            ]
            for f in fractions
        ]
        print(name, acc[name], flush=True)
    result = {
        "source": "benchmarks/vit_data_size.py",
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip()
        + f", {torch.get_num_threads()} thread, torch {torch.__version__}",
        "date": datetime.date.today().isoformat(),
        "seconds": round(time.perf_counter() - start),
        "note": "shared 2-core machine under load: the seconds are not an idle time",
        "steps": steps,
        "seeds": list(seeds),
        "fractions": list(fractions),
        "train_sizes": [round(f * len(X_train)) for f in fractions],
        "test_accuracy": acc,
    }
    if args.quick:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return
    OUT.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
