"""The full runs of lecture 10, too long for the notebook; results shipped as JSON.

Three parts, each writing ``nnlib/data/files/runs/10_<part>.json`` (read in the
notebook with ``nnlib.data.load_run``):

- ``sequence_models``: reversal at length 32, three models with about the same
  number of parameters (a 1-block Transformer, an LSTM encoder-decoder with
  attention, a plain LSTM encoder-decoder), each given the same *time* budget;
  held-out accuracy along the way and the gradient reaching the input each output
  must copy (``blocks.gradient_reach``), before and after training.
- ``block_ablation``: the notebook's 2-block Transformer on reversal at length 16
  (200 updates), with each part switched off, several seeds.
- ``scalability``: sorting at length 16 at fixed data (3,200 sequences, 200
  updates), layers 1, 2, 4 x heads 1, 2, 4, several seeds.

Time is the process's CPU time on one thread (``time.process_time``), not wall
time: the machine these ran on was shared, and on one thread CPU time is about
what the run needs on an idle core. Evaluation is not counted.

Usage::

    python benchmarks/lecture_10_full_runs.py sequence_models [--budget 20 --lrs 5e-3]
    python benchmarks/lecture_10_full_runs.py block_ablation
    python benchmarks/lecture_10_full_runs.py scalability
    python benchmarks/lecture_10_full_runs.py scalability --quick   # smoke test
    python benchmarks/lecture_10_full_runs.py scalability --out my_run.json
"""

import argparse
import datetime
import json
import platform
import time
from pathlib import Path

import torch
from torch import nn

from nnlib.blocks import (
    AttentionRNNSequenceModel,
    RNNSequenceModel,
    SequenceTransformer,
    gradient_reach,
)
from nnlib.data import make_sequence_task, torch_loader
from nnlib.train import evaluate, fit, seed_everything

OUT = Path(__file__).resolve().parents[1] / "nnlib" / "data" / "files" / "runs"
SOURCE = "benchmarks/lecture_10_full_runs.py"


def machine() -> str:
    return (
        f"{platform.processor() or platform.machine()}, {platform.system()}, "
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), shared"
    )


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def reach_on_the_path(model: nn.Module, tokens: torch.Tensor) -> list[float]:
    """gradient_reach along the reversal diagonal: output t -> input L-1-t."""
    G = gradient_reach(model, tokens)  # (T, T)
    T = G.shape[0]
    t = torch.arange(T)
    return [float(f"{v:.3g}") for v in G[t, T - 1 - t].tolist()]


def sequence_models(budget: float, lr_grid: list[float], quick: bool) -> dict:
    L = 32
    X, Y = make_sequence_task("reverse", n=2_000 if quick else 51_200, length=L)
    Xv, Yv = make_sequence_task("reverse", n=1000, length=L, seed=1)
    probe = torch.from_numpy(Xv[:64])
    val = torch_loader(Xv, Yv, batch_size=500)
    loss_fn = nn.CrossEntropyLoss()
    makers = {
        "Transformer": lambda: SequenceTransformer(
            10, max_len=L, d_model=32, n_heads=4, n_layers=1
        ),
        "LSTM + attention": lambda: AttentionRNNSequenceModel(
            10, hidden_size=26, max_len=L, kind="lstm"
        ),
        "LSTM": lambda: RNNSequenceModel(10, hidden_size=28, max_len=L, kind="lstm"),
    }
    runs = []
    for name, make in makers.items():
        for lr in lr_grid:
            seed_everything(0)
            model = make()
            before = reach_on_the_path(model, probe)
            optimizer = torch.optim.Adam(model.parameters(), lr=lr)
            loader = torch_loader(X, Y, batch_size=64, shuffle=True, seed=0)
            curve, used, updates, batches = [], 0.0, 0, iter(loader)
            next_eval = 0.0
            while used < budget:
                start = time.process_time()
                for _ in range(25):  # 25 updates between evaluations
                    try:
                        xb, yb = next(batches)
                    except StopIteration:
                        batches = iter(loader)
                        xb, yb = next(batches)
                    model.train()
                    optimizer.zero_grad()
                    loss = loss_fn(model(xb).flatten(0, 1), yb.flatten())
                    loss.backward()
                    optimizer.step()
                    updates += 1
                used += time.process_time() - start
                if used >= next_eval or used >= budget:
                    r = evaluate(model, val, loss_fn=loss_fn)
                    curve.append(
                        {
                            "cpu_s": round(used, 1),
                            "updates": updates,
                            "acc": round(r["acc"], 4),
                            "seq_acc": round(r["seq_acc"], 4),
                        }
                    )
                    next_eval = used + budget / 20
            runs.append(
                {
                    "model": name,
                    "lr": lr,
                    "parameters": n_params(model),
                    "updates": updates,
                    "ms_per_update": round(1000 * used / updates, 1),
                    "final": curve[-1],
                    "curve": curve,
                    "reach_before": before,
                    "reach_after": reach_on_the_path(model, probe),
                }
            )
            print(name, lr, runs[-1]["final"], flush=True)
    return {
        "task": f"reverse, length {L}, vocabulary 10, fresh data (51,200 sequences)",
        "budget_cpu_s": budget,
        "learning_rates": list(lr_grid),
        "reach": "blocks.gradient_reach along output t -> input L-1-t, 64 sequences",
        "runs": runs,
    }


def _train_eval(make, task: str, L: int, seed: int, epochs: int) -> dict:
    X, Y = make_sequence_task(task, n=3_200, length=L, seed=0)
    Xt, Yt = make_sequence_task(task, n=1000, length=L, seed=2)
    loader = torch_loader(X, Y, batch_size=64, shuffle=True, seed=seed)
    seed_everything(seed)
    model = make()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    start = time.process_time()
    fit(
        model,
        loader,
        epochs=epochs,
        optimizer=optimizer,
        loss_fn=nn.CrossEntropyLoss(),
        progress=False,
    )
    cpu = time.process_time() - start
    r = evaluate(model, torch_loader(Xt, Yt, batch_size=500))
    return {
        "seed": seed,
        "acc": round(r["acc"], 4),
        "seq_acc": round(r["seq_acc"], 4),
        "cpu_s": round(cpu, 1),
        "parameters": n_params(model),
    }


def block_ablation(seeds: list[int], quick: bool) -> dict:
    variants = {
        "full block": {},
        "no residual": {"residual": False},
        "no LayerNorm": {"layer_norm": False},
        "ReLU instead of GELU": {"activation": "relu"},
        "causal mask": {"causal": True},
    }
    rows = []
    for name, options in variants.items():
        for seed in seeds:
            row = _train_eval(
                lambda options=options: SequenceTransformer(
                    10, max_len=16, d_model=32, n_heads=4, n_layers=2, **options
                ),
                "reverse",
                16,
                seed,
                1 if quick else 4,
            )
            rows.append({"variant": name, **row})
            print(rows[-1], flush=True)
    return {
        "task": "reverse, length 16; 3,200 sequences x 4 epochs = 200 updates",
        "model": "SequenceTransformer, 2 blocks, d_model 32, 4 heads, Adam 5e-3",
        "rows": rows,
    }


def scalability(seeds: list[int], quick: bool) -> dict:
    rows = []
    for n_layers in (1, 2, 4):
        for n_heads in (1, 2, 4):
            for seed in seeds:
                row = _train_eval(
                    lambda n_layers=n_layers, n_heads=n_heads: SequenceTransformer(
                        10, max_len=16, d_model=32, n_heads=n_heads, n_layers=n_layers
                    ),
                    "sort",
                    16,
                    seed,
                    1 if quick else 4,
                )
                rows.append({"n_layers": n_layers, "n_heads": n_heads, **row})
                print(rows[-1], flush=True)
    return {
        "task": "sort, length 16; 3,200 sequences x 4 epochs = 200 updates",
        "model": "SequenceTransformer, d_model 32, Adam 5e-3",
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "part", choices=["sequence_models", "block_ablation", "scalability"]
    )
    parser.add_argument("--budget", type=float, default=20.0, help="CPU s per run")
    parser.add_argument("--lrs", type=float, nargs="+", default=[5e-3], help="Adam lr")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="smoke test, no file")
    parser.add_argument("--out", type=Path, default=None, help="another JSON path")
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = time.perf_counter()
    seeds = args.seeds[:1] if args.quick else args.seeds
    if args.part == "sequence_models":
        budget = 2.0 if args.quick else args.budget
        result = sequence_models(budget, args.lrs, args.quick)
    elif args.part == "block_ablation":
        result = block_ablation(seeds, args.quick)
    else:
        result = scalability(seeds, args.quick)
    result = {
        "source": SOURCE,
        "command": f"python {SOURCE} {args.part}"
        + (
            f" --budget {args.budget:g} --lrs {' '.join(f'{lr:g}' for lr in args.lrs)}"
            if args.part == "sequence_models"
            else ""
        ),
        "machine": machine(),
        "date": datetime.date.today().isoformat(),
        "wall_s": round(time.perf_counter() - started),
        **result,
    }
    if args.quick:
        print(json.dumps(result)[:400])
        return
    path = args.out or OUT / f"10_{args.part}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print("wrote", path)


if __name__ == "__main__":
    main()
