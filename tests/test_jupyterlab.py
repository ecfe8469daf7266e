"""JupyterLab really serves the course: status, the start page, and its contents."""

import json
import subprocess
from pathlib import Path

from labserver import jupyterlab

ROOT = Path(__file__).resolve().parents[1]
START = "notebooks/00_start_here.ipynb"


def test_jupyterlab_serves_the_start_page(tmp_path):
    with jupyterlab(ROOT, tmp_path) as lab:
        status, body = lab.get("/api/status")
        assert status == 200 and "started" in json.loads(body)

        status, page = lab.get(f"/lab/tree/{START}")
        assert status == 200 and b"JupyterLab" in page

        status, body = lab.get(f"/api/contents/{START}?content=1")
        model = json.loads(body)
        assert model["type"] == "notebook"
        first = "".join(model["content"]["cells"][0]["source"])
        assert first.startswith("# Start here")

        lab.post("/api/shutdown")
        try:
            code = lab.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError("JupyterLab did not shut down within 30 s") from None
        assert code == 0, f"JupyterLab exited with {code}"
