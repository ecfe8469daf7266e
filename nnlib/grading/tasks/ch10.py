"""Chapter 10 tasks: attention weights, causal attention, sinusoidal positions.

References: ``dot_product_attention``, ``causal_mask`` and ``sinusoidal_table``
from nnlib.blocks (PyTorch, imported when a case runs), in float64 where the
block allows it. Learners may answer with numpy arrays or tensors.
"""

from __future__ import annotations

import numpy as np

from ..compare import variant
from ..spec import Case, TaskSpec
from ._common import normal

# Softmax of scaled dot products of O(1) numbers, float64: 1e-7 relative.
RTOL, ATOL = 1e-7, 1e-10


def attention_weights(Q: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Reference: softmax(Q K^T / sqrt(d)) over the last axis, (..., T, T)."""
    import torch

    from nnlib.blocks import dot_product_attention

    q, k = torch.as_tensor(Q), torch.as_tensor(K)
    return dot_product_attention(q, k, k)[1].numpy()


def causal_attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Reference: attention output where position t only sees positions <= t."""
    import torch

    from nnlib.blocks import causal_mask, dot_product_attention

    q, k, v = (torch.as_tensor(a) for a in (Q, K, V))
    return dot_product_attention(q, k, v, mask=causal_mask(q.shape[-2]))[0].numpy()


def sinusoidal_positions(T: int, d_model: int) -> np.ndarray:
    """Reference: PE[t, 2i] = sin(t / 10000^(2i/d)), PE[t, 2i+1] = cos(...)."""
    from nnlib.blocks import sinusoidal_table

    return sinusoidal_table(T, d_model).double().numpy()


def _unscaled(Q: np.ndarray, K: np.ndarray) -> np.ndarray:
    """The mistake of leaving out the square root of d."""
    return attention_weights(Q * np.sqrt(Q.shape[-1]), K)


def _over_queries(Q: np.ndarray, K: np.ndarray) -> np.ndarray:
    """The mistake of a softmax over the queries (the columns add up to 1)."""
    return np.swapaxes(attention_weights(K, Q), -1, -2)


def _qk_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(
            "batch 2, 4 positions, d = 8", (normal(rng, 2, 4, 8), normal(rng, 2, 4, 8))
        ),
        Case("one position: weight 1", (normal(rng, 1, 1, 3), normal(rng, 1, 1, 3))),
        Case("d = 1", (normal(rng, 1, 5, 1), normal(rng, 1, 5, 1))),
        Case(
            "large scores (exp would overflow)",
            (normal(rng, 1, 3, 4, scale=100.0), normal(rng, 1, 3, 4, scale=100.0)),
        ),
    ]


def _qkv_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case(c.name, (*c.args, normal(rng, *c.args[0].shape[:-1], 6)))
        for c in _qk_cases(rng)
    ]


def _position_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("one position", (1, 4)),
        Case("10 positions, d = 16", (10, 16)),
        Case("50 positions, d = 64", (50, 64)),
        Case("d = 2", (3, 2)),
    ]


SPECS = [
    TaskSpec(
        id="10.attention_weights",
        make_cases=_qk_cases,
        reference=attention_weights,
        hints=(
            "Score every query against every key with a dot product, scale the scores,"
            " and turn each row into weights with a softmax.",
            "Divide the scores by the square root of the dimension. The softmax runs "
            "over the keys, the last axis, with each row's largest score subtracted "
            "first, so that every row adds up to 1.",
        ),
        rtol=RTOL,
        atol=ATOL,
        forbidden=(
            "nnlib.blocks.dot_product_attention",
            "nnlib.scratch.MultiHeadSelfAttention",
        ),
        strict_float=True,
        mistakes=(
            variant(
                "not scaled",
                "the scores were not divided by the square root of d: without it "
                "the softmax saturates as the dimension grows",
                _unscaled,
            ),
            variant(
                "softmax over the queries",
                "the softmax was taken along the wrong axis: each row (one query) "
                "must add up to 1 over the keys, not each column",
                _over_queries,
            ),
        ),
    ),
    TaskSpec(
        id="10.causal_mask",
        make_cases=_qkv_cases,
        reference=causal_attention,
        hints=(
            "Before the softmax, hide every key that comes after its query; then "
            "average the values with the weights.",
            "Set the scores above the diagonal to minus infinity: their weights become"
            " zero and each row still adds up to 1. The diagonal stays visible, so the"
            " first position sees only itself.",
        ),
        rtol=RTOL,
        atol=ATOL,
        forbidden=(
            "nnlib.blocks.dot_product_attention",
            "nnlib.blocks.causal_mask",
            "nnlib.scratch.MultiHeadSelfAttention",
        ),
    ),
    TaskSpec(
        id="10.sinusoidal_positions",
        make_cases=_position_cases,
        reference=sinusoidal_positions,
        hints=(
            "Each pair of columns holds a sine and a cosine of the position, at one "
            "frequency, from fast to slow.",
            "Pair i divides the position by ten thousand to the power of two i over "
            "the model width. Sines go in the even columns and cosines in the odd "
            "ones.",
        ),
        # The reference table is float32: angles up to 50 carry ~5e-6 of rounding.
        rtol=0.0,
        atol=2e-5,
        forbidden=("nnlib.blocks.sinusoidal_table", "nnlib.blocks.PositionalEncoding"),
    ),
]
