"""Figures and widgets as a real Jupyter kernel shows them (run with nbclient).

What is checked is what nbval compares and what a learner sees: a returned figure
shows exactly once when it ends a cell (also after pyplot's inline backend is active),
an assigned one does not show, and an explorer's output carries the live widget, a PNG
for viewers without widgets, and a stable text line.
"""

import nbformat
import pytest
from nbclient import NotebookClient

from nnlib.data import make_line
from nnlib.viz import line_mse

CELLS = [
    'from nnlib.viz import plot_activation\nplot_activation("relu")',
    'fig = plot_activation("tanh")',
    "fig",
    "from nnlib.widgets import line_fit_explorer\n"
    "explorer = line_fit_explorer()\n"
    "explorer",
    'explorer.controls["a"].value = 1.0\nprint(repr(explorer))',
    'import matplotlib.pyplot as plt\nplot_activation("sigmoid")',
    "from IPython.display import display\ndisplay(fig)\nprint(len(plt.get_fignums()))",
]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}},
    )
    client.execute()
    return [cell.outputs for cell in nb.cells]


def _images(cell_outputs):
    return [o for o in cell_outputs if "image/png" in o.get("data", {})]


def test_a_returned_figure_shows_once_as_png(outputs):
    (result,) = outputs[0]
    assert result.output_type == "execute_result"
    assert result.data["text/plain"].startswith("<Figure size ")
    assert result.data["text/plain"].endswith(" with 1 Axes>")
    assert len(result.data["image/png"]) > 100  # base64 text of a real image


def test_an_assigned_figure_does_not_show_until_asked(outputs):
    assert outputs[1] == []
    assert len(_images(outputs[2])) == 1


def test_an_explorer_shows_widget_png_and_stable_text(outputs):
    (result,) = outputs[3]
    data = result.data
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "image/png" in data
    # deterministic text built from the state alone: no addresses, no widget reprs
    x, y = make_line(50, a=2.0, b=1.0, noise=0.5, seed=0)  # the explorer's default
    loss = line_mse(x, y, 0.0, 0.0)
    assert data["text/plain"] == f"LineFitExplorer(a=0, b=0, loss={loss:.4g})"
    printed = "".join(o.get("text", "") for o in outputs[4])
    loss = line_mse(x, y, 1.0, 0.0)
    assert printed.strip() == f"LineFitExplorer(a=1, b=0, loss={loss:.4g})"


def test_no_double_display_once_pyplot_is_active(outputs):
    assert len(_images(outputs[5])) == 1
    assert len(_images(outputs[6])) == 1
    printed = "".join(o.get("text", "") for o in outputs[6])
    assert printed.strip() == "0"  # no figure was ever registered with pyplot
