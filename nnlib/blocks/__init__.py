"""PyTorch building blocks for the CNN, RNN, Transformer and ViT chapters.

Each block is a ``torch.nn.Module`` written to be read after its numpy version in
``nnlib.scratch``; tests check them against PyTorch's own modules. Files, in course
order: ``cnn`` (ConvBlock, SimpleCNN), ``rnn`` (RNNSequenceModel), ``attention``,
``positional``, ``transformer``, ``vit``, and ``cost`` (attention's time and memory).
"""

from nnlib.blocks.attention import (
    MultiHeadSelfAttention,
    causal_mask,
    dot_product_attention,
)
from nnlib.blocks.cnn import ConvBlock, SimpleCNN
from nnlib.blocks.cost import attention_cost
from nnlib.blocks.positional import (
    LearnedPositionalEncoding,
    PositionalEncoding,
    sinusoidal_table,
)
from nnlib.blocks.rnn import RNNSequenceModel
from nnlib.blocks.transformer import FeedForward, SequenceTransformer, TransformerBlock
from nnlib.blocks.vit import PatchEmbedding, ViT, patchify

__all__ = [
    "ConvBlock",
    "FeedForward",
    "LearnedPositionalEncoding",
    "MultiHeadSelfAttention",
    "PatchEmbedding",
    "PositionalEncoding",
    "RNNSequenceModel",
    "SequenceTransformer",
    "SimpleCNN",
    "TransformerBlock",
    "ViT",
    "attention_cost",
    "causal_mask",
    "dot_product_attention",
    "patchify",
    "sinusoidal_table",
]
