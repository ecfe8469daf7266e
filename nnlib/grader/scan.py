"""Read a submission's code (without running it) for things an instructor should see.

These are flags for a human, not penalties: a notebook that imports the
grading machinery beyond ``check``, redefines ``check``, or whose task
function names nnlib's own reference for that task.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import Any

from nnlib.grading.spec import TaskSpec

# the self-check, imported by name or called by its full name (nbgrader's hidden tests)
ALLOWED_IMPORT = re.compile(
    r"^\s*from\s+nnlib\.grading\s+import\s+check\s*(#.*)?$"
    r"|^\s*import\s+nnlib\.grading\s*(#.*)?$"
    r"|\bnnlib\.grading\.check\(",
    re.M,
)
GRADING = re.compile(r"nnlib\s*\.\s*grading|from\s+nnlib\s+import\s+[^\n]*\bgrading\b")


def _functions(tree: ast.AST) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def _nnlib_imports(tree: ast.AST) -> dict[str, str]:
    """Local name -> dotted nnlib name, for every import from nnlib in ``tree``."""
    names = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("nnlib"):
            for alias in n.names:
                names[alias.asname or alias.name] = f"{n.module}.{alias.name}"
        elif isinstance(n, ast.Import):
            for alias in n.names:
                if alias.name.startswith("nnlib"):
                    local = alias.asname or alias.name.split(".")[0]
                    names[local] = alias.name if alias.asname else local
    return names


def _nnlib_uses(fn: ast.AST, imports: dict[str, str]) -> set[str]:
    """Dotted nnlib names a function's body refers to, e.g. ``nnlib.scratch.Dense``."""
    used = set()
    for n in ast.walk(fn):
        chain = []
        while isinstance(n, ast.Attribute):
            chain.append(n.attr)
            n = n.value
        if isinstance(n, ast.Name) and n.id in imports:
            used.add(".".join([imports[n.id], *reversed(chain)]))
    return used


def _matches(used: set[str], reference: str) -> bool:
    """A use matches a reference when it names it (or one of its methods), or a
    deeper path to the same name (``nnlib.scratch.dense.Dense`` for
    ``nnlib.scratch.Dense``)."""
    last = reference.rsplit(".", 1)[-1]
    return any(
        u == reference or u.startswith(reference + ".") or last in u.split(".")[2:]
        for u in used
    )


def static_flags(cells: Sequence[Any], specs: Sequence[TaskSpec]) -> list[str]:
    """Findings for the report, one line each."""
    flags = []
    defs: dict[str, ast.FunctionDef] = {}
    imports: dict[str, str] = {}
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
        defs.update(found)  # the last definition of a name wins, as when run
        imports.update(_nnlib_imports(tree))
    for spec in specs:
        fn = defs.get(spec.function)
        if fn is None:
            continue
        used = _nnlib_uses(fn, imports)
        named = sorted(ref for ref in spec.forbidden if _matches(used, ref))
        if named:
            flags.append(
                f"{spec.id}: `{spec.function}` names nnlib's reference "
                f"{', '.join(named)}"
            )
    return flags


def _without_magics(source: str) -> str:
    """Blank out IPython-only lines (%magic, !shell) so ``ast`` can parse the rest."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )
