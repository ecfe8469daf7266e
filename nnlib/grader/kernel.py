"""One learner's kernel: started fresh, with limits, and watched.

This module owns the Jupyter protocol of the batch grader. ``Kernel.start``
launches ``launcher`` through jupyter_client, inside a bubblewrap sandbox
(``sandbox``) when ``Limits.sandbox`` is set: then the kernel talks over Unix
sockets in a folder of its own (``transport="ipc"``), since it has no network,
and no other kernel can see those sockets. ``Kernel.execute`` runs one piece of
code and waits for it under a deadline, counting (never storing) the output
and watching for the kernel's death, so a notebook that hangs, floods its
output or kills itself is reported, never waited on forever. The only data it
keeps are answers published under ``ANSWER_MIME``, each at most
``MAX_ANSWER_BYTES``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zmq
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

from . import sandbox

OK, ERROR, TIMEOUT, DIED, FLOOD, CANCELLED = (
    "ok",
    "error",
    "timeout",
    "died",
    "output limit",
    "cancelled",
)


ANSWER_MIME = "application/vnd.nnlib.answer+json"
MAX_ANSWER_BYTES = 16 * 1024 * 1024  # one case's answer, as it crosses the wire
MAX_ANSWERS_BYTES = 64 * 1024 * 1024  # all answers of one grading call


@dataclass
class Limits:
    """Per-submission limits: time for the whole notebook, memory, output, files.

    ``sandbox``: run the kernel inside bubblewrap (the batch grader's default);
    ``disk_mb``: size of the sandbox's home and /tmp; ``processes`` and
    ``open_files``: RLIMIT_NPROC and RLIMIT_NOFILE inside the kernel.
    """

    timeout: float = 300.0
    memory_mb: int = 4096
    file_mb: int = 512
    max_output_mb: float = 50.0
    threads: int = 1
    allow_programs: bool = False
    startup_timeout: float = 60.0
    sandbox: bool = False
    disk_mb: int = 1024
    processes: int = 256
    open_files: int = 1024


@dataclass
class Run:
    """How one execution ended: ok, error (with the exception), timeout, died...

    ``answers``: the payloads the code published under ``ANSWER_MIME``;
    ``refused``: why some were dropped (too large), if any were.
    """

    status: str
    error: str = ""
    output_bytes: int = 0
    answers: list[str] = field(default_factory=list)
    refused: str = ""


class _OneSpec(KernelSpecManager):
    """A kernel-spec manager that knows exactly one spec: the grader's launcher."""

    def __init__(self, spec: KernelSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._spec = spec

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return self._spec


def _matplotlib_cache() -> Path:
    base = os.environ.get("MPLCONFIGDIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "matplotlib"


class Kernel:
    """A fresh IPython kernel (this Python) running in ``workdir`` under ``limits``."""

    def __init__(
        self,
        workdir: Path,
        private: Path,
        limits: Limits,
        cancel: threading.Event | None = None,
    ) -> None:
        self.workdir, self.private, self.limits = workdir, private, limits
        self.cancel = cancel or threading.Event()
        self.log_path = private / "refused.jsonl"
        self.km: KernelManager | None = None
        self.kc: Any = None

    def _env(self) -> dict[str, str]:
        if self.limits.sandbox:  # a clean environment: none of the grader's
            w = Path(sandbox.HOME)
            env = {
                "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
                "LANG": "C.UTF-8",
                "NNLIB_DEVICE": os.environ.get("NNLIB_DEVICE", "cpu"),
            }
        else:
            w = self.workdir
            env = dict(os.environ)
            env.pop("PYTHONSTARTUP", None)  # the grader's start-up file is not theirs
            # torch sets this in the grader's own process when it computes a torch
            # task's expected answers; the kernel derives its own, inside its folder
            env.pop("TORCHINDUCTOR_CACHE_DIR", None)
        threads = str(self.limits.threads)
        tmp = "/tmp" if self.limits.sandbox else str(w / "tmp")
        env.update(
            HOME=str(w),
            TMPDIR=tmp,
            TEMP=tmp,
            TMP=tmp,
            IPYTHONDIR=str(w / ".ipython"),
            MPLCONFIGDIR=str(w / ".config" / "matplotlib"),
            XDG_CACHE_HOME=str(w / ".cache"),
            XDG_CONFIG_HOME=str(w / ".config"),
            MPLBACKEND="Agg",
            PYTHONDONTWRITEBYTECODE="1",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
            OMP_NUM_THREADS=threads,
            MKL_NUM_THREADS=threads,
            OPENBLAS_NUM_THREADS=threads,
        )
        return env

    def _prepare_folder(self) -> None:
        # reuse the grader's font cache: a fresh one would be rebuilt in every kernel
        if self.limits.sandbox:
            fonts = self.private / "extra" / "matplotlib"
            (self.private / "sockets").mkdir(parents=True, exist_ok=True)
            sandbox.write_identity(self.private / "identity")
        else:
            for sub in ("tmp", ".config/matplotlib"):
                (self.workdir / sub).mkdir(parents=True, exist_ok=True)
            fonts = self.workdir / ".config" / "matplotlib"
        fonts.mkdir(parents=True, exist_ok=True)
        for cached in _matplotlib_cache().glob("fontlist-*.json"):
            shutil.copy(cached, fonts)

    def start(self, attempts: int = 3) -> None:
        """Launch the kernel and wait until it answers.

        A kernel that dies before answering (a port it was given was taken by
        another process in the meantime) is started again with new ports, up to
        ``attempts`` times; none of the learner's code has run by then.
        """
        for attempt in range(1, attempts + 1):
            try:
                self._launch()
                return
            except RuntimeError:
                died = not self.alive()
                self.shutdown()
                self.km = self.kc = None
                if attempt == attempts or not died:
                    raise

    def _launch(self) -> None:
        self._prepare_folder()
        lim = self.limits
        argv = [
            sys.executable,
            "-m",
            "nnlib.grader.launcher",
            "--memory-mb",
            str(lim.memory_mb),
            "--file-mb",
            str(lim.file_mb),
            "--cpu-s",
            str(int(lim.timeout + lim.startup_timeout) + 1),
            "--processes",
            str(lim.processes),
            "--open-files",
            str(lim.open_files),
        ]
        env, cwd, where = self._env(), str(self.workdir), {}
        if lim.sandbox:
            sockets = self.private / "sockets"
            argv += ["--fonts", "/run/nnlib/matplotlib"]
            argv = (
                sandbox.bwrap_command(
                    sockets,
                    self.private / "identity",
                    self.private / "extra",
                    env,
                    lim.disk_mb,
                )
                + argv
            )
            where = {"transport": "ipc", "ip": str(sockets / "k")}
            connection, cwd = sockets / "kernel.json", str(self.private)
        else:  # no sandbox: the audit-hook tripwire and the grader's own user
            argv += ["--guard-root", str(self.workdir), "--log", str(self.log_path)]
            argv += ["--allow-programs"] if lim.allow_programs else []
            connection = self.private / "kernel.json"
        argv += ["-f", "{connection_file}"]
        spec = KernelSpec(argv=argv, display_name="nnlib grader", language="python")
        self.km = KernelManager(
            kernel_name="nnlib-grader",
            kernel_spec_manager=_OneSpec(spec),
            connection_file=str(connection),
            **where,
        )
        self.km.start_kernel(cwd=cwd, env=env, stdout=_devnull(), stderr=_devnull())
        # no message from the kernel may be larger than what the grader would keep:
        # zmq refuses (and drops) a bigger one before it is read into memory
        largest = max(int(lim.max_output_mb * 1024 * 1024), MAX_ANSWER_BYTES)
        self.km.context.setsockopt(zmq.MAXMSGSIZE, largest + (1 << 20))
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=lim.startup_timeout)

    def alive(self) -> bool:
        """True while the kernel process runs."""
        return self.km is not None and self.km.is_alive()

    def exit_reason(self) -> str:
        """How the kernel process ended, e.g. 'killed by signal 9'."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            return "stopped answering"
        if self.limits.sandbox and code > 128:  # bwrap reports its child's signal
            code = 128 - code
        if code < 0:
            name = (
                signal.Signals(-code).name if -code in signal.valid_signals() else -code
            )
            return f"killed by signal {name}"
        return f"exited with code {code}"

    def execute(self, code: str, deadline: float, silent: bool = False) -> Run:
        """Run ``code`` and wait for it until ``deadline`` (``time.monotonic`` time)."""
        kc = self.kc
        msg_id = kc.execute(
            code,
            silent=silent,
            store_history=not silent,
            allow_stdin=False,
            stop_on_error=False,
        )
        max_bytes = int(self.limits.max_output_mb * 1024 * 1024)
        reply, idle, error, nbytes = None, False, "", 0
        answers: list[str] = []
        refused, kept = "", 0
        last_alive_check = time.monotonic()
        while reply is None or not idle:
            now = time.monotonic()
            if self.cancel.is_set():
                return Run(CANCELLED, output_bytes=nbytes)
            if now >= deadline:
                return Run(TIMEOUT, error, nbytes, answers, refused)
            msg = _next_iopub(kc, min(0.2, deadline - now))
            if msg is not None and msg.parent_id == msg_id:
                if (
                    msg.kind == "status"
                    and msg.content().get("execution_state") == "idle"
                ):
                    idle = True
                elif msg.kind == "error":
                    content = msg.content()
                    error = f"{content.get('ename')}: {content.get('evalue')}"[:500]
                elif msg.kind in (
                    "stream",
                    "display_data",
                    "execute_result",
                    "update_display_data",
                ):
                    nbytes += msg.size
                    if nbytes > max_bytes:  # stop it: the output may never end
                        return Run(FLOOD, error, nbytes, answers, refused)
                    if msg.kind == "display_data" and ANSWER_MIME.encode() in msg.head:
                        if msg.size > MAX_ANSWER_BYTES:
                            refused = (
                                f"an answer larger than {MAX_ANSWER_BYTES >> 20} MB"
                            )
                        elif kept + msg.size > MAX_ANSWERS_BYTES:
                            refused = (
                                f"answers larger than {MAX_ANSWERS_BYTES >> 20} MB"
                            )
                        else:
                            answer = msg.answer()
                            if answer is not None:
                                kept += msg.size
                                answers.append(answer)
            if reply is None:
                reply = _shell_reply(kc, msg_id)
                if reply is not None and reply["content"].get("status") == "error":
                    c = reply["content"]
                    error = error or f"{c.get('ename')}: {c.get('evalue')}"[:500]
            if msg is None or now - last_alive_check > 1.0:
                last_alive_check = now
                if not self.alive():
                    return Run(DIED, error, nbytes, answers, refused)
        return Run(ERROR if error else OK, error, nbytes, answers, refused)

    def shutdown(self) -> None:
        """Kill the kernel and everything it started (its whole process group)."""
        if self.kc is not None:
            self.kc.stop_channels()
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # already dead: only the cleanup of files is left
                self.km.cleanup_resources()


def _shell_reply(kc: Any, msg_id: str) -> dict | None:
    while True:
        try:
            msg = kc.get_shell_msg(timeout=0)
        except queue.Empty:
            return None
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


class _Raw:
    """An iopub message read from the wire: headers parsed, content left as bytes.

    Output is counted, never decoded, so a notebook that prints 100 MB costs
    the grader a byte count rather than 100 MB of JSON parsing.
    """

    def __init__(self, frames: list) -> None:
        i = next(k for k, f in enumerate(frames) if bytes(f.buffer[:12]) == DELIMITER)
        self.kind = json.loads(frames[i + 2].bytes).get("msg_type", "")
        self.parent_id = json.loads(frames[i + 3].bytes).get("msg_id")
        self._content = frames[i + 5]
        self.size = len(self._content)
        self.head = bytes(self._content.buffer[:200])  # where the mime type sits

    def content(self) -> dict:
        return json.loads(self._content.bytes)

    def answer(self) -> str | None:
        """The payload of an answer published with ``ANSWER_MIME``, if it is one."""
        try:
            value = self.content().get("data", {}).get(ANSWER_MIME)
        except (ValueError, AttributeError):
            return None
        return value if isinstance(value, str) else None


DELIMITER = b"<IDS|MSG>"


def _next_iopub(kc: Any, timeout: float) -> _Raw | None:
    """The next iopub message, or None when none arrives within ``timeout``."""
    socket = kc.iopub_channel.socket
    if not socket.poll(max(0, int(timeout * 1000))):
        return None
    try:
        return _Raw(socket.recv_multipart(copy=False))
    except (StopIteration, IndexError, ValueError):
        return None  # not a Jupyter message: ignore it


def _devnull() -> int:
    import subprocess

    return subprocess.DEVNULL
