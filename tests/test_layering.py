"""The library's parts form layers, and the maths lives once (shared/STYLE.md).

Allowed arrows: ``scratch`` imports no other part of nnlib; ``data`` no models and no
plotting; ``blocks`` and ``train`` know no screen (no ``viz``, ``widgets``,
matplotlib); ``viz`` draws what it is given without ``train`` or ``blocks``;
``widgets`` builds on ``viz``, ``data`` and ``scratch.functional``; ``grading`` (the
learner's self-check) knows nothing of the batch grader. And viz, widgets
and data define no activation, softmax, convolution or metric of their own: they
call ``nnlib.scratch.functional``, so the copies cannot drift apart. Every part may
use ``nnlib._checks`` (the argument checks), which itself imports numpy only.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "nnlib"

# imported by every part: the argument checks (numpy only, see the last tests)
SHARED = ("nnlib._checks",)

# part -> prefixes of modules it must not import, at any level of any of its files
FORBIDDEN = {
    "scratch": [
        "torch",
        "matplotlib",
        "ipywidgets",
        "nnlib.data",
        "nnlib.blocks",
        "nnlib.train",
        "nnlib.viz",
        "nnlib.widgets",
        "nnlib.grading",
        "nnlib.grader",
    ],
    "data": ["matplotlib", "ipywidgets", "nnlib.blocks", "nnlib.train", "nnlib.viz"]
    + ["nnlib.widgets", "nnlib.grading", "nnlib.grader"],
    "blocks": ["matplotlib", "ipywidgets", "nnlib.viz", "nnlib.widgets", "nnlib.train"]
    + ["nnlib.grading", "nnlib.grader"],
    "train": ["matplotlib", "ipywidgets", "nnlib.viz", "nnlib.widgets"]
    + ["nnlib.grading", "nnlib.grader"],
    "viz": ["nnlib.train", "nnlib.blocks", "nnlib.widgets", "nnlib.grading"]
    + ["nnlib.grader", "ipywidgets"],
    "widgets": ["nnlib.train", "nnlib.blocks", "nnlib.grading", "nnlib.grader"],
    # the learner's self-check: no kernel protocol, no batch grader
    "grading": ["jupyter_client", "nbclient", "nnlib.grader", "ipywidgets"],
}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from .x import y, inside package parts[:-1]
                base = ".".join(parts[: len(parts) - node.level])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_imports_only_point_down(part):
    wrong = []
    for path in sorted((PACKAGE / part).rglob("*.py")):
        for name in _imports(path):
            for prefix in FORBIDDEN[part]:
                if name == prefix or name.startswith(prefix + "."):
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_scratch_imports_nothing_of_nnlib_but_itself_and_the_checks():
    wrong = []
    for path in sorted((PACKAGE / "scratch").rglob("*.py")):
        for name in _imports(path):
            inside = name.startswith(("nnlib.scratch", *SHARED))
            if name.split(".")[0] == "nnlib" and not inside:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_the_checks_import_only_the_standard_library_and_numpy():
    path = PACKAGE / "_checks.py"
    tops = {name.split(".")[0] for name in _imports(path)}
    extra = tops - set(sys.stdlib_module_names) - {"numpy", "__future__"}
    assert not extra, f"nnlib/_checks.py imports {sorted(extra)}"
    # and at import time: nothing beyond them is loaded (torch is found in
    # sys.modules by the tensor checks, never imported)
    code = (
        "import sys; before = set(sys.modules); import nnlib._checks\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(sorted(new - set(sys.stdlib_module_names) - {'numpy', 'nnlib'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", f"import nnlib._checks loaded {out.stdout}"


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("nnlib.scratch", ["torch", "matplotlib"]),
        ("nnlib.data", ["torch", "matplotlib"]),
        ("nnlib.blocks", ["matplotlib", "ipywidgets"]),
        ("nnlib.train", ["matplotlib", "ipywidgets"]),
    ],
)
def test_importing_a_part_loads_nothing_above_it(module, absent):
    code = f"import sys, {module}; print([m for m in {absent!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", f"import {module} loaded {out.stdout.strip()}"


# names of formulas that belong to nnlib.scratch.functional alone
FORMULAS = (
    "sigmoid",
    "tanh",
    "relu",
    "softmax",
    "cross_entropy",
    "conv",
    "correlate",
    "pool",
    "confusion",
    "accuracy",
)
# numpy calls that only a formula needs
FORMULA_CALLS = ("exp", "tanh", "einsum", "log")


def _formula_copies(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.Lambda):
            name = getattr(node, "name", "<lambda>").lower()
            body = ast.unparse(node)
            calls_library = "F." in body or "functional" in body
            drawing = name.startswith(("plot_", "draw"))  # draws a formula's result
            if any(f in name for f in FORMULAS) and not (calls_library or drawing):
                found.append(f"def {node.name}: a formula of its own")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "np"
            and node.func.attr in FORMULA_CALLS
        ):
            found.append(f"line {node.lineno}: np.{node.func.attr}(...)")
    return found


@pytest.mark.parametrize("part", ["viz", "widgets", "data"])
def test_viz_widgets_and_data_define_no_formula_of_their_own(part):
    copies = [
        f"{path.relative_to(PACKAGE)}: {what}"
        for path in sorted((PACKAGE / part).rglob("*.py"))
        for what in _formula_copies(path)
    ]
    assert not copies, "\n".join(copies)


def test_grading_references_compute_with_the_library():
    """A task's reference calls nnlib.scratch (its layers or ``functional``), never a
    numpy formula of its own. (Names are not checked here: case generators and the
    deliberate mistakes a task recognises have formula names; a mistake may loop
    over windows with ``einsum``, as a learner would.)"""
    calls = [
        f"{path.relative_to(PACKAGE)}: {what}"
        for path in sorted((PACKAGE / "grading").rglob("*.py"))
        for what in _formula_copies(path)
        if what.startswith("line ") and "einsum" not in what
    ]
    assert not calls, "\n".join(calls)


def test_the_copy_detector_finds_a_copy(tmp_path):
    copy = tmp_path / "copy.py"
    copy.write_text(
        "import numpy as np\n\n"
        "def _sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n\n"
        "def plot_relu(x):\n    return F.relu(x)\n"
    )
    assert _formula_copies(copy) == [
        "def _sigmoid: a formula of its own",
        "line 4: np.exp(...)",
    ]
