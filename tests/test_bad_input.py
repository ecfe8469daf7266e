"""Bad input never passes silently: a correct result or one clear nnlib error.

Every public entry point of ``nnlib.scratch``, ``nnlib.blocks``, ``nnlib.train`` and
``nnlib.data`` is fed wrong shapes, wrong dtypes, NaN/inf, empty and size-1 batches,
out-of-range labels, lists, negative strides and wrong types. Each call ends in one of
four outcomes (``outcome`` below):

- ``clear``: a ``TypeError``/``ValueError`` raised by nnlib itself whose message names
  the argument or the layer and says what it got (and the ``FloatingPointError`` a
  scratch loss raises, by design, when its value is NaN or inf);
- ``correct``: a result that passes the case's check;
- ``raw``: any other error, e.g. one raised from inside numpy or torch;
- ``silent``: a result that fails the check (a silent wrong answer).

Only the first two are allowed. ``PYTHONPATH=tests python tests/test_bad_input.py``
(from the repository root) prints the count of each outcome over the table of cases.
"""

import copy
import math
import os
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import bad_arrays, bad_scalars

import nnlib
from nnlib import blocks, data, scratch, train

NNLIB_DIR = os.path.dirname(nnlib.__file__)
FAST = settings(max_examples=40, deadline=None)
CLEAR_ERRORS = (TypeError, ValueError)


@dataclass
class Case:
    """One call, what its result must satisfy, and what a clear error must name."""

    id: str
    call: Callable[[], object]
    check: Callable[[object], bool] | None = None  # None: only an error is right
    names: str = ""  # the message must contain this (the argument or layer)
    error: type[Exception] | None = None  # the error class a clear error must be


def raised_by_nnlib(exc: BaseException) -> bool:
    """True if the innermost frame of the traceback is nnlib's own code."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and frames[-1].filename.startswith(NNLIB_DIR)


def outcome(case: Case) -> tuple[str, object]:
    """Run ``case`` and sort it into clear / correct / raw / silent."""
    try:
        result = case.call()
    except CLEAR_ERRORS as exc:
        msg = str(exc)
        wanted = case.error is None or isinstance(exc, case.error)
        if raised_by_nnlib(exc) and wanted and "got" in msg and case.names in msg:
            return "clear", exc
        return "raw", exc
    except FloatingPointError as exc:
        # a loss that is not finite (NaN/inf inputs, divergence): nnlib's own error,
        # raised by design instead of returning NaN; it names the loss
        if raised_by_nnlib(exc) and case.names in str(exc):
            return "clear", exc
        return "raw", exc
    except Exception as exc:  # noqa: BLE001 - any other error is a raw one
        return "raw", exc
    if case.check is not None and case.check(result):
        return "correct", result
    return "silent", result


def finite(a: object) -> bool:
    return bool(np.isfinite(np.asarray(a, dtype=np.float64)).all())


def shaped(shape: tuple[int, ...], dtype: object = None) -> Callable[[object], bool]:
    """A check: the result has this shape (and dtype) and is finite."""

    def check(result: object) -> bool:
        a = result.detach().numpy() if isinstance(result, torch.Tensor) else result
        ok = isinstance(a, np.ndarray) and a.shape == shape and finite(a)
        return ok and (dtype is None or a.dtype == dtype)

    return check


# ------------------------------------------------------------------ the fixtures
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def after_forward(layer: scratch.Layer, x: np.ndarray) -> scratch.Layer:
    layer.forward(x)
    return layer


def linear() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Linear(3, 2)


def pairs(x: torch.Tensor, y: torch.Tensor) -> list:
    return [(x, y)]


X3 = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
LABELS = torch.tensor([0, 1, 1, 0])


def predicted(data_: object, **kw: object) -> object:
    return train.predict(linear(), data_, **kw)


def same_as_float32(result: object) -> bool:
    """``predict``'s answer equals the model on the float32 rows of X3."""
    want = linear()(torch.from_numpy(X3)).detach()
    return isinstance(result, torch.Tensor) and torch.allclose(result, want)


def fitted(loader: list) -> dict:
    model = linear()
    return train.fit(
        model,
        loader,
        epochs=1,
        optimizer=torch.optim.SGD(model.parameters(), 0.1),
        loss_fn=torch.nn.CrossEntropyLoss(),
        device="cpu",
        progress=False,
    )


