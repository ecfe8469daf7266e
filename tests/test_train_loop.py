"""nnlib.train.loop: fit, evaluate and predict on tiny problems."""

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from nnlib.train import HISTORY_KEYS, evaluate, fit, predict

pytestmark = pytest.mark.ch07


def _blobs(n: int = 96, seed: int = 0):
    """Three well-separated Gaussian blobs in 2-D: an easy classification task."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 3
    centers = torch.tensor([[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    X = centers[y] + 0.5 * torch.randn(n, 2, generator=g)
    return X, y


def _loader(X, y, batch_size=16, shuffle=False):
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle)


def _mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))


def _fit(model, train, val=None, epochs=3, lr=0.05, loss_fn=None, opt=None, **kw):
    opt = torch.optim.SGD(model.parameters(), lr=lr) if opt is None else opt
    return fit(
        model,
        train,
        val,
        epochs=epochs,
        optimizer=opt,
        loss_fn=nn.CrossEntropyLoss() if loss_fn is None else loss_fn,
        device="cpu",
        progress=False,
        **kw,
    )


def test_fit_learns_and_returns_per_epoch_history():
    X, y = _blobs()
    model = _mlp()
    history = _fit(model, _loader(X, y, shuffle=True), _loader(X, y), epochs=8)
    assert set(history) == set(HISTORY_KEYS)
    assert all(len(v) == 8 for v in history.values())
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["val_acc"][-1] > 0.9  # separable blobs: a tiny MLP gets them
    result = evaluate(model, _loader(X, y), loss_fn=nn.CrossEntropyLoss())
    assert result["acc"] == pytest.approx(history["val_acc"][-1])
    assert result["loss"] == pytest.approx(history["val_loss"][-1])


def test_without_validation_the_val_entries_are_nan():
    X, y = _blobs()
    history = _fit(_mlp(), _loader(X, y), epochs=2)
    assert all(math.isnan(v) for v in history["val_loss"] + history["val_acc"])


def test_progress_bar_is_one_bar_over_epochs(capsys):
    X, y = _blobs(32)
    model = _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    fit(
        model,
        _loader(X, y),
        epochs=3,
        optimizer=opt,
        loss_fn=nn.CrossEntropyLoss(),
        device="cpu",
        progress=True,
    )
    err = capsys.readouterr().err
    assert "3/3" in err and "train_loss=" in err
    _fit(model, _loader(X, y), epochs=2)
    assert capsys.readouterr().err == ""  # progress=False prints nothing


def test_divergence_stops_with_epoch_step_and_advice():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(64, 3, generator=g)
    Y = X @ torch.tensor([[1.0], [-2.0], [0.5]])
    model = nn.Linear(3, 1)
    with pytest.raises(
        FloatingPointError, match=r"epoch \d+, step \d+.*lower learning rate"
    ):
        # lr far too large
        _fit(model, _loader(X, Y, 8), epochs=20, lr=1e4, loss_fn=nn.MSELoss())


def test_wrong_input_dtype_is_named():
    X, y = _blobs(16)
    want = r"fit \(train_loader, epoch 1, step 1\) expected inputs in the dtype of "
    want += "the model's parameters, torch.float32, got torch.float64"
    with pytest.raises(TypeError, match=want):
        _fit(_mlp(), _loader(X.double(), y))


def test_wrong_target_dtype_is_named():
    X, y = _blobs(16)
    with pytest.raises(TypeError, match=r"torch.long \(int64\), got torch.int32"):
        _fit(_mlp(), _loader(X, y.int()))


def test_float_labels_for_cross_entropy_are_named():
    X, y = _blobs(16)
    with pytest.raises(TypeError, match=r"labels \(torch.long\) of shape \(16,\)"):
        _fit(_mlp(), _loader(X, y.float(), batch_size=16))


def test_label_column_instead_of_labels_is_named():
    X, y = _blobs(16)
    with pytest.raises(ValueError, match=r"targets \(16, 1\).*y.squeeze\(-1\)"):
        _fit(_mlp(), _loader(X, y[:, None], batch_size=16))


def test_labels_beyond_the_model_classes_are_named():
    X, y = _blobs(16)
    with pytest.raises(ValueError, match=r"class labels in \[0, 3\).*from 3 to 5"):
        _fit(_mlp(), _loader(X, y + 3, batch_size=16))


def test_regression_shapes_are_never_broadcast():
    # (N, 1) outputs against (N,) targets: PyTorch would broadcast to (N, N)
    X, y = _blobs(16)
    loader = _loader(X, y.float(), batch_size=16)
    with pytest.raises(ValueError, match=r"outputs \(16, 1\) and targets \(16,\)"):
        _fit(nn.Linear(2, 1), loader, epochs=1, loss_fn=nn.MSELoss())


def test_batch_on_another_device_is_refused_clearly():
    X, y = _blobs(16)
    batches = [(X.to("meta"), y)]
    with pytest.raises(ValueError, match="expected inputs on cpu .*got inputs on meta"):
        _fit(_mlp(), batches)


def test_batches_must_be_pairs_of_tensors():
    X, y = _blobs(16)
    with pytest.raises(TypeError, match=r"pair \(inputs, targets\)"):
        _fit(_mlp(), [(X,)])
    with pytest.raises(TypeError, match="inputs as a torch.Tensor, got ndarray"):
        _fit(_mlp(), [(X.numpy(), y)])


def test_sequence_logits_give_per_token_accuracy_and_sequence_accuracy():
    # A "model" that copies its input tokens, right on 3 of 4 positions.
    class Echo(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(torch.tensor(5.0))

        def forward(self, tokens):
            out = tokens.clone()
            out[:, -1] = (out[:, -1] + 1) % 6  # last position always wrong
            return self.scale * nn.functional.one_hot(out, 6).float()  # (B, T, V)

    tokens = torch.randint(0, 6, (10, 4), generator=torch.Generator().manual_seed(0))
    result = evaluate(Echo(), _loader(tokens, tokens), loss_fn=nn.CrossEntropyLoss())
    assert result["acc"] == pytest.approx(0.75)
    assert result["seq_acc"] == 0.0


def test_predict_accepts_arrays_tensors_and_loaders_and_restores_mode():
    X, y = _blobs(40)
    model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
    model.train()
    a = predict(model, X, batch_size=7)
    b = predict(model, X.numpy().astype(np.float32))
    c = predict(model, _loader(X, y, 9))
    assert a.shape == (40, 3)
    # eval mode: no dropout, which would zero about half the entries and double the
    # rest. Batches of 7, 9 and 40 rows may take different matmul kernels (AVX-512
    # does), so equal up to float32 rounding: 1e-6, far below dropout's change.
    torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(a, c, rtol=1e-6, atol=1e-6)
    assert model.training  # mode restored


@pytest.mark.parametrize(
    ("grad_clip", "error", "message"),
    [
        (-1.0, ValueError, "fit expected grad_clip as a finite number > 0, got -1.0"),
        (0.0, ValueError, "fit expected grad_clip as a finite number > 0, got 0.0"),
        (float("nan"), ValueError, "fit expected grad_clip .* > 0, got nan"),
        ("1", TypeError, "fit expected grad_clip as a number, got str"),
    ],
)
def test_fit_refuses_a_gradient_clip_that_is_not_positive(grad_clip, error, message):
    # clip_grad_norm_ with a negative bound flips every gradient: training went uphill
    X, y = _blobs(32)
    with pytest.raises(error, match=message):
        _fit(_mlp(), _loader(X, y), epochs=1, grad_clip=grad_clip)


def test_fit_refuses_an_optimizer_built_for_another_model():
    # before: it trained nothing and returned a normal-looking history
    X, y = _blobs(32)
    model, other = _mlp(), _mlp()
    optimizer = torch.optim.SGD(other.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="optimizer over the model's 4 parameter"):
        _fit(model, _loader(X, y), epochs=1, opt=optimizer)
    with pytest.raises(TypeError, match="fit expected a torch.optim.Optimizer, got"):
        _fit(model, _loader(X, y), epochs=1, opt="adam")
