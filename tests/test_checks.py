"""nnlib._checks, and the one error style it sets for the whole library.

Every ``TypeError``/``ValueError`` nnlib raises reads ``<where> expected <what>, got
<what>`` (``../shared/API.md``): ``TypeError`` for a wrong type, ``ValueError`` for a
wrong value or shape. The unit tests below pin each check's messages word for word;
the scans keep the rest of the library in that voice and the checks in this module.
"""

from __future__ import annotations

import ast
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from nnlib import _checks as C

PACKAGE = Path(__file__).resolve().parent.parent / "nnlib"
PARTS = ("scratch", "blocks", "data", "train", "viz", "widgets")


def exactly(error: type[Exception], message: str):
    """``pytest.raises`` for this error with exactly this message (no regex)."""
    return pytest.raises(error, match="^" + re.escape(message) + "$")


# ------------------------------------------------------------------ formatting
def test_shapes_are_written_as_python_writes_tuples():
    assert C.format_shape(("N", 64)) == "(N, 64)"
    assert C.format_shape((5,)) == "(5,)"
    assert C.format_shape(()) == "()"
    assert C.format_shape(torch.Size([2, 3])) == "(2, 3)"  # not torch.Size([2, 3])


def test_describe_gives_the_type_and_a_short_repr():
    assert C.describe(2.5) == "float 2.5"
    assert C.describe("a") == "str 'a'"
    assert C.describe("x" * 100) == "str '" + "x" * 36 + "..."


# --------------------------------------------------------------------- scalars
def test_is_int_takes_python_and_numpy_ints_but_not_bools():
    assert C.is_int(3) and C.is_int(np.int8(3))
    assert not any(C.is_int(v) for v in (True, np.bool_(True), 3.0, "3", None))


def test_check_int():
    assert C.check_int("Dense", "in_features", np.int64(4)) == 4
    assert type(C.check_int("Dense", "in_features", np.int64(4))) is int
    assert C.check_int("Conv2D", "padding", 0, minimum=0) == 0
    assert C.check_int("f", "shift", -3, minimum=None) == -3
    with exactly(TypeError, "Dense expected in_features as an int, got float 2.5"):
        C.check_int("Dense", "in_features", 2.5)
    with exactly(TypeError, "Dense expected in_features as an int, got bool True"):
        C.check_int("Dense", "in_features", True)
    with exactly(ValueError, "Dense expected in_features >= 1, got 0"):
        C.check_int("Dense", "in_features", 0)


@pytest.mark.parametrize(
    ("kwargs", "value", "bounds"),
    [
        ({}, math.nan, ""),
        ({}, math.inf, ""),
        ({"low": 0.0}, -1, " >= 0"),
        ({"low": 0.0, "low_open": True}, 0, " > 0"),
        ({"high": 1.0}, 2, " <= 1"),
        ({"low": 0.0, "high": 1.0}, 1.5, " in [0, 1]"),
        ({"low": 0.0, "high": 1.0, "high_open": True}, 1.0, " in [0, 1)"),
        ({"low": 0.0, "high": 1.0, "low_open": True}, 0.0, " in (0, 1]"),
    ],
)
def test_check_number_names_the_range(kwargs, value, bounds):
    message = f"Adam expected lr as a finite number{bounds}, got {float(value)}"
    with exactly(ValueError, message):
        C.check_number("Adam", "lr", value, **kwargs)


def test_check_number_takes_real_numbers_only():
    assert C.check_number("SGD", "lr", np.float32(0.5)) == 0.5
    assert type(C.check_number("SGD", "lr", 1)) is float
    assert C.check_number("f", "p", 1.0, low=0.0, high=1.0) == 1.0  # closed: allowed
    for bad in ("0.1", True, None, 1j):
        with exactly(TypeError, f"SGD expected lr as a number, got {C.describe(bad)}"):
            C.check_number("SGD", "lr", bad)


def test_check_bool():
    assert C.check_bool("MHSA", "causal", np.bool_(True)) is True
    with exactly(TypeError, "MHSA expected causal as True or False, got str 'no'"):
        C.check_bool("MHSA", "causal", "no")
    with exactly(TypeError, "MHSA expected causal as True or False, got int 1"):
        C.check_bool("MHSA", "causal", 1)


