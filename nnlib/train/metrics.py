"""Accuracy for classifiers and for sequence models.

Letters: N examples, K classes, B batch, T sequence length, V vocabulary.

A sequence model's logits are (B, T, V): ``accuracy`` counts every token (per-token
accuracy), ``sequence_accuracy`` counts a sequence only if every token is right. The
two can differ a lot: 95 % of tokens right over 16 positions can mean under half the
sequences right.
"""

import torch


def _predictions(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Class predictions: argmax of logits over the last axis, or labels as given."""
    if outputs.dim() == targets.dim() + 1:
        return outputs.argmax(dim=-1)  # (..., K) -> (...)
    if outputs.shape == targets.shape and not outputs.dtype.is_floating_point:
        return outputs  # already class labels
    raise ValueError(
        f"expected logits of shape {tuple(targets.shape) + ('K',)} or labels of "
        f"shape {tuple(targets.shape)}, got {tuple(outputs.shape)}"
    )


def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of correct predictions; per token for (B, T, V) logits.

    ``outputs`` are logits (N, K) or (B, T, V) or integer labels shaped like
    ``targets``; ``targets`` are integer labels (N,) or (B, T).
    """
    pred = _predictions(outputs, targets)
    return (pred == targets).float().mean().item()


def sequence_accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of sequences whose every token is predicted correctly.

    Shape:
        - outputs: (B, T, V) logits or (B, T) labels
        - targets: (B, T) labels
    """
    if targets.dim() != 2:
        raise ValueError(f"expected targets (B, T), got {tuple(targets.shape)}")
    pred = _predictions(outputs, targets)  # (B, T)
    return (pred == targets).all(dim=1).float().mean().item()
