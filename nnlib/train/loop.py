"""The training loop: ``fit``, ``evaluate`` and ``predict``.

One epoch is the numpy loop of chapter 1 in PyTorch words: for each batch, predict
(``model(x)``), measure the error (``loss_fn``), compute gradients
(``loss.backward()``) and adjust (``optimizer.step()``). Around it: moving batches
to the device, a progress bar, per-epoch metrics, checkpoints, and a stop with a
clear message when the loss stops being a finite number.
"""

import math
import os
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from nnlib._checks import check_int, check_number, format_shape
from nnlib.train.batches import (
    check_batch,
    compute_loss,
    count_correct,
    model_dtype,
    split_batch,
    to_device,
)
from nnlib.train.checkpoint import load_checkpoint, loader_generators, save_checkpoint
from nnlib.train.device import get_device
from nnlib.train.metrics import sequence_accuracy

HISTORY_KEYS = ("train_loss", "train_acc", "val_loss", "val_acc", "seconds")


def _model_device(model: nn.Module) -> torch.device:
    """Where the model's parameters live (CPU for a model without parameters)."""
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _forward(model: nn.Module, x: torch.Tensor, where: str) -> torch.Tensor:
    """``model(x)``; torch's dtype and shape errors say where they happened.

    Integer or bool inputs to a float model become a ``TypeError``, inputs whose
    shape the model cannot take a ``ValueError``; torch's message is kept (and
    chained). Any model may be trained here, so only the model itself knows which
    inputs it takes (token models take integer ids): the check is its own error,
    and costs nothing when there is none.
    """
    try:
        return model(x)
    except RuntimeError as exc:
        message = str(exc).lower()
        want = model_dtype(model)
        if want is not None and not x.is_floating_point() and "type" in message:
            raise TypeError(
                f"{where} expected floating-point inputs ({want}) for this model, "
                f"got {x.dtype}; convert with X.astype(np.float32) in numpy or "
                f"x.float() (torch said: {exc})"
            ) from exc
        if "shape" in message or "size" in message:
            raise ValueError(
                f"{where} expected inputs this model can take, got shape "
                f"{format_shape(x.shape)} (torch said: {exc})"
            ) from exc
        raise


def _train_epoch(model, loader, optimizer, loss_fn, device, epoch, scheduler, clip):
    """One pass over ``loader`` with updates; returns (mean loss, accuracy)."""
    model.train()
    loss_sum, n_examples, correct, counted = 0.0, 0, 0, 0
    for step, batch in enumerate(loader, start=1):
        where = f"fit (train_loader, epoch {epoch}, step {step})"
        x, y = split_batch(batch, where)
        x = to_device(x, device, "inputs", where)
        y = to_device(y, device, "targets", where)
        check_batch(x, y, model, loss_fn, where)
        if y.shape[0] == 0:  # the mean loss of no examples is NaN
            raise ValueError(
                f"{where} expected a batch of at least one example, got inputs "
                f"{format_shape(x.shape)} and targets {format_shape(y.shape)}"
            )

        out = _forward(model, x, where)  # predict
        loss = compute_loss(loss_fn, out, y, where)  # measure the error
        value = loss.item()
        if not math.isfinite(value):
            lr = optimizer.param_groups[0].get("lr", float("nan"))
            raise FloatingPointError(
                f"the loss became {value} at epoch {epoch}, step {step}: training "
                f"diverged. Try a lower learning rate (it is {lr:g} now)."
            )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()  # gradients of the loss for every parameter
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()  # adjust
        if scheduler is not None:
            scheduler.step()

        n = y.shape[0]
        loss_sum += value * n
        n_examples += n
        c, m = count_correct(out.detach(), y)
        correct, counted = correct + c, counted + m
    if n_examples == 0:
        raise ValueError("fit expected train_loader to yield batches, got none")
    acc = correct / counted if counted else math.nan
    return loss_sum / n_examples, acc


