"""Interactive demos (ipywidgets 8) built on ``nnlib.viz`` and ``nnlib.data``.

Each function returns an explorer object: display it (last line of a cell) to get the
live widget in JupyterLab, or a static PNG and a one-line summary where no widget front
end runs (nbval, nbconvert). From Python, set ``explorer.controls[name].value`` and read
``explorer.state``; ``explorer.figure`` is the matplotlib figure, ``explorer.container``
the ipywidgets box. See ``nnlib.widgets.base`` for the shared design.

- ``line_fit_explorer``: a and b sliders, a gradient-step button (chapter 1)
- ``learning_rate_explorer``: descent path against the learning rate (chapters 1, 5)
- ``activation_explorer``: activations, derivatives, tangents (chapter 2)
- ``capacity_explorer``: width and depth vs the decision boundary (chapter 3)
- ``backprop_steps``: forward and backward, node by node (chapter 4)
- ``generalisation_explorer``: training and validation curves against a setting
  (chapter 6)
- ``kernel_playground``: a 3x3 kernel on a digit (chapter 8)
- ``recurrence_explorer``: gradient vs distance in time, by the scale of Wh (chapter 9)
- ``attention_explorer``: one query's attention weights (chapter 10)
- ``patch_size_explorer``: patch size against tokens, cost and accuracy (chapter 11)
"""

from nnlib.widgets.activation import ActivationExplorer, activation_explorer
from nnlib.widgets.attention import (
    AttentionExplorer,
    attention_explorer,
    demo_attention,
    softmax,
)
from nnlib.widgets.backprop_steps import BackpropStepper, backprop_steps, graph_steps
from nnlib.widgets.base import Explorer
from nnlib.widgets.capacity import CapacityExplorer, capacity_explorer, train_mlp
from nnlib.widgets.generalisation import (
    GeneralisationExplorer,
    generalisation_explorer,
)
from nnlib.widgets.kernel import (
    PRESETS,
    KernelPlayground,
    correlate2d,
    kernel_playground,
)
from nnlib.widgets.learning_rate import (
    LearningRateExplorer,
    critical_lr,
    descent_path,
    learning_rate_explorer,
)
from nnlib.widgets.line_fit import LineFitExplorer, line_fit_explorer, line_gradient
from nnlib.widgets.patches import PatchExplorer, patch_counts, patch_size_explorer
from nnlib.widgets.recurrence import RecurrenceExplorer, recurrence_explorer

__all__ = [
    "PRESETS",
    "ActivationExplorer",
    "AttentionExplorer",
    "BackpropStepper",
    "CapacityExplorer",
    "Explorer",
    "GeneralisationExplorer",
    "KernelPlayground",
    "LearningRateExplorer",
    "LineFitExplorer",
    "PatchExplorer",
    "RecurrenceExplorer",
    "activation_explorer",
    "attention_explorer",
    "backprop_steps",
    "capacity_explorer",
    "correlate2d",
    "critical_lr",
    "demo_attention",
    "descent_path",
    "generalisation_explorer",
    "graph_steps",
    "kernel_playground",
    "learning_rate_explorer",
    "line_fit_explorer",
    "line_gradient",
    "patch_counts",
    "patch_size_explorer",
    "recurrence_explorer",
    "softmax",
    "train_mlp",
]
