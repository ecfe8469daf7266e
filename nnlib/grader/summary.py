"""The batch's tables: grades.csv (per student and task), tasks.csv, report.json."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from nnlib.grading.result import NOT_ATTEMPTED, PASSED

from .records import SubmissionResult

CSV_COLUMNS = ["student", "task", "points", "max_points", "feedback"]
TASK_COLUMNS = [
    "task",
    "title",
    "max_points",
    "submissions",
    "passed",
    "failed",
    "not_attempted",
    "mean_points",
]
NO_TASK = "-"  # the task column of a submission that could not be graded at all


def task_summary(results: Sequence[SubmissionResult]) -> list[dict]:
    """Per task, over the class: how many passed, failed, did not try; mean points.

    "failed" includes tasks left ungraded by a fault (a hang, a crash).
    """
    by_task: dict[str, list] = {}
    for r in results:
        for t in r.tasks:
            by_task.setdefault(t.task, []).append(t)
    rows = []
    for task in by_task:  # first appearance: the chapters' own task order
        grades = by_task[task]
        passed = sum(t.status == PASSED for t in grades)
        skipped = sum(t.status == NOT_ATTEMPTED for t in grades)
        rows.append(
            {
                "task": task,
                "title": grades[0].title,
                "max_points": grades[0].max_points,
                "submissions": len(grades),
                "passed": passed,
                "failed": len(grades) - passed - skipped,
                "not_attempted": skipped,
                "mean_points": round(sum(t.points for t in grades) / len(grades), 2),
            }
        )
    return rows


def tasks_csv(results: Sequence[SubmissionResult]) -> str:
    """``task_summary`` as CSV, one row per task."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, TASK_COLUMNS)
    writer.writeheader()
    writer.writerows(task_summary(results))
    return buf.getvalue()


def grades_csv(results: Sequence[SubmissionResult]) -> str:
    """One row per student and task: student, task, points, max_points, feedback.

    A submission with no task to grade (an unknown chapter) still gets one row,
    task ``-``, 0 points, its fault as the feedback.
    """
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for r in results:
        for t in r.tasks:
            writer.writerow([r.student, t.task, t.points, t.max_points, t.feedback])
        if not r.tasks:
            why = "; ".join(r.faults) or "nothing to grade"
            writer.writerow([r.student, NO_TASK, 0, 0, why])
    return buf.getvalue()


def report_json(results: Sequence[SubmissionResult]) -> str:
    """Everything as one JSON document: submissions, totals, the task summary."""
    report = {
        "submissions": [r.to_dict() for r in results],
        "total_points": sum(r.points for r in results),
        "total_max_points": sum(r.max_points for r in results),
        "tasks": task_summary(results),
    }
    return json.dumps(report, indent=1, ensure_ascii=False)
