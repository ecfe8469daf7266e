"""Docstrings in PyTorch's order, with examples that run (STYLE.md 9c).

Three checks, for ``nnlib.scratch``, ``blocks``, ``train``, ``data``, ``viz``,
``widgets`` and ``nnlib.measured`` (a new module is picked up without editing this
file):

- every module's doctests run and print what they show (one test per module);
- every public name (in a package's ``__all__``; for a module listed there, such as
  ``nnlib.scratch.functional``, each public function and class it defines) has a
  one-line summary, then the sections ``Args:``, ``Shape:``, ``Returns:`` and
  ``Example:`` in that order, each only where it applies, and its ``Example:``
  holds at least one ``>>>`` line. Constants are exempt from the example, each for
  a stated reason (``EXEMPT``);
- ``Args:`` names every argument of a function (of ``__init__`` for a class), no
  other, and gives each default (``Default: ...``).

The examples run in their module's namespace, as doctest does by default, with
``np`` (numpy) added; the course's examples import the name they show, so they
also run when pasted into a notebook. They print what every machine prints the
same way (shapes, dtypes, integers, booleans, ``round(x, 4)``), are seeded, and run
with one torch thread. The random generators are restored afterwards, so an
example that seeds or draws does not change what later tests draw.
"""

from __future__ import annotations

import copy
import doctest
import importlib
import importlib.util
import inspect
import pkgutil
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

PACKAGES = [
    "nnlib.scratch",
    "nnlib.blocks",
    "nnlib.train",
    "nnlib.data",
    "nnlib.viz",
    "nnlib.widgets",
]
MODULES = ["nnlib.measured"]  # single modules, next to the packages
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
SECTIONS = ("Args", "Shape", "Returns", "Example")  # in this order

# public names without an example, and why
EXEMPT = {
    "nnlib.data.DIGITS_SHA256": "a constant: the checksum of the shipped digits file",
    "nnlib.data.DIRECTIONS": "a constant: the directions make_moving_shapes labels",
    "nnlib.data.SEQUENCE_TASKS": "a constant: the task names make_sequence_task takes",
    "nnlib.data.SHAPE_NAMES": "a constant: the class names of make_shapes' labels",
    "nnlib.measured.PATTERN": "a constant: the compiled regular expression match uses",
    "nnlib.train.HISTORY_KEYS": "a constant: the keys of the history fit returns",
    "nnlib.viz.ACTIVATIONS": "a constant: name -> (function, derivative) table",
    "nnlib.widgets.PRESETS": "a constant: name -> 3x3 kernel table",
}


def _module_names() -> list[str]:
    """Every module of the packages, found on disk without importing them."""
    names = list(MODULES)
    for package in PACKAGES:
        names.append(package)
        spec = importlib.util.find_spec(package)
        folders = spec.submodule_search_locations
        for info in pkgutil.walk_packages(folders, package + "."):
            names.append(info.name)
    return sorted(names)


@pytest.fixture
def quiet_generators():
    """One torch thread, and every random generator as it was before the examples."""
    import torch

    from nnlib.scratch import init
    from nnlib.train import rng_state, set_rng_state

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    state, seeds = rng_state(), copy.deepcopy(init._default_seeds)
    try:
        yield
    finally:
        set_rng_state(state)
        init._default_seeds = seeds
        torch.set_num_threads(threads)


@pytest.mark.parametrize("module_name", _module_names())
def test_docstring_examples_run(module_name, quiet_generators):
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = finder.find(module, extraglobs={"np": np})
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    for test in tests:
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


# ------------------------------------------------------------ the sections


def _public(package: str):
    """(qualified name, object) for each public name of ``package``."""
    module = importlib.import_module(package)
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.ismodule(obj):  # e.g. nnlib.scratch.functional: check its members
            for member, value in vars(obj).items():
                defined_here = getattr(value, "__module__", None) == obj.__name__
                if (
                    not member.startswith("_")
                    and (inspect.isfunction(value) or inspect.isclass(value))
                    and defined_here
                ):
                    yield f"{package}.{name}.{member}", value
        else:
            yield f"{package}.{name}", obj


