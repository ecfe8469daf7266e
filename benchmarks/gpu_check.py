"""Train the course's three headline models on CUDA and on the CPU; print speed-ups.

Uses the settings of ``benchmarks/train_results.py`` (SimpleCNN and ViT on the
digits, SequenceTransformer on reversal), so it also checks that the same code runs
unchanged on a GPU and still reaches the accuracy targets there.

Usage::

    python benchmarks/gpu_check.py [--quick] [--threads 2]

On a machine without CUDA it says so and exits with status 0.
"""

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_results  # noqa: E402  (the sibling script holds the settings)

TASKS = ("cnn", "vit", "seq")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs: smoke test")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for torch")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("gpu_check: no CUDA device on this machine (torch.cuda.is_available() is")
        print("False), so there is nothing to compare; run it on a machine with a GPU.")
        return 0

    torch.set_num_threads(args.threads)
    print(f"GPU: {torch.cuda.get_device_name(0)}; CPU threads: {args.threads}")
    header = f"{'task':<6}{'cpu s':>8}{'cuda s':>8}{'speed-up':>10}"
    print(header + f"{'cpu acc':>9}{'cuda acc':>10}")
    failures = 0
    for name in TASKS:
        s = train_results.SETTINGS[name]
        if args.quick:
            s = replace(s, epochs=max(1, s.epochs // 6))
        train_results.run(name, replace(s, epochs=1), "cuda")  # warm up CUDA kernels
        cpu = train_results.run(name, s, torch.device("cpu"))
        gpu = train_results.run(name, s, torch.device("cuda"))
        speedup = cpu["seconds"] / gpu["seconds"]
        print(
            f"{name:<6}{cpu['seconds']:>8.1f}{gpu['seconds']:>8.1f}{speedup:>9.1f}x"
            f"{cpu['acc']:>9.4f}{gpu['acc']:>10.4f}",
            flush=True,
        )
        target, _ = train_results.TARGETS[name]
        if not args.quick and gpu["acc"] < target:
            print(f"  {name} on cuda missed its accuracy target {target}")
            failures += 1
    print("(small models on small data keep a GPU mostly idle: expect modest gains)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
