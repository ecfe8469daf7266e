"""The course map: chapters, notebooks, concepts (English and Chinese) and tasks."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

__all__ = ["chapters", "chapter", "task", "tasks"]


@cache
def _load() -> dict:
    text = resources.files("nnlib").joinpath("course_map.json").read_text("utf-8")
    return json.loads(text)


def chapters() -> list[dict]:
    """Every chapter of the course, in order."""
    return _load()["chapters"]


def chapter(chapter_id: str) -> dict:
    """One chapter by its two-digit id, e.g. ``"04"``."""
    for ch in chapters():
        if ch["id"] == chapter_id:
            return ch
    known = [ch["id"] for ch in chapters()]
    raise KeyError(f"no chapter {chapter_id!r}; the course has {known}")


def tasks() -> list[dict]:
    """Every graded task, each with its chapter id added."""
    return [{**t, "chapter": ch["id"]} for ch in chapters() for t in ch["tasks"]]


def task(task_id: str) -> dict:
    """One graded task by id, e.g. ``"01.gd_step"``."""
    for t in tasks():
        if t["id"] == task_id:
            return t
    raise KeyError(f"no task {task_id!r} in the course map")
