"""JupyterLab for a test: free loopback port, random token, the test's own dirs."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Lab:
    """A running server: its base URL, token and process."""

    base: str
    token: str
    process: subprocess.Popen
    log: Path

    def get(self, path: str) -> tuple[int, bytes]:
        """GET base + path with the token; (status, body)."""
        request = urllib.request.Request(
            self.base + path, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()

    def status(self, path: str) -> int:
        """The HTTP status of GET base + path (404 is an answer, not an error)."""
        try:
            return self.get(path)[0]
        except urllib.error.HTTPError as error:
            return error.code

    def post(self, path: str) -> None:
        """POST to base + path with the token, ignoring connection errors."""
        request = urllib.request.Request(
            self.base + path,
            method="POST",
            headers={"Authorization": f"token {self.token}"},
        )
        try:
            urllib.request.urlopen(request, timeout=10)
        except OSError:
            pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_env(tmp: Path) -> dict[str, str]:
    """The environment, with Jupyter's config, data and runtime folders in ``tmp``."""
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "RUNTIME"):
        env[f"JUPYTER_{name}_DIR"] = str(tmp / f"jupyter_{name.lower()}")
    return env


@contextmanager
def jupyterlab(
    root: Path, tmp: Path, *extra: str, seconds: float = 60
) -> Iterator[Lab]:
    """JupyterLab serving ``root``, answering /api/status; stopped on exit.

    The user's Jupyter config, data and runtime folders are replaced by folders in
    ``tmp``; the server's output goes to ``tmp / "jupyterlab.log"``, shown when it
    fails to start. On exit a server still running gets SIGTERM (it shuts its kernels
    down), then SIGKILL.
    """
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--allow-root",
        *extra,
    ]
    with serve(command, root, tmp, port, token, seconds=seconds) as lab:
        yield lab


@contextmanager
def serve(
    command: list[str],
    cwd: Path,
    tmp: Path,
    port: int,
    token: str,
    *,
    seconds: float = 60,
) -> Iterator[Lab]:
    """Run ``command`` (a JupyterLab on ``port`` with ``token``) in ``cwd`` until it
    answers /api/status, as :func:`jupyterlab` describes."""
    log_path = tmp / "jupyterlab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=jupyter_env(tmp),
            start_new_session=True,
        )
    lab = Lab(f"http://127.0.0.1:{port}", token, process, log_path)
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if lab.get("/api/status")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise AssertionError(
                    f"JupyterLab did not answer within {seconds} s "
                    f"(exit code {process.poll()}):\n{tail}"
                )
            time.sleep(0.3)
        yield lab
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
