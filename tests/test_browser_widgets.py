"""A real browser: in JupyterLab a dragged slider changes line_fit_explorer, its
gradient-step button draws the descent path, fit shows its progress bar as a widget,
and a notebook stored by tools/execute.py opens unmodified with its finished bar.

Needs Debian's Chromium at /usr/bin/chromium (never downloaded). Without it the test
is skipped, unless NNLIB_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails.
"""

import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from labserver import jupyter_env, jupyterlab
from webpage import CHROMIUM, CHROMIUM_ARGS, require_browser

from nnlib.data import make_line
from nnlib.viz import line_mse

pytestmark = pytest.mark.integration  # starts kernels, servers or browsers

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "explorer",
            "metadata": {},
            "outputs": [],
            "source": "from nnlib.widgets import line_fit_explorer\n"
            "explorer = line_fit_explorer()\n"
            "explorer",
        }
    ],
    "metadata": {
        "kernelspec": {
            "display_name": "Python 3",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}
KERNEL_IDLE = """(path) => {
    const widget = window.jupyterapp.shell.currentWidget;
    const session = widget && widget.sessionContext;
    return !!(session && session.path === path && session.session
              && session.session.kernel && session.kernelDisplayStatus === 'idle');
}"""
# run ``code`` in the page's kernel (not in a cell) and return what it printed
KERNEL_PRINT = """async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({code, silent: false, store_history: false});
    let text = '';
    future.onIOPub = (msg) => {
        if (msg.header.msg_type === 'stream') { text += msg.content.text; }
    };
    await future.done;
    return text;
}"""
KERNEL_INFO_SEEN = """async () => {
    await window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.info;
    await new Promise((resolve) => setTimeout(resolve, 1500));
}"""
SAVE = "async () => { await window.jupyterapp.commands.execute('docmanager:save'); }"
RUN_ALL = "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
WAIT_MS = 45_000  # generous: a cold JupyterLab and kernel on a busy 2-core machine


FIT_CELL = (
    "import torch\nfrom torch import nn\n\nfrom nnlib.train import fit\n\n"
    "torch.manual_seed(0)\n"
    "X = torch.randn(64, 2)\ny = (X[:, 0] > 0).long()\n"
    "loader = [(X[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]\n"
    "model = nn.Linear(2, 2)\n"
    "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    "history = fit(model, loader, epochs=3, optimizer=optimizer,\n"
    "              loss_fn=nn.CrossEntropyLoss(), device='cpu')\n"
    "print('epochs trained:', len(history['train_loss']))"
)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab for this module, serving the two notebooks below."""
    sync_playwright = require_browser()
    tmp = tmp_path_factory.mktemp("browser")
    root = tmp / "root"
    root.mkdir()
    (root / "explorer.ipynb").write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    training = json.loads(json.dumps(NOTEBOOK))
    training["cells"][0].update(id="fit", source=FIT_CELL)
    (root / "training.ipynb").write_text(json.dumps(training), encoding="utf-8")
    lab_options = [
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={tmp / 'settings'}",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
    ]
    with jupyterlab(root, tmp, *lab_options) as server:
        yield server, sync_playwright


@pytest.fixture(scope="module")
def untouched(lab):
    """A notebook with a slider and a progress bar, stored by tools/execute.py and
    trusted as `make lab` trusts the lectures; its name in the server's root."""
    server, _ = lab
    tmp = server.log.parent
    notebook = json.loads(json.dumps(NOTEBOOK))
    notebook["cells"][0].update(id="bar", source=BAR_CELL)
    path = tmp / "root" / "untouched.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    for command in (
        [sys.executable, str(ROOT / "tools" / "execute.py"), str(path)],
        [sys.executable, "-m", "jupyter", "trust", str(path)],
    ):
        subprocess.run(command, env=jupyter_env(tmp), check=True, capture_output=True)
    return path.name


BAR_CELL = (
    "import ipywidgets\nfrom tqdm.auto import tqdm\n\n"
    "for _ in tqdm(range(3), desc='epochs'):\n    pass\n"
    "ipywidgets.IntSlider(value=3, description='n')"
)


@contextmanager
def _page(lab, notebook, *, run=True):
    """A headless Chromium page with ``notebook`` open and, with ``run``, all its
    cells started; otherwise it waits until JupyterLab has the kernel's info."""
    server, sync_playwright = lab
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(WAIT_MS)
            # a workspace of its own: JupyterLab would otherwise reopen the tabs
            # of the previous test's page, and "run all" could go to one of them
            workspace = notebook.replace(".", "-")
            page.goto(
                f"{server.base}/lab/workspaces/{workspace}/tree/{notebook}"
                f"?token={server.token}"
            )
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            page.wait_for_function("window.jupyterapp !== undefined")
            # run only once the kernel is connected and idle: running earlier makes
            # JupyterLab ask which kernel to start (a dialog nobody would answer)
            page.wait_for_function(KERNEL_IDLE, arg=notebook)
            if run:
                page.evaluate(RUN_ALL)  # not awaited: resolves only when cells finish
            else:  # JupyterLab writes the kernel's language_info into the notebook now
                page.evaluate(KERNEL_INFO_SEEN)
            yield page
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.ch01
@pytest.mark.timeout(180)  # a safety net only: the waits below fail long before
def test_line_fit_explorer_in_jupyterlab(lab, tmp_path):
    with _page(lab, "explorer.ipynb") as page:
        _drag_slider_and_check(page, tmp_path)
        _two_clicks_draw_two_steps(page)


@pytest.mark.browser
@pytest.mark.ch07
@pytest.mark.timeout(180)
def test_training_shows_a_progress_bar_widget_in_jupyterlab(lab):
    with _page(lab, "training.ipynb") as page:
        page.locator(".jp-OutputArea-output", has_text="epochs trained: 3").wait_for()
        # tqdm.auto renders as a widget: a progress bar full at the end, and the text
        # with the epoch count and the last metrics beside it
        bar = page.locator(".jp-OutputArea-output .widget-hprogress .progress-bar")
        assert bar.count() == 1
        assert bar.evaluate("el => el.style.width") == "100%"
        label = page.locator(".jp-OutputArea-output .widget-html-content").last
        text = label.inner_text()
        assert "3/3" in text and "train_loss=" in text and "train_acc=" in text


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_a_stored_notebook_opens_unmodified_with_its_finished_bar(lab, untouched):
    # opening an untouched notebook must not mark it modified (a learner closing it
    # would be asked to save), and the stored widget state shows the finished bar
    with _page(lab, untouched, run=False) as page:
        tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current")
        assert "untouched" in tab.inner_text()
        assert "jp-mod-dirty" not in tab.get_attribute("class")
        bar = page.locator(".jp-OutputArea-output .widget-hprogress .progress-bar")
        assert bar.count() == 1
        assert bar.evaluate("el => el.style.width") == "100%"
        label = page.locator(".jp-OutputArea-output .widget-html-content").last
        assert "3/3" in label.inner_text()
        assert not page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.context.model.dirty"
        )
        # what JupyterLab saves is the stored file, byte for byte
        path = lab[0].log.parent / "root" / untouched
        stored = path.read_bytes()
        page.evaluate(SAVE)
        assert path.read_bytes() == stored


