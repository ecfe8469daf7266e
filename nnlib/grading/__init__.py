"""nnlib.grading: the learner's exercise self-checks and the task registry.

- ``check(task_id, answer)``: the one-line self-check under each exercise task.
- ``hint(task_id)``: the task's first hint (the idea); its second (the formula or
  the shapes) once a check of the task has failed.
- ``run_check``: the same, returning a ``CheckResult`` instead of printing.
- ``get_spec``, ``chapter_specs``, ``all_specs``: the task registry
  (cases, references from ``nnlib.scratch``, tolerances, hints, the mistakes
  each task recognises, its kind: derive, build, train or measure).
- ``release``: build ``exercises/`` from ``solutions/``.

The instructor's batch grader (``nnlib-grade``) is its own subpackage,
``nnlib.grader``, with its own extra (``nnlib[grader]``).
Importing this package loads numpy and nnlib.scratch only: no torch, no Jupyter.
"""

from .hints import hint
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
    "hint",
    "run_check",
]
