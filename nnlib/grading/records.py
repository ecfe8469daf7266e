"""What the batch grader records per task and per submission (and its JSON form)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from .result import CheckResult
from .spec import TaskSpec


@dataclass
class TaskGrade:
    """One task's score and feedback for one submission."""

    task: str
    title: str
    points: int
    max_points: int
    status: str
    feedback: str
    flags: list[str] = field(default_factory=list)

    @classmethod
    def from_check(cls, spec: TaskSpec, check: CheckResult) -> TaskGrade:
        """Full points when every case passed, else 0; the check's line as feedback."""
        points = spec.points if check.passed else 0
        return cls(
            spec.id,
            spec.title,
            points,
            spec.points,
            check.status,
            check.line(),
            list(check.flags),
        )


@dataclass
class SubmissionResult:
    """Everything about one graded notebook: tasks, faults and flags."""

    student: str
    path: str
    sha256: str
    chapters: list[str]
    tasks: list[TaskGrade] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0
    finished: str = ""

    @property
    def points(self) -> int:
        """Points earned."""
        return sum(t.points for t in self.tasks)

    @property
    def max_points(self) -> int:
        """Points available."""
        return sum(t.max_points for t in self.tasks)

    def finish(self, start: float) -> SubmissionResult:
        """Stamp the time taken since ``start`` (``time.monotonic``) and the date."""
        self.seconds = round(time.monotonic() - start, 2)
        self.finished = time.strftime("%Y-%m-%dT%H:%M:%S")
        return self

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (with the totals)."""
        data = asdict(self)
        data["points"], data["max_points"] = self.points, self.max_points
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """Rebuild a result saved by ``to_dict``."""
        fields = {
            k: v for k, v in data.items() if k not in ("points", "max_points", "tasks")
        }
        return cls(**fields, tasks=[TaskGrade(**t) for t in data.get("tasks", [])])
