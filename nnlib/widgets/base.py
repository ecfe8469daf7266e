"""The shared shape of every course widget: controls, a figure, a readout, a state.

An explorer is a plain object holding

- ``controls``: a dict name -> ipywidgets control (slider, button, dropdown, ...);
- ``state``: a dict of what the figure currently shows (recomputed on every change);
- ``figure``: the matplotlib figure it draws into, rendered as PNG (``png``, bytes)
  into ``image`` (an ``ipywidgets.Image``) after every change;
- ``readout``: an ``ipywidgets.HTML`` with the key numbers;
- ``container``: the ipywidgets box holding all of the above.

Tests and notebooks can drive it from Python: set ``controls["a"].value = 1.5`` and
``state`` and ``figure`` follow at once. Displayed in JupyterLab it is a live widget;
where no widget front end runs (nbval, nbconvert, GitHub) the same output carries a
PNG of the figure and a short, stable text line such as
``LineFitExplorer(a=0.5, b=0, loss=1.234)`` (no memory addresses, fixed key order).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from nnlib._checks import check_number
from nnlib.viz.style import CourseFigure


def slider(
    where: str, factory: type[widgets.Widget], *, value: float, **kwargs: Any
) -> widgets.Widget:
    """An ipywidgets slider whose start ``value`` must lie in its range.

    ipywidgets clamps a value outside ``[min, max]`` without a word
    (``x=10`` on a slider to 5 would start at 5): here it is a ``ValueError``.
    For a ``FloatLogSlider`` the range is ``base**min`` to ``base**max``.
    """
    low, high = kwargs["min"], kwargs["max"]
    if factory is widgets.FloatLogSlider:
        base = kwargs.get("base", 10)
        low, high = base**low, base**high
    name = kwargs.get("description", "value")
    check_number(where, name, value, low=low, high=high)
    return factory(value=value, **kwargs)


def render_png(figure: Figure) -> bytes:
    """PNG bytes of ``figure`` from a single Agg draw.

    ``savefig`` draws twice when the figure has a layout engine (a dry run to place the
    panels, then the real one); a widget redraws on every slider move, so it draws
    once, straight to an Agg canvas, and lets Pillow write the PNG.
    """
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    buffer = io.BytesIO()
    PIL.Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png")
    return buffer.getvalue()


def _short(value: Any) -> str:
    """A compact, stable text form of one state value for ``repr``."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    return repr(value)


class Explorer:
    """Base class of the course widgets: controls, a figure, a readout and a state.

    A subclass builds its controls and figure, then implements ``compute`` (a new
    ``state`` from the controls) and ``draw`` (redraw ``figure`` from ``state``).
    ``__init__`` draws the first frame, so a subclass sets everything ``compute`` and
    ``draw`` need before it calls ``super().__init__``.

    Args:
        controls: name -> ipywidgets control; a change of any value (buttons
            excepted: the subclass wires them) calls ``update``.
        figure: the figure ``draw`` redraws, e.g. from ``nnlib.viz.new_figure``.
        layout: the rows of widgets above the readout; ``None`` puts all the
            controls in one row. Default: ``None``.

    Example:
        >>> import ipywidgets as widgets
        >>> from nnlib.viz import new_figure
        >>> from nnlib.widgets import Explorer
        >>> class Square(Explorer):
        ...     summary_keys = ("x", "y")
        ...     def compute(self):
        ...         x = self.controls["x"].value
        ...         return {"x": x, "y": x * x}
        ...     def draw(self):
        ...         self.figure.axes[0].set_title(f"y = {self.state['y']}")
        >>> fig, ax = new_figure(figsize=(2, 1))
        >>> square = Square({"x": widgets.IntSlider(value=2)}, fig)
        >>> square.controls["x"].value = 3
        >>> square, ax.get_title()
        (Square(x=3, y=9), 'y = 9')
    """

    #: names of ``state`` entries shown in ``repr`` (in this order)
    summary_keys: tuple[str, ...] = ()

    def __init__(
        self,
        controls: dict[str, widgets.Widget],
        figure: CourseFigure,
        *,
        layout: list[widgets.Widget] | None = None,
    ) -> None:
        self.controls = controls
        self.figure = figure
        self.state: dict[str, Any] = {}
        self.image = widgets.Image(format="png")
        self.readout = widgets.HTML()
        rows = layout if layout is not None else [widgets.HBox(list(controls.values()))]
        self.container = widgets.VBox([*rows, self.readout, self.image])
        self._held = False
        for control in controls.values():
            if isinstance(control, widgets.Button):
                continue  # buttons are wired by the subclass with on_click
            control.observe(self._on_change, names="value")
        self.update()

    # --- what subclasses provide -------------------------------------------------
    def compute(self) -> dict[str, Any]:
        """The state for the current control values."""
        raise NotImplementedError

    def draw(self) -> None:
        """Redraw ``self.figure`` from ``self.state``."""
        raise NotImplementedError

    def readout_html(self) -> str:
        """The numbers shown above the figure (HTML)."""
        return ", ".join(f"{k} = {_short(self.state[k])}" for k in self.summary_keys)

    # --- the machinery ------------------------------------------------------------
    def update(self) -> None:
        """Recompute the state, redraw the figure and refresh the displayed image."""
        self.state = self.compute()
        self.draw()
        self.png = render_png(self.figure)
        self.image.value = self.png
        if isinstance(self.figure.get_layout_engine(), ConstrainedLayoutEngine):
            # the first render placed the panels; keeping them saves half of each redraw
            self.figure.set_layout_engine("none")
        self.readout.value = self.readout_html()

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Change several controls at once with one update at the end."""
        self._held = True
        try:
            yield
        finally:
            self._held = False
        self.update()

    def _on_change(self, change: dict[str, Any]) -> None:
        if not self._held:
            self.update()

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> dict[str, Any]:
        # the live widget for JupyterLab, a PNG and a stable text line for the rest
        bundle = dict(self.container._repr_mimebundle_())
        bundle["image/png"] = self.png
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={_short(self.state[k])}" for k in self.summary_keys)
        return f"{type(self).__name__}({fields})"
