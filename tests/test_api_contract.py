"""The signatures promised in the API contract (shared/API.md), checked by name.

Notebooks, exercise checks and outside tests call these; adding parameters with
defaults after the documented ones is allowed, renaming or reordering is not.
"""

import importlib
import inspect

import pytest

E = inspect.Parameter.empty
VAR = "*"  # a *args parameter

# module, name, [(parameter, default or E), ...] in the documented order
CONTRACT = [
    (
        "nnlib.scratch",
        "Neuron",
        [("n_inputs", E), ("activation", "identity"), ("rng", None)],
    ),
    (
        "nnlib.scratch",
        "Dense",
        [("in_features", E), ("out_features", E), ("rng", None)],
    ),
    ("nnlib.scratch", "ReLU", []),
    ("nnlib.scratch", "Sigmoid", []),
    ("nnlib.scratch", "Tanh", []),
    ("nnlib.scratch", "LeakyReLU", [("alpha", 0.01)]),
    ("nnlib.scratch", "Softmax", []),
    ("nnlib.scratch", "Flatten", []),
    (
        "nnlib.scratch",
        "Conv2D",
        [
            ("in_channels", E),
            ("out_channels", E),
            ("kernel_size", E),
            ("stride", 1),
            ("padding", 0),
            ("rng", None),
        ],
    ),
    ("nnlib.scratch", "MaxPool2D", [("kernel_size", E), ("stride", None)]),
    ("nnlib.scratch", "AvgPool2D", [("kernel_size", E), ("stride", None)]),
    ("nnlib.scratch", "RNN", [("input_size", E), ("hidden_size", E), ("rng", None)]),
    (
        "nnlib.scratch",
        "MultiHeadSelfAttention",
        [("d_model", E), ("n_heads", E), ("causal", False), ("rng", None)],
    ),
    ("nnlib.scratch", "LayerNorm", [("d", E), ("eps", 1e-5)]),
    ("nnlib.scratch", "Sequential", [("layers", VAR)]),
    ("nnlib.scratch", "MSELoss", []),
    ("nnlib.scratch", "CrossEntropyLoss", []),
    ("nnlib.scratch", "BCEWithLogitsLoss", []),
    ("nnlib.scratch", "SGD", [("model", E), ("lr", E), ("momentum", 0.0)]),
    (
        "nnlib.scratch",
        "RMSProp",
        [("model", E), ("lr", E), ("alpha", 0.99), ("eps", 1e-8)],
    ),
    (
        "nnlib.scratch",
        "Adam",
        [("model", E), ("lr", 1e-3), ("betas", (0.9, 0.999)), ("eps", 1e-8)],
    ),
    (
        "nnlib.scratch",
        "gradcheck",
        [("layer", E), ("x", E), ("eps", 1e-6), ("seed", 0)],
    ),
    (
        "nnlib.blocks",
        "MultiHeadSelfAttention",
        [("d_model", E), ("n_heads", E), ("dropout", 0.0), ("causal", False)],
    ),
    (
        "nnlib.blocks",
        "TransformerBlock",
        [
            ("d_model", E),
            ("n_heads", E),
            ("d_ff", E),
            ("dropout", 0.0),
            ("causal", False),
        ],
    ),
    ("nnlib.blocks", "PositionalEncoding", [("d_model", E)]),
    # API.md gives no signature for these two: the current one is the contract
    (
        "nnlib.blocks",
        "PatchEmbedding",
        [("image_size", E), ("patch_size", E), ("in_channels", E), ("d_model", E)],
    ),
    ("nnlib.blocks", "ViT", []),
    ("nnlib.blocks", "ConvBlock", [("in_channels", E), ("out_channels", E)]),
    ("nnlib.blocks", "SimpleCNN", []),
    ("nnlib.train", "get_device", [("prefer", None)]),
    ("nnlib.train", "seed_everything", [("seed", E)]),
    ("nnlib.train", "fit", [("model", E), ("train_loader", E), ("val_loader", None)]),
]

# keyword-only parameters of fit, as documented
FIT_KEYWORDS = {
    "epochs": E,
    "optimizer": E,
    "loss_fn": E,
    "device": None,
    "progress": True,
    "checkpoint": None,
}


def _params(obj) -> list[inspect.Parameter]:
    return list(inspect.signature(obj).parameters.values())


@pytest.mark.parametrize(
    ("module", "name", "documented"), CONTRACT, ids=[f"{m}.{n}" for m, n, _ in CONTRACT]
)
def test_documented_parameters_come_first_in_order(module, name, documented):
    obj = getattr(importlib.import_module(module), name)
    actual = [p for p in _params(obj) if p.kind not in (p.KEYWORD_ONLY, p.VAR_KEYWORD)]
    got = [(p.name, VAR if p.kind == p.VAR_POSITIONAL else p.default) for p in actual]
    assert got[: len(documented)] == documented, (
        f"{module}.{name}{inspect.signature(obj)}"
    )
    for extra in actual[len(documented) :]:  # additions must not break old calls
        assert extra.default is not E or extra.kind == extra.VAR_POSITIONAL, (
            f"{module}.{name}: added parameter {extra.name!r} needs a default"
        )


def test_fit_keywords():
    from nnlib.train import fit

    keywords = {p.name: p for p in _params(fit) if p.kind == p.KEYWORD_ONLY}
    for name, default in FIT_KEYWORDS.items():
        assert name in keywords, f"fit lost its keyword {name!r}"
        assert keywords[name].default == default, name
    for name, p in keywords.items():
        if name not in FIT_KEYWORDS:
            assert p.default is not E, f"fit: added keyword {name!r} needs a default"


def test_attention_forward_takes_return_attention():
    from nnlib.blocks import MultiHeadSelfAttention

    params = inspect.signature(MultiHeadSelfAttention.forward).parameters
    assert params["return_attention"].default is False
