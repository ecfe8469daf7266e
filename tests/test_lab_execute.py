"""tools/execute.py stores what JupyterLab would store, the same on every run.

JupyterLab writes the kernel's ``language_info`` (``version`` included) into a notebook
as it opens it, so a notebook stored without it opens modified; the stored widget
state (finished progress bars) must not change from run to run: random model ids and
tqdm's timings are left out. tests/test_browser_widgets.py opens such a notebook in
JupyterLab itself.
"""

import json
import platform
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.integration  # starts kernels, servers or browsers

ROOT = Path(__file__).resolve().parents[1]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CELLS = [
    "import ipywidgets\nfrom tqdm.auto import tqdm\n\n"
    "for _ in tqdm(range(4), desc='epochs'):\n    pass",
    "ipywidgets.IntSlider(value=3, description='n')",
    "import time\n\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.1)",
]


def sanitized(text: str) -> str:
    """``text`` after the substitutions of nbval_sanitize.cfg, as nbval applies them."""
    config = (ROOT / "nbval_sanitize.cfg").read_text()
    for regex, replace in re.findall(r"regex: (.*)\nreplace: (.*)", config):
        text = re.sub(regex, replace, text)
    return text


def test_stored_notebooks_match_jupyterlab_and_every_run(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    paths = [tmp_path / "first.ipynb", tmp_path / "second.ipynb"]
    for path in paths:
        nbformat.write(notebook, path)
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "execute.py"), *map(str, paths)],
        check=True,
        capture_output=True,
    )
    first, second = (path.read_text(encoding="utf-8") for path in paths)
    assert first == second, "two runs stored different notebooks"

    stored = json.loads(first)
    # what JupyterLab's Python kernel reports, so opening it changes nothing
    info = stored["metadata"]["language_info"]
    assert info["name"] == "python" and info["version"] == platform.python_version()
    assert stored["metadata"]["kernelspec"]["name"] == "python3"

    state = stored["metadata"]["widgets"][WIDGET_STATE]["state"]
    models = {model["model_name"]: model["state"] for model in state.values()}
    assert models["FloatProgressModel"]["value"] == 4  # the bar as it finished
    # whole floats as JupyterLab writes them (4, not 4.0): saving there changes nothing
    assert type(models["FloatProgressModel"]["value"]) is int
    assert models["FloatProgressModel"]["bar_style"] == "success"
    texts = [
        m["state"]["value"] for m in state.values() if m["model_name"] == "HTMLModel"
    ]
    assert any("4/4" in text for text in texts)
    assert not any(re.search(r"\d\d:\d\d|it/s", text) for text in texts), texts
    assert models["IntSliderModel"]["value"] == 3
    assert all(re.fullmatch(r"0{20}[0-9a-f]{12}", model_id) for model_id in state)

    bar, slider, printed = (cell["outputs"] for cell in stored["cells"])
    # the outputs show the renamed models; nbval compares only their text siblings,
    # and the bar's (its first frame) is the same after sanitizing on any run
    for outputs in (bar, slider):
        view = next(o for o in outputs if WIDGET_VIEW in o.get("data", {}))
        assert view["data"][WIDGET_VIEW]["model_id"] in state
    text = "".join(
        next(o for o in bar if WIDGET_VIEW in o["data"])["data"]["text/plain"]
    )
    assert sanitized(text) == "epochs:   0%|          | 0/4 [TQDM-TIME]"
    # three prints a tenth of a second apart arrive as three messages: stored as one
    assert [(o["name"], "".join(o["text"])) for o in printed] == [
        ("stdout", "0\n1\n2\n")
    ]