def assigned_weight(W: np.ndarray) -> np.ndarray:
    """Assign into ``Sequential.params``; return what the layer then holds."""
    model = scratch.Sequential(scratch.Dense(2, 2, rng=rng()), scratch.ReLU())
    model.params["0.W"] = W
    return model[0].params["W"]


def float64_block_output() -> tuple[torch.Tensor, torch.Tensor]:
    """A float32 block on a float64 input, and a float64 copy of it on the same."""
    torch.manual_seed(0)
    block, x = blocks.TransformerBlock(4, 2, 8), torch.randn(1, 3, 4).double()
    return block(x), copy.deepcopy(block).double()(x)


CUDA = torch.cuda.is_available()

CASES = [
    # --------------------------------------------------------- scratch: sizes
    Case(
        "Dense(2.5, 3)", lambda: scratch.Dense(2.5, 3), None, "in_features", TypeError
    ),
    Case(
        "Dense(True, 3)", lambda: scratch.Dense(True, 3), None, "in_features", TypeError
    ),
    Case("Dense(0, 3)", lambda: scratch.Dense(0, 3), None, "in_features", ValueError),
    Case(
        "Dense('2', 3)", lambda: scratch.Dense("2", 3), None, "in_features", TypeError
    ),
    Case("Dense rng=42", lambda: scratch.Dense(2, 2, rng=42), None, "rng", TypeError),
    Case("Conv2D k=2.5", lambda: scratch.Conv2D(1, 1, 2.5), None, "kernel_size"),
    Case("Conv2D k=(3,)", lambda: scratch.Conv2D(1, 1, (3,)), None, "kernel_size"),
    Case("Conv2D k=None", lambda: scratch.Conv2D(1, 1, None), None, "kernel_size"),
    Case(
        "Conv2D stride=-1", lambda: scratch.Conv2D(1, 1, 3, stride=-1), None, "stride"
    ),
    Case("MaxPool2D(0)", lambda: scratch.MaxPool2D(0), None, "kernel_size"),
    Case("RNN(3, 0)", lambda: scratch.RNN(3, 0), None, "hidden_size"),
    Case("MHSA(6, 4)", lambda: scratch.MultiHeadSelfAttention(6, 4), None, "n_heads"),
    Case(
        "MHSA causal='yes'",
        lambda: scratch.MultiHeadSelfAttention(4, 2, causal="yes"),
        None,
        "causal",
        TypeError,
    ),
    Case("LayerNorm eps=nan", lambda: scratch.LayerNorm(3, eps=math.nan), None, "eps"),
    Case("LayerNorm eps=-1", lambda: scratch.LayerNorm(3, eps=-1.0), None, "eps"),
    Case("LeakyReLU alpha='a'", lambda: scratch.LeakyReLU(alpha="a"), None, "alpha"),
    Case(
        "LeakyReLU alpha=nan", lambda: scratch.LeakyReLU(alpha=math.nan), None, "alpha"
    ),
    Case(
        "Neuron activation=[]",
        lambda: scratch.Neuron(2, activation=[]),
        None,
        "activation",
    ),
    Case(
        "Sequential(Dense, 3)",
        lambda: scratch.Sequential(scratch.Dense(2, 2), 3),
        None,
        "Sequential",
        TypeError,
    ),
    # --------------------------------------------------------- scratch: forward
    Case(
        "AvgPool2D float16 near the float16 max",
        lambda: scratch.AvgPool2D(2).forward(np.full((1, 1, 4, 4), 6e4, np.float16)),
        shaped((1, 1, 2, 2), np.float16),
    ),
    Case(
        "Flatten N=0",
        lambda: scratch.Flatten().forward(np.zeros((0, 3, 2))),
        shaped((0, 6)),
    ),
    Case(
        "Flatten backward N=0",
        lambda: after_forward(scratch.Flatten(), np.zeros((0, 3, 2))).backward(
            np.zeros((0, 6))
        ),
        shaped((0, 3, 2)),
    ),
    Case(
        "attention N=0",
        lambda: scratch.MultiHeadSelfAttention(4, 2, rng=rng()).forward(
            np.zeros((0, 3, 4))
        ),
        shaped((0, 3, 4)),
    ),
    Case(
        "attention backward N=0",
        lambda: after_forward(
            scratch.MultiHeadSelfAttention(4, 2, rng=rng()), np.zeros((0, 3, 4))
        ).backward(np.zeros((0, 3, 4))),
        shaped((0, 3, 4)),
    ),
    Case(
        "RNN backward T=0",
        lambda: after_forward(
            scratch.RNN(3, 2, rng=rng()), np.zeros((2, 0, 3))
        ).backward(np.zeros((2, 0, 2))),
        shaped((2, 0, 3)),
    ),
    Case(
        "RNN backward N=0",
        lambda: after_forward(
            scratch.RNN(3, 2, rng=rng()), np.zeros((0, 4, 3))
        ).backward(np.zeros((0, 4, 2))),
        shaped((0, 4, 3)),
    ),
    Case("Dense strings", lambda: scratch.Dense(2, 2).forward("ab"), None, "Dense"),
    Case(
        "Dense complex",
        lambda: scratch.Dense(2, 2).forward(np.ones((1, 2), complex)),
        None,
        "Dense",
        TypeError,
    ),
    Case(
        "Dense object array",
        lambda: scratch.Dense(2, 2).forward(np.array([[1, None]], dtype=object)),
        None,
        "Dense",
        TypeError,
    ),
    Case("ReLU None", lambda: scratch.ReLU().forward(None), None, "ReLU", TypeError),
    Case(
        "Dense list input",
        lambda: scratch.Dense(2, 2, rng=rng()).forward([[1.0, 2.0]]),
        shaped((1, 2)),
    ),
    Case(
        "Dense negative strides",
        lambda: scratch.Dense(2, 2, rng=rng()).forward(np.ones((3, 2))[::-1, ::-1]),
        shaped((3, 2)),
    ),
    Case(
        "Dense wrong width",
        lambda: scratch.Dense(2, 2).forward(np.ones((3, 5))),
        None,
        "(N, 2)",
    ),
    Case(
        "Dense backward dy strings",
        lambda: after_forward(scratch.Dense(2, 2), np.ones((1, 2))).backward("ab"),
        None,
        "Dense",
    ),
    Case(
        "Sequential params['0.W'] = W",
        lambda: assigned_weight(np.full((2, 2), 3.0)),
        lambda W: np.array_equal(W, np.full((2, 2), 3.0)),
    ),
    Case(
        "Sequential params['0.W'] = wrong shape",
        lambda: assigned_weight(np.zeros(2)),
        None,
        "params['0.W']",
        ValueError,
    ),
    Case(
        "two Dense(4, 4) with rng=None",
        lambda: (scratch.Dense(4, 4).params["W"], scratch.Dense(4, 4).params["W"]),
        lambda pair: not np.array_equal(*pair),
    ),
    # --------------------------------------------------------- scratch: losses
    Case(
        "CrossEntropyLoss N=0",
        lambda: scratch.CrossEntropyLoss().forward(
            np.zeros((0, 3)), np.zeros(0, np.int64)
        ),
        None,
        "CrossEntropyLoss",
    ),
    Case(
        "MSELoss N=0",
        lambda: scratch.MSELoss().forward(np.zeros(0), np.zeros(0)),
        None,
        "MSELoss",
    ),
    Case(
        "CrossEntropyLoss label 3 of 3",
        lambda: scratch.CrossEntropyLoss().forward(np.zeros((2, 3)), np.array([0, 3])),
        None,
        "CrossEntropyLoss",
    ),
    Case(
        "MSELoss (N, 1) vs (N,)",
        lambda: scratch.MSELoss().forward(np.zeros((3, 1)), np.zeros(3)),
        None,
        "MSELoss",
    ),
    Case(
        "MSELoss strings",
        lambda: scratch.MSELoss().forward(np.array(["a"]), np.array(["b"])),
        None,
        "MSELoss",
    ),
    Case(
        "BCEWithLogitsLoss targets 2",
        lambda: scratch.BCEWithLogitsLoss().forward(np.zeros(2), np.array([0.0, 2.0])),
        None,
        "BCEWithLogitsLoss",
    ),
    # ------------------------------------------------- scratch: optim, gradcheck
    Case("SGD(3, 0.1)", lambda: scratch.SGD(3, 0.1), None, "SGD", TypeError),
    Case("SGD lr=inf", lambda: scratch.SGD(scratch.Dense(2, 2), math.inf), None, "lr"),
    Case(
        "gradcheck(3, x)",
        lambda: scratch.gradcheck(3, np.zeros((1, 2))),
        None,
        "gradcheck",
        TypeError,
    ),
    Case(
        "gradcheck eps=0",
        lambda: scratch.gradcheck(scratch.Dense(2, 2), np.zeros((1, 2)), eps=0),
        None,
        "eps",
    ),
    Case(
        "gradcheck eps=-1",
        lambda: scratch.gradcheck(scratch.Dense(2, 2), np.zeros((1, 2)), eps=-1.0),
        None,
        "eps",
    ),
    Case(
        "gradcheck seed='a'",
        lambda: scratch.gradcheck(scratch.Dense(2, 2), np.zeros((1, 2)), seed="a"),
        None,
        "seed",
        TypeError,
    ),
    # --------------------------------------------------------- blocks
    Case(
        "blocks MHSA(2.5, 1)",
        lambda: blocks.MultiHeadSelfAttention(2.5, 1),
        None,
        "d_model",
        TypeError,
    ),
    Case(
        "blocks MHSA(0, 1)",
        lambda: blocks.MultiHeadSelfAttention(0, 1),
        None,
        "d_model",
    ),
    Case(
        "blocks MHSA(4, 0)",
        lambda: blocks.MultiHeadSelfAttention(4, 0),
        None,
        "n_heads",
    ),
    Case(
        "blocks MHSA(-4, 2)",
        lambda: blocks.MultiHeadSelfAttention(-4, 2),
        None,
        "d_model",
    ),
    Case(
        "blocks MHSA dropout=1.5",
        lambda: blocks.MultiHeadSelfAttention(4, 2, dropout=1.5),
        None,
        "dropout",
    ),
    Case(
        "blocks MHSA causal='no'",
        lambda: blocks.MultiHeadSelfAttention(4, 2, causal="no"),
        None,
        "causal",
        TypeError,
    ),
    Case(
        "blocks TransformerBlock d_ff=0",
        lambda: blocks.TransformerBlock(4, 2, 0),
        None,
        "d_ff",
    ),
    Case(
        "blocks ConvBlock(1, 0)", lambda: blocks.ConvBlock(1, 0), None, "out_channels"
    ),
    Case(
        "blocks SimpleCNN dropout=-0.1",
        lambda: blocks.SimpleCNN(dropout=-0.1),
        None,
        "dropout",
    ),
    Case(
        "blocks ViT n_layers=2.5",
        lambda: blocks.ViT(n_layers=2.5),
        None,
        "n_layers",
        TypeError,
    ),
    Case(
        "blocks PositionalEncoding(3)",
        lambda: blocks.PositionalEncoding(3),
        None,
        "d_model",
    ),
    Case(
        "blocks RNNSequenceModel(0)",
        lambda: blocks.RNNSequenceModel(0),
        None,
        "vocab_size",
    ),
    Case(
        "blocks MHSA bad mask shape",
        lambda: blocks.MultiHeadSelfAttention(4, 2)(
            torch.zeros(1, 3, 4), mask=torch.ones(5, 5, dtype=torch.bool)
        ),
        None,
        "mask",
    ),
    Case(
        "blocks ConvBlock training on one pixel",
        lambda: blocks.ConvBlock(1, 2)(torch.zeros(1, 1, 1, 1)),
        None,
        "ConvBlock",
    ),
    Case(
        "blocks SequenceTransformer T=0",
        lambda: blocks.SequenceTransformer(5, max_len=4)(
            torch.zeros(2, 0, dtype=torch.long)
        ),
        None,
        "SequenceTransformer",
    ),
    Case(
        "blocks MHSA numpy input",
        lambda: blocks.MultiHeadSelfAttention(4, 2)(np.zeros((1, 3, 4))),
        None,
        "MultiHeadSelfAttention",
        TypeError,
    ),
    Case(
        "blocks TransformerBlock float64 input",
        lambda: float64_block_output(),
        lambda pair: pair[0].dtype == torch.float64 and torch.equal(*pair),
    ),
    Case(
        "blocks TransformerBlock int64 input",
        lambda: blocks.TransformerBlock(4, 2, 8)(torch.zeros(1, 3, 4).long()),
        None,
        "TransformerBlock",
        TypeError,
    ),
    Case(
        "blocks TransformerBlock complex input",
        lambda: blocks.TransformerBlock(4, 2, 8)(torch.zeros(1, 3, 4).cfloat()),
        None,
        "TransformerBlock",
        TypeError,
    ),
    # --------------------------------------------------------- train
    Case(
        "predict int64",
        lambda: predicted(X3.astype(np.int64)),
        None,
        "predict",
        TypeError,
    ),
    Case("predict list", lambda: predicted(X3.tolist()), same_as_float32),
    Case(
        "predict negative strides",
        lambda: predicted(X3[::-1].copy()[::-1]),
        same_as_float32,
    ),
    Case(
        "predict batch_size=0",
        lambda: predicted(X3, batch_size=0),
        None,
        "batch_size",
        ValueError,
    ),
    Case(
        "predict batch_size=2.5",
        lambda: predicted(X3, batch_size=2.5),
        None,
        "batch_size",
        TypeError,
    ),
    Case("predict N=0", lambda: predicted(X3[:0]), shaped((0, 2))),
    Case("predict list of numpy batches", lambda: predicted([X3]), same_as_float32),
    Case(
        "evaluate empty batch",
        lambda: train.evaluate(
            linear(),
            [(torch.from_numpy(X3), LABELS), (torch.zeros(0, 3), LABELS[:0])],
            loss_fn=torch.nn.CrossEntropyLoss(),
        )["loss"],
        finite,
    ),
    Case(
        "evaluate numpy loader",
        lambda: train.evaluate(linear(), X3),
        None,
        "evaluate",
        TypeError,
    ),
    Case(
        "fit epochs=2.5",
        lambda: train.fit(
            linear(),
            pairs(torch.from_numpy(X3), LABELS),
            epochs=2.5,
            optimizer=torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), 0.1),
            loss_fn=torch.nn.CrossEntropyLoss(),
            progress=False,
        ),
        None,
        "epochs",
        TypeError,
    ),
    Case(
        "fit with an empty batch",
        lambda: fitted(
            [(torch.from_numpy(X3), LABELS), (torch.zeros(0, 3), LABELS[:0])]
        ),
        None,
        "at least one example",
        ValueError,
    ),
    Case(
        "fit with int64 inputs",
        lambda: fitted([(torch.from_numpy(X3).long(), LABELS)]),
        None,
        "inputs",
        TypeError,
    ),
    Case(
        "evaluate with int64 inputs",
        lambda: train.evaluate(linear(), [(torch.from_numpy(X3).long(), LABELS)]),
        None,
        "inputs",
        TypeError,
    ),
    Case("get_device(2.5)", lambda: train.get_device(2.5), None, "2.5", TypeError),
    Case("seed_everything(-1)", lambda: train.seed_everything(-1), None, "seed"),
    Case(
        "seed_everything(2.5)",
        lambda: train.seed_everything(2.5),
        None,
        "seed",
        TypeError,
    ),
    Case(
        "seed_everything('a')",
        lambda: train.seed_everything("a"),
        None,
        "seed",
        TypeError,
    ),
    # --------------------------------------------------------- data
    Case("make_xor(n=2.5)", lambda: data.make_xor(n=2.5), None, "n", TypeError),
    Case("make_xor(seed=-1)", lambda: data.make_xor(seed=-1), None, "seed"),
    Case(
        "make_xor(seed=2.5)", lambda: data.make_xor(seed=2.5), None, "seed", TypeError
    ),
    Case(
        "make_xor(noise='a')",
        lambda: data.make_xor(noise="a"),
        None,
        "noise",
        TypeError,
    ),
    Case("make_xor(noise=inf)", lambda: data.make_xor(noise=math.inf), None, "noise"),
    Case("make_line(a=nan)", lambda: data.make_line(a=math.nan), None, "a"),
    Case(
        "make_spirals(turns=nan)",
        lambda: data.make_spirals(turns=math.nan),
        None,
        "turns",
    ),
    Case(
        "make_line x_range inf",
        lambda: data.make_line(x_range=(0, math.inf)),
        None,
        "x_range",
    ),
    Case(
        "torch_loader batch_size=2.5",
        lambda: data.torch_loader(X3, batch_size=2.5),
        None,
        "batch_size",
        TypeError,
    ),
    Case(
        "torch_loader strings",
        lambda: data.torch_loader(np.array(["a"])),
        None,
        "torch_loader",
        TypeError,
    ),
    Case("torch_loader y scalar", lambda: data.torch_loader(X3, 3), None, "y"),
    Case(
        "torch_loader seed='a'",
        lambda: data.torch_loader(X3, seed="a"),
        None,
        "seed",
        TypeError,
    ),
    Case(
        "train_val_test_split seed=2.5",
        lambda: data.train_val_test_split(X3, np.arange(4), seed=2.5),
        None,
        "seed",
        TypeError,
    ),
]
if not CUDA:
    CASES += [
        Case("predict cuda", lambda: predicted(X3, device="cuda"), None, "cuda"),
        Case(
            "evaluate cuda",
            lambda: train.evaluate(
                linear(), pairs(torch.zeros(2, 3), LABELS[:2]), device="cuda"
            ),
            None,
            "cuda",
        ),
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_bad_input_gives_a_clear_error_or_a_correct_result(case):
    kind, detail = outcome(case)
    assert kind in ("clear", "correct"), f"{case.id}: {kind}: {detail!r}"


def count_outcomes() -> Counter:
    """Outcome counts over ``CASES`` (and a line per case that is not allowed)."""
    counts: Counter = Counter()
    for case in CASES:
        kind, detail = outcome(case)
        counts[kind] += 1
        if kind in ("raw", "silent"):
            text = f"{type(detail).__name__}: {detail}"[:110]
            print(f"  {kind:7} {case.id}: {text}")
    return counts


# ------------------------------------------------------------- properties
def allowed(call: Callable[[], object], check: Callable[[object], bool]) -> None:
    """Assert the call gives a clear nnlib error or a result that passes ``check``."""
    kind, detail = outcome(Case("property", call, check))
    assert kind in ("clear", "correct"), f"{kind}: {detail!r}"


def _layers() -> dict[str, Callable[[], scratch.Layer]]:
    g = rng
    return {
        "Dense": lambda: scratch.Dense(3, 2, rng=g()),
        "Neuron": lambda: scratch.Neuron(3, activation="sigmoid", rng=g()),
        "ReLU": scratch.ReLU,
        "LeakyReLU": scratch.LeakyReLU,
        "Sigmoid": scratch.Sigmoid,
        "Tanh": scratch.Tanh,
        "Softmax": scratch.Softmax,
        "Flatten": scratch.Flatten,
        "Conv2D": lambda: scratch.Conv2D(2, 2, 2, stride=1, padding=1, rng=g()),
        "MaxPool2D": lambda: scratch.MaxPool2D(2),
        "AvgPool2D": lambda: scratch.AvgPool2D(2),
        "RNN": lambda: scratch.RNN(3, 2, rng=g()),
        "MultiHeadSelfAttention": lambda: scratch.MultiHeadSelfAttention(
            4, 2, causal=True, rng=g()
        ),
        "LayerNorm": lambda: scratch.LayerNorm(3),
        "Sequential": lambda: scratch.Sequential(
            scratch.Dense(3, 4, rng=g()), scratch.Tanh(), scratch.Dense(4, 2, rng=g())
        ),
    }


LAYERS = _layers()
TOL = {np.float16: 1e-2, np.float32: 1e-5}


def agrees_with_float64(layer: scratch.Layer, x: np.ndarray):
    """A check: the output equals the float64 computation on the same values."""

    def check(y: object) -> bool:
        if isinstance(y, np.generic):  # numpy's ufuncs give 0-d input a scalar back
            y = np.asarray(y)
        if not isinstance(y, np.ndarray) or y.dtype.kind != "f":
            return False
        if np.asarray(x).dtype.kind not in "fiub":  # complex, objects, text
            return False  # a real-valued answer here drops information
        x64 = np.asarray(x).astype(np.float64)
        want = layer.forward(x64)
        if y.shape != want.shape:
            return False
        tol = TOL.get(y.dtype.type, 1e-12)
        return bool(np.allclose(y, want, rtol=tol, atol=tol, equal_nan=True))

    return check


@FAST
@given(name=st.sampled_from(sorted(LAYERS)), x=bad_arrays())
def test_scratch_forward_on_any_array(name, x):
    layer = LAYERS[name]()
    allowed(lambda: layer.forward(x), agrees_with_float64(layer, x))


@FAST
@given(name=st.sampled_from(sorted(LAYERS)), dy=bad_arrays(), n=st.integers(0, 2))
def test_scratch_backward_on_any_gradient(name, dy, n):
    layer = LAYERS[name]()
    shapes = {
        "Conv2D": (n, 2, 3, 3),
        "MaxPool2D": (n, 2, 4, 4),
        "AvgPool2D": (n, 2, 4, 4),
    }
    shapes |= {
        "RNN": (n, 2, 3),
        "MultiHeadSelfAttention": (n, 2, 4),
        "Flatten": (n, 3, 2),
    }
    x = np.random.default_rng(0).standard_normal(shapes.get(name, (n, 3)))
    layer.forward(x)

    def check(dx: object) -> bool:
        return (
            isinstance(dx, np.ndarray)
            and dx.shape == x.shape
            and (not finite(dy) or finite(dx))
        )

    allowed(lambda: layer.backward(dy), check)


LOSSES = {
    "MSELoss": scratch.MSELoss,
    "CrossEntropyLoss": scratch.CrossEntropyLoss,
    "BCEWithLogitsLoss": scratch.BCEWithLogitsLoss,
}


@FAST
@given(name=st.sampled_from(sorted(LOSSES)), pred=bad_arrays(), target=bad_arrays())
def test_scratch_losses_on_any_arrays(name, pred, target):
    loss = LOSSES[name]()

    def check(value: object) -> bool:
        return isinstance(value, float) and math.isfinite(value)

    allowed(lambda: loss.forward(pred, target), check)


OPTIMIZERS = {
    "SGD lr": lambda m, v: scratch.SGD(m, v),
    "SGD momentum": lambda m, v: scratch.SGD(m, 0.1, momentum=v),
    "RMSProp alpha": lambda m, v: scratch.RMSProp(m, 0.1, alpha=v),
    "RMSProp eps": lambda m, v: scratch.RMSProp(m, 0.1, eps=v),
    "Adam lr": lambda m, v: scratch.Adam(m, v),
    "Adam betas": lambda m, v: scratch.Adam(m, betas=(v, 0.999)),
    "Adam eps": lambda m, v: scratch.Adam(m, eps=v),
}


@FAST
@given(name=st.sampled_from(sorted(OPTIMIZERS)), value=bad_scalars())
def test_scratch_optimizer_hyperparameters(name, value):
    model = scratch.Dense(2, 2, rng=rng())

    def check(opt: object) -> bool:
        model.grads["W"][...] = 1.0
        opt.step()  # a legal value gives finite weights after one step
        return finite(model.params["W"])

    allowed(lambda: OPTIMIZERS[name](model, value), check)


def _positive_int(value: object) -> bool:
    return (
        isinstance(value, int | np.integer)
        and not isinstance(value, bool)
        and (value >= 1)
    )


SIZE_TAKERS = {
    "scratch.Dense": lambda v: scratch.Dense(v, 2),
    "scratch.Neuron": lambda v: scratch.Neuron(v),
    "scratch.Conv2D": lambda v: scratch.Conv2D(1, 1, v),
    "scratch.MaxPool2D": lambda v: scratch.MaxPool2D(v),
    "scratch.AvgPool2D stride": lambda v: scratch.AvgPool2D(2, stride=v),
    "scratch.RNN": lambda v: scratch.RNN(2, v),
    "scratch.MultiHeadSelfAttention": lambda v: scratch.MultiHeadSelfAttention(v, 1),
    "scratch.LayerNorm": lambda v: scratch.LayerNorm(v),
    "blocks.MultiHeadSelfAttention": lambda v: blocks.MultiHeadSelfAttention(v, 1),
    "blocks.FeedForward": lambda v: blocks.FeedForward(4, v),
    "blocks.TransformerBlock": lambda v: blocks.TransformerBlock(
        4, v if v != 3 else 1, 8
    ),
    "blocks.ConvBlock": lambda v: blocks.ConvBlock(v, 2),
    "blocks.LearnedPositionalEncoding": lambda v: blocks.LearnedPositionalEncoding(
        4, v
    ),
    "blocks.RNNSequenceModel": lambda v: blocks.RNNSequenceModel(5, hidden_size=v),
    "data.make_xor": lambda v: data.make_xor(v),
    "data.make_sequence_task": lambda v: data.make_sequence_task("copy", 4, v),
    "data.torch_loader": lambda v: data.torch_loader(X3, batch_size=v),
}


@FAST
@given(name=st.sampled_from(sorted(SIZE_TAKERS)), value=bad_scalars(sizes=True))
def test_sizes_must_be_positive_ints(name, value):
    small = isinstance(value, int) and value <= 64
    call = SIZE_TAKERS[name]
    legal = _positive_int(value) or (name.endswith("stride") and value is None)
    allowed(lambda: call(value) if small or not legal else None, lambda _: legal)


@FAST
@given(x=bad_arrays(), device=st.sampled_from([None, "cpu"]))
def test_predict_on_any_array(x, device):
    model = linear()

    def check(out: object) -> bool:
        if not isinstance(out, torch.Tensor) or x.dtype != np.float32:
            return False
        want = model(torch.from_numpy(x.copy()).float())
        return torch.allclose(out, want, equal_nan=True)

    allowed(lambda: train.predict(model, x, device=device), check)


@FAST
@given(x=bad_arrays(max_side=3))
def test_gradcheck_on_any_input(x):
    layer = scratch.Dense(3, 2, rng=rng())

    def check(error: object) -> bool:
        return isinstance(error, float) and error < 1e-6

    allowed(lambda: scratch.gradcheck(layer, x), check)


@FAST
@given(X=bad_arrays(max_side=3), batch_size=st.integers(1, 3))
def test_torch_loader_on_any_array(X, batch_size):
    def check(loader: object) -> bool:
        rows = [b[0] for b in loader]
        got = torch.cat(rows).numpy() if rows else np.zeros((0, *X.shape[1:]))
        kind = "f" if X.dtype.kind == "f" else "i"
        want = X.astype(np.float32 if kind == "f" else np.int64)
        return got.shape == want.shape and np.array_equal(got, want, equal_nan=True)

    allowed(lambda: data.torch_loader(X, batch_size=batch_size), check)


BLOCK_INPUTS = {
    "MultiHeadSelfAttention": lambda: blocks.MultiHeadSelfAttention(4, 2),
    "TransformerBlock": lambda: blocks.TransformerBlock(4, 2, 8),
    "FeedForward": lambda: blocks.FeedForward(4, 8),
    "PositionalEncoding": lambda: blocks.PositionalEncoding(4, max_len=4),
    "ConvBlock": lambda: blocks.ConvBlock(4, 2).eval(),
    "PatchEmbedding": lambda: blocks.PatchEmbedding(4, 2, 4, 4),
}


@FAST
@given(name=st.sampled_from(sorted(BLOCK_INPUTS)), x=bad_arrays(max_side=4))
def test_blocks_forward_on_any_tensor(name, x):
    torch.manual_seed(0)
    module = BLOCK_INPUTS[name]()
    t = torch.from_numpy(x.copy()) if x.dtype.kind in "fiub" else x

    def check(out: object) -> bool:
        # the dtype rule: a floating input of any dtype is computed in that dtype,
        # exactly as by a copy of the block converted to it
        if not (isinstance(out, torch.Tensor) and out.dtype == t.dtype):
            return False
        want = copy.deepcopy(module).to(t.dtype)(t)
        return torch.allclose(out, want, rtol=1e-6, atol=1e-6, equal_nan=True)

    allowed(lambda: module(t), check)


GENERATORS = {
    "make_line": data.make_line,
    "make_xor": data.make_xor,
    "make_moons": data.make_moons,
    "make_spirals": data.make_spirals,
    "make_blobs": data.make_blobs,
    "make_shapes": lambda **kw: data.make_shapes(n=8, **kw),
}


@FAST
@given(
    name=st.sampled_from(sorted(GENERATORS)),
    seed=bad_scalars(sizes=True),
    noise=bad_scalars(),
)
def test_data_generators_on_any_seed_and_noise(name, seed, noise):
    key = "std" if name == "make_blobs" else "noise"

    def check(result: object) -> bool:
        return all(finite(a) for a in result)

    allowed(lambda: GENERATORS[name](seed=seed, **{key: noise}), check)


@settings(max_examples=15, deadline=None)
@given(seed=bad_scalars(sizes=True))
def test_seed_everything_on_any_seed(seed):
    ok = _positive_int(seed) or seed == 0
    allowed(lambda: train.seed_everything(seed), lambda _: ok and seed < 2**32)


if __name__ == "__main__":
    totals = count_outcomes()
    print(dict(totals), "of", len(CASES), "cases")
