"""Chapter 07 tasks: a PyTorch MLP, a gradient by autograd, one training step.

The learner's functions build or use torch objects, which cannot travel from a
kernel to the grader; so each task's ``call`` probes them inside the kernel
and returns plain numbers (parameters, outputs, losses). torch is imported
only when a chapter-07 case actually runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nnlib.scratch import Dense, MSELoss

from ..compare import compare, describe
from ..spec import Case, TaskSpec
from ._common import normal, with_params


def make_mlp(in_features: int, hidden: int, out_features: int) -> Any:
    """Reference: Linear(in, hidden) -> ReLU -> Linear(hidden, out)."""
    from torch import nn

    return nn.Sequential(
        nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features)
    )


def probe_model(
    fn: Callable, in_features: int, hidden: int, out_features: int, x: np.ndarray
) -> dict:
    """Build the model (seed 0) and report its parameters and its output on ``x``."""
    import torch

    torch.manual_seed(0)
    model = fn(in_features, hidden, out_features)
    if not isinstance(model, torch.nn.Module):
        return {"model": f"not an nn.Module but {type(model).__name__}"}
    with torch.no_grad():
        out = model(torch.as_tensor(x, dtype=torch.float32))
    params = tuple(p.detach().double().numpy() for p in model.parameters())
    return {"model": "nn.Module", "params": params, "out": out.double().numpy()}


def _judge_mlp(expected: dict, received: Any, case: Case) -> str | None:
    if not isinstance(received, dict) or received.get("model") != "nn.Module":
        what = (
            received.get("model") if isinstance(received, dict) else describe(received)
        )
        return f"expected an nn.Module, got {what}"
    want = sorted(p.shape for p in expected["params"])
    got = sorted(np.shape(p) for p in received["params"])
    if got != want:
        return f"expected parameters of shapes {want}, got {got}"
    by_shape = {np.shape(p): p for p in received["params"]}
    n_in, hidden, n_out = case.args[:3]
    W1, b1 = by_shape[(hidden, n_in)], by_shape[(hidden,)]
    W2, b2 = by_shape[(n_out, hidden)], by_shape[(n_out,)]
    x = case.args[3].astype(np.float64)
    out = np.maximum(x @ W1.T + b1, 0) @ W2.T + b2  # what Linear-ReLU-Linear gives
    # float32 forward pass of O(1) numbers: 1e-4 relative is far above its rounding
    problem = compare(out, received["out"], 1e-4, 1e-5)
    return (
        None
        if problem is None
        else f"output is not Linear -> ReLU -> Linear: {problem}"
    )


def autograd_grad(W: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Reference: dL/dW of L = mean((x @ W - y) ** 2), by nnlib's backward pass."""
    layer = with_params(Dense(*W.shape), W=W)
    loss = MSELoss()
    loss.forward(layer.forward(x), y)
    layer.backward(loss.backward())
    return layer.grads["W"]


def train_step(model: Any, optimizer: Any, x: Any, y: Any) -> float:
    """Reference: zero the gradients, MSE loss, backward, step; return the loss."""
    import torch.nn.functional as F

    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def run_train_steps(fn: Callable, x: np.ndarray, y: np.ndarray, lr: float) -> tuple:
    """Two steps on a seeded Linear model (the second shows a missing zero_grad)."""
    import torch

    torch.manual_seed(0)
    model = torch.nn.Linear(x.shape[1], y.shape[1]).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    losses = tuple(float(fn(model, optimizer, xt, yt)) for _ in range(2))
    W, b = (p.detach().numpy().copy() for p in (model.weight, model.bias))
    return (*losses, W, b)


def _mlp_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("64 -> 32 -> 10", (64, 32, 10, normal(rng, 5, 64).astype(np.float32))),
        Case("batch of 1", (3, 7, 2, normal(rng, 1, 3).astype(np.float32))),
        Case("one output", (4, 6, 1, normal(rng, 8, 4).astype(np.float32))),
    ]


def _grad_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            "5 samples, 3 -> 2",
            (normal(rng, 3, 2), normal(rng, 5, 3), normal(rng, 5, 2)),
        ),
        Case("batch of 1", (normal(rng, 4, 1), normal(rng, 1, 4), normal(rng, 1, 1))),
        Case("perfect fit: zero gradient", _perfect(rng)),
        Case(
            "64 -> 10, batch of 16",
            (normal(rng, 64, 10), normal(rng, 16, 64), normal(rng, 16, 10)),
        ),
    ]


def _perfect(rng: np.random.Generator) -> tuple:
    W, x = normal(rng, 2, 3), normal(rng, 4, 2)
    return W, x, x @ W


def _step_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("8 samples, 3 -> 2", (normal(rng, 8, 3), normal(rng, 8, 2), 0.1)),
        Case("batch of 1", (normal(rng, 1, 4), normal(rng, 1, 1), 0.05)),
        Case("large learning rate", (normal(rng, 6, 2), normal(rng, 6, 3), 0.5)),
    ]


SPECS = [
    TaskSpec(
        id="07.torch_mlp",
        make_cases=_mlp_cases,
        reference=make_mlp,
        hint="return nn.Sequential(nn.Linear(in, hidden), nn.ReLU(), "
        "nn.Linear(hidden, out)) or an nn.Module subclass doing the same.",
        judge=_judge_mlp,
        call=probe_model,
        check_inputs_unchanged=False,
    ),
    TaskSpec(
        id="07.autograd_grad",
        make_cases=_grad_cases,
        reference=autograd_grad,
        hint="make W a tensor with requires_grad=True, compute the mean squared "
        "error, call .backward() and return W.grad as a numpy array.",
        # float64 tensors throughout: the same sums as numpy, 1e-7 relative.
        rtol=1e-7,
        atol=1e-10,
        forbidden=("nnlib.scratch.MSELoss", "nnlib.scratch.Dense"),
    ),
    TaskSpec(
        id="07.train_step",
        make_cases=_step_cases,
        reference=train_step,
        hint="zero the gradients first (they accumulate otherwise), then loss = "
        "mse_loss(model(x), y), loss.backward(), optimizer.step(); return loss.item().",
        rtol=1e-7,
        atol=1e-10,
        outputs=(
            "first loss",
            "second loss",
            "weight after two steps",
            "bias after two steps",
        ),
        call=run_train_steps,
    ),
]
