"""What the batch grader records per task and per submission (and its JSON form)."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from nnlib.grading.result import CheckResult
from nnlib.grading.spec import TaskSpec


def safe_text(text: str, limit: int = 300) -> str:
    """``text`` from a submission, made safe to store and print.

    Lone surrogates (``'\\udc80'``) and other unencodable characters become
    "?", control characters (terminal escapes included) become spaces, and the
    result is cut to ``limit`` characters.
    """
    text = str(text)[: limit * 4].encode("utf-8", "replace").decode("utf-8")
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") and c != "\n" else c
        for c in text
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
            safe_text(check.line(), 1000),
            [safe_text(f, 300) for f in check.flags],
        )


@dataclass
class SubmissionResult:
    """Everything about one graded notebook: tasks, faults and flags."""

    student: str
    path: str
    sha256: str
    chapters: list[str]
    key: str = ""  # the file's path under the batch root: unique in a batch
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

    def clean(self) -> SubmissionResult:
        """Make every fault and flag safe to store (``safe_text``)."""
        self.faults = [safe_text(f) for f in self.faults]
        self.flags = [safe_text(f) for f in self.flags]
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """Rebuild a result saved by ``to_dict``."""
        fields = {
            k: v for k, v in data.items() if k not in ("points", "max_points", "tasks")
        }
        return cls(**fields, tasks=[TaskGrade(**t) for t in data.get("tasks", [])])
