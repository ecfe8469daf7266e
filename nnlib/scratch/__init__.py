"""nnlib.scratch: neural-network layers, losses and optimizers in plain numpy.

Every layer has ``forward``/``backward``, ``params``/``grads`` dicts, checks the
shapes it receives, and computes in the input's dtype (float64 for gradient
checks, float32 for speed). Randomness comes from an explicit
``rng: np.random.Generator``; ``rng=None`` draws from the next of a sequence of
independent generators rooted at ``init.DEFAULT_SEED`` (0), so two layers differ
and a fresh process repeats the same weights. This package imports numpy only,
never torch.
"""

from . import functional, init
from .activations import LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .attention import MultiHeadSelfAttention
from .base import Layer
from .boxes import (
    average_precision,
    average_precision_per_class,
    box_area,
    box_iou,
    match_detections,
    mean_average_precision,
    nms,
)
from .conv import Conv2D
from .dense import Dense
from .flatten import Flatten
from .gradcheck import gradcheck, gradient_errors
from .layernorm import LayerNorm
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, Loss, MSELoss
from .neuron import Neuron
from .optim import SGD, Adam, Optimizer, RMSProp
from .pool import AvgPool2D, MaxPool2D
from .rnn import RNN
from .sequential import Sequential

__all__ = [
    "RNN",
    "SGD",
    "Adam",
    "AvgPool2D",
    "BCEWithLogitsLoss",
    "Conv2D",
    "CrossEntropyLoss",
    "Dense",
    "Flatten",
    "LayerNorm",
    "Layer",
    "LeakyReLU",
    "Loss",
    "MSELoss",
    "MaxPool2D",
    "MultiHeadSelfAttention",
    "Neuron",
    "Optimizer",
    "RMSProp",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "average_precision",
    "average_precision_per_class",
    "box_area",
    "box_iou",
    "functional",
    "gradcheck",
    "gradient_errors",
    "init",
    "match_detections",
    "mean_average_precision",
    "nms",
]
