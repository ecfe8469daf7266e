"""Call a learner's function on one case and record what happened.

Used twice: in the notebook by ``check`` (same process), and inside the learner's
kernel by the batch grader (``remote``), which then ships the outcome back as
plain data. Deciding whether the answer is right happens elsewhere.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from types import CodeType
from typing import Any

import numpy as np

from .spec import Case, TaskSpec, copy_args


@dataclass
class Outcome:
    """What one call did: returned a value, was not attempted, or raised."""

    status: str  # "ok", "not_attempted" or "error"
    value: Any = None
    error: str = ""
    args_after: tuple = ()
    reference_calls: list[str] = field(default_factory=list)


def run_case(fn: Callable[..., Any], spec: TaskSpec, case: Case) -> Outcome:
    """Call ``fn`` on a fresh copy of the case's inputs, catching every failure."""
    args = copy_args(case.args)
    strict = np.errstate(over="raise", invalid="raise", divide="raise")
    with (
        watch_calls(spec.forbidden) as hits,
        strict if spec.strict_float else nullcontext(),
    ):
        try:
            value = spec.call(fn, *args) if spec.call is not None else fn(*args)
            outcome = Outcome("ok", value=value)
        except NotImplementedError:
            outcome = Outcome("not_attempted")
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit too: the learner's code ended early
            outcome = Outcome("error", error=f"{type(exc).__name__}: {exc}"[:300])
    outcome.args_after = args
    outcome.reference_calls = sorted(hits)
    return outcome


def changed_inputs(spec: TaskSpec, before: tuple, after: Sequence[Any]) -> list[str]:
    """Names of the array inputs a call modified in place."""
    names = spec.arg_names
    changed = []
    for i, (b, a) in enumerate(zip(before, after, strict=False)):
        if isinstance(b, np.ndarray) and not (
            isinstance(a, np.ndarray)
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=b.dtype.kind == "f")
        ):
            changed.append(names[i] if i < len(names) else f"argument {i}")
    return changed


def _codes_of(dotted: str) -> list[CodeType]:
    """Code objects of a function, method or every method of a class, by name."""
    parts = dotted.split(".")
    obj: Any = None
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        break
    if inspect.isclass(obj):
        members = [v for v in vars(obj).values() if inspect.isfunction(v)]
    else:
        members = [getattr(obj, "__func__", obj)]
    return [m.__code__ for m in members if hasattr(m, "__code__")]


WATCH_REMOVED = "sys.setprofile"  # the hit of a function that removed the watch
_setprofile, _getprofile = sys.setprofile, sys.getprofile  # before any notebook


@contextmanager
def watch_calls(forbidden: Sequence[str]) -> Iterator[set[str]]:
    """Collect which of the ``forbidden`` functions run inside the block.

    A profile hook sees every Python call, so an alias, ``getattr`` or
    ``importlib`` is caught too, and ``threading.setprofile`` puts it on every
    thread started inside the block. A function that removes the hook
    (``sys.setprofile(None)``) is reported as ``WATCH_REMOVED``. This is a
    tripwire inside the learner's own process, not a proof: code that runs
    in threads started before the call, or in C, is not seen.
    """
    hits: set[str] = set()
    codes: dict[CodeType, str] = {}
    for name in forbidden:
        try:
            codes.update((code, name) for code in _codes_of(name))
        except (AttributeError, ImportError):  # a reference this install lacks
            continue
    if not codes:
        yield hits
        return

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code in codes:
            hits.add(codes[frame.f_code])

    import threading

    previous = _getprofile()
    _setprofile(profile)
    threading.setprofile(profile)
    try:
        yield hits
    finally:
        if _getprofile() is not profile:
            hits.add(WATCH_REMOVED)
        threading.setprofile(None)  # type: ignore[arg-type]
        _setprofile(previous)
