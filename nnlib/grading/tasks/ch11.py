"""Chapter 11 tasks: cut images into patches; CLIP-style similarity logits; a trained
Vision Transformer; how a ViT and a CNN take a tenth of the training digits.

``patchify`` is checked against ``nnlib.blocks.patchify`` (PyTorch, imported
when a case runs). nnlib has no contrastive model, so the reference for
``contrastive_logits`` is the formula of Radford et al. (2021), written here.
``11.train_vit`` (train) is judged on validation in the notebook and on the
disguised held-out digits in the batch grader (``_train``); ``11.data_size``
(measure) within tolerances set from the solution's spread (below).
"""

from __future__ import annotations

import numpy as np

from ..compare import TRANSPOSED, variant
from ..spec import Case, TaskSpec
from ._common import normal
from ._measure import Choice, Quantity, measure_task
from ._train import train_and_predict, train_task

TRAIN_BUDGET = 60.0  # seconds; the solution trains in 5-19 s here (under load)


def patchify(images: np.ndarray, patch_size: int) -> np.ndarray:
    """Reference: (N, C, H, W) -> (N, patches row by row, C * p * p)."""
    import torch

    from nnlib.blocks import patchify as blocks_patchify

    return blocks_patchify(torch.as_tensor(images), patch_size).numpy()


def _reshaped_only(images: np.ndarray, patch_size: int) -> np.ndarray:
    """The mistake of a reshape without moving the grid axes to the front."""
    N, C, H, W = images.shape
    p = patch_size
    return images.reshape(N, (H // p) * (W // p), C * p * p)


def _channels_last(images: np.ndarray, patch_size: int) -> np.ndarray:
    """The mistake of flattening each patch as (p, p, C), channels last."""
    N, C, H, W = images.shape
    p = patch_size
    x = images.reshape(N, C, H // p, p, W // p, p).transpose(0, 2, 4, 3, 5, 1)
    return x.reshape(N, (H // p) * (W // p), C * p * p)  # (N, H/p, W/p, p, p, C)


def _column_order(images: np.ndarray, patch_size: int) -> np.ndarray:
    """The mistake of numbering the patches column by column."""
    N, C, H, W = images.shape
    p = patch_size
    x = images.reshape(N, C, H // p, p, W // p, p).transpose(0, 4, 2, 1, 3, 5)
    return x.reshape(N, (H // p) * (W // p), C * p * p)  # (N, W/p, H/p, C, p, p)


def contrastive_logits(
    image_emb: np.ndarray, text_emb: np.ndarray, temperature: float
) -> np.ndarray:
    """Reference: cosine similarity of every image with every text, / temperature."""
    img = image_emb / np.linalg.norm(image_emb, axis=1, keepdims=True)  # unit rows
    txt = text_emb / np.linalg.norm(text_emb, axis=1, keepdims=True)
    return img @ txt.T / temperature  # (N, D) @ (D, M) -> (N, M)


def _not_normalised(image_emb, text_emb, temperature):
    return image_emb @ text_emb.T / temperature  # (N, D) @ (D, M) -> (N, M)


def _times_temperature(image_emb, text_emb, temperature):
    return contrastive_logits(image_emb, text_emb, 1.0) * temperature


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


def probe_vit(fn, X_train, y_train, X_val, y_val, X_eval) -> dict:
    """Train with the learner's function (60 s budget); label ``X_eval``."""
    return train_and_predict(
        fn, X_train, y_train, X_val, y_val, X_eval, budget=TRAIN_BUDGET
    )


# 11.data_size: the exercise's ViT (patch 4, d_model 64, 4 heads, 2 blocks) and a
# small CNN (SimpleCNN(channels=(16, 32), hidden=64)), each with AdamW 3e-3, weight
# decay 0.01, a one-cycle schedule and batches of 64: 15 epochs on all 1,077
# training digits, 60 epochs on a tenth of them (108, the first of a permutation
# with the run's seed); accuracy on all 360 validation digits. The solution's
# experiment, seeds 0-4, one thread, under load (torch's native kernels only):
# CNN 0.925-0.958 small / 0.983-0.997 full; ViT 0.803-0.886 small / 0.981-0.992
# full. The tolerances are about twice the half-ranges for the small runs (their
# spread is wide: 108 images), and keep the CNN's small-data answer below the
# full-data accuracies.
_FULL = "that is the accuracy with all the training digits; train on a tenth of them"
_SMALL = "that is near the accuracy with a tenth of the digits; train on all of them"
DATA_SIZE = measure_task(
    "11.data_size",
    quantities=[
        Quantity(
            "cnn_small",
            0.94,
            0.04,
            "CNN, a tenth of the training digits",
            confusions=[(0.99, 0.01, _FULL)],
        ),
        Quantity(
            "vit_small",
            0.845,
            0.09,
            "ViT, a tenth of the training digits",
            confusions=[(0.99, 0.01, _FULL)],
        ),
        Quantity(
            "cnn_full",
            0.99,
            0.025,
            "CNN, all the training digits",
            confusions=[(0.88, 0.08, _SMALL)],
        ),
        Quantity(
            "vit_full",
            0.986,
            0.025,
            "ViT, all the training digits",
            confusions=[(0.88, 0.08, _SMALL)],
        ),
    ],
    choices=[Choice("why", "b", ("a", "b", "c"))],
    swapped=[("cnn_small", "vit_small")],
    hints=(
        "Train both networks twice, on all the training digits and on a tenth of "
        "them, and measure each on all the validation digits.",
        "Give the small runs more epochs, so that every run makes a similar number "
        "of updates. Compare how much each network loses when the data shrinks: "
        "the one with fewer built-in assumptions about images loses more.",
    ),
)


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
        mistakes=(
            variant(
                "reshape only",
                "the shape is right but the pixels are not: a reshape alone takes "
                "rows of the image, not squares; move the two grid axes to the "
                "front before merging the rest",
                _reshaped_only,
            ),
            variant(
                "channels last",
                "each patch was flattened with its channels last: flatten it "
                "channels first, then rows, then columns, as a (C, p, p) block",
                _channels_last,
            ),
            variant(
                "column by column",
                "the patches are numbered column by column: number them row by "
                "row, left to right, then top to bottom",
                _column_order,
            ),
        ),
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
        mistakes=(
            variant(
                "not normalised",
                "plain dot products: scale every embedding to length one first, so "
                "that only the directions count",
                _not_normalised,
            ),
            variant(
                "times the temperature",
                "the similarities were multiplied by the temperature: divide by it "
                "(a small temperature sharpens the scores)",
                _times_temperature,
            ),
            TRANSPOSED,
        ),
    ),
    train_task(
        "11.train_vit",
        flatten=False,
        goal=0.96,
        budget=TRAIN_BUDGET,
        hints=(
            "Train a small Vision Transformer on the training digits and keep the "
            "weights that do best on validation.",
            "Patches of four by four pixels, two blocks of width 64 with four heads, "
            "AdamW with a one-cycle schedule, batches of 64 and about fifteen "
            "epochs reach the goal in seconds. Evaluate in evaluation mode.",
        ),
        probe=probe_vit,
    ),
    DATA_SIZE,
]
