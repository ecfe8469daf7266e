"""Time nnlib.scratch against PyTorch on the same shapes (forward + backward).

Run: ``python benchmarks/scratch_vs_torch.py [--threads N] [--repeats R]``.

Both libraries get the same number of threads (default 1, the most repeatable
on a shared machine): numpy's BLAS through the ``OPENBLAS_NUM_THREADS``/
``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` variables, set before numpy is imported,
and through threadpoolctl when it is installed; torch through
``torch.set_num_threads``. Everything is float32 on the CPU, in one process.
Each case alternates one nnlib call and one torch call, so both see the same
machine load, and reports the median of each, their ratio (nnlib / torch), the
spread of the ratio of the calls made side by side (its 25th to 75th percentile)
and the target ratio.

The last table times one epoch of a 64-128-10 MLP (batch 32, Adam,
cross-entropy) on 1,500 random 64-feature samples, and compares with micrograd
(the scalar autograd engine on PyPI) if it can be imported; micrograd is
far too slow for a whole epoch, so it runs a few samples and the time is
scaled up, which the table says.
"""

import argparse
import os
import statistics
import sys
import time


def _threads_from_argv() -> int:
    """Read --threads before numpy is imported (its BLAS reads the environment once)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--threads", type=int, default=1)
    known, _ = parser.parse_known_args()
    return known.threads


THREADS = _threads_from_argv()
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(THREADS)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

from nnlib import scratch  # noqa: E402

torch.set_num_threads(THREADS)
try:
    from threadpoolctl import threadpool_limits

    threadpool_limits(THREADS)
    THREAD_NOTE = f"{THREADS} thread(s): torch.set_num_threads and threadpoolctl"
except ImportError:
    THREAD_NOTE = (
        f"{THREADS} thread(s): torch.set_num_threads and the BLAS environment "
        "variables (threadpoolctl not installed)"
    )

F32 = np.float32


def median_ms(
    fn_a, fn_b, repeats: int, warmup: int = 5
) -> tuple[float, float, float, float]:
    """Median wall time in ms of two callables, run alternately, and the spread
    of the ratio a / b of the calls made side by side (25th and 75th percentile)."""
    for _ in range(warmup):
        fn_a()
        fn_b()
    times_a, times_b = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn_a()
        t1 = time.perf_counter()
        fn_b()
        t2 = time.perf_counter()
        times_a.append(t1 - t0)
        times_b.append(t2 - t1)
    ratios = sorted(a / b for a, b in zip(times_a, times_b, strict=True))
    low, high = ratios[len(ratios) // 4], ratios[(3 * len(ratios)) // 4]
    return 1e3 * statistics.median(times_a), 1e3 * statistics.median(times_b), low, high


def layer_step(layer, x, dy):
    """One nnlib forward + backward."""

    def run():
        layer.forward(x)
        layer.backward(dy)

    return run


def torch_step(module, x, dy, forward=None):
    """One torch forward + backward, gradients reset as a training loop would."""
    xt = torch.from_numpy(x).requires_grad_(True)
    dyt = torch.from_numpy(dy)
    forward = forward or module

    def run():
        module.zero_grad(set_to_none=True)
        xt.grad = None
        forward(xt).backward(dyt)

    return run


def cases(rng: np.random.Generator):
    """(name, shape text, nnlib step, torch step, target ratio) for each layer."""
    # Dense: batch 256, 64 -> 128
    dense = scratch.Dense(64, 128, rng=rng).astype(F32)
    lin = torch.nn.Linear(64, 128)
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(dense.params["W"].T))
        lin.bias.copy_(torch.from_numpy(dense.params["b"]))
    x = rng.standard_normal((256, 64)).astype(F32)
    dy = rng.standard_normal((256, 128)).astype(F32)
    yield (
        "Dense",
        "N=256, 64→128",
        layer_step(dense, x, dy),
        torch_step(lin, x, dy),
        1.5,
    )

    # Conv2D 1 -> 16, 3x3, padding 1, on 8x8 and 28x28 (the course's sizes)
    for size in (8, 28):
        yield conv_case(rng, 64, 1, 16, size, 3.0)

    # MaxPool2D 2x2 on 16x28x28
    pool = scratch.MaxPool2D(2)
    tpool = torch.nn.MaxPool2d(2)
    x = rng.standard_normal((64, 16, 28, 28)).astype(F32)
    dy = rng.standard_normal((64, 16, 14, 14)).astype(F32)
    yield (
        "MaxPool2D",
        "N=64, 16×28×28, 2×2",
        layer_step(pool, x, dy),
        torch_step(tpool, x, dy),
        3.0,
    )

    yield attention_case(rng, 32, 32, 64, 4, 1.0)  # the course's size: no slower
    yield rnn_case(rng, 32, 20, 16, 64, 3.0)  # the course's size

    # larger than the course uses: the target is 1.5x torch
    yield conv_case(rng, 64, 16, 32, 28, 1.5)
    yield attention_case(rng, 8, 128, 128, 4, 1.5)
    yield rnn_case(rng, 32, 20, 64, 256, 1.5)


def conv_case(rng, n: int, c_in: int, c_out: int, size: int, target: float):
    """Conv2D c_in -> c_out, 3x3, padding 1, on size x size images."""
    conv = scratch.Conv2D(c_in, c_out, 3, padding=1, rng=rng).astype(F32)
    tconv = torch.nn.Conv2d(c_in, c_out, 3, padding=1)
    with torch.no_grad():
        tconv.weight.copy_(torch.from_numpy(conv.params["W"]))
        tconv.bias.copy_(torch.from_numpy(conv.params["b"]))
    x = rng.standard_normal((n, c_in, size, size)).astype(F32)
    dy = rng.standard_normal((n, c_out, size, size)).astype(F32)
    return (
        "Conv2D",
        f"N={n}, {c_in}→{c_out}, 3×3, p=1, {size}×{size}",
        layer_step(conv, x, dy),
        torch_step(tconv, x, dy),
        target,
    )


def attention_case(rng, n: int, t: int, d: int, heads: int, target: float):
    """Multi-head self-attention against nn.MultiheadAttention (weights returned)."""
    mhsa = scratch.MultiHeadSelfAttention(d, heads, rng=rng).astype(F32)
    tmha = torch.nn.MultiheadAttention(d, heads, batch_first=True)
    p = mhsa.params
    with torch.no_grad():
        w_in = np.concatenate([p["Wq"].T, p["Wk"].T, p["Wv"].T])  # (3D, D)
        tmha.in_proj_weight.copy_(torch.from_numpy(w_in))
        tmha.in_proj_bias.copy_(
            torch.from_numpy(np.concatenate([p["bq"], p["bk"], p["bv"]]))
        )
        tmha.out_proj.weight.copy_(torch.from_numpy(p["Wo"].T))
        tmha.out_proj.bias.copy_(torch.from_numpy(p["bo"]))

    def tmha_forward(xt):
        out, _ = tmha(xt, xt, xt, need_weights=True, average_attn_weights=False)
        return out

    x = rng.standard_normal((n, t, d)).astype(F32)
    dy = rng.standard_normal((n, t, d)).astype(F32)
    return (
        "MultiHeadSelfAttention",
        f"N={n}, T={t}, d={d}, {heads} heads",
        layer_step(mhsa, x, dy),
        torch_step(tmha, x, dy, tmha_forward),
        target,
    )


def rnn_case(rng, n: int, t: int, d: int, h: int, target: float):
    """A tanh RNN d -> h over t steps against nn.RNN."""
    rnn = scratch.RNN(d, h, rng=rng).astype(F32)
    trnn = torch.nn.RNN(d, h, batch_first=True)
    with torch.no_grad():
        trnn.weight_ih_l0.copy_(torch.from_numpy(rnn.params["Wx"].T))
        trnn.weight_hh_l0.copy_(torch.from_numpy(rnn.params["Wh"].T))
        trnn.bias_ih_l0.copy_(torch.from_numpy(rnn.params["b"]))
        trnn.bias_hh_l0.zero_()
    x = rng.standard_normal((n, t, d)).astype(F32)
    dy = rng.standard_normal((n, t, h)).astype(F32)
    return (
        "RNN",
        f"N={n}, T={t}, {d}→{h}",
        layer_step(rnn, x, dy),
        torch_step(trnn, x, dy, lambda xt: trnn(xt)[0]),
        target,
    )


def layer_table(repeats: int) -> list[str]:
    rng = np.random.default_rng(0)
    rows = [
        "| layer | shapes | nnlib (ms) | torch (ms) | ratio | spread | target |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, shape, ours, theirs, target in cases(rng):
        a, b, low, high = median_ms(ours, theirs, repeats)
        rows.append(
            f"| {name} | {shape} | {a:.3f} | {b:.3f} | {a / b:.2f}× "
            f"| {low:.2f}–{high:.2f} | ≤ {target:g}× |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


# ------------------------------------------------------------ MLP, one epoch

N_SAMPLES, BATCH = 1500, 32


def mlp_data(rng: np.random.Generator):
    X = rng.standard_normal((N_SAMPLES, 64)).astype(F32)
    y = rng.integers(0, 10, N_SAMPLES)
    return X, y


def nnlib_epoch(X, y, rng) -> float:
    model = scratch.Sequential(
        scratch.Dense(64, 128, rng=rng), scratch.ReLU(), scratch.Dense(128, 10, rng=rng)
    ).astype(F32)
    loss_fn, opt = scratch.CrossEntropyLoss(), scratch.Adam(model, lr=1e-3)
    t0 = time.perf_counter()
    for i in range(0, N_SAMPLES, BATCH):
        loss_fn.forward(model.forward(X[i : i + BATCH]), y[i : i + BATCH])
        model.backward(loss_fn.backward())
        opt.step()
    return time.perf_counter() - t0


def torch_epoch(X, y) -> float:
    model = torch.nn.Sequential(
        torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    t0 = time.perf_counter()
    for i in range(0, N_SAMPLES, BATCH):
        opt.zero_grad()
        TF.cross_entropy(model(Xt[i : i + BATCH]), yt[i : i + BATCH]).backward()
        opt.step()
    return time.perf_counter() - t0


def micrograd_epoch(X, y, n_samples: int) -> float | None:
    """Seconds for one epoch, scaled up from ``n_samples`` samples; None if absent.

    micrograd has no exp/log, so the loss is the squared error against the
    one-hot label (the cost is dominated by the 64-128-10 graph, not the loss);
    an SGD step follows every sample.
    """
    try:
        from micrograd.nn import MLP
    except ImportError:
        return None
    model = MLP(64, [128, 10])
    t0 = time.perf_counter()
    for i in range(n_samples):
        out = model([float(v) for v in X[i]])
        loss = sum((o - (1.0 if k == y[i] else 0.0)) ** 2 for k, o in enumerate(out))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 1e-4 * p.grad  # small: its weights start in U(-1, 1)
    return (time.perf_counter() - t0) * N_SAMPLES / n_samples


def mlp_table(micrograd_samples: int, epochs: int) -> list[str]:
    rng = np.random.default_rng(0)
    X, y = mlp_data(rng)
    ours = statistics.median(nnlib_epoch(X, y, rng) for _ in range(epochs))
    theirs = statistics.median(torch_epoch(X, y) for _ in range(epochs))
    rows = [
        "| MLP 64-128-10, one epoch of 1,500 samples | time (s) | vs nnlib |",
        "|---|---:|---:|",
        f"| nnlib.scratch (batch 32, Adam) | {ours:.4f} | 1× |",
        f"| PyTorch (batch 32, Adam) | {theirs:.4f} | {theirs / ours:.2f}× |",
    ]
    mg = micrograd_epoch(X, y, micrograd_samples)
    if mg is None:
        print(
            "micrograd is not importable: its row is skipped "
            "(pip install --target DIR micrograd, then PYTHONPATH=DIR)"
        )
    else:
        rows.append(
            f"| micrograd (per sample, SGD; {micrograd_samples} samples timed, "
            f"×{N_SAMPLES / micrograd_samples:g}) | {mg:.1f} | {mg / ours:.0f}× |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for both")
    parser.add_argument("--repeats", type=int, default=100, help="timed calls per case")
    parser.add_argument("--epochs", type=int, default=5, help="MLP epochs timed")
    parser.add_argument("--micrograd-samples", type=int, default=50)
    args = parser.parse_args()
    print(f"numpy {np.__version__}, torch {torch.__version__}, {THREAD_NOTE}, float32")
    print()
    print("\n".join(layer_table(args.repeats)))
    print()
    print("\n".join(mlp_table(args.micrograd_samples, args.epochs)))


if __name__ == "__main__":
    main()
