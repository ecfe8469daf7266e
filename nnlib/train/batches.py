"""Check and move batches, so mistakes give one clear sentence, not a deep traceback.

Letters: B batch, T sequence length, V vocabulary.

Policy: loaders yield CPU tensors and the loop moves them to the training device.
A batch already on that device is used as is; a batch on a *different* accelerator
(or the ``meta`` device) is refused rather than silently copied across.
"""

import torch
from torch import nn

_CLASS_INDEX_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss)


def split_batch(batch: object, where: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (inputs, targets) from a batch, or raise ``TypeError`` saying why not."""
    if not (isinstance(batch, tuple | list) and len(batch) == 2):
        raise TypeError(
            f"{where}: expected each batch to be a pair (inputs, targets), "
            f"got {type(batch).__name__}"
            + (f" of length {len(batch)}" if isinstance(batch, tuple | list) else "")
        )
    x, y = batch
    for name, t in (("inputs", x), ("targets", y)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(
                f"{where}: {name} must be a torch.Tensor, got {type(t).__name__} "
                "(nnlib.data.torch_loader turns numpy arrays into a loader)"
            )
    return x, y


def to_device(
    t: torch.Tensor, device: torch.device, name: str, where: str
) -> torch.Tensor:
    """Move a CPU tensor to ``device``; refuse tensors on another accelerator."""
    if t.device == device:
        return t
    if t.device.type == "cpu":
        return t.to(device, non_blocking=True)
    raise ValueError(
        f"{where}: {name} are on {t.device} but training runs on {device}; "
        f"yield CPU tensors (they are moved for you) or tensors already on {device}"
    )


def model_dtype(model: nn.Module) -> torch.dtype | None:
    """The dtype of the model's first floating-point parameter (None if it has none)."""
    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype
    return None


def check_batch(
    x: torch.Tensor,
    y: torch.Tensor | None,
    model: nn.Module,
    loss_fn: object,
    where: str,
) -> None:
    """Raise ``TypeError`` when inputs or targets have a dtype the model cannot use."""
    want = model_dtype(model)
    if x.is_floating_point() and want is not None and x.dtype != want:
        raise TypeError(
            f"{where}: inputs are {x.dtype} but the model's parameters are {want}; "
            f"convert the data (x.to({want}), or X.astype(np.float32) in numpy) "
            "or the model (model.to(dtype))"
        )
    class_indices = y is not None and not y.is_floating_point()
    if (
        class_indices
        and isinstance(loss_fn, _CLASS_INDEX_LOSSES)
        and y.dtype != torch.long
    ):
        raise TypeError(
            f"{where}: class-index targets for {type(loss_fn).__name__} must be "
            f"torch.long (int64), got {y.dtype}; convert with y.long()"
        )


def compute_loss(loss_fn, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Apply ``loss_fn``; sequence logits (B, T, V) with labels (B, T) are flattened.

    Flattening to (B*T, V) and (B*T,) makes ``nn.CrossEntropyLoss`` average over
    every token, which is what the per-token accuracy reports too.
    """
    if outputs.dim() == 3 and targets.dim() == 2 and not targets.is_floating_point():
        B, T, V = outputs.shape
        flat = outputs.reshape(B * T, V)  # (B, T, V) -> (B*T, V)
        return loss_fn(flat, targets.reshape(B * T))  # (B, T) -> (B*T,)
    return loss_fn(outputs, targets)


def count_correct(outputs: torch.Tensor, targets: torch.Tensor) -> tuple[int, int]:
    """(correct, total) predictions for class logits; (0, 0) when not a classifier."""
    if targets.is_floating_point() or outputs.dim() != targets.dim() + 1:
        return 0, 0
    pred = outputs.argmax(dim=-1)  # (..., K) -> (...)
    return int((pred == targets).sum().item()), targets.numel()
