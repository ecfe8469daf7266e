"""Chapter 8's SimpleCNN with and without batch normalisation, over training seeds.

Lecture 08 trains ``SimpleCNN(channels=(32, 64), hidden=128)`` on the digits of
chapter 6's split (seed 5) once with BatchNorm and once without (``norm=False``).
This script repeats exactly that recipe (AdamW lr 3e-3, weight decay 0.01, one-cycle
schedule, batches of 64, 15 epochs) for several training seeds (weights and
shuffling) and writes the test accuracies to
``nnlib/data/files/runs/08_batch_norm.json``, which the notebook loads with
``nnlib.data.load_run("08_batch_norm")``.

Usage::

    python benchmarks/lecture_08_batch_norm.py [--seeds 0 1 2 3 4]
"""

import argparse
import datetime
import json
import platform
import time
from pathlib import Path

import torch
from torch import nn

from nnlib.blocks import SimpleCNN
from nnlib.data import load_digits, torch_loader, train_val_test_split
from nnlib.train import evaluate, fit, seed_everything

OUT = Path(__file__).resolve().parents[1] / "nnlib/data/files/runs/08_batch_norm.json"
EPOCHS, LR = 15, 3e-3


def train(norm: bool, seed: int, data) -> dict:
    """The notebook's recipe for one seed; last validation and test accuracy."""
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = data
    seed_everything(seed)
    cnn = SimpleCNN(channels=(32, 64), hidden=128, norm=norm)
    train_loader = torch_loader(
        X_train, y_train, batch_size=64, shuffle=True, seed=seed
    )
    optimizer = torch.optim.AdamW(cnn.parameters(), lr=LR, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=LR, total_steps=EPOCHS * len(train_loader)
    )
    start = time.process_time()
    history = fit(
        cnn,
        train_loader,
        torch_loader(X_val, y_val, batch_size=512),
        epochs=EPOCHS,
        optimizer=optimizer,
        loss_fn=nn.CrossEntropyLoss(),
        progress=False,
        scheduler=schedule,
    )
    test = evaluate(cnn, torch_loader(X_test, y_test, batch_size=512))
    return {
        "seed": seed,
        "norm": norm,
        "val_acc": history["val_acc"][-1],
        "train_loss_epoch_1": history["train_loss"][0],
        "test_acc": test["acc"],
        "cpu_seconds": round(time.process_time() - start, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    torch.set_num_threads(1)
    X, y = load_digits()
    data = train_val_test_split(X, y, fractions=(0.6, 0.2, 0.2), seed=5)
    rows = []
    for seed in args.seeds:
        for norm in (True, False):
            rows.append(train(norm, seed, data))
            print(rows[-1], flush=True)
    result = {
        "source": "benchmarks/lecture_08_batch_norm.py",
        "machine": f"{platform.machine()}, Python {platform.python_version()}, "
        f"torch {torch.__version__}, 1 thread",
        "date": datetime.date.today().isoformat(),
        "what": "SimpleCNN(channels=(32, 64), hidden=128) on split 5, with and "
        "without BatchNorm, per training seed",
        "runs": rows,
    }
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
