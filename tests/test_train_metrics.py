"""nnlib.train.metrics: per-token and exact-sequence accuracy."""

import pytest
import torch

from nnlib.train import accuracy, sequence_accuracy

pytestmark = pytest.mark.ch10


def _one_hot_logits(labels: torch.Tensor, V: int) -> torch.Tensor:
    return torch.nn.functional.one_hot(labels, V).float()


def test_classifier_accuracy():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [5.0, 1.0], [0.0, 1.0]])
    assert accuracy(logits, torch.tensor([0, 1, 1, 1])) == pytest.approx(0.75)
    assert accuracy(torch.tensor([0, 1]), torch.tensor([0, 0])) == pytest.approx(0.5)


def test_sequence_accuracy_counts_whole_sequences():
    targets = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9], [0, 0, 0]])
    pred = targets.clone()
    pred[1, 2] = 0  # one wrong token in sequence 1
    pred[2, 0] = 0  # and one in sequence 2
    logits = _one_hot_logits(pred, 10)  # (4, 3, 10)
    assert accuracy(logits, targets) == pytest.approx(10 / 12)  # per token
    assert sequence_accuracy(logits, targets) == pytest.approx(2 / 4)
    assert sequence_accuracy(pred, targets) == pytest.approx(2 / 4)  # labels work too


def test_mismatched_shapes_raise():
    with pytest.raises(ValueError, match="accuracy expected outputs as logits"):
        accuracy(torch.zeros(4, 3, 2), torch.zeros(4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"expected targets \(B, T\)"):
        sequence_accuracy(torch.zeros(4, 3), torch.zeros(4, dtype=torch.long))
