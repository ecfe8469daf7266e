"""`make lab` serves the course: started with the Makefile's own command line, its
root is the repository, it opens the start page, and every link in the course's
notebooks reaches a file through the server, resolved as JupyterLab resolves it
(relative to the notebook's own folder)."""

import json
import posixpath
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import nbformat
import pytest
from course_copy import HAS_SOLUTIONS
from labserver import free_port, jupyter_env, serve

pytestmark = pytest.mark.integration  # starts kernels, servers or browsers

ROOT = Path(__file__).resolve().parents[1]
START = "notebooks/00_start_here.ipynb"
MAKE = shutil.which("make")
TOKEN = "course-test-token"
# [text](target) in markdown; a target up to the first space or ")"
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)")


def lab_commands(port: int) -> list[str]:
    """The shell lines `make lab` runs, read out of the Makefile with ``make -n``.

    The server options a test needs (no browser, a known token, loopback only) go
    through the Makefile's LAB_ARGS; BIN points at this environment's scripts, so the
    lines run here whether or not ``.venv`` exists (conda, a plain venv).
    """
    result = subprocess.run(
        [
            MAKE,
            "--no-print-directory",
            "-n",
            "-o",
            ".venv/.installed",
            "lab",
            f"PORT={port}",
            f"BIN={Path(sys.executable).parent}",
            "LAB_ARGS=--no-browser --ip 127.0.0.1 "
            f"--IdentityProvider.token={TOKEN} --allow-root",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.replace("\\\n", " ").splitlines() if line]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab started exactly as `make lab` starts it, in the repository."""
    if MAKE is None:
        pytest.skip("make is not installed")
    tmp = tmp_path_factory.mktemp("make_lab")
    port = free_port()
    *before, server = lab_commands(port)
    assert "jupyter lab" in server, server
    for line in before:  # trusting the lectures, into this test's Jupyter data folder
        subprocess.run(["bash", "-c", line], cwd=ROOT, env=jupyter_env(tmp), check=True)
    with serve(["bash", "-c", f"exec {server}"], ROOT, tmp, port, TOKEN) as lab:
        lab.tmp = tmp
        yield lab


def course_notebooks() -> list[str]:
    return [
        path.relative_to(ROOT).as_posix()
        for folder in ("notebooks", "exercises", "solutions")
        for path in sorted((ROOT / folder).glob("*.ipynb"))
    ]


def local_links(notebook: dict) -> list[str]:
    """The targets of the markdown links in ``notebook`` that point into the course."""
    targets = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for target in LINK.findall("".join(cell["source"])):
            if urllib.parse.urlsplit(target).scheme or target.startswith("#"):
                continue  # a web address or an anchor on the same page
            targets.append(target)
    return targets


def resolve(notebook_path: str, target: str) -> str:
    """``target`` as JupyterLab resolves a link in ``notebook_path``: relative to
    the notebook's folder, within the server's root."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
    return posixpath.normpath(posixpath.join(posixpath.dirname(notebook_path), path))


def contents(lab, path: str, **query: str) -> dict:
    suffix = "?" + urllib.parse.urlencode(query) if query else ""
    status, body = lab.get(f"/api/contents/{urllib.parse.quote(path)}{suffix}")
    assert status == 200
    return json.loads(body)


def test_make_lab_serves_the_repository_and_opens_the_start_page(lab):
    status, body = lab.get("/api/status")
    assert status == 200 and "started" in json.loads(body)
    root = {item["name"]: item["type"] for item in contents(lab, "")["content"]}
    expected = ["notebooks", "exercises"] + (["solutions"] if HAS_SOLUTIONS else [])
    for folder in expected:
        assert root.get(folder) == "directory", f"{folder}/ is not at the lab's root"
    # the page a browser started by `make lab` opens (jupyter_server writes it)
    opened = list((lab.tmp / "jupyter_runtime").glob("jpserver-file-to-run-*.html"))
    assert len(opened) == 1, "JupyterLab was not asked to open a file"
    assert f"/lab/tree/{START}" in opened[0].read_text()
    status, page = lab.get(f"/lab/tree/{START}")
    assert status == 200 and b"JupyterLab" in page


def test_every_link_in_the_course_resolves_through_the_server(lab):
    start = contents(lab, START, content="1")
    assert start["type"] == "notebook"
    first = "".join(start["content"]["cells"][0]["source"])
    assert first.startswith("# Start here")
    start_links = local_links(start["content"])
    assert len(start_links) >= 20, "the start page lost its chapter links"
    broken, checked = [], 0
    for path in course_notebooks():
        notebook = start["content"] if path == START else nbformat.read(ROOT / path, 4)
        for target in local_links(notebook):
            resolved = resolve(path, target)
            status = 404 if resolved.startswith("..") else None
            status = status or lab.status(
                f"/api/contents/{urllib.parse.quote(resolved)}?content=0"
            )
            checked += 1
            if status != 200:
                broken.append(f"{path}: ({target}) -> {resolved}: HTTP {status}")
    assert not broken, "broken links:\n" + "\n".join(broken)
    assert checked > len(start_links)


def test_make_lab_trusts_the_lectures(lab):
    # trusted, JupyterLab renders their stored widget views (finished progress bars)
    # instead of the plain-text fallback; the learner's exercises stay untrusted
    for path in [START, "notebooks/08_convolutional_networks.ipynb"]:
        cells = contents(lab, path, content="1")["content"]["cells"]
        code = [cell for cell in cells if cell["cell_type"] == "code"]
        assert code and all(cell["metadata"].get("trusted") for cell in code), path


def test_make_lab_shuts_down_cleanly(lab):  # last: it stops the shared server
    lab.post("/api/shutdown")
    try:
        code = lab.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError("JupyterLab did not shut down within 30 s") from None
    assert code == 0, f"JupyterLab exited with {code}"
