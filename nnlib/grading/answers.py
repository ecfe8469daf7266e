"""Read what a learner's kernel left for the grader: answers and refused actions.

Both files are written by code the learner controls, so they are read as
untrusted data: size-capped, parsed as JSON, and decoded with ``codec``
(plain numbers and arrays only).
"""

from __future__ import annotations

import json
from pathlib import Path

from . import codec
from .runner import Outcome

MAX_ANSWER_BYTES = 64 * 1024 * 1024


def outcome_from(record: dict) -> Outcome:
    """One case's outcome from its JSON record (raises ValueError if malformed)."""
    return Outcome(
        status=record["status"],
        value=codec.decode(record.get("value")),
        error=str(record.get("error", ""))[:300],
        args_after=tuple(codec.decode(record.get("args_after")) or ()),
        reference_calls=[str(r) for r in record.get("reference_calls", [])][:5],
    )


def read_answers(path: Path) -> tuple[list[dict], str]:
    """The JSON lines the kernel wrote, and a complaint if they are unusable."""
    if not path.exists():
        return [], ""
    if path.stat().st_size > MAX_ANSWER_BYTES:
        return [], f"its answers are larger than {MAX_ANSWER_BYTES >> 20} MB."
    records = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            break  # a line cut short by a dying kernel
        if not isinstance(record, dict):
            return [], "its answers are not in the grader's format."
        records.append(record)
    return records, ""


def read_refusals(log: Path) -> list[str]:
    """One line per action the guard refused, from its log (at most 50)."""
    if not log.exists():
        return []
    found = []
    for line in log.read_text("utf-8", errors="replace").splitlines()[:50]:
        try:
            entry = json.loads(line)
            found.append(f"refused {entry['event']}: {entry['detail']}")
        except (ValueError, KeyError, TypeError):
            continue
    return found
