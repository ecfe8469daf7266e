"""Chapter 11 tasks: cut images into patches; CLIP-style similarity logits.

``patchify`` is checked against ``nnlib.blocks.patchify`` (PyTorch, imported
when a case runs). nnlib has no contrastive model, so the reference for
``contrastive_logits`` is the formula of Radford et al. (2021), written here.
"""

from __future__ import annotations

import numpy as np

from ..spec import Case, TaskSpec
from ._common import normal


def patchify(images: np.ndarray, patch_size: int) -> np.ndarray:
    """Reference: (N, C, H, W) -> (N, patches row by row, C * p * p)."""
    import torch

    from nnlib.blocks import patchify as blocks_patchify

    return blocks_patchify(torch.as_tensor(images), patch_size).numpy()


def contrastive_logits(
    image_emb: np.ndarray, text_emb: np.ndarray, temperature: float
) -> np.ndarray:
    """Reference: cosine similarity of every image with every text, / temperature."""
    img = image_emb / np.linalg.norm(image_emb, axis=1, keepdims=True)  # unit rows
    txt = text_emb / np.linalg.norm(text_emb, axis=1, keepdims=True)
    return img @ txt.T / temperature  # (N, D) @ (D, M) -> (N, M)


def _patch_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("one 8x8 digit, patch 4", (normal(rng, 1, 1, 8, 8), 4)),
        Case("batch 2, 3 channels, patch 2", (normal(rng, 2, 3, 4, 4), 2)),
        Case("patch 1: every pixel a patch", (normal(rng, 1, 2, 3, 3), 1)),
        Case("one patch: the whole image", (normal(rng, 2, 1, 4, 4), 4)),
        Case(
            "a numbered image (order matters)", (np.arange(32.0).reshape(1, 2, 4, 4), 2)
        ),
    ]


def _logit_cases(rng: np.random.Generator) -> list[Case]:
    img = normal(rng, 4, 8)
    return [
        Case("4 pairs, d = 8", (img, normal(rng, 4, 8), 0.07)),
        Case("one pair", (normal(rng, 1, 3), normal(rng, 1, 3), 1.0)),
        Case("matching pairs score highest", (img, 2.0 * img, 0.1)),
        Case("3 images, 5 texts", (normal(rng, 3, 6), normal(rng, 5, 6), 0.5)),
        Case("large embeddings", (1e6 * img, normal(rng, 4, 8), 0.07)),
    ]


SPECS = [
    TaskSpec(
        id="11.patchify",
        make_cases=_patch_cases,
        reference=patchify,
        hints=(
            "Cut each image into a grid of squares, number them row by row, and "
            "flatten each square with its channels first.",
            "Split the height and the width each into a grid index and a place inside "
            "the patch, bring the two grid axes to the front, then merge the rest. "
            "Changing the shape alone mixes pixels of different patches.",
        ),
        rtol=0.0,  # pixels are only moved, never computed: exact
        atol=0.0,
        forbidden=("nnlib.blocks.patchify", "nnlib.blocks.PatchEmbedding"),
    ),
    TaskSpec(
        id="11.contrastive_logits",
        make_cases=_logit_cases,
        reference=contrastive_logits,
        hints=(
            "Scale every embedding to length one, then score every image against every"
            " text with a dot product.",
            "Divide each row of both tables by its length. The scores form a table "
            "with one row per image and one column per text; divide it by the "
            "temperature.",
        ),
        rtol=1e-7,  # norms and dot products of O(1) numbers, float64
        atol=1e-9,
    ),
]
