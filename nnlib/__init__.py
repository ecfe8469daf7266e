"""nnlib: the library behind the neural-network course.

Subpackages, from the bottom up (imports only point down):

- ``nnlib.scratch``: neurons, layers, losses and optimizers in numpy, with backprop.
- ``nnlib.data``: offline data sets (numpy only).
- ``nnlib.viz`` and ``nnlib.widgets``: the course's figures and interactive demos.
- ``nnlib.blocks`` and ``nnlib.train``: PyTorch modules and a CPU/GPU training loop.
- ``nnlib.grading``: exercise self-checks and the batch grader.

Importing ``nnlib`` does not import torch; the PyTorch parts load on first use.
"""

from importlib import import_module
from types import ModuleType

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "blocks",
    "data",
    "grading",
    "scratch",
    "train",
    "viz",
    "widgets",
]

_SUBPACKAGES = {"blocks", "data", "grading", "scratch", "train", "viz", "widgets"}


def __getattr__(name: str) -> ModuleType:
    """Import a subpackage on first attribute access (keeps ``import nnlib`` light)."""
    if name in _SUBPACKAGES:
        return import_module(f"nnlib.{name}")
    raise AttributeError(f"module 'nnlib' has no attribute {name!r}")
