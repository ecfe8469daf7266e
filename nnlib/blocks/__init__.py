"""PyTorch building blocks for the CNN, RNN, Transformer and ViT chapters.

Each block is a ``torch.nn.Module`` written to be read after its numpy version in
``nnlib.scratch``; tests check them against PyTorch's own modules. Files, in course
order: ``cnn`` (ConvBlock, SimpleCNN), ``rnn`` (RNNSequenceModel,
AttentionRNNSequenceModel, gradient_reach), ``attention``,
``positional``, ``transformer``, ``vit``, and ``cost`` (attention's time and memory).

Dtypes follow the input, as in ``nnlib.scratch``: a float32 block given a float64
input computes in float64 and returns float64, with its parameters (and floating
buffers) read through ``.to(torch.float64)``; ``backward`` fills each parameter's
``.grad`` in the parameter's own dtype (``_dtype.run_in_dtype``). One rule for both
subpackages, as ``../shared/API.md`` states it; no silent change of precision; and
no cost unless the dtypes differ (then one cast of the weights per call: convert
the block once with ``.double()`` or ``.half()`` instead). Integer or bool inputs to
float layers are a ``TypeError``; token-id models take integer ids as before; under
``torch.autocast`` nothing is cast.
"""

from nnlib.blocks.attention import (
    MultiHeadSelfAttention,
    causal_mask,
    dot_product_attention,
)
from nnlib.blocks.cnn import ConvBlock, SimpleCNN
from nnlib.blocks.cost import attention_cost
from nnlib.blocks.counting import ModelCost, model_cost
from nnlib.blocks.detection import GridDetectionLoss, GridDetector
from nnlib.blocks.efficientnet import ScalableCNN, SeparableConv2d, compound_scaling
from nnlib.blocks.positional import (
    LearnedPositionalEncoding,
    PositionalEncoding,
    sinusoidal_table,
)
from nnlib.blocks.resnet import ResidualBlock, ResNet
from nnlib.blocks.rnn import (
    AttentionRNNSequenceModel,
    RNNSequenceModel,
    gradient_reach,
)
from nnlib.blocks.transformer import FeedForward, SequenceTransformer, TransformerBlock
from nnlib.blocks.unet import UNet
from nnlib.blocks.video import Conv3DClassifier, FrameCNN
from nnlib.blocks.vit import PatchEmbedding, ViT, patchify

__all__ = [
    "AttentionRNNSequenceModel",
    "Conv3DClassifier",
    "ConvBlock",
    "FeedForward",
    "FrameCNN",
    "GridDetectionLoss",
    "GridDetector",
    "LearnedPositionalEncoding",
    "ModelCost",
    "MultiHeadSelfAttention",
    "PatchEmbedding",
    "PositionalEncoding",
    "RNNSequenceModel",
    "ResNet",
    "ResidualBlock",
    "ScalableCNN",
    "SeparableConv2d",
    "SequenceTransformer",
    "SimpleCNN",
    "TransformerBlock",
    "UNet",
    "ViT",
    "attention_cost",
    "causal_mask",
    "compound_scaling",
    "dot_product_attention",
    "gradient_reach",
    "model_cost",
    "patchify",
    "sinusoidal_table",
]