def _drag_slider_and_check(page, tmp_path):
    """Drag slider a; the readout, the numbers and the figure must follow."""
    readout = page.locator(".jp-OutputArea-output .widget-html-content")
    readout.filter(has_text="MSE =").wait_for()
    image = page.locator(".jp-OutputArea-output .widget-image")
    image.wait_for()
    before_text, before_src = readout.inner_text(), image.get_attribute("src")

    # drag the handle of slider "a" to the right, as a learner would
    slider = page.locator(".jp-OutputArea-output .widget-hslider").first
    handle = slider.locator(".noUi-handle")
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 80, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()

    page.wait_for_function(
        "([el, old]) => el.innerText !== old",
        arg=[readout.element_handle(), before_text],
    )
    page.wait_for_function(
        "([el, old]) => el.getAttribute('src') !== old",
        arg=[image.element_handle(), before_src],
    )
    # the slider's readout, the numbers and the figure now agree
    a = float(slider.locator(".widget-readout").inner_text())
    page.wait_for_function(
        "([el, text]) => el.innerText.includes(text)",
        arg=[readout.element_handle(), f"a = {a:.3f}"],
    )
    x, y = make_line(50, a=2.0, b=1.0, noise=0.5, seed=0)
    after_text = readout.inner_text()
    assert a > 0
    assert f"MSE = {line_mse(x, y, a, 0.0):.4f}" in after_text
    assert after_text != before_text
    page.screenshot(path=str(tmp_path / "line_fit_explorer.png"))
    assert (tmp_path / "line_fit_explorer.png").stat().st_size > 10_000


def _two_clicks_draw_two_steps(page):
    """Two clicks on "gradient step": the explorer's path has two steps, drawn.

    The slider in the browser rounds each new value to its 0.01 grid and sends it
    back; the explorer once took that for a move by hand and dropped the path.
    """
    image = page.locator(".jp-OutputArea-output .widget-image")
    button = page.locator(".jp-OutputArea-output button", has_text="gradient step")
    for _ in range(2):
        before = image.get_attribute("src")
        button.click()
        page.wait_for_function(
            "([el, old]) => el.getAttribute('src') !== old",
            arg=[image.element_handle(), before],
        )
    # ask the kernel once the sliders' rounded values have come back from the browser
    query = (
        "a, b = explorer.controls['a'].value, explorer.controls['b'].value\n"
        "print(abs(a * 100 - round(a * 100)) < 1e-6 and "
        "abs(b * 100 - round(b * 100)) < 1e-6, explorer.state['steps'], "
        "len(explorer.artists['descent path'].get_xdata()), "
        "explorer.figure.axes[1].get_title(), sep='|')"
    )
    for _ in range(50):
        on_grid, steps, points, title = page.evaluate(KERNEL_PRINT, query).split("|")
        if on_grid == "True":
            break
        page.wait_for_timeout(200)
    assert on_grid == "True", "the sliders never sent their rounded values back"
    assert (steps, points) == ("2", "3"), f"steps {steps}, {points} points drawn"
    assert title.strip() == "MSE over (a, b): 2 steps"
