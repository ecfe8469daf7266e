"""The registry of graded tasks: one module per chapter, ``chNN.SPECS``.

Chapter modules are imported on first use, so checking a chapter-01 task
loads neither torch nor the other chapters' references.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from nnlib import course

from ..spec import TaskSpec

__all__ = ["all_specs", "chapter_specs", "get_spec"]


@cache
def chapter_specs(chapter_id: str) -> tuple[TaskSpec, ...]:
    """The specs of one chapter's tasks, in course-map order."""
    module = import_module(f"{__name__}.ch{chapter_id}")
    by_id = {spec.id: spec for spec in module.SPECS}
    order = [t["id"] for t in course.chapter(chapter_id)["tasks"]]
    if sorted(by_id) != sorted(order):
        raise RuntimeError(
            f"chapter {chapter_id}: course map lists {order}, "
            f"specs define {sorted(by_id)}"
        )
    return tuple(by_id[task_id] for task_id in order)


def get_spec(task_id: str) -> TaskSpec:
    """The spec of one task, e.g. ``get_spec("01.gd_step")``."""
    course.task(task_id)  # a clear KeyError for an unknown id
    chapter_id = task_id.split(".", 1)[0]
    for spec in chapter_specs(chapter_id):
        if spec.id == task_id:
            return spec
    raise KeyError(task_id)


def all_specs() -> list[TaskSpec]:
    """Every task of the course (imports every chapter, torch only lazily)."""
    return [spec for ch in course.chapters() for spec in chapter_specs(ch["id"])]
