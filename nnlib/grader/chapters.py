"""Which chapter a submission is graded as: the assignment's, never the learner's.

In order: ``--chapter``; else the release metadata the notebook carries
(``nnlib_release.chapter``, or the ``sources_sha256`` fingerprint that
``nnlib.grading.release`` stamps on each exercise notebook, matched against the
course's exercises); else the ``NN_`` prefix of the released file name. The
``check("NN.task", ...)`` calls inside a notebook never choose the chapter, so
chapter 1 work earns nothing on a chapter 4 assignment.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from nnlib import course

ROOT = Path(__file__).resolve().parents[2]


@cache
def _fingerprints() -> dict[str, str]:
    """Release fingerprint -> chapter id, for the exercises this copy has."""
    found = {}
    for ch in course.chapters():
        path = ROOT / ch.get("exercise", "")
        try:
            meta = json.loads(path.read_text("utf-8")).get("metadata", {})
        except (OSError, ValueError):
            continue
        sha = meta.get("nnlib_release", {}).get("sources_sha256")
        if isinstance(sha, str):
            found[sha] = ch["id"]
    return found


def chapters_for(path: Path, notebook: Any) -> list[str]:
    """The chapters of a notebook from its release metadata or its file name."""
    known = {ch["id"] for ch in course.chapters()}
    meta = notebook.get("metadata", {}) if isinstance(notebook, dict) else {}
    release = meta.get("nnlib_release", {}) if isinstance(meta, dict) else {}
    if isinstance(release, dict):
        if release.get("chapter") in known:
            return [release["chapter"]]
        chapter = _fingerprints().get(str(release.get("sources_sha256")))
        if chapter is not None:
            return [chapter]
    prefix = re.match(r"(\d\d)_", path.name)
    if prefix and prefix.group(1) in known:
        return [prefix.group(1)]
    return []
