"""Read a submission's code (without running it) for things an instructor should see.

These are flags for a human, not penalties: a notebook that imports the
grading machinery beyond ``check`` and ``hint`` or redefines ``check``. (A task function
that calls nnlib's own reference is flagged at run time, by
``nnlib.grading.runner.watch_calls``, however the call is reached.)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import Any

# the self-check and its hints, imported by name or called by their full names
# (nbgrader's hidden tests call nnlib.grading.check)
ALLOWED_IMPORT = re.compile(
    r"^\s*from\s+nnlib\.grading\s+import\s+(check|hint)(\s*,\s*(check|hint))?"
    r"\s*(#.*)?$"
    r"|^\s*import\s+nnlib\.grading\s*(#.*)?$"
    r"|\bnnlib\.grading\.(check|hint)\(",
    re.M,
)
GRADING = re.compile(r"nnlib\s*\.\s*grading|from\s+nnlib\s+import\s+[^\n]*\bgrading\b")


def _functions(tree: ast.AST) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def static_flags(cells: Sequence[Any]) -> list[str]:
    """Findings for the report, one line each."""
    flags = []
    for i, cell in enumerate(cells, start=1):
        source = cell.source
        if GRADING.search(ALLOWED_IMPORT.sub("", source)):
            flags.append(f"code cell {i} uses nnlib.grading beyond `check`")
        try:
            tree = ast.parse(_without_magics(source))
        except SyntaxError:
            continue
        found = _functions(tree)
        if "check" in found or any(
            isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "check" for t in n.targets)
            for n in ast.walk(tree)
        ):
            flags.append(f"code cell {i} redefines `check`")
    return flags


def _without_magics(source: str) -> str:
    """Blank out IPython-only lines (%magic, !shell) so ``ast`` can parse the rest."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )
