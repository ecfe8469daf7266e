"""The signatures promised in the API contract (shared/API.md), checked by name.

Notebooks, exercise checks and outside tests call these; adding parameters with
defaults after the documented ones is allowed, renaming or reordering is not.
Options are keyword-only (API.md): in each list, the parameters after ``KW`` must be
keyword-only, those before it positional, so ``MultiHeadSelfAttention(8, 2, True)``
is a TypeError in both subpackages instead of a causal mask in one and a dropout of
1.0 in the other.
"""

import importlib
import inspect

import pytest

E = inspect.Parameter.empty
VAR = "*args"  # a *args parameter
KW = ("*", None)  # the parameters after it are keyword-only

# module, name, [(parameter, default or E), ...] in the documented order
CONTRACT = [
    (
        "nnlib.scratch",
        "Neuron",
        [("n_inputs", E), KW, ("activation", "identity"), ("rng", None)],
    ),
    (
        "nnlib.scratch",
        "Dense",
        [("in_features", E), ("out_features", E), KW, ("rng", None)],
    ),
    ("nnlib.scratch", "ReLU", []),
    ("nnlib.scratch", "Sigmoid", []),
    ("nnlib.scratch", "Tanh", []),
    ("nnlib.scratch", "LeakyReLU", [KW, ("alpha", 0.01)]),
    ("nnlib.scratch", "Softmax", []),
    ("nnlib.scratch", "Flatten", []),
    (
        "nnlib.scratch",
        "Conv2D",
        [
            ("in_channels", E),
            ("out_channels", E),
            ("kernel_size", E),
            KW,
            ("stride", 1),
            ("padding", 0),
            ("rng", None),
        ],
    ),
    ("nnlib.scratch", "MaxPool2D", [("kernel_size", E), KW, ("stride", None)]),
    ("nnlib.scratch", "AvgPool2D", [("kernel_size", E), KW, ("stride", None)]),
    (
        "nnlib.scratch",
        "RNN",
        [("input_size", E), ("hidden_size", E), KW, ("rng", None)],
    ),
    (
        "nnlib.scratch",
        "MultiHeadSelfAttention",
        [("d_model", E), ("n_heads", E), KW, ("causal", False), ("rng", None)],
    ),
    ("nnlib.scratch", "LayerNorm", [("d", E), KW, ("eps", 1e-5)]),
    ("nnlib.scratch", "Sequential", [("layers", VAR)]),
    ("nnlib.scratch", "MSELoss", []),
    ("nnlib.scratch", "CrossEntropyLoss", []),
    ("nnlib.scratch", "BCEWithLogitsLoss", []),
    ("nnlib.scratch", "SGD", [("model", E), ("lr", E), KW, ("momentum", 0.0)]),
    (
        "nnlib.scratch",
        "RMSProp",
        [("model", E), ("lr", E), KW, ("alpha", 0.99), ("eps", 1e-8)],
    ),
    (
        "nnlib.scratch",
        "Adam",
        [("model", E), ("lr", 1e-3), KW, ("betas", (0.9, 0.999)), ("eps", 1e-8)],
    ),
    (
        "nnlib.scratch",
        "gradcheck",
        [("layer", E), ("x", E), KW, ("eps", 1e-6), ("seed", 0)],
    ),
    (
        "nnlib.blocks",
        "MultiHeadSelfAttention",
        [("d_model", E), ("n_heads", E), KW, ("dropout", 0.0), ("causal", False)],
    ),
    (
        "nnlib.blocks",
        "TransformerBlock",
        [
            ("d_model", E),
            ("n_heads", E),
            ("d_ff", E),
            KW,
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
    params = _params(obj)
    signature = f"{module}.{name}{inspect.signature(obj)}"
    split = documented.index(KW) if KW in documented else len(documented)
    positional, keyword = documented[:split], documented[split + 1 :]
    leading = [p for p in params if p.kind not in (p.KEYWORD_ONLY, p.VAR_KEYWORD)]
    got = [(p.name, VAR if p.kind == p.VAR_POSITIONAL else p.default) for p in leading]
    assert got[: len(positional)] == positional, signature
    if keyword:  # the documented options, keyword-only, with their defaults
        only = {p.name: p.default for p in params if p.kind == p.KEYWORD_ONLY}
        assert [(n, only.get(n, "missing")) for n, _ in keyword] == keyword, signature
        assert len(leading) == len(positional), f"{signature}: an option is positional"
    for extra in leading[len(positional) :]:  # additions must not break old calls
        assert extra.default is not E or extra.kind == extra.VAR_POSITIONAL, (
            f"{module}.{name}: added parameter {extra.name!r} needs a default"
        )


@pytest.mark.parametrize("module", ["nnlib.scratch", "nnlib.blocks"])
def test_a_positional_option_is_a_type_error_in_both_subpackages(module):
    attention = importlib.import_module(module).MultiHeadSelfAttention
    with pytest.raises(TypeError):
        attention(8, 2, True)  # once causal in scratch, dropout p = 1.0 in blocks


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


# Arguments that may stay positional when they have a default: they give a size or a
# shape (API.md: "only the arguments that define a shape are positional"), or they are
# the data a function works on (a second array, the tokens to show).
SHAPE_OR_DATA = {
    # sizes and shapes
    "n",
    "size",
    "n_classes",
    "in_channels",
    "out_channels",
    "kernel_size",
    "d_model",
    "n_heads",
    "n_layers",
    "d_ff",
    "max_len",
    "hidden_size",
    "embed_size",
    "image_size",
    "patch_size",
    "channels",
    "hidden",
    "length",
    "vocab",
    "d",
    "nrows",
    "ncols",
    # data arguments
    "y",
    "b",
    "tokens",
    "weights",
    "query_tokens",
    "images",
    "labels",
    "x",
    "time",
    "memory",
    "optimizer",
    "prefer",
    "val_loader",
    "predictions",
    "path",
    "names",
    # API.md: an optimizer's learning rate is positional, as in torch.optim
    "lr",
}
PUBLIC_PACKAGES = [
    "nnlib.scratch",
    "nnlib.scratch.functional",
    "nnlib.blocks",
    "nnlib.data",
]
PUBLIC_PACKAGES += ["nnlib.train", "nnlib.viz", "nnlib.widgets"]


def _public_callables():
    for module_name in PUBLIC_PACKAGES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isclass(obj) and obj.__module__.startswith("nnlib"):
                if "__init__" in obj.__dict__:  # not one inherited from matplotlib
                    yield f"{module_name}.{name}", obj
                forward = obj.__dict__.get("forward")
                if forward is not None:
                    yield f"{module_name}.{name}.forward", forward
            elif inspect.isfunction(obj) and obj.__module__.startswith("nnlib"):
                yield f"{module_name}.{name}", obj


def test_every_public_option_is_keyword_only():
    """A positional parameter with a default must be a size or data, never an option
    such as ``noise``, ``seed``, ``stride``, ``axis``, ``mask`` or ``device``."""
    wrong = []
    for where, obj in _public_callables():
        try:
            params = inspect.signature(obj).parameters.values()
        except (TypeError, ValueError):
            continue
        for p in params:
            if p.name == "self" or p.kind != p.POSITIONAL_OR_KEYWORD:
                continue
            if p.default is not E and p.name not in SHAPE_OR_DATA:
                wrong.append(f"{where}: {p.name}")
    assert not wrong, "positional options:\n" + "\n".join(wrong)
