"""nnlib: the library behind the neural-network course.

Subpackages, from the bottom up (imports only point down):

- ``nnlib.scratch``: neurons, layers, losses and optimizers in numpy, with backprop.
- ``nnlib.data``: offline data sets (numpy only).
- ``nnlib.viz`` and ``nnlib.widgets``: the course's figures and interactive demos.
- ``nnlib.blocks`` and ``nnlib.train``: PyTorch modules and a CPU/GPU training loop.
- ``nnlib.grading``: exercise self-checks and the batch grader.

Importing ``nnlib`` does not import torch; the PyTorch parts load on first use.

Shape letters across the library (docstrings and ``# (...)`` comments use them):

=========  ===========================================================
letter     meaning
=========  ===========================================================
N          batch, in the numpy code (``scratch``, ``data``), as in cs231n
B          batch, in the PyTorch code (``blocks``, ``train``), as in nanoGPT
C          channels of an image or feature map
H, W       height and width; H', W' after a convolution or pooling
k, s, p    kernel size, stride, padding (p is also a ViT's patch size)
F          filters (output channels) of a scratch ``Conv2D``
L          output positions of a convolution, H' * W'
T          sequence length: time steps, tokens, or a ViT's patches
D          features per time step or token (``d_model`` in attention)
H          also the hidden size of a recurrent cell: the one letter with two
           meanings, and no module has both an image and a recurrent cell
h, d       attention heads, and features per head d = D / h
K, V       classes, vocabulary size
=========  ===========================================================

Options are keyword-only everywhere (``Dense(2, 3, rng=rng)``,
``MultiHeadSelfAttention(8, 2, causal=True)``): only sizes are positional.
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