def test_check_choice_tells_a_wrong_type_from_a_wrong_value():
    choices = ("gelu", "relu")
    assert C.check_choice("FeedForward", "activation", "relu", choices) == "relu"
    assert C.check_choice("T", "positional", None, ("learned", None)) is None
    message = "FeedForward expected activation as one of 'gelu', 'relu', got"
    with exactly(ValueError, f"{message} 'tanh'"):
        C.check_choice("FeedForward", "activation", "tanh", choices)
    with exactly(TypeError, f"{message} 3"):
        C.check_choice("FeedForward", "activation", 3, choices)
    with pytest.raises(TypeError):  # True == 1, but True is not the choice 1
        C.check_choice("f", "n", True, (1, 2))


def test_check_pair():
    assert C.check_pair("Conv2D", "stride", 2) == (2, 2)
    assert C.check_pair("Conv2D", "stride", [3, np.int64(1)]) == (3, 1)
    message = "Conv2D expected stride as an int or a pair of ints, got"
    with exactly(ValueError, f"{message} 3 values (1, 2, 3)"):
        C.check_pair("Conv2D", "stride", (1, 2, 3))
    for bad in (2.5, None, (2, 2.5), "2"):
        with exactly(TypeError, f"{message} {C.describe(bad)}"):
            C.check_pair("Conv2D", "stride", bad)


def test_check_seed():
    assert C.check_seed("make_xor", 0) == 0
    with exactly(ValueError, "make_xor expected seed >= 0, got -1"):
        C.check_seed("make_xor", -1)
    with exactly(TypeError, "make_xor expected seed as an int, got float 2.5"):
        C.check_seed("make_xor", 2.5)


def test_check_heads():
    assert C.check_heads("ViT", 8, 2) == (8, 2)
    message = "ViT expected d_model divisible by n_heads, got d_model=6, n_heads=4"
    with exactly(ValueError, message):
        C.check_heads("ViT", 6, 4)
    with exactly(ValueError, "ViT expected n_heads >= 1, got 0"):
        C.check_heads("ViT", 6, 0)  # (before the division by zero)
    with exactly(TypeError, "ViT expected d_model as an int, got float 6.0"):
        C.check_heads("ViT", 6.0, 2)


# ---------------------------------------------------------------- numpy arrays
def test_as_float_array_turns_ints_and_bools_into_float64():
    assert C.as_float_array("ReLU", [1, 2]).dtype == np.float64
    assert C.as_float_array("ReLU", np.array([True])).dtype == np.float64
    x = np.ones(2, np.float32)
    assert C.as_float_array("ReLU", x) is x  # floats as they are, no copy
    assert C.as_float_array("ReLU", np.ones(2, np.float16)).dtype == np.float16


@pytest.mark.parametrize("bad", [np.ones(2, complex), np.array(["a"]), [1, None]])
def test_as_float_array_refuses_what_a_cast_would_change(bad):
    message = "Dense expected a real-valued numeric input (float, int or bool), got"
    with exactly(TypeError, f"{message} dtype {np.asarray(bad).dtype}"):
        C.as_float_array("Dense", bad)


def test_as_float_array_refuses_ragged_lists():
    with pytest.raises(ValueError, match="^Dense expected a rectangular x array, got"):
        C.as_float_array("Dense", [[1.0], [1.0, 2.0]], name="x")


def test_array_shape_checks():
    assert C.check_shape("Dense", np.ones((3, 4)), ("N", 4)).shape == (3, 4)
    with exactly(ValueError, "Dense expected input (N, 64), got (32, 63)"):
        C.check_shape("Dense", np.ones((32, 63)), ("N", 64))
    with exactly(ValueError, "CrossEntropyLoss expected logits (N, K), got (4,)"):
        C.check_shape("CrossEntropyLoss", np.ones(4), ("N", "K"), name="logits")
    with exactly(ValueError, "Flatten expected input (N, ...), got (3,)"):
        C.check_min_ndim("Flatten", np.ones(3), 2, "(N, ...)")
    with exactly(ValueError, "LayerNorm expected input (..., 4), got ()"):
        C.check_last_dim("LayerNorm", np.float64(1.0), 4)
    message = "Dense.backward expected dy (2, 3) (the shape of the last output), got"
    with exactly(ValueError, f"{message} (3, 2)"):
        C.check_grad("Dense", np.ones((3, 2)), (2, 3))
    with pytest.raises(TypeError, match="^Dense.backward expected a real-valued"):
        C.check_grad("Dense", "ab", (2,))


