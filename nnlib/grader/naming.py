"""Which files a batch holds, what each one is called, and reading them safely.

The naming rule, applied to each notebook's path under the folder it was found
in (the batch root; a file named on the command line has its own folder):

1. below a folder called ``submitted`` (nbgrader's
   ``submitted/<student>/<assignment>/<notebook>.ipynb``), the student is the
   folder right after ``submitted`` and the assignment the folder after that;
2. otherwise a file directly in the root is named by its file name without
   ``.ipynb``; one deeper is named by the first folder under the root (the
   student) and the folder below that, if any (the assignment).

A submission's name is the student's, or ``student/assignment`` when that
student has more than one file. Two files that would get the same name are an
error before anything runs (``NameClash``), so no file's rows can overwrite
another's.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024


class NameClash(ValueError):
    """Two submissions would be stored under one name."""


@dataclass(frozen=True)
class Submission:
    """One file to grade: where it is, who it belongs to, its unique key."""

    path: Path
    name: str
    key: str  # the path under the batch root, unique in the batch


def _walk(root: Path) -> list[Path]:
    """Every ``*.ipynb`` entry below ``root`` (links and odd files too, so they
    get a row), without following links to folders; checkpoints skipped."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
        found += [Path(folder) / f for f in sorted(files) if f.endswith(".ipynb")]
        found += [
            Path(folder) / d
            for d in dirs
            if d.endswith(".ipynb") and (Path(folder) / d).is_symlink()
        ]
    return sorted(found)


def _student(rel: Path) -> tuple[str, str]:
    """(student, assignment) for a path relative to its batch root."""
    folders = rel.parts[:-1]
    if "submitted" in folders:
        i = folders.index("submitted")
        rest = folders[i + 1 :]
    else:
        rest = folders
    if not rest:
        return rel.stem, ""
    return rest[0], rest[1] if len(rest) > 1 else ""


def find_submissions(paths: Sequence[str | Path]) -> list[Submission]:
    """The notebooks named or found under the folders named, with their names.

    Raises:
        NameClash: when two files would get one name.
    """
    entries: list[tuple[Path, Path]] = []  # (file, its root)
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            entries += [(f, p) for f in _walk(p)]
        else:
            entries.append((p, p.parent))
    owners = [(f, root, *_student(f.relative_to(root))) for f, root in entries]
    files_of: dict[str, int] = {}
    for _, _, student, _ in owners:
        files_of[student] = files_of.get(student, 0) + 1
    by_name: dict[str, Path] = {}
    found = []
    for f, root, student, assignment in owners:
        name = student
        if files_of[student] > 1:
            name = f"{student}/{assignment or f.stem}"
        if name in by_name:
            raise NameClash(
                f"nnlib-grade expected one file per name, got {by_name[name]} and "
                f"{f} both named {name!r} (rule: see nnlib/grading/README.md)"
            )
        by_name[name] = f
        found.append(Submission(f, name, str(f.relative_to(root))))
    return found


def read_notebook_bytes(path: Path, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of a regular file, refusing links, FIFOs, devices and giants.

    Raises:
        OSError: with the reason, for anything but a regular file of at most
            ``limit`` bytes (the file is never opened in a way that can block).
    """
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise OSError(f"{path.name} is a symbolic link, not a notebook file")
    if not stat.S_ISREG(info.st_mode):
        raise OSError(f"{path.name} is {_kind(info.st_mode)}, not a notebook file")
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)  # the file opened, not the one looked at before
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path.name} is {_kind(info.st_mode)}, not a notebook file")
        if info.st_size > limit:
            raise OSError(f"{path.name} is larger than {limit >> 20} MB")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise OSError(f"{path.name} is larger than {limit >> 20} MB")
    return data


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