HEADER = re.compile(r"^([A-Z][a-z]+):$")  # "Args:", "Example:" at the left margin
ENTRY = re.compile(r"^    (\*{0,2}\w+)(?: \([^)]*\))?:(?:\s|$)")  # "    name: ..."


def _sections(doc: str) -> dict[str, list[str]]:
    """The lines of each section of a cleaned docstring, by header."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in doc.splitlines():
        found = HEADER.match(line)
        if found:
            current = found.group(1)
            if current in sections:
                sections[current + " (again)"] = []
                current += " (again)"
            else:
                sections[current] = []
        else:
            sections[current].append(line)
    return sections


def _arg_entries(lines: list[str]) -> dict[str, str]:
    """Name -> text of each entry of an ``Args:`` section."""
    entries: dict[str, str] = {}
    name = None
    for line in lines:
        found = ENTRY.match(line)
        if found:
            name = found.group(1).lstrip("*")
            entries[name] = line
        elif name is not None:
            entries[name] += " " + line.strip()
    return entries


def _parameters(obj) -> list[inspect.Parameter]:
    """The arguments a caller passes: the function's, or the class's ``__init__``'s.

    A class that takes its constructor from a library (``CourseFigure`` is a
    matplotlib ``Figure``) documents only what nnlib adds.
    """
    if inspect.isclass(obj) and not obj.__init__.__module__.startswith("nnlib"):
        return []
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return []
    return [p for p in signature.parameters.values() if p.name != "self"]


def _problems(name: str, obj) -> list[str]:
    doc = inspect.getdoc(obj)
    if not doc or (inspect.isclass(obj) and obj.__doc__ is None):
        return [f"{name}: no docstring"]
    lines = doc.splitlines()
    problems = []
    if len(lines) > 1 and lines[1].strip():
        problems.append(f"{name}: the summary is longer than one line")
    sections = _sections(doc)
    headers = [h for h in sections if h]
    for header in headers:
        if header.endswith(" (again)"):
            problems.append(f"{name}: two {header.split()[0]}: sections")
        elif header not in SECTIONS:
            problems.append(
                f"{name}: unknown section {header!r} (use {', '.join(SECTIONS)})"
            )
    known = [h for h in headers if h in SECTIONS]
    if known != sorted(known, key=SECTIONS.index):
        problems.append(f"{name}: sections {known}, expected the order {SECTIONS}")
    if "Example" not in sections:
        problems.append(f"{name}: no Example: section")
    elif not any(line.lstrip().startswith(">>>") for line in sections["Example"]):
        problems.append(f"{name}: the Example: section has no >>> line")
    return problems


def _arg_problems(name: str, obj) -> list[str]:
    """Arguments that ``Args:`` leaves out, defaults it does not give, extra names."""
    if not (inspect.isfunction(obj) or inspect.isclass(obj)):
        return []
    entries = _arg_entries(_sections(inspect.getdoc(obj) or "").get("Args", []))
    parameters = _parameters(obj)
    problems = []
    for p in parameters:
        if p.name not in entries:
            problems.append(f"{name}: Args: does not describe {p.name!r}")
        elif p.default is not p.empty and "Default:" not in entries[p.name]:
            problems.append(f"{name}: Args: gives no Default: for {p.name!r}")
    extra = set(entries) - {p.name for p in parameters}
    if extra:
        problems.append(f"{name}: Args: describes no such argument {sorted(extra)}")
    return problems


@pytest.mark.parametrize("package", PACKAGES + MODULES)
def test_public_names_have_docstrings_in_pytorchs_order(package):
    problems = []
    for name, obj in _public(package):
        if name not in EXEMPT:
            problems += _problems(name, obj)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("package", PACKAGES + MODULES)
def test_args_describe_every_argument_and_its_default(package):
    problems = []
    for name, obj in _public(package):
        problems += _arg_problems(name, obj)
    assert not problems, "\n".join(problems)


def test_every_exemption_is_a_public_name_and_says_why():
    public = {name for package in PACKAGES + MODULES for name, _ in _public(package)}
    assert set(EXEMPT) <= public, sorted(set(EXEMPT) - public)
    assert all(reason.strip() for reason in EXEMPT.values())
