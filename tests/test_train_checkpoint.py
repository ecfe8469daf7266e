"""nnlib.train.checkpoint: atomic saves, and resuming equals never stopping."""

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from nnlib.train import checkpoint as checkpoint_module
from nnlib.train import fit, load_checkpoint, save_checkpoint

pytestmark = pytest.mark.ch07

EPOCHS = 4
METRICS = ("train_loss", "train_acc", "val_loss", "val_acc")


class Interrupt(Exception):
    """Stands in for a killed kernel or Ctrl-C in the middle of an epoch."""


class InterruptingLoss(nn.Module):
    """Cross-entropy that raises on its ``stop_at``-th call (None: never)."""

    def __init__(self, stop_at: int | None = None):
        super().__init__()
        self.stop_at, self.calls = stop_at, 0
        self.ce = nn.CrossEntropyLoss()

    def forward(self, logits, targets):
        self.calls += 1
        if self.stop_at is not None and self.calls == self.stop_at:
            raise Interrupt
        return self.ce(logits, targets)


def _setup(loader_generator: bool, seed: int = 0):
    """A model with dropout (uses the RNG) and a shuffling loader (uses an RNG)."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(4, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3)
    )
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    data = torch.Generator().manual_seed(123)
    X = torch.randn(60, 4, generator=data)
    y = torch.randint(0, 3, (60,), generator=data)
    gen = torch.Generator().manual_seed(7) if loader_generator else None
    train = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True, generator=gen)
    val = DataLoader(TensorDataset(X[:20], y[:20]), batch_size=10)
    return model, opt, sched, train, val


def _run(loader_generator, loss_fn, checkpoint=None, seed=0):
    model, opt, sched, train, val = _setup(loader_generator, seed)
    history = fit(
        model,
        train,
        val,
        epochs=EPOCHS,
        optimizer=opt,
        loss_fn=loss_fn,
        device="cpu",
        progress=False,
        checkpoint=checkpoint,
        scheduler=sched,
    )
    return model, history


@pytest.mark.parametrize("loader_generator", [False, True])
def test_resume_after_interruption_equals_uninterrupted_run(tmp_path, loader_generator):
    model_a, history_a = _run(loader_generator, InterruptingLoss())

    path = tmp_path / "run.ckpt"
    # The loss runs 8 (train) + 2 (val) times per epoch: call 25 falls in epoch 3.
    with pytest.raises(Interrupt):
        _run(loader_generator, InterruptingLoss(stop_at=25), checkpoint=path)
    assert load_checkpoint(path, _setup(False)[0], restore_rng=False)["epoch"] == 2

    torch.manual_seed(999)  # a new session: the global RNG is somewhere else
    model_b, history_b = _run(loader_generator, InterruptingLoss(), path, seed=1)

    for (name, a), b in zip(
        model_a.state_dict().items(), model_b.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b), f"{name} differs after resuming"  # bit for bit
    for key in METRICS:
        assert history_a[key] == history_b[key]


def test_finished_checkpoint_is_not_trained_again(tmp_path):
    path = tmp_path / "run.ckpt"
    model_a, history_a = _run(True, InterruptingLoss(), checkpoint=path)
    loss = InterruptingLoss(stop_at=1)  # any training step would raise
    model_b, history_b = _run(True, loss, checkpoint=path, seed=5)
    assert loss.calls == 0
    assert history_b["train_loss"] == history_a["train_loss"]
    assert all(
        torch.equal(a, b)
        for a, b in zip(model_a.parameters(), model_b.parameters(), strict=True)
    )


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "ckpt" / "model.ckpt"
    model = nn.Linear(2, 2)
    save_checkpoint(path, model, epoch=1)
    before = path.read_bytes()

    def broken_save(obj, f):
        f.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint_module.torch, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, model, epoch=2)
    assert path.read_bytes() == before  # the old checkpoint is intact
    monkeypatch.undo()
    assert load_checkpoint(path, nn.Linear(2, 2))["epoch"] == 1


def test_load_restores_weights_and_optimizer(tmp_path):
    model = nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    save_checkpoint(tmp_path / "c.ckpt", model, opt, epoch=3, history={"a": [1.0]})
    other = nn.Linear(3, 2)
    other_opt = torch.optim.Adam(other.parameters(), lr=0.5)
    state = load_checkpoint(tmp_path / "c.ckpt", other, other_opt)
    assert state["epoch"] == 3 and state["history"] == {"a": [1.0]}
    assert torch.equal(other.weight, model.weight)
    assert other_opt.param_groups[0]["lr"] == 0.1
    assert other_opt.state_dict()["state"][0]["step"] == 1
