"""A tripwire for the learner's kernel: block writes outside its folder.

``install`` adds a Python audit hook (PEP 578) that refuses, with
``PermissionError``, any attempt by Python code to create, write, rename or
delete a file outside the submission's folder, to start another program, or
to signal another process; each refusal is logged as a JSON line for the
grader's report. An audit hook cannot be removed from Python, but it is a
tripwire, not a sandbox: C extensions and ``ctypes`` bypass it, and reading
files is not restricted. For real isolation run the grader in a container.
"""

from __future__ import annotations

import json
import os
from typing import Any

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
# audit event -> (positions of the path arguments it modifies, position of dir_fd)
PATH_EVENTS: dict[str, tuple[tuple[int, ...], int | None]] = {
    "os.remove": ((0,), 1),
    "os.rmdir": ((0,), 1),
    "os.mkdir": ((0,), 2),
    "os.rename": ((0, 1), 2),
    "os.link": ((1,), None),
    "os.symlink": ((1,), 2),
    "os.truncate": ((0,), None),
    "os.chmod": ((0,), 2),
    "os.chown": ((0,), 3),
    "os.utime": ((0,), 3),
    "shutil.rmtree": ((0,), 1),
    "shutil.copyfile": ((1,), None),
    "shutil.move": ((0, 1), None),
    "os.setxattr": ((0,), None),
    "os.removexattr": ((0,), None),
    "sqlite3.connect": ((0,), None),
}
PROGRAM_EVENTS = {
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "pty.spawn",
}
ALLOWED_DEVICES = ("/dev/null", "/dev/shm/")


def install(root: str, log_fd: int, allow_programs: bool = False) -> None:
    """Install the hook: only ``root`` (and /dev/null, /dev/shm) may be written."""
    root = os.path.realpath(root)
    me = os.getpid()

    def inside(path: Any, dir_fd: Any = None) -> bool:
        if isinstance(path, int):  # an already open file descriptor
            return True
        try:
            path = os.fsdecode(os.fspath(path))
            if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(path):
                path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
            real = os.path.realpath(path)
        except (OSError, TypeError, ValueError):
            return False  # a path we cannot resolve is treated as outside
        return real == root or real.startswith((root + os.sep, *ALLOWED_DEVICES))

    def refuse(event: str, detail: str) -> None:
        line = json.dumps({"event": event, "detail": detail[:300]}) + "\n"
        try:
            os.write(log_fd, line.encode("utf-8", "replace"))
        except OSError:
            pass
        raise PermissionError(f"nnlib-grade does not allow {event} here: {detail}")

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = args
            writes = (isinstance(flags, int) and flags & WRITE_FLAGS) or (
                isinstance(mode, str) and any(c in mode for c in "wax+")
            )
            if writes and path is not None and not inside(path):
                refuse("writing a file outside the submission folder", str(path))
        elif event in PATH_EVENTS:
            positions, fd_at = PATH_EVENTS[event]
            dir_fd = args[fd_at] if fd_at is not None and fd_at < len(args) else None
            for i in positions:
                if (
                    i < len(args)
                    and args[i] is not None
                    and not inside(args[i], dir_fd)
                ):
                    refuse(f"{event} outside the submission folder", str(args[i]))
        elif event in PROGRAM_EVENTS and not allow_programs:
            refuse("starting another program", f"{event} {str(args)[:200]}")
        elif event in ("os.kill", "os.killpg") and args[0] != me:
            refuse("signalling another process", f"{event}{args}")

    import sys

    sys.addaudithook(hook)
