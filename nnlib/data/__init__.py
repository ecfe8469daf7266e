"""Offline data for the course, in numpy (no plotting, no models, no torch on import).

- ``synthetic``: ``make_line`` (chapter 1) and 2-D classification toys
  (``make_xor``, ``make_moons``, ``make_spirals``, ``make_blobs``).
- ``digits``: ``load_digits``, the 1,797 UCI handwritten digits shipped in the package.
- ``split``: ``train_val_test_split``, stratified and seeded.
- ``shapes``: ``make_shapes``, shapes at random positions (for convolution).
- ``mnist``: ``load_mnist`` from local IDX files, ``read_idx``/``write_idx``.
- ``sequences``: ``make_sequence_task`` (copy, reverse, sort, add).
- ``runs``: ``load_run``, the results of full runs shipped as JSON.
- ``loaders``: ``torch_loader``, a PyTorch ``DataLoader`` (imports torch when called).
"""

from nnlib.data.digits import DIGITS_SHA256, digits_sha256, load_digits
from nnlib.data.loaders import torch_loader
from nnlib.data.mnist import load_mnist, read_idx, write_idx
from nnlib.data.motion import DIRECTIONS, make_moving_shapes
from nnlib.data.phantoms import make_phantoms
from nnlib.data.runs import load_run, run_names
from nnlib.data.scenes import make_detection_shapes, make_segmentation_shapes
from nnlib.data.sequences import SEQUENCE_TASKS, make_sequence_task
from nnlib.data.shapes import SHAPE_NAMES, make_shapes
from nnlib.data.split import train_val_test_split
from nnlib.data.synthetic import (
    make_blobs,
    make_line,
    make_moons,
    make_spirals,
    make_xor,
)

__all__ = [
    "DIGITS_SHA256",
    "DIRECTIONS",
    "SEQUENCE_TASKS",
    "SHAPE_NAMES",
    "digits_sha256",
    "load_digits",
    "load_mnist",
    "load_run",
    "make_blobs",
    "make_detection_shapes",
    "make_line",
    "make_moons",
    "make_moving_shapes",
    "make_phantoms",
    "make_segmentation_shapes",
    "make_sequence_task",
    "make_shapes",
    "make_spirals",
    "make_xor",
    "read_idx",
    "run_names",
    "torch_loader",
    "train_val_test_split",
    "write_idx",
]
