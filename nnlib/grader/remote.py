"""The grader's agent inside a learner's kernel: call their function, send plain data.

The batch grader executes ``remote.run(task, payload)`` in the sandboxed kernel,
with the case inputs in ``payload`` (``codec`` JSON, base64: no pickle, no file).
This looks up the learner's function by its course-map name, calls it on every
case (``runner.run_case``, which also runs the task's ``call`` probe) and
publishes one record per case as display data of type ``kernel.ANSWER_MIME``:
the value returned, or the exception raised. It never sees the expected
answers; the grader compares in its own process. A record is at most
``kernel.MAX_ANSWER_BYTES``; the grader drops larger ones unread.

Imports only the learner's half of nnlib (``nnlib.grading``) and IPython.
"""

from __future__ import annotations

import base64
import json
import sys
from typing import Any

from nnlib.grading.codec import decode, encode
from nnlib.grading.runner import Outcome, run_case
from nnlib.grading.spec import Case
from nnlib.grading.tasks import get_spec

ANSWER_MIME = "application/vnd.nnlib.answer+json"  # = kernel.ANSWER_MIME
MAX_ANSWER_BYTES = 16 * 1024 * 1024  # = kernel.MAX_ANSWER_BYTES


def _namespace() -> dict[str, Any]:
    """The learner's global names (IPython's user namespace when there is one)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    return shell.user_ns if shell is not None else vars(sys.modules["__main__"])


def _send(record: dict[str, Any]) -> None:
    from IPython.display import publish_display_data

    payload = json.dumps(record, allow_nan=True)
    if len(payload) > MAX_ANSWER_BYTES - 4096:  # the grader would drop it unread
        record = {**record, "args_after": None}
        record["value"] = {"__bad__": f"answer larger than {MAX_ANSWER_BYTES >> 20} MB"}
        payload = json.dumps(record, allow_nan=True)
    publish_display_data({ANSWER_MIME: payload})


def _record(outcome: Outcome) -> dict[str, Any]:
    record: dict[str, Any] = {
        "status": outcome.status,
        "error": outcome.error.encode("utf-8", "replace").decode("utf-8"),
        "reference_calls": outcome.reference_calls,
    }
    for key, value in (("value", outcome.value), ("args_after", outcome.args_after)):
        try:
            record[key] = encode(value)
        except Exception as exc:  # a strange object: report it rather than crash
            record[key] = {"__bad__": f"{type(value).__name__} ({type(exc).__name__})"}
    return record


def run(task: str, payload: str) -> None:
    """Run the cases in ``payload`` on the learner's function for ``task``."""
    job = json.loads(base64.b64decode(payload))
    spec = get_spec(task)
    fn = _namespace().get(spec.function)
    if not callable(fn):
        _send(
            {
                "status": "missing" if fn is None else "not callable",
                "type": type(fn).__name__,
            }
        )
        return
    for name, args in zip(job["names"], decode(job["cases"]), strict=True):
        outcome = run_case(fn, spec, Case(name, tuple(args)))
        _send(_record(outcome))  # a case that hangs later leaves these answers
        if outcome.status != "ok":
            break
