"""Start an IPython kernel with resource limits (and, without a sandbox, the guard).

The batch grader launches every learner's kernel as
``python -m nnlib.grader.launcher [limits] -f CONNECTION``, inside bubblewrap
(``sandbox``), or with ``--guard-root DIR --log FILE`` when it runs unsandboxed:
this process lowers its own limits (CPU time, memory, processes, open files,
file size), copies the font cache, installs ``guard`` where asked, then becomes
the kernel, so the limits bind the learner's code (hard limits: it cannot raise
them again). The memory limit is
``RLIMIT_DATA`` (heap and private writable mappings): arrays and tensors count, but
address space that is only reserved does not, so a CUDA build of torch, which
reserves tens of GB at start, still loads. Limits use ``resource.setrlimit``: enforced
on Linux (``RLIMIT_DATA`` covers mmap since Linux 4.7); macOS does not enforce them.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import signal
import sys

from . import guard


def _limit(kind: int, megabytes: int) -> None:
    """Lower both the soft and the hard limit (the kernel cannot raise them again).

    A system that refuses the limit (some macOS versions reject RLIMIT_DATA values)
    runs the kernel without it rather than failing every submission.
    """
    _count(kind, megabytes * 1024 * 1024)


def _count(kind: int, value: int) -> None:
    """Lower a limit that is a count (seconds, processes, files) to ``value``."""
    if value > 0:
        _, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(kind, (value, value))
        except (ValueError, OSError) as exc:
            print(f"nnlib grader: limit not applied ({exc})", file=sys.stderr)


def _copy_fonts(source: str) -> None:
    """Copy the grader's matplotlib font cache into this kernel's config folder."""
    import shutil
    from pathlib import Path

    target = Path(os.environ.get("MPLCONFIGDIR", "."))
    target.mkdir(parents=True, exist_ok=True)
    for cached in Path(source).glob("fontlist-*.json"):
        shutil.copy(cached, target)


def main(argv: list[str] | None = None) -> None:
    """Apply the limits, install the guard, run ipykernel with the other arguments."""
    parser = argparse.ArgumentParser(prog="nnlib.grader.launcher")
    parser.add_argument(
        "--guard-root", help="install the guard: the only folder that may be written"
    )
    parser.add_argument("--log", help="file that records refused actions")
    parser.add_argument("--cpu-s", type=int, default=0, help="CPU seconds")
    parser.add_argument("--processes", type=int, default=0, help="RLIMIT_NPROC")
    parser.add_argument("--open-files", type=int, default=0, help="RLIMIT_NOFILE")
    parser.add_argument("--fonts", help="folder of matplotlib's font cache to copy")
    parser.add_argument(
        "--memory-mb", type=int, default=0, help="data (heap + private writable) limit"
    )
    parser.add_argument(
        "--file-mb", type=int, default=0, help="largest file it may write"
    )
    parser.add_argument("--allow-programs", action="store_true")
    args, kernel_argv = parser.parse_known_args(argv)

    if args.fonts:
        _copy_fonts(args.fonts)
    _limit(resource.RLIMIT_DATA, args.memory_mb)
    _limit(resource.RLIMIT_FSIZE, args.file_mb)
    _count(resource.RLIMIT_CPU, args.cpu_s)
    _count(resource.RLIMIT_NPROC, args.processes)
    _count(resource.RLIMIT_NOFILE, args.open_files)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # too large a write fails, not kills
    platform.platform()  # caches `uname -p`, which ipykernel's debugger asks for later
    if args.guard_root:
        log_fd = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        guard.install(args.guard_root, log_fd, allow_programs=args.allow_programs)

    from ipykernel.kernelapp import launch_new_instance

    sys.argv = [sys.argv[0], *kernel_argv]
    launch_new_instance()


if __name__ == "__main__":
    main()
