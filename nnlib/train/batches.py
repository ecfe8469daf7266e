"""Check and move batches, so mistakes give one clear sentence, not a deep traceback.

Letters: B batch, T sequence length, V vocabulary.

Policy: loaders yield CPU tensors and the loop moves them to the training device.
A batch already on that device is used as is; a batch on a *different* accelerator
(or the ``meta`` device) is refused rather than silently copied across.
"""

import torch
from torch import nn

from nnlib._checks import format_shape

_CLASS_INDEX_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss)
# losses that compare outputs and targets element by element (PyTorch broadcasts
# mismatched shapes for some of them, with only a warning)
_ELEMENTWISE_LOSSES = (
    nn.MSELoss,
    nn.L1Loss,
    nn.SmoothL1Loss,
    nn.HuberLoss,
    nn.BCELoss,
    nn.BCEWithLogitsLoss,
)


def split_batch(batch: object, where: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (inputs, targets) from a batch, or raise ``TypeError`` saying why not."""
    if not (isinstance(batch, tuple | list) and len(batch) == 2):
        raise TypeError(
            f"{where} expected each batch as a pair (inputs, targets), "
            f"got {type(batch).__name__}"
            + (f" of length {len(batch)}" if isinstance(batch, tuple | list) else "")
        )
    x, y = batch
    for name, t in (("inputs", x), ("targets", y)):
        if not isinstance(t, torch.Tensor):
            raise TypeError(
                f"{where} expected {name} as a torch.Tensor, got {type(t).__name__}; "
                "nnlib.data.torch_loader turns numpy arrays into a loader"
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
        f"{where} expected {name} on {device} (where the model runs) or on the CPU, "
        f"got {name} on {t.device}; yield CPU tensors (they are moved for you)"
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
            f"{where} expected inputs in the dtype of the model's parameters, {want}, "
            f"got {x.dtype}; convert the data (x.to({want}), or "
            "X.astype(np.float32) in numpy) or the model (model.to(dtype))"
        )
    class_indices = y is not None and not y.is_floating_point()
    if (
        class_indices
        and isinstance(loss_fn, _CLASS_INDEX_LOSSES)
        and y.dtype != torch.long
    ):
        raise TypeError(
            f"{where} expected class-index targets for {type(loss_fn).__name__} "
            f"as torch.long (int64), got {y.dtype}; convert with y.long()"
        )


def compute_loss(
    loss_fn, outputs: torch.Tensor, targets: torch.Tensor, where: str = "loss"
) -> torch.Tensor:
    """Apply ``loss_fn``; sequence logits (B, T, V) with labels (B, T) are flattened.

    Flattening to (B*T, V) and (B*T,) makes ``nn.CrossEntropyLoss`` average over
    every token, which is what the per-token accuracy reports too. Shapes and
    labels that do not fit the loss raise an error naming both, never a broadcast.
    """
    if outputs.dim() == 3 and targets.dim() == 2 and not targets.is_floating_point():
        B, T, V = outputs.shape
        outputs = outputs.reshape(B * T, V)  # (B, T, V) -> (B*T, V)
        targets = targets.reshape(B * T)  # (B, T) -> (B*T,)
    check_loss_inputs(loss_fn, outputs, targets, where)
    try:
        return loss_fn(outputs, targets)
    except (IndexError, RuntimeError) as exc:
        if isinstance(loss_fn, _CLASS_INDEX_LOSSES) and outputs.dim() >= 2:
            k = outputs.shape[1]
            low, high = int(targets.min()), int(targets.max())
            if low < 0 or high >= k:
                raise ValueError(
                    f"{where} expected class labels in [0, {k}) (the model outputs "
                    f"{k} classes), got labels from {low} to {high}"
                ) from exc
        raise


def check_loss_inputs(
    loss_fn: object, outputs: torch.Tensor, targets: torch.Tensor, where: str
) -> None:
    """Raise ``ValueError``/``TypeError`` when targets cannot go with these outputs."""
    name = type(loss_fn).__name__
    shapes = (
        f"outputs {format_shape(outputs.shape)} "
        f"and targets {format_shape(targets.shape)}"
    )
    if isinstance(loss_fn, _ELEMENTWISE_LOSSES) and outputs.shape != targets.shape:
        hint = ""
        if outputs.shape == (*targets.shape, 1):
            hint = "; squeeze the outputs (out.squeeze(-1)) or reshape the targets"
        elif targets.shape == (*outputs.shape, 1):
            hint = "; squeeze the targets (y.squeeze(-1))"
        raise ValueError(
            f"{where} expected outputs and targets of one shape ({name} compares "
            f"them element by element), got {shapes}{hint}"
        )
    if isinstance(loss_fn, _CLASS_INDEX_LOSSES) and outputs.dim() >= 2:
        labels = (outputs.shape[0], *outputs.shape[2:])  # (N, K) -> (N,)
        if targets.is_floating_point():
            if targets.shape != outputs.shape:
                raise TypeError(
                    f"{where} expected targets for {name} as class labels "
                    f"(torch.long) of shape {format_shape(labels)} or class "
                    f"probabilities of the outputs' shape, got {shapes} as "
                    f"{targets.dtype}; convert labels with y.long()"
                )
        elif tuple(targets.shape) != labels:
            raise ValueError(
                f"{where} expected targets for {name} as one class label per "
                f"example, shape {format_shape(labels)}, got {shapes}"
                + ("; use y.squeeze(-1)" if targets.shape == (*labels, 1) else "")
            )


def count_correct(outputs: torch.Tensor, targets: torch.Tensor) -> tuple[int, int]:
    """(correct, total) predictions for class logits; (0, 0) when not a classifier."""
    if targets.is_floating_point() or outputs.dim() != targets.dim() + 1:
        return 0, 0
    pred = outputs.argmax(dim=-1)  # (..., K) -> (...)
    return int((pred == targets).sum().item()), targets.numel()
