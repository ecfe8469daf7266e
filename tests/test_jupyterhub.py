"""A real JupyterHub on loopback serves the course to two learners (`make test-hub`).

JupyterHub (the `hub` extra) with its proxy, configurable-http-proxy (npm, pinned in
package.json), a simple local spawner (every learner's server runs as this user, with
a home folder of its own holding a copy of notebooks/ and exercises/, as nbgitpuller
would leave it) and JupyterHub's shared-password authenticator. For each learner, as
a browser would: the hub's login form (with its _xsrf token) is posted, the learner's
server is started through the hub's REST API, the course's start page opens in
JupyterLab through the learner's server, and chapter 1 runs top to bottom in a kernel
of that server (its REST API and kernel websocket), both learners at once. Every cell
must succeed and give the kinds of output the lecture stores. Then everything is
stopped, and no process the hub started may be left.

What this does not test: The Littlest JupyterHub, Kubernetes (Zero to JupyterHub),
real user accounts (PAM, systemd) and TLS; see docs/jupyterhub.md.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
import webpage
from labserver import free_port

pytestmark = pytest.mark.integration  # starts a hub, a proxy, servers and kernels

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHP = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
USERS = ("ada", "alan")
START = "notebooks/00_start_here.ipynb"
CHAPTER = "notebooks/01_neuron_and_gradient_descent.ipynb"
IGNORED = {"nbval-ignore-output", "nbval-skip"}
CELL_SECONDS = 300


def _requirements() -> None:
    webpage.require_modules("jupyterhub", "requests", "websocket", extra="hub")
    webpage.require(
        "configurable-http-proxy",
        not CHP.exists(),
        "run `npm ci`; package.json pins it",
    )
    webpage.require(
        "jupyterhub-singleuser",
        not (BIN / "jupyterhub-singleuser").exists(),
        "the `hub` extra installs it",
    )


CONFIG = """\
c = get_config()  # noqa
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.JupyterHub.db_url = "sqlite:///{tmp}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{tmp}/jupyterhub.pid"
c.ConfigurableHTTPProxy.command = ["{chp}"]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_port}"
c.ConfigurableHTTPProxy.pid_file = "{tmp}/proxy.pid"
c.ConfigurableHTTPProxy.auth_token = "{proxy_token}"

