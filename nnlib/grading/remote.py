"""The grader's agent inside a learner's kernel: call their function, write plain data.

The batch grader writes a task's case inputs to a pickle in the submission's
folder and executes ``remote.run(in_path, out_path)`` in the kernel. This looks
up the learner's function by name, calls it on every case and writes one JSON
line per case (``codec``): the value returned, or the exception raised. It never
sees the expected answers; the grader compares in its own process.
"""

from __future__ import annotations

import json
import pickle
import sys
from typing import Any

from .codec import encode
from .runner import Outcome, run_case
from .spec import Case
from .tasks import get_spec


def _namespace() -> dict[str, Any]:
    """The learner's global names (IPython's user namespace when there is one)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    return shell.user_ns if shell is not None else vars(sys.modules["__main__"])


def _line(outcome: Outcome) -> str:
    record: dict[str, Any] = {
        "status": outcome.status,
        "error": outcome.error,
        "reference_calls": outcome.reference_calls,
        "seconds": round(outcome.seconds, 6),
    }
    for key, value in (("value", outcome.value), ("args_after", outcome.args_after)):
        try:
            record[key] = encode(value)
        except Exception as exc:  # a strange object: report it rather than crash
            record[key] = {"__bad__": f"{type(value).__name__} ({type(exc).__name__})"}
    return json.dumps(record, allow_nan=True)


def run(in_path: str, out_path: str) -> None:
    """Run the job in ``in_path``; write the outcomes to ``out_path`` (JSON lines)."""
    with open(in_path, "rb") as f:
        job = pickle.load(f)
    spec = get_spec(job["task"])
    with open(out_path, "w", encoding="utf-8") as out:
        fn = _namespace().get(job["function"])
        if not callable(fn):
            kind = "missing" if fn is None else "not callable"
            out.write(json.dumps({"status": kind, "type": type(fn).__name__}) + "\n")
            return
        for name, args in zip(job["names"], job["cases"], strict=True):
            outcome = run_case(fn, spec, Case(name, args))
            out.write(_line(outcome) + "\n")
            out.flush()  # a case that hangs or kills the kernel leaves the rest on disk
            if outcome.status != "ok":
                break
