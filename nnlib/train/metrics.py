"""Accuracy for classifiers and for sequence models.

Letters: N examples, K classes, B batch, T sequence length, V vocabulary.

A sequence model's logits are (B, T, V): ``accuracy`` counts every token (per-token
accuracy), ``sequence_accuracy`` counts a sequence only if every token is right. The
two can differ a lot: 95 % of tokens right over 16 positions can mean under half the
sequences right.
"""

import torch

from nnlib._checks import format_shape


def _predictions(
    outputs: torch.Tensor, targets: torch.Tensor, where: str
) -> torch.Tensor:
    """Class predictions: argmax of logits over the last axis, or labels as given."""
    if outputs.dim() == targets.dim() + 1:
        return outputs.argmax(dim=-1)  # (..., K) -> (...)
    if outputs.shape == targets.shape and not outputs.dtype.is_floating_point:
        return outputs  # already class labels
    raise ValueError(
        f"{where} expected outputs as logits {format_shape((*targets.shape, 'K'))} "
        f"or labels {format_shape(targets.shape)}, got {format_shape(outputs.shape)}"
    )


def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of correct predictions; per token for (B, T, V) logits.

    Args:
        outputs: logits, or integer labels shaped like ``targets``.
        targets: integer labels.

    Shape:
        - outputs: (N, K) or (B, T, V) logits, or labels (N,) or (B, T)
        - targets: (N,) or (B, T)

    Returns:
        A Python float in [0, 1].

    Example:
        >>> import torch
        >>> from nnlib.train import accuracy
        >>> logits = torch.tensor([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0]])
        >>> round(accuracy(logits, torch.tensor([0, 1, 1])), 4)  # 2 of 3
        0.6667
    """
    pred = _predictions(outputs, targets, "accuracy")
    return (pred == targets).float().mean().item()


def sequence_accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of sequences whose every token is predicted correctly.

    Args:
        outputs: logits, or integer labels shaped like ``targets``.
        targets: integer labels.

    Shape:
        - outputs: (B, T, V) logits or (B, T) labels
        - targets: (B, T) labels

    Returns:
        A Python float in [0, 1].

    Example:
        >>> import torch
        >>> from nnlib.train import accuracy, sequence_accuracy
        >>> targets = torch.tensor([[1, 2], [3, 4]])
        >>> predicted = torch.tensor([[1, 2], [3, 0]])  # 3 of 4 tokens right
        >>> accuracy(predicted, targets), sequence_accuracy(predicted, targets)
        (0.75, 0.5)
    """
    if targets.dim() != 2:
        raise ValueError(
            f"sequence_accuracy expected targets (B, T), "
            f"got {format_shape(targets.shape)}"
        )
    pred = _predictions(outputs, targets, "sequence_accuracy")  # (B, T)
    return (pred == targets).all(dim=1).float().mean().item()