def test_check_labels():
    assert C.check_labels("f", np.array([0, 2]), 3).tolist() == [0, 2]
    message = "f expected labels as integer class indices, got dtype float64"
    with exactly(TypeError, message):
        C.check_labels("f", np.array([0.0]), 3)
    with exactly(ValueError, "f expected labels (N,), got (1, 1)"):
        C.check_labels("f", np.array([[0]]), 3)
    with exactly(ValueError, "f expected labels in [0, 3), got values from -1 to 3"):
        C.check_labels("f", np.array([-1, 3]), 3)


def test_check_window():
    C.check_window("Conv2D", (2, 2), (3, 3), (1, 1), (1, 1, 2, 2))  # 2 + 2 >= 3
    message = (
        "Conv2D expected H + 2*padding >= kernel_size and the same for W "
        "(kernel (3, 3), padding (0, 0)), got input (1, 1, 2, 8)"
    )
    with exactly(ValueError, message):
        C.check_window("Conv2D", (2, 8), (3, 3), (0, 0), (1, 1, 2, 8))


def test_check_nonempty_and_check_divisible():
    C.check_nonempty("UNet", np.zeros((0, 1, 2)))  # an empty batch is allowed
    message = "UNet expected every axis but the batch to be >= 1, got input (2, 1, 0)"
    with exactly(ValueError, message):
        C.check_nonempty("UNet", torch.zeros(2, 1, 0))
    C.check_divisible("UNet", np.zeros((1, 1, 8, 4)), 4, "two poolings by 2")
    message = "UNet expected H and W divisible by 4 (two poolings by 2), got input"
    with exactly(ValueError, f"{message} (1, 1, 8, 6)"):
        C.check_divisible("UNet", torch.zeros(1, 1, 8, 6), 4, "two poolings by 2")


# --------------------------------------------------------------- torch tensors
def test_check_tensor():
    x = torch.zeros(2, 3)
    assert C.check_tensor("FeedForward", x, ("B", 3)) is x
    with exactly(TypeError, "FeedForward expected input as a torch.Tensor, got list"):
        C.check_tensor("FeedForward", [[0.0] * 3] * 2, ("B", 3))
    with exactly(ValueError, "FeedForward expected input (B, 4), got (2, 3)"):
        C.check_tensor("FeedForward", x, ("B", 4))
    message = "FeedForward expected a floating-point input, got torch.int64; convert"
    with exactly(TypeError, f"{message} with x.float()"):
        C.check_tensor("FeedForward", x.long(), ("B", 3))
    assert C.check_tensor("patchify", x.long(), ("B", 3), floating=False) is not None


def test_check_tokens():
    tokens = torch.tensor([[0, 4]])
    assert C.check_tokens("GPT", tokens, max_len=2, vocab_size=5) is tokens
    message = "GPT expected integer token ids (torch.long), got"
    with exactly(TypeError, f"{message} torch.float32"):
        C.check_tokens("GPT", tokens.float(), 2)
    with exactly(TypeError, f"{message} torch.bool"):
        C.check_tokens("GPT", tokens.bool(), 2)
    with exactly(ValueError, "GPT expected tokens (B, T), got (2,)"):
        C.check_tokens("GPT", tokens[0], 2)
    message = "GPT expected sequences of 1 to max_len=2 tokens, got tokens"
    with exactly(ValueError, f"{message} (1, 0)"):
        C.check_tokens("GPT", tokens[:, :0], 2)
    with exactly(ValueError, f"{message} (1, 3)"):
        C.check_tokens("GPT", torch.zeros(1, 3, dtype=torch.long), 2)
    message = "GPT expected token ids in [0, 4) (its vocab_size), got ids from 0 to 4"
    with exactly(ValueError, message):
        C.check_tokens("GPT", tokens, 2, vocab_size=4)


