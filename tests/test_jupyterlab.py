"""JupyterLab really serves the course: status, the start page, and its contents."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = "notebooks/00_start_here.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def test_jupyterlab_serves_the_start_page(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--allow-root",
    ]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "lab.log", "w"), env=env
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get(f"{base}/api/status", token)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    log = (tmp_path / "lab.log").read_text()[-3000:]
                    raise AssertionError(log) from None
                time.sleep(0.5)
        assert status == 200 and "started" in json.loads(body)

        status, page = get(f"{base}/lab/tree/{START}", token)
        assert status == 200 and b"JupyterLab" in page

        status, body = get(f"{base}/api/contents/{START}?content=1", token)
        model = json.loads(body)
        assert model["type"] == "notebook"
        first = "".join(model["content"]["cells"][0]["source"])
        assert first.startswith("# Start here")
    finally:
        request = urllib.request.Request(
            f"{base}/api/shutdown",
            method="POST",
            headers={"Authorization": f"token {token}"},
        )
        try:
            urllib.request.urlopen(request, timeout=10)
        except OSError:
            pass
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise AssertionError("JupyterLab did not shut down within 30 s") from None
    assert code == 0, f"JupyterLab exited with {code}"
