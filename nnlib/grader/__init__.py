"""nnlib.grader: the instructor's batch grader (``nnlib-grade``).

Each submission runs in its own bubblewrap sandbox (``sandbox``), its tasks
graded on hidden cases seeded by the instructor's secret (``secret``), its
result signed and stored under a name of its own (``naming``, ``store``).
Needs the ``grader`` extra: ``pip install 'nnlib[grader]'``. The learner's
self-check (``nnlib.grading.check``) needs none of this.

- ``batch.grade_batch``: grade many notebooks; ``cli.main``: the command.
- ``kernel``: the one module that speaks the Jupyter protocol.
"""

from __future__ import annotations

import importlib.util

EXTRAS = ("nbformat", "jupyter_client", "ipykernel")

__all__ = ["EXTRAS", "require_extras"]


def require_extras() -> str:
    """ "" when the grader's dependencies are installed, else what to do."""
    missing = [name for name in EXTRAS if importlib.util.find_spec(name) is None]
    if not missing:
        return ""
    return (
        f"nnlib-grade expected the grader's packages, got none of "
        f"{', '.join(missing)}: install them with  pip install 'nnlib[grader]'"
    )