def test_importing_the_checks_loads_no_torch():
    # they find torch in sys.modules: a tensor exists only if torch is loaded
    code = (
        "import sys, nnlib._checks\n"
        "print([m for m in sys.modules if m.split('.')[0] == 'torch'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    with exactly(TypeError, "f expected input as a torch.Tensor, got list"):
        C.check_tensor("f", [1.0], ("N",))


# ------------------------------------------------------- one voice, everywhere
# raises allowed another wording, as "path message" (what the scan prints, without
# the line number) -> reason. None so far: every message reads the one way.
ALLOWED_WORDING: dict[str, str] = {}

# public check functions outside nnlib/_checks.py, with why they live where they are.
# (A private ``_check_*`` may check one module's own kind of data, built on these
# checks, as long as no other module imports it: boxes, a scene's options.)
ALLOWED_CHECKS = {
    "train/batches.py:check_batch": "a batch against a model and loss: train's own",
    "train/batches.py:check_loss_inputs": "targets against a torch loss class",
}


def _message_parts(node: ast.expr) -> list[str | None]:
    """The text of a message expression: constants as text, formatted values None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value if isinstance(v, ast.Constant) else None for v in node.values]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _message_parts(node.left) + _message_parts(node.right)
    return [None]  # a name or a call: nothing to read statically


def off_voice(path: Path) -> list[str]:
    """Every ``raise TypeError/ValueError(...)`` in ``path`` not worded
    ``<where> expected <what>, got <what>``."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and node.exc is not None):
            continue
        exc = node.exc
        call = exc if isinstance(exc, ast.Call) else None
        name = call.func if call else exc
        if not (isinstance(name, ast.Name) and name.id in ("TypeError", "ValueError")):
            continue
        if call is None or not call.args:
            found.append(f"line {node.lineno}: {name.id} without a message")
            continue
        parts = _message_parts(call.args[0])
        text = "".join(p if p is not None else "{}" for p in parts)
        head, sep, tail = text.partition(" expected ")
        if not sep or not head or "got" not in tail:
            found.append(f"line {node.lineno}: {name.id}({text[:70]!r})")
    return found


def _files() -> list[Path]:
    return [PACKAGE / "_checks.py"] + [
        path for part in PARTS for path in sorted((PACKAGE / part).rglob("*.py"))
    ]


def test_every_error_says_where_what_was_expected_and_what_came():
    wrong = []
    for path in _files():
        rel = path.relative_to(PACKAGE).as_posix()
        for what in off_voice(path):
            if f"{rel} {what.partition(': ')[2]}" not in ALLOWED_WORDING:
                wrong.append(f"{rel} {what}")
    assert not wrong, "not '<where> expected <what>, got <what>':\n" + "\n".join(wrong)


def test_the_scan_finds_an_off_voice_message(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(
        "def f(n, where):\n"
        "    raise ValueError(f'n must be >= 1, got {n}')\n"
        "def g(n, where):\n"
        "    raise TypeError(f'{where} expected n as an int, got {n}') from None\n"
        "def h(n):\n"
        "    raise ValueError('expected n > 0, got ' + str(n))\n"
        "def k(message):\n"
        "    raise TypeError(message)\n"
    )
    assert off_voice(path) == [
        "line 2: ValueError('n must be >= 1, got {}')",
        "line 6: ValueError('expected n > 0, got {}')",  # says not where
        "line 8: TypeError('{}')",  # cannot be read: spell it out
    ]


def _check_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and node.name.lstrip("_").startswith("check_")
    ]


def _imported_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]


def test_checks_live_in_one_module():
    assert [p.relative_to(PACKAGE) for p in PACKAGE.rglob("_checks.py")] == [
        Path("_checks.py")
    ]
    shared = set(_check_functions(PACKAGE / "_checks.py"))
    files = [path for part in PARTS for path in sorted((PACKAGE / part).rglob("*.py"))]
    imported = {name for path in files for name in _imported_names(path)}
    wrong = []
    for path in files:
        rel = path.relative_to(PACKAGE).as_posix()
        for name in _check_functions(path):
            if name.lstrip("_") in shared:
                wrong.append(f"{rel}: {name} repeats nnlib._checks.{name.lstrip('_')}")
            elif name.startswith("_") and name in imported:
                wrong.append(f"{rel}: {name} is shared: move it to nnlib/_checks.py")
            elif not name.startswith("_") and f"{rel}:{name}" not in ALLOWED_CHECKS:
                wrong.append(f"{rel}: {name} (move it to nnlib/_checks.py or allow it)")
    assert not wrong, "\n".join(wrong)
