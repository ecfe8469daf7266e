"""Chapter 12's full runs: the settings behind ``FULL_RUN = True`` in the lecture.

Three experiments on generated shapes (``nnlib.data.make_shapes``), one thread,
Adam on random mini-batches, the same code as the lecture's default run with
larger settings:

- ``residual``: ResNet-20 (width 8) with and without skip connections, with and
  without batch normalisation: training loss per step, the gradient norm at the
  first layer (the stem) per step, validation accuracy at the end;
- ``separable``: ``ScalableCNN`` with depthwise-separable against full convolutions
  on noisy shapes: parameters, multiply-adds, validation accuracy over seeds;
- ``scaling``: compound scaling at phi = 0, 1, 2, and width, depth or resolution
  grown alone to the multiply-adds of phi = 2: costs and validation accuracy.

Usage::

    python benchmarks/chapter12_deeper_cnns.py            # writes the JSON below
    python benchmarks/chapter12_deeper_cnns.py --quick    # small settings, no file
    python benchmarks/chapter12_deeper_cnns.py --only residual   # one, to a .part
    python benchmarks/chapter12_deeper_cnns.py --merge    # the three .part files

The results go to ``nnlib/data/files/runs/12_deeper_cnns.json`` (the lecture loads
them with ``nnlib.data.load_run("12_deeper_cnns")``), with the machine, the date,
the settings and the wall and CPU time of each experiment.
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

from nnlib.blocks import ResNet, ScalableCNN, compound_scaling, model_cost
from nnlib.data import make_shapes

OUT = Path(__file__).resolve().parents[1] / "nnlib/data/files/runs/12_deeper_cnns.json"


def train(model, X, y, *, steps, batch_size, lr, seed, record=None):
    """Adam on random mini-batches; the loss of every step (and ``record(step)``)."""
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for step in range(steps):
        idx = rng.choice(len(X), batch_size, replace=False)
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        if record is not None:
            record(step)
        optimizer.step()
        losses.append(loss.item())
    return losses


def accuracy(model, X, y) -> float:
    model.eval()
    with torch.no_grad():
        return float((model(X).argmax(1) == y).float().mean())


def shapes(n, size, seed, noise):
    X, y = make_shapes(n, size=size, seed=seed, noise=noise)
    return torch.from_numpy(X), torch.from_numpy(y)


def residual(a) -> dict:
    X, y = shapes(a.n, a.size, 0, 0.1)
    Xv, yv = shapes(500, a.size, 1, 0.1)
    runs = {}
    for norm in (False, True):
        for skip in (True, False):
            torch.manual_seed(0)
            model = ResNet(1, 4, depth=20, width=8, skip=skip, norm=norm)
            norms = []

            def record(step, model=model, norms=norms):
                norms.append(model.stem.weight.grad.norm().item())

            losses = train(
                model,
                X,
                y,
                steps=a.steps,
                batch_size=a.batch,
                lr=2e-3,
                seed=0,
                record=record,
            )
            name = f"{'residual' if skip else 'plain'}{', BatchNorm' if norm else ''}"
            runs[name] = {
                "loss": [round(v, 5) for v in losses],
                "grad_stem": [float(f"{v:.4g}") for v in norms],
                "val_acc": accuracy(model, Xv, yv),
            }
            print(name, runs[name]["val_acc"], np.mean(losses[-20:]), flush=True)
    return {
        "settings": {
            "size": a.size,
            "n_train": a.n,
            "n_val": 500,
            "steps": a.steps,
            "batch_size": a.batch,
            "lr": 2e-3,
            "depth": 20,
            "width": 8,
        },
        "runs": runs,
    }


def _fit_cnn(X, y, Xv, yv, a, seed, **kwargs) -> float:
    torch.manual_seed(seed)
    model = ScalableCNN(1, 4, **kwargs)
    train(model, X, y, steps=a.steps_cnn, batch_size=32, lr=3e-3, seed=seed)
    return accuracy(model, Xv, yv)


def separable(a) -> dict:
    X, y = shapes(a.n, 16, 0, 0.3)
    Xv, yv = shapes(1000, 16, 1, 0.3)
    out = {}
    for name, sep in (("separable", True), ("full", False)):
        cost = model_cost(ScalableCNN(1, 4, separable=sep), (1, 16, 16))
        accs = [_fit_cnn(X, y, Xv, yv, a, s, separable=sep) for s in a.seeds]
        out[name] = {"params": cost.params, "macs": cost.macs, "val_acc": accs}
        print(name, out[name], flush=True)
    return {
        "settings": {
            "size": 16,
            "noise": 0.3,
            "n_train": a.n,
            "n_val": 1000,
            "steps": a.steps_cnn,
            "batch_size": 32,
            "lr": 3e-3,
            "seeds": list(a.seeds),
        },
        "models": out,
    }


def scaled_models(size: int = 16) -> dict:
    """Compound phi = 0, 1, 2, and one knob alone at the multiply-adds of phi = 2.

    The lecture builds the same table; each one-knob model is the one whose
    multiply-adds come closest to compound phi = 2's.
    """
    models = {}
    for phi in (0, 1, 2):
        d, w, r = compound_scaling(phi)
        models[f"compound phi={phi}"] = {
            "depth_mult": d,
            "width_mult": w,
            "resolution": round(size * r),
        }
    target = model_cost(ScalableCNN(1, 4, **models["compound phi=2"]), (1, size, size))
    grids = {
        "width only": [{"width_mult": m} for m in np.arange(1.0, 3.01, 0.05)],
        "depth only": [{"depth_mult": m} for m in np.arange(1.0, 6.01, 0.25)],
        "resolution only": [{"resolution": r} for r in range(size, 3 * size)],
    }
    for name, grid in grids.items():
        models[name] = min(
            grid,
            key=lambda kw: abs(
                model_cost(ScalableCNN(1, 4, **kw), (1, size, size)).macs - target.macs
            ),
        )
    return {
        k: {n: float(v) if n != "resolution" else int(v) for n, v in kw.items()}
        for k, kw in models.items()
    }


def scaling(a) -> dict:
    X, y = shapes(a.n, 16, 0, 0.3)
    Xv, yv = shapes(1000, 16, 1, 0.3)
    out = {}
    for name, kwargs in scaled_models().items():
        cost = model_cost(ScalableCNN(1, 4, **kwargs), (1, 16, 16))
        accs = [_fit_cnn(X, y, Xv, yv, a, s, **kwargs) for s in a.seeds]
        out[name] = {
            "kwargs": kwargs,
            "params": cost.params,
            "macs": cost.macs,
            "val_acc": accs,
        }
        print(name, out[name], flush=True)
    return {
        "settings": {
            "size": 16,
            "noise": 0.3,
            "n_train": a.n,
            "n_val": 1000,
            "steps": a.steps_cnn,
            "batch_size": 32,
            "lr": 3e-3,
            "seeds": list(a.seeds),
        },
        "models": out,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small settings, no file")
    parser.add_argument(
        "--only",
        choices=["residual", "separable", "scaling"],
        help="one experiment, written to a .part file beside OUT",
    )
    parser.add_argument(
        "--merge", action="store_true", help="join the three .part files into OUT"
    )
    a = parser.parse_args()
    if a.merge:
        result = {}
        for name in ("residual", "separable", "scaling"):
            part = json.loads(OUT.with_suffix(f".{name}.part").read_text("utf-8"))
            result.update(part)
        OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print("wrote", OUT)
        return
    torch.set_num_threads(1)
    if a.quick:
        a.size, a.n, a.steps, a.batch, a.steps_cnn, a.seeds = 16, 1000, 50, 32, 30, (0,)
    else:
        a.size, a.n, a.steps, a.batch = 28, 2000, 400, 64
        a.steps_cnn, a.seeds = 400, (0, 1)
    result = {
        "source": "benchmarks/chapter12_deeper_cnns.py",
        "machine": f"{platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} thread, torch {torch.__version__} (a shared "
        "2-core course machine, busy with other work)",
        "date": datetime.date.today().isoformat(),
    }
    for name, fn in (
        ("residual", residual),
        ("separable", separable),
        ("scaling", scaling),
    ):
        if a.only and a.only != name:
            continue
        wall, cpu = time.perf_counter(), time.process_time()
        result[name] = fn(a)
        result[name]["wall_s"] = round(time.perf_counter() - wall, 1)
        result[name]["cpu_s"] = round(time.process_time() - cpu, 1)
    if not a.quick:
        path = OUT.with_suffix(f".{a.only}.part") if a.only else OUT
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print("wrote", path)


if __name__ == "__main__":
    main()
