"""Chapter 6's two digit models on ten random splits: how much does the split move?

Lecture 06 trains a linear model (softmax regression) and the 64-128-10 MLP on one
split (seed 5) and on one more in its default run. This script repeats exactly the
notebook's recipes on the split seeds 0-9 and writes the test accuracies to
``nnlib/data/files/runs/06_split_seeds.json``, which the notebook loads with
``nnlib.data.load_run("06_split_seeds")``.

- MLP: Flatten -> Dense(64, 128) -> ReLU -> Dense(128, 10), float32, weights from
  ``default_rng(1)``, Adam lr 1e-3, batches of 32, 100 epochs, the weights of the
  epoch with the best validation accuracy kept.
- Linear: Flatten -> Dense(64, 10), full-batch gradient descent with lr 0.5, stopped
  by chapter 1's rule (training loss fell by less than 0.3 % over the last 10 steps)
  or after 5,000 steps.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/lecture_06_split_seeds.py [--seeds 0 1 2]
"""

import argparse
import datetime
import json
import platform
import time
from pathlib import Path

import numpy as np

from nnlib.data import load_digits, train_val_test_split
from nnlib.scratch import SGD, Adam, CrossEntropyLoss, Dense, Flatten, ReLU, Sequential
from nnlib.scratch.functional import accuracy

OUT = Path(__file__).resolve().parents[1] / "nnlib/data/files/runs/06_split_seeds.json"
loss_fn = CrossEntropyLoss()


def flattened(losses, k=10, tol=3e-3):
    """Chapter 1's rule: the loss fell by less than the fraction tol over k steps."""
    if len(losses) <= k:
        return False
    before, now = losses[-k - 1], losses[-1]
    return (before - now) / before < tol


def train_linear(X_train, y_train):
    """Softmax regression by full-batch gradient descent, stopped by the rule."""
    linear = Sequential(Flatten(), Dense(64, 10, rng=np.random.default_rng(1)))
    linear.astype(np.float32)
    optimizer, losses = SGD(linear, lr=0.5), []
    while not flattened(losses) and len(losses) < 5000:
        losses.append(loss_fn(linear(X_train), y_train))
        linear.backward(loss_fn.backward())
        optimizer.step()
    return linear, len(losses)


def train_mlp(X_train, y_train, X_val, y_val):
    """The notebook's MLP recipe; returns the model at its best validation epoch."""
    rng = np.random.default_rng(1)
    model = Sequential(
        Flatten(), Dense(64, 128, rng=rng), ReLU(), Dense(128, 10, rng=rng)
    ).astype(np.float32)
    optimizer = Adam(model, lr=1e-3)
    best_acc, best_params = -1.0, None
    for _ in range(100):
        order = rng.permutation(len(X_train))
        for start in range(0, len(X_train), 32):
            batch = order[start : start + 32]
            loss_fn(model(X_train[batch]), y_train[batch])
            model.backward(loss_fn.backward())
            optimizer.step()
        val_acc = accuracy(model(X_val), y_val)
        if val_acc > best_acc:
            best_acc = val_acc
            best_params = {name: p.copy() for name, p in model.params.items()}
    for name, saved in best_params.items():
        model.params[name][...] = saved
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    args = parser.parse_args()
    X, y = load_digits()
    rows, start = [], time.time()
    for seed in args.seeds:
        (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split(
            X, y, fractions=(0.6, 0.2, 0.2), seed=seed
        )
        linear, steps = train_linear(X_tr, y_tr)
        mlp = train_mlp(X_tr, y_tr, X_va, y_va)
        row = {
            "split_seed": seed,
            "linear_test_acc": accuracy(linear(X_te), y_te),
            "linear_steps": steps,
            "mlp_test_acc": accuracy(mlp(X_te), y_te),
        }
        rows.append(row)
        print(row, flush=True)
    result = {
        "source": "benchmarks/lecture_06_split_seeds.py",
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip()
        + f", Python {platform.python_version()}, numpy {np.__version__}",
        "date": datetime.date.today().isoformat(),
        "seconds": round(time.time() - start, 1),
        "what": "test accuracy of chapter 6's linear model and MLP per split seed",
        "runs": rows,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
