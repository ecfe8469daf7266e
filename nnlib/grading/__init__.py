"""nnlib.grading: the learner's exercise self-checks and the task registry.

- ``check(task_id, answer)``: the one-line self-check under each exercise task.
- ``run_check``: the same, returning a ``CheckResult`` instead of printing.
- ``get_spec``, ``chapter_specs``, ``all_specs``: the task registry
  (cases, references from ``nnlib.scratch``, tolerances, hints).
- ``release``: build ``exercises/`` from ``solutions/``.

The instructor's batch grader (``nnlib-grade``) is its own subpackage,
``nnlib.grader``, with its own extra (``nnlib[grader]``).
Importing this package loads numpy and nnlib.scratch only: no torch, no Jupyter.
"""

from .result import CheckResult
from .selfcheck import check, run_check
from .spec import Case, TaskSpec
from .tasks import all_specs, chapter_specs, get_spec

__all__ = [
    "Case",
    "CheckResult",
    "TaskSpec",
    "all_specs",
    "chapter_specs",
    "check",
    "get_spec",
    "run_check",
]