c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = "{password}"
c.Authenticator.allowed_users = {users!r}

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/home/{{username}}"
c.Spawner.cmd = ["{singleuser}"]
c.Spawner.args = {args!r}
c.Spawner.ip = "127.0.0.1"
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {environment!r}
"""


class Hub:
    """A JupyterHub started in ``tmp``: its URL, process and log."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.password = secrets.token_urlsafe(12)
        self.log = tmp / "jupyterhub.log"
        for user in USERS:  # the course in each learner's home, as nbgitpuller would
            home = tmp / "home" / user
            for folder in ("notebooks", "exercises"):
                shutil.copytree(ROOT / folder, home / folder)
        environment = {
            "NNLIB_DEVICE": "cpu",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        config = CONFIG.format(
            port=self.port,
            hub_port=free_port(),
            proxy_port=free_port(),
            proxy_token=secrets.token_hex(16),
            tmp=tmp,
            chp=CHP,
            password=self.password,
            users=set(USERS),
            singleuser=BIN / "jupyterhub-singleuser",
            args=["--allow-root"] if os.geteuid() == 0 else [],
            environment=environment,
        )
        (tmp / "jupyterhub_config.py").write_text(config, encoding="utf-8")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(BIN / "jupyterhub"), "-f", str(tmp / "jupyterhub_config.py")],
                cwd=tmp,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={
                    **os.environ,
                    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                },
            )

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def wait_until_up(self, seconds: float = 90) -> None:
        import requests

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(f"{self.base}/hub/api", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise AssertionError(f"JupyterHub did not come up:\n{self.tail()}")

    def processes(self):
        """The hub and everything it started (proxy, servers, kernels)."""
        import psutil

        try:
            hub = psutil.Process(self.process.pid)
            return [hub, *hub.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        """SIGTERM the hub, which stops the learners' servers and its proxy."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    _requirements()
    hub = Hub(tmp_path_factory.mktemp("hub"))
    started = []
    try:
        hub.wait_until_up()
        yield hub, started
    finally:
        started.extend(p for p in hub.processes() if p not in started)
        hub.stop()
        for process in started:  # a safety net: the test below fails on any of these
            try:
                process.wait(timeout=15)
            except Exception:
                try:
                    process.kill()
                except Exception:
                    pass


class Learner:
    """One learner's browser session (cookies) and API token on the hub."""

    def __init__(self, hub: Hub, name: str) -> None:
        import requests

        self.hub, self.name = hub, name
        self.session = requests.Session()
        self.token = ""

    def login(self, password: str) -> int:
        """Post the hub's login form as a browser does; the HTTP status."""
        form = self.session.get(f"{self.hub.base}/hub/login", timeout=30)
        assert form.status_code == 200, form.status_code
        xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', form.text)
        assert xsrf, "the login form has no _xsrf field"
        response = self.session.post(
            f"{self.hub.base}/hub/login?next=%2Fhub%2Fhome",
            data={"username": self.name, "password": password, "_xsrf": xsrf[1]},
            allow_redirects=False,
            timeout=30,
        )
        return response.status_code

    def xsrf(self) -> dict[str, str]:
        return {"X-XSRFToken": self.session.cookies.get("_xsrf", path="/hub/")}

    def new_token(self) -> None:
        """An API token of the learner's own, asked for with the login cookie."""
        response = self.session.post(
            f"{self.hub.base}/hub/api/users/{self.name}/tokens",
            json={"note": "course test", "expires_in": 3600},
            headers=self.xsrf(),
            timeout=30,
        )
        assert response.status_code == 201, response.text
        self.token = response.json()["token"]

    def api(self, method: str, path: str, **kwargs):
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        return self.session.request(
            method, self.hub.base + path, headers=headers, timeout=60, **kwargs
        )

    def start_server(self, seconds: float = 150) -> None:
        response = self.api("POST", f"/hub/api/users/{self.name}/server")
        assert response.status_code in (201, 202), response.text
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            model = self.api("GET", f"/hub/api/users/{self.name}").json()
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(0.5)
        raise AssertionError(f"{self.name}'s server did not start:\n{self.hub.tail()}")

    def stop_server(self) -> None:
        response = self.api("DELETE", f"/hub/api/users/{self.name}/server")
        assert response.status_code in (202, 204), response.text
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            model = self.api("GET", f"/hub/api/users/{self.name}").json()
            if not model.get("servers"):
                return
            time.sleep(0.5)
        raise AssertionError(f"{self.name}'s server did not stop")


def serialize(msg_type: str, content: dict, session: str) -> tuple[str, str]:
    msg_id = uuid.uuid4().hex
    header = {
        "msg_id": msg_id,
        "msg_type": msg_type,
        "username": "test",
        "session": session,
        "date": datetime.now(UTC).isoformat(),
        "version": "5.3",
    }
    message = {
        "header": header,
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": "shell",
        "buffers": [],
    }
    return msg_id, json.dumps(message)


def deserialize(frame: str | bytes) -> dict:
    """A kernel message from jupyter_server's websocket (JSON, or its binary form
    for messages with buffers: a count, offsets, then the JSON and the buffers)."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = struct.unpack("!I", frame[:4])[0]
    offsets = struct.unpack(f"!{count}I", frame[4 : 4 * (count + 1)])
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0] : end].decode("utf-8"))


def run_notebook(learner: Learner, path: str) -> list[list[dict]]:
    """Run every code cell of ``path`` in a new kernel of the learner's server, as
    JupyterLab does (a session for the notebook, its kernel's websocket); the
    outputs of each code cell. A cell that fails stops the run with its traceback."""
    import websocket

    response = learner.api(
        "POST",
        f"/user/{learner.name}/api/sessions",
        json={
            "path": path,
            "type": "notebook",
            "name": "",
            "kernel": {"name": "python3"},
        },
    )
    assert response.status_code == 201, response.text
    session = response.json()
    kernel, client = session["kernel"]["id"], uuid.uuid4().hex
    url = (
        f"ws://127.0.0.1:{learner.hub.port}/user/{learner.name}/api/kernels/"
        f"{kernel}/channels?session_id={client}"
    )
    ws = websocket.create_connection(
        url, header=[f"Authorization: token {learner.token}"], timeout=CELL_SECONDS
    )
    results = []
    try:
        nb = nbformat.read(learner.hub.tmp / "home" / learner.name / path, 4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            msg_id, frame = serialize(
                "execute_request",
                {
                    "code": cell.source,
                    "silent": False,
                    "store_history": False,  # as nbval and tools/execute.py run cells
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": True,
                },
                client,
            )
            ws.send(frame)
            outputs, replied, idle = [], None, False
            while replied is None or not idle:
                msg = deserialize(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "execute_reply":
                    replied = msg["content"]
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
                elif kind in ("stream", "display_data", "execute_result", "error"):
                    outputs.append({"output_type": kind, **msg["content"]})
            expected_error = "raises-exception" in cell.metadata.get("tags", [])
            if replied["status"] != "ok" and not expected_error:
                trace = "\n".join(replied.get("traceback", []))
                raise AssertionError(
                    f"{learner.name}: cell {index} of {path} failed: "
                    f"{replied.get('ename')}: {replied.get('evalue')}\n{trace}"
                )
            results.append(outputs)
    finally:
        ws.close()
        learner.api("DELETE", f"/user/{learner.name}/api/sessions/{session['id']}")
    return results


def kinds(outputs: list[dict]) -> set[str]:
    """What a cell showed: 'stdout', 'error', and the MIME types it displayed."""
    found = set()
    for out in outputs:
        if out["output_type"] == "stream":
            found.add(out["name"])
        elif out["output_type"] == "error":
            found.add("error")
        else:
            found |= set(out.get("data", {}))
    return found - {"text/html"}  # widgets' and figures' optional extras


def test_a_wrong_password_is_refused(hub):
    server, _ = hub
    assert Learner(server, USERS[0]).login("not-the-password") == 403


@pytest.mark.timeout(600)
def test_two_learners_log_in_and_run_chapter_1(hub):
    server, started = hub
    learners = [Learner(server, name) for name in USERS]
    for learner in learners:
        status = learner.login(server.password)
        assert status == 302, f"{learner.name}: login answered HTTP {status}"
        assert learner.session.cookies.get("jupyterhub-session-id")
        learner.new_token()
        learner.start_server()
    started.extend(server.processes())

    for learner in learners:
        # the start page, opened in JupyterLab through the learner's own server
        # (the hub's OAuth hand-over included: only the login cookie is sent)
        page = learner.session.get(
            f"{server.base}/user/{learner.name}/lab/tree/{START}", timeout=60
        )
        assert page.status_code == 200 and "JupyterLab" in page.text, page.url
        assert page.url.endswith(f"/user/{learner.name}/lab/tree/{START}")
        content = learner.api(
            "GET", f"/user/{learner.name}/api/contents/{START}?content=1"
        ).json()
        first = "".join(content["content"]["cells"][0]["source"])
        assert first.startswith("# Start here"), first[:80]
        # each learner's server serves that learner only
        other = next(x for x in learners if x is not learner)
        denied = learner.session.get(
            f"{server.base}/user/{other.name}/api/contents/{START}",
            allow_redirects=False,
            timeout=30,
        )
        assert denied.status_code in (302, 403), denied.status_code

    start = time.monotonic()
    with ThreadPoolExecutor(len(learners)) as pool:  # both learners at once
        runs = list(pool.map(lambda learner: run_notebook(learner, CHAPTER), learners))
    seconds = time.monotonic() - start
    started.extend(p for p in server.processes() if p not in started)

    stored = [
        cell
        for cell in nbformat.read(ROOT / CHAPTER, as_version=4).cells
        if cell.cell_type == "code"
    ]
    for learner, outputs in zip(learners, runs, strict=True):
        assert len(outputs) == len(stored)
        for index, (cell, got) in enumerate(zip(stored, outputs, strict=True)):
            if set(cell.metadata.get("tags", [])) & IGNORED:
                continue
            assert kinds(got) == kinds(cell.outputs), (
                f"{learner.name}, code cell {index}: showed {sorted(kinds(got))}, "
                f"the lecture stores {sorted(kinds(cell.outputs))}"
            )
    print(f"chapter 1 ran for both learners in {seconds:.0f} s")

    for learner in learners:
        learner.stop_server()


def test_stopping_the_hub_leaves_no_process(hub):  # last: stops the shared hub
    server, started = hub
    started.extend(p for p in server.processes() if p not in started)
    names = {p.pid: " ".join(p.cmdline()[:2]) for p in started if p.is_running()}
    assert any("configurable-http-proxy" in n or "node" in n for n in names.values())
    server.stop()
    deadline = time.monotonic() + 20
    alive = started
    while time.monotonic() < deadline:
        alive = [p for p in started if p.is_running() and p.status() != "zombie"]
        if not alive:
            break
        time.sleep(0.5)
    assert server.process.returncode is not None
    assert not alive, "left running: " + ", ".join(
        f"{p.pid} {names.get(p.pid, '?')}" for p in alive
    )
