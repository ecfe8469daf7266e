"""The operating system's sandbox around one submission's kernel (bubblewrap).

``bwrap_command`` builds the command line that starts a kernel inside a fresh
sandbox made by bubblewrap (https://github.com/containers/bubblewrap):

- its own user, PID, network, IPC, UTS and cgroup namespaces (``--unshare-all``):
  inside it is uid/gid 65534 with no capabilities, sees only its own processes
  (so it can neither signal nor ``prlimit`` the grader or another kernel), and
  has no network but its own loopback;
- its own mount namespace holding only: the system (``/usr``), a few files of
  ``/etc``, the Python installation and its ``site-packages`` and nnlib itself,
  all read-only; a private writable home and ``/tmp`` on size-limited tmpfs; a
  private ``/dev`` (with its own ``/dev/shm``) and ``/proc``; and the one folder
  of sockets through which the grader talks to this kernel. Other submissions,
  ``solutions/``, the output folder and the instructor's secret are not there;
- a clean environment (``--clearenv``): the grader's variables do not enter;
- ``--die-with-parent`` and a PID namespace: when the grader kills bwrap at the
  deadline, every process of the sandbox dies with it, and its tmpfs mounts
  (home, /tmp, /dev/shm) vanish with the mount namespace.

Resource limits (CPU time, memory, processes, open files, file size) are set
inside by ``launcher`` before any learner's code runs.
"""

from __future__ import annotations

import os
import shutil
import site
import sys
from pathlib import Path

import nnlib

HOME = "/home/student"
UID = 65534
# files of /etc a Python kernel needs: no shadow, no machine-id, no keys
ETC_FILES = (
    "alternatives",
    "fonts",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "mime.types",
    "nsswitch.conf",
    "ssl",
)
UNSAFE_HELP = (
    "nnlib-grade runs other people's notebooks only inside a bubblewrap sandbox "
    "(Linux: apt-get install bubblewrap), and bwrap was not found or cannot make "
    "namespaces here. Pass --unsafe-no-sandbox to grade without it (only for "
    "notebooks you trust: they would run as you, with your files)."
)


def bwrap_path() -> str | None:
    """The ``bwrap`` program, or None where there is none (macOS, Windows)."""
    return shutil.which("bwrap") if sys.platform.startswith("linux") else None


def sandbox_works() -> str:
    """ "" when bwrap can build a sandbox here, else the reason it cannot."""
    import subprocess

    bwrap = bwrap_path()
    if bwrap is None:
        return "bwrap was not found"
    probe = [bwrap, "--unshare-all", "--ro-bind", "/", "/", "--", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap did not run ({exc})"
    if done.returncode != 0:
        return "bwrap failed: " + done.stderr.decode("utf-8", "replace").strip()[:200]
    return ""


def readonly_roots() -> list[str]:
    """Folders the kernel must read: Python, its site-packages and nnlib."""
    roots = {sys.base_prefix, sys.prefix, *site.getsitepackages()}
    roots.add(str(Path(nnlib.__file__).resolve().parent))
    roots = {os.path.realpath(r) for r in roots if os.path.isdir(r)}
    # the system is bound as a whole; a root inside another one is bound with it
    roots = {r for r in roots if not r.startswith("/usr/")}
    return sorted(r for r in roots if not any(r.startswith(o + "/") for o in roots))


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "lib", "lib32", "lib64", "sbin"):
        path = Path("/" + top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ETC_FILES:
        if os.path.exists("/etc/" + name):
            args += ["--ro-bind", "/etc/" + name, "/etc/" + name]
    return args


def bwrap_command(
    sockets: Path,
    identity: Path,
    extra: Path,
    env: dict[str, str],
    disk_mb: int,
) -> list[str]:
    """The bwrap prefix of the kernel's command line.

    Args:
        sockets: the folder of this kernel's connection file and sockets, bound
            read-write at the same path (the only folder shared with the grader).
        identity: a folder with ``passwd`` and ``group`` naming uid 65534.
        extra: read-only files for the launcher (the matplotlib font cache).
        env: the whole environment of the kernel.
        disk_mb: size of the private home and of ``/tmp`` (each), in MB.
    """
    bwrap = bwrap_path()
    if bwrap is None:
        raise RuntimeError(UNSAFE_HELP)
    size = str(max(1, disk_mb) * 1024 * 1024)
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session"]
    args += ["--cap-drop", "ALL", "--uid", str(UID), "--gid", str(UID)]
    args += ["--hostname", "sandbox", *_system_binds()]
    args += ["--ro-bind", str(identity / "passwd"), "/etc/passwd"]
    args += ["--ro-bind", str(identity / "group"), "/etc/group"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--size", str(64 * 1024 * 1024), "--tmpfs", "/dev/shm"]
    args += ["--size", size, "--tmpfs", "/tmp"]
    args += ["--size", size, "--tmpfs", HOME]
    # after the private /tmp and home, so a course or venv that lives under /tmp
    # (a CI clone, say) stays visible instead of being hidden by the fresh tmpfs
    for root in readonly_roots():
        args += ["--ro-bind", root, root]
    args += ["--ro-bind", str(extra), "/run/nnlib"]
    args += ["--bind", str(sockets), str(sockets)]
    args += ["--chdir", HOME, "--clearenv"]
    for key, value in sorted(env.items()):
        args += ["--setenv", key, value]
    return [*args, "--"]


def write_identity(folder: Path) -> Path:
    """``passwd`` and ``group`` files for the sandbox's one user; returns folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "passwd").write_text(
        f"student:x:{UID}:{UID}:student:{HOME}:/usr/sbin/nologin\n", "utf-8"
    )
    (folder / "group").write_text(f"student:x:{UID}:\n", "utf-8")
    return folder
