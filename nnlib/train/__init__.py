"""Training on CPU or GPU with PyTorch: device choice, seeding, the loop, checkpoints.

Files: ``device`` (get_device), ``seed`` (seed_everything and generator states),
``metrics`` (accuracy, sequence_accuracy), ``batches`` (checks with clear errors),
``checkpoint`` (atomic save and exact resume) and ``loop`` (fit, evaluate, predict).
"""

from nnlib.train.checkpoint import load_checkpoint, save_checkpoint
from nnlib.train.device import available_devices, get_device
from nnlib.train.loop import HISTORY_KEYS, evaluate, fit, predict
from nnlib.train.metrics import accuracy, sequence_accuracy
from nnlib.train.seed import rng_state, seed_everything, set_rng_state

__all__ = [
    "HISTORY_KEYS",
    "accuracy",
    "available_devices",
    "evaluate",
    "fit",
    "get_device",
    "load_checkpoint",
    "predict",
    "rng_state",
    "save_checkpoint",
    "seed_everything",
    "sequence_accuracy",
    "set_rng_state",
]