def _check_optimizer_trains(optimizer: object, model: nn.Module) -> None:
    """The optimizer must update this model's parameters, not another model's."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"fit expected a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    own = {id(p) for p in model.parameters()}
    given = [p for group in optimizer.param_groups for p in group["params"]]
    if own and not any(id(p) in own for p in given):
        raise ValueError(
            f"fit expected an optimizer over the model's {len(own)} parameter "
            f"tensors, got one over {len(given)} tensors of another model "
            "(build it with optimizer(model.parameters(), ...))"
        )


def fit(
    model: nn.Module,
    train_loader: Iterable,
    val_loader: Iterable | None = None,
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    loss_fn: nn.Module,
    device: torch.device | str | None = None,
    progress: bool = True,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = True,
    scheduler: object | None = None,
    grad_clip: float | None = None,
) -> dict[str, list[float]]:
    """Train ``model`` for ``epochs`` epochs and return the per-epoch history.

    Accuracy is per token for sequence logits (B, T, V) (``loss_fn`` then gets them
    flattened to (B*T, V) with labels (B*T,)), NaN for a non-classifier. Model and
    batches are moved to the device. A non-finite loss raises
    ``FloatingPointError`` naming the epoch and step.

    Args:
        model: the ``nn.Module`` to train.
        train_loader: yields ``(inputs, targets)`` batches of CPU tensors, such as
            ``nnlib.data.torch_loader``.
        val_loader: batches to evaluate after every epoch, or ``None``.
            Default: ``None``.
        epochs: the total number of epochs (a resumed run counts the saved ones).
        optimizer: a ``torch.optim.Optimizer`` over ``model.parameters()``.
        loss_fn: the loss, such as ``nn.CrossEntropyLoss()``.
        device: where to train; ``None`` uses ``get_device()``. Default: ``None``.
        progress: show one ``tqdm`` bar over epochs. Default: ``True``.
        checkpoint: a file to save the run to after every epoch, or ``None``.
            Default: ``None``.
        resume: if ``True`` and ``checkpoint`` exists, continue from it; the run
            then ends exactly where an uninterrupted run would (same weights, bit
            for bit, on the same machine). Default: ``True``.
        scheduler: its ``step()`` is called after every optimizer step, or
            ``None``. Default: ``None``.
        grad_clip: the largest global gradient norm, or ``None`` for no clipping.
            Default: ``None``.

    Returns:
        The history: a dict of lists, one entry per epoch, with keys ``train_loss``,
        ``train_acc`` (running means over the epoch), ``val_loss``, ``val_acc``
        (NaN without ``val_loader``) and ``seconds`` (``HISTORY_KEYS``).

    Example:
        >>> import torch
        >>> from nnlib.data import make_blobs, torch_loader
        >>> from nnlib.train import fit
        >>> X, y = make_blobs(60, centers=2)
        >>> model = torch.nn.Linear(2, 2)
        >>> history = fit(model, torch_loader(X, y, batch_size=20), epochs=3,
        ...               optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        ...               loss_fn=torch.nn.CrossEntropyLoss(), device="cpu",
        ...               progress=False)
        >>> list(history), len(history["train_loss"])
        (['train_loss', 'train_acc', 'val_loss', 'val_acc', 'seconds'], 3)
    """
    epochs = check_int("fit", "epochs", epochs)
    if grad_clip is not None:  # a negative bound flips every gradient: uphill
        grad_clip = check_number("fit", "grad_clip", grad_clip, low=0.0, low_open=True)
    _check_optimizer_trains(optimizer, model)
    device = get_device(device)  # also checks a torch.device exists here
    model.to(device)
    history: dict[str, list[float]] = {key: [] for key in HISTORY_KEYS}
    generators = loader_generators(train_loader)
    start = 0
    if checkpoint is not None and resume and Path(checkpoint).exists():
        state = load_checkpoint(
            checkpoint,
            model,
            optimizer,
            scheduler=scheduler,
            generators=generators,
            map_location=device,
        )
        start, history = state["epoch"], state["history"]

    bar = tqdm(
        total=epochs, initial=min(start, epochs), unit="epoch", disable=not progress
    )
    for epoch in range(start + 1, epochs + 1):
        began = time.perf_counter()
        train_loss, train_acc = _train_epoch(
            model, train_loader, optimizer, loss_fn, device, epoch, scheduler, grad_clip
        )
        val = {"loss": math.nan, "acc": math.nan}
        if val_loader is not None:
            val = evaluate(model, val_loader, loss_fn=loss_fn, device=device)
        for key, value in (
            ("train_loss", train_loss),
            ("train_acc", train_acc),
            ("val_loss", val["loss"]),
            ("val_acc", val["acc"]),
            ("seconds", time.perf_counter() - began),
        ):
            history[key].append(value)
        shown = {k: history[k][-1] for k in HISTORY_KEYS[:4]}
        bar.set_postfix({k: f"{v:.4f}" for k, v in shown.items() if not math.isnan(v)})
        bar.update()
        if checkpoint is not None:
            save_checkpoint(
                checkpoint,
                model,
                optimizer,
                epoch=epoch,
                history=history,
                scheduler=scheduler,
                generators=generators,
            )
    bar.close()
    return history


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: Iterable,
    *,
    loss_fn: nn.Module | None = None,
    device: torch.device | str | None = None,
) -> dict[str, float]:
    """Mean loss and accuracy of ``model`` over ``loader``, in eval mode.

    The model's train/eval mode is restored afterwards.

    Args:
        model: the ``nn.Module`` to evaluate.
        loader: yields ``(inputs, targets)`` batches.
        loss_fn: the loss, or ``None`` for accuracy only. Default: ``None``.
        device: where to run; ``None`` keeps the model where it is.
            Default: ``None``.

    Returns:
        ``{"loss": ..., "acc": ...}`` (loss is NaN without ``loss_fn``), plus
        ``"seq_acc"`` (exact-sequence accuracy) when the model outputs sequence
        logits (B, T, V).

    Example:
        >>> import torch
        >>> from nnlib.data import torch_loader
        >>> from nnlib.train import evaluate
        >>> loader = torch_loader(np.zeros((4, 2)), np.array([0, 1, 0, 1]))
        >>> loss_fn = torch.nn.CrossEntropyLoss()
        >>> result = evaluate(torch.nn.Linear(2, 2), loader, loss_fn=loss_fn)
        >>> sorted(result), result["acc"]  # equal inputs: one class for all
        (['acc', 'loss'], 0.5)
    """
    device = _model_device(model) if device is None else get_device(device)
    model.to(device)
    was_training = model.training
    model.eval()
    loss_sum, n_examples, correct, counted, seq_right, n_seq = 0.0, 0, 0, 0, 0.0, 0
    for step, batch in enumerate(loader, start=1):
        where = f"evaluate (step {step})"
        x, y = split_batch(batch, where)
        x = to_device(x, device, "inputs", where)
        y = to_device(y, device, "targets", where)
        check_batch(x, y, model, loss_fn, where)
        n = y.shape[0]
        if n == 0:  # an empty batch adds nothing (its mean loss would be NaN)
            continue
        out = _forward(model, x, where)
        if loss_fn is not None:
            loss_sum += compute_loss(loss_fn, out, y, where).item() * n
        c, m = count_correct(out, y)
        correct, counted = correct + c, counted + m
        if out.dim() == 3 and y.dim() == 2 and m:
            seq_right += sequence_accuracy(out, y) * n
            n_seq += n
        n_examples += n
    model.train(was_training)
    if n_examples == 0:
        raise ValueError(
            "evaluate expected loader to yield a batch of at least one example, "
            "got none"
        )
    result = {
        "loss": loss_sum / n_examples if loss_fn is not None else math.nan,
        "acc": correct / counted if counted else math.nan,
    }
    if n_seq:
        result["seq_acc"] = seq_right / n_seq
    return result


@torch.no_grad()
def predict(
    model: nn.Module,
    data: torch.Tensor | np.ndarray | Iterable,
    *,
    device: torch.device | str | None = None,
    batch_size: int = 512,
) -> torch.Tensor:
    """Model outputs (e.g. logits) for ``data``, in eval mode, as one CPU tensor.

    Use ``.argmax(-1)`` on the result for class predictions.

    Args:
        model: the ``nn.Module`` to run.
        data: a tensor or numpy array of inputs (split into ``batch_size``
            chunks), or a loader yielding inputs or (inputs, targets) pairs.
        device: where to run; ``None`` keeps the model where it is.
            Default: ``None``.
        batch_size: the rows per chunk for a tensor or array. Default: ``512``.

    Shape:
        - data: (N, ...)
        - Output: (N, ...), what the model gives for each input

    Example:
        >>> import torch
        >>> from nnlib.train import predict
        >>> model = torch.nn.Linear(3, 2)
        >>> predict(model, np.zeros((5, 3), np.float32), batch_size=2).shape
        torch.Size([5, 2])
    """
    batch_size = check_int("predict", "batch_size", batch_size)
    device = _model_device(model) if device is None else get_device(device)
    model.to(device)
    if isinstance(data, list | tuple) and not _holds_batches(data):
        data = _from_list(data, model)  # nested lists of numbers: one array
    if isinstance(data, np.ndarray):
        data = _from_numpy(data, "predict")
    if isinstance(data, torch.Tensor):
        if data.dim() == 0:
            raise ValueError(
                "predict expected inputs with a batch axis (N, ...), got shape ()"
            )
        data = data.split(int(batch_size))  # (N, ...) -> chunks of (batch_size, ...)
    was_training = model.training
    model.eval()
    outputs = []
    for step, batch in enumerate(data, start=1):
        x = batch[0] if isinstance(batch, tuple | list) else batch
        where = f"predict (step {step})"
        if isinstance(x, np.ndarray):
            x = _from_numpy(x, where)
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"{where} expected inputs as a torch.Tensor or numpy array, "
                f"got {type(x).__name__}"
            )
        x = to_device(x, device, "inputs", where)
        check_batch(x, None, model, None, where)
        outputs.append(_forward(model, x, where).cpu())
    model.train(was_training)
    if not outputs:
        raise ValueError("predict expected at least one batch of inputs, got none")
    return torch.cat(outputs)  # list of (b, ...) -> (N, ...)


def _holds_batches(data: list | tuple) -> bool:
    """A list of batches (tensors, arrays or tuples), not nested lists of numbers."""
    return bool(data) and isinstance(data[0], torch.Tensor | np.ndarray | tuple)


def _from_list(data: list | tuple, model: nn.Module) -> np.ndarray:
    """Nested lists of numbers as one array; floats in the model's dtype.

    A list has no dtype of its own, so the model's is the one meant (numpy would
    pick float64 and the model would then refuse it).
    """
    array = np.asarray(data)
    want = model_dtype(model)
    if array.dtype.kind == "f" and want is not None:
        array = array.astype(str(want).removeprefix("torch."))
    return array


def _from_numpy(array: np.ndarray, where: str) -> torch.Tensor:
    """A numpy array as a tensor (a copy only for negative or odd strides)."""
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{where} expected a numeric array (float, int or bool), "
            f"got dtype {array.dtype}"
        )
    if not array.flags.c_contiguous or min(array.strides, default=0) < 0:
        # (a reversed axis of length 1 counts as contiguous yet has a negative
        # stride, which torch refuses: copy then too)
        array = array.copy(order="C")
    return torch.from_numpy(array)
