"""Read what a learner's kernel sent the grader: answers and refused actions.

Both come from code the learner controls, so they are read as untrusted data:
size-capped (``kernel``), parsed as JSON, decoded with ``codec`` (plain numbers
and arrays within shape and dtype limits only), and every string made safe.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from nnlib.grading import codec
from nnlib.grading.runner import Outcome

from .records import safe_text


def outcome_from(record: dict) -> Outcome:
    """One case's outcome from its JSON record (raises ValueError if malformed)."""
    status = record["status"]
    if status not in ("ok", "error", "not_attempted"):
        raise ValueError(f"unknown status {safe_text(str(status), 40)!r}")
    calls = record.get("reference_calls", [])
    if not isinstance(calls, list):
        raise ValueError("malformed reference calls")
    return Outcome(
        status=status,
        value=codec.decode(record.get("value")),
        error=safe_text(str(record.get("error", ""))),
        args_after=tuple(codec.decode(record.get("args_after")) or ()),
        reference_calls=[safe_text(str(r), 80) for r in calls][:5],
    )


def parse_answers(payloads: Sequence[str]) -> tuple[list[dict], str]:
    """The records the kernel published, and a complaint if they are unusable."""
    records = []
    for payload in payloads:
        try:
            record = json.loads(payload)
        except ValueError:
            return records, "its answers are not in the grader's format."
        if not isinstance(record, dict):
            return records, "its answers are not in the grader's format."
        records.append(record)
    return records, ""


def read_refusals(log: Path) -> list[str]:
    """One line per action the guard refused, from its log (at most 50)."""
    if not log.exists() or log.is_symlink():
        return []
    found = []
    with open(log, encoding="utf-8", errors="replace") as f:
        lines = f.read(1 << 20).splitlines()[:50]
    for line in lines:
        try:
            entry = json.loads(line)
            found.append(safe_text(f"refused {entry['event']}: {entry['detail']}", 300))
        except (ValueError, KeyError, TypeError):
            continue
    return found
