"""Measure what self-attention costs as the sequence grows.

The explicit path stores the (B, h, T, T) weights, so its memory grows as T^2; the
fused ``F.scaled_dot_product_attention`` path computes the same output in tiles and
never keeps that matrix, so its memory grows about linearly (its time still grows as
T^2: every pair of positions is still compared).

Memory is the peak growth during one forward + backward pass: PyTorch's own counter
on CUDA; on a Linux CPU the process's peak resident memory (reset through
``/proc/self/clear_refs``); elsewhere it is reported as NaN. CPU figures include a few
MB of allocator noise, so only their growth with T means something.
"""

import ctypes
import ctypes.util
import math
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial

import torch

from nnlib.blocks.attention import MultiHeadSelfAttention

PATHS = ("explicit", "sdpa")


def _sync(device: torch.device) -> None:
    """Wait for queued GPU work so that a timer measures it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def _forward_backward(attn: MultiHeadSelfAttention, x: torch.Tensor, path: str) -> None:
    """One forward and backward pass through ``attn`` along the chosen path."""
    if path == "explicit":
        out, _ = attn(x, return_attention=True)  # keeps the (B, h, T, T) weights
    else:
        out = attn(x)
    out.sum().backward()  # (B, T, D) -> scalar, then gradients


def _status_bytes(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024  # the file reports kB
    raise KeyError(key)


def _peak_bytes(step: Callable[[], None], device: torch.device) -> float:
    """Peak memory growth (bytes) while ``step()`` runs, or NaN if not measurable."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        base = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        step()
        torch.cuda.synchronize(device)
        return float(torch.cuda.max_memory_allocated(device) - base)
    if device.type == "cpu" and sys.platform.startswith("linux"):
        libc_name = ctypes.util.find_library("c")
        if libc_name:  # give freed heap back to the OS so reuse does not hide growth
            ctypes.CDLL(libc_name).malloc_trim(0)
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # reset the peak resident size (VmHWM) to the current one
            base = _status_bytes("VmRSS")
        except OSError:
            return math.nan
        step()
        return float(_status_bytes("VmHWM") - base)
    return math.nan


def attention_cost(
    *,
    seq_lens: Sequence[int] = (64, 128, 256, 512, 1024, 2048),
    batch_size: int = 8,
    d_model: int = 64,
    n_heads: int = 4,
    device: torch.device | str = "cpu",
    repeats: int = 3,
    paths: Sequence[str] = PATHS,
    seed: int = 0,
) -> list[dict]:
    """Time and peak memory of one attention forward + backward per length and path.

    Args:
        seq_lens: the sequence lengths T to measure.
            Default: ``(64, 128, 256, 512, 1024, 2048)``.
        batch_size: B. Default: ``8``.
        d_model: D. Default: ``64``.
        n_heads: h. Default: ``4``.
        device: where to run. Default: ``"cpu"``.
        repeats: timed runs per measurement; the best counts. Default: ``3``.
        paths: ``"explicit"`` (weights materialised, ``return_attention=True``)
            and/or ``"sdpa"`` (fused kernel). Default: ``("explicit", "sdpa")``.
        seed: the seed of the random inputs. Default: ``0``.

    Returns:
        One dict per (length, path) with keys ``seq_len``, ``path``, ``seconds``
        (best of ``repeats``) and ``peak_mb`` (NaN where it cannot be measured).

    Example:
        >>> from nnlib.blocks import attention_cost
        >>> rows = attention_cost(seq_lens=(8, 16), batch_size=1, d_model=8, repeats=1)
        >>> [(row["seq_len"], row["path"]) for row in rows]
        [(8, 'explicit'), (8, 'sdpa'), (16, 'explicit'), (16, 'sdpa')]
        >>> sorted(rows[0])
        ['path', 'peak_mb', 'seconds', 'seq_len']
    """
    for path in paths:
        if path not in PATHS:
            raise ValueError(
                f"attention_cost expected paths taken from {PATHS}, got {path!r}"
            )
    device = torch.device(device)
    gen = torch.Generator().manual_seed(seed)
    rows = []
    for T in seq_lens:
        attn = MultiHeadSelfAttention(d_model, n_heads).to(device)
        x = torch.randn(batch_size, T, d_model, generator=gen).to(device)
        x.requires_grad_(True)
        for path in paths:
            step = partial(_forward_backward, attn, x, path)
            step()  # warm-up: first calls allocate and pick kernels
            times = []
            for _ in range(repeats):
                _sync(device)
                start = time.perf_counter()
                step()
                _sync(device)
                times.append(time.perf_counter() - start)
            peak = _peak_bytes(step, device)
            rows.append(
                {
                    "seq_len": T,
                    "path": path,
                    "seconds": min(times),
                    "peak_mb": peak / 2**20,
                }
            )
    return rows
