"""nnlib.blocks against PyTorch's own modules: speed, and attention's cost with length.

1. Forward + backward time of ``MultiHeadSelfAttention`` vs ``nn.MultiheadAttention``
   and of ``TransformerBlock`` vs ``nn.TransformerEncoderLayer(norm_first=True)``,
   with the same sizes and weights (target: ratio <= 1.2).
2. Time and peak memory of one attention forward + backward against sequence length
   (64 ... 2048), explicit softmax(QK^T)V vs the fused SDPA kernel, via
   ``nnlib.blocks.attention_cost`` (the chapter 10 notebook calls a small version).

Usage::

    python benchmarks/blocks_vs_torch.py [--threads 2] [--device cpu] [--max-len 2048]

The two modules of a pair are timed alternately, many rounds, and the median of the
per-round ratios is reported, which keeps a noisy shared machine from favouring one.
"""

import argparse
import statistics
import time

import torch
from torch import nn

from nnlib.blocks import MultiHeadSelfAttention, TransformerBlock, attention_cost
from nnlib.train import get_device


def _step(module: nn.Module, x: torch.Tensor, torch_mha: bool) -> None:
    if torch_mha:
        out, _ = module(x, x, x, need_weights=False)
    else:
        out = module(x)
    out.sum().backward()


def _time_once(fn, device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def compare(ours, theirs, x, theirs_is_mha: bool, device, rounds: int, inner: int):
    """Median over rounds of (our time / their time), plus both median times."""
    x = x.detach().requires_grad_(True)

    def run_ours():
        for _ in range(inner):
            _step(ours, x, False)

    def run_theirs():
        for _ in range(inner):
            _step(theirs, x, theirs_is_mha)

    run_ours(), run_theirs()  # warm-up
    ratios, t_ours, t_theirs = [], [], []
    for _ in range(rounds):
        a = _time_once(run_ours, device) / inner
        b = _time_once(run_theirs, device) / inner
        ratios.append(a / b)
        t_ours.append(a)
        t_theirs.append(b)
    return (
        statistics.median(ratios),
        statistics.median(t_ours),
        statistics.median(t_theirs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--max-len", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = get_device(args.device)
    torch.manual_seed(0)
    print(
        f"device {device}, {torch.get_num_threads()} threads, torch {torch.__version__}"
    )

    print("\n1. forward + backward, ours / PyTorch (median of rounds; <= 1.2 wanted)")
    print(f"{'module':<28}{'B, T, C, h':<18}{'ours ms':>9}{'torch ms':>10}{'ratio':>8}")
    for B, T, C, h in [(64, 16, 64, 4), (32, 128, 128, 4), (8, 512, 256, 8)]:
        x = torch.randn(B, T, C, device=device)
        mha = MultiHeadSelfAttention(C, h).to(device)
        ref = nn.MultiheadAttention(C, h, batch_first=True).to(device)
        block = TransformerBlock(C, h, 4 * C, activation="relu").to(device)
        layer = nn.TransformerEncoderLayer(
            C, h, 4 * C, dropout=0.0, norm_first=True, batch_first=True
        ).to(device)
        for name, ours, theirs, is_mha in [
            ("MultiHeadSelfAttention", mha, ref, True),
            ("TransformerBlock", block, layer, False),
        ]:
            ratio, a, b = compare(ours, theirs, x, is_mha, device, args.rounds, inner=3)
            size = f"{B}, {T}, {C}, {h}"
            print(f"{name:<28}{size:<18}{a * 1e3:>9.2f}{b * 1e3:>10.2f}{ratio:>8.2f}")

    print("\n2. attention forward + backward vs sequence length (B=8, C=64, h=4)")
    lengths = [L for L in (64, 128, 256, 512, 1024, 2048) if L <= args.max_len]
    rows = attention_cost(
        seq_lens=lengths, batch_size=8, d_model=64, n_heads=4, device=device
    )
    print(f"{'T':>6}{'explicit s':>12}{'sdpa s':>10}{'explicit MB':>13}{'sdpa MB':>10}")
    by_len = {}
    for r in rows:
        by_len.setdefault(r["seq_len"], {})[r["path"]] = r
    for T, paths in by_len.items():
        e, s = paths["explicit"], paths["sdpa"]
        print(
            f"{T:>6}{e['seconds']:>12.4f}{s['seconds']:>10.4f}"
            f"{e['peak_mb']:>13.1f}{s['peak_mb']:>10.1f}"
        )
    print("(time grows about 4x per doubling of T on both paths once T is large;")
    print(" memory grows 4x per doubling on the explicit path only)")


if __name__ == "__main__":
    main()
