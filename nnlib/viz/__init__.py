"""The course's figures, drawn with matplotlib (no torch on import, no pyplot).

Every ``plot_*`` function returns a :class:`~nnlib.viz.style.CourseFigure` (a
``matplotlib.figure.Figure``). In Jupyter a figure shows once when it is the last
value of a cell or is passed to ``display``; assigning it (``fig = plot_...``) shows
nothing. Figures are never registered with pyplot and rcParams are never changed.
Functions with an ``ax`` argument draw into an existing Axes instead (use
``new_figure`` to make a grid of them) and return that Axes' figure.

- ``regression``: ``plot_line_fit``, ``plot_loss_surface`` (chapter 1)
- ``training``: ``plot_history``
- ``activations``: ``plot_activation``
- ``classification``: ``plot_decision_boundary``
- ``evaluation``: ``plot_confusion_matrix``, ``plot_image_grid``
- ``conv``: ``plot_kernels``, ``plot_feature_maps``
- ``attention``: ``plot_attention``, ``plot_cost_vs_size``
- ``optim``: ``plot_optimizer_paths``
- ``signed``: ``show_signed``, the diverging map centred at zero for signed values
"""

from nnlib.viz.activations import ACTIVATIONS, activation_pair, plot_activation
from nnlib.viz.attention import plot_attention, plot_cost_vs_size
from nnlib.viz.classification import (
    model_outputs,
    plot_decision_boundary,
    predict_classes,
)
from nnlib.viz.conv import plot_feature_maps, plot_kernels
from nnlib.viz.evaluation import (
    confusion_matrix,
    plot_confusion_matrix,
    plot_image_grid,
)
from nnlib.viz.optim import plot_optimizer_paths
from nnlib.viz.regression import line_mse, mse_grid, plot_line_fit, plot_loss_surface
from nnlib.viz.signed import show_signed
from nnlib.viz.style import CourseFigure, figure_png, new_figure
from nnlib.viz.training import plot_history

__all__ = [
    "ACTIVATIONS",
    "CourseFigure",
    "activation_pair",
    "confusion_matrix",
    "figure_png",
    "line_mse",
    "model_outputs",
    "mse_grid",
    "new_figure",
    "plot_activation",
    "plot_attention",
    "plot_confusion_matrix",
    "plot_cost_vs_size",
    "plot_decision_boundary",
    "plot_feature_maps",
    "plot_history",
    "plot_image_grid",
    "plot_kernels",
    "plot_line_fit",
    "plot_loss_surface",
    "plot_optimizer_paths",
    "predict_classes",
    "show_signed",
]
