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

One dtype rule, in ``nnlib.scratch`` and ``nnlib.blocks`` alike: the computation
follows the input's floating-point dtype. A float64 input gives a float64 output
(for gradient checks), a float32 input a float32 one (for speed), whatever dtype the
parameters have; the parameters keep theirs, and so do their gradients (``grads``,
``.grad``), so an optimizer never changes a model's precision. Why: it is the
contract of ``../shared/API.md`` for the numpy layers, and one rule serves both
halves of the course; precision never changes behind your back (the output has the
dtype you passed in); and it costs nothing when the dtypes match: only a mismatch
reads the parameters through a cast, on every call (convert the model once,
``model.astype(np.float32)`` or ``model.double()``, to avoid that). Integers and
bools are not floating: scratch computes them in float64, blocks refuse them with a
``TypeError``; under ``torch.autocast`` the blocks cast nothing. The training loop
(``nnlib.train.fit``, ``evaluate``, ``predict``) is stricter on purpose: it refuses
batches whose dtype differs from the model's, because there a mismatch is almost
always numpy's float64 slipping in, and it would make every step of a long run pay
the cast (and run in float64) without a word.

Errors speak one way: a wrong type raises ``TypeError``, a wrong value or shape
``ValueError``, worded ``<where> expected <what>, got <what>``
(``Dense expected input (N, 64), got (32, 63)``); the checks live in ``nnlib._checks``.
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
