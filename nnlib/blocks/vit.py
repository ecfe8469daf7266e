"""Vision Transformer: cut an image into patches and treat them as tokens.

Letters: B batch, C channels, H = W = image_size, p patch size,
T = (H / p)^2 patches (the tokens), D = d_model, K classes.

Dosovitskiy et al., "An Image is Worth 16x16 Words" (2020): flatten each p x p patch,
project it linearly to D, prepend a learned class token, add learned positions, run
Transformer blocks and classify from the class token's final vector. On 8x8 digits
with p = 4 an image is just 4 tokens (plus the class token).
"""

import torch
from torch import nn

from nnlib.blocks._checks import check_heads, check_input, check_size
from nnlib.blocks.positional import LearnedPositionalEncoding
from nnlib.blocks.transformer import TransformerBlock


def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Cut images into non-overlapping square patches, flattened, row by row.

    Shape:
        - Input: (B, C, H, W), with H and W divisible by ``patch_size``
        - Output: (B, T, C * p * p) with T = (H / p) * (W / p)
    """
    check_input("patchify", images, ("B", "C", "H", "W"))
    B, C, H, W = images.shape
    p = patch_size
    if H % p or W % p:
        raise ValueError(f"image size {H}x{W} is not divisible by patch_size={p}")
    x = images.reshape(B, C, H // p, p, W // p, p)  # split rows and columns into blocks
    x = x.permute(0, 2, 4, 1, 3, 5)  # -> (B, H/p, W/p, C, p, p): patch grid first
    return x.reshape(B, (H // p) * (W // p), C * p * p)  # -> (B, T, C*p*p)


class PatchEmbedding(nn.Module):
    """Flatten each patch and map it linearly to ``d_model``.

    (Equivalent to a Conv2d with kernel and stride ``patch_size``; written as
    patchify + Linear so the cutting is visible.)

    Shape:
        - Input: (B, in_channels, image_size, image_size)
        - Output: (B, n_patches, d_model), n_patches = (image_size / patch_size)^2
    """

    def __init__(
        self, image_size: int, patch_size: int, in_channels: int, d_model: int
    ) -> None:
        super().__init__()
        for name, value in (
            ("image_size", image_size),
            ("patch_size", patch_size),
            ("in_channels", in_channels),
            ("d_model", d_model),
        ):
            check_size("PatchEmbedding", name, value)
        if image_size % patch_size != 0:
            raise ValueError(
                f"image_size={image_size} is not divisible by patch_size={patch_size}"
            )
        self.image_size = image_size
        self.patch_size = patch_size
        self.in_channels = in_channels
        self.n_patches = (image_size // patch_size) ** 2
        self.proj = nn.Linear(in_channels * patch_size * patch_size, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return one D-dimensional token per patch."""
        s = self.image_size
        check_input(
            "PatchEmbedding", x, ("B", self.in_channels, s, s), like=self.proj.weight
        )
        patches = patchify(x, self.patch_size)  # (B, C, s, s) -> (B, T, C*p*p)
        return self.proj(patches)  # (B, T, C*p*p) @ (C*p*p, D) -> (B, T, D)


class ViT(nn.Module):
    """Vision Transformer classifier with a class token.

    ``d_ff`` defaults to ``4 * d_model``. Blocks are pre-norm ``TransformerBlock``s,
    followed by a final LayerNorm and a linear head on the class token.

    Shape:
        - Input: (B, in_channels, image_size, image_size)
        - Output: (B, n_classes) logits
    """

    def __init__(
        self,
        image_size: int = 8,
        patch_size: int = 4,
        in_channels: int = 1,
        n_classes: int = 10,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 2,
        d_ff: int | None = None,
        *,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check_size("ViT", "n_classes", n_classes)
        check_size("ViT", "n_layers", n_layers)
        check_heads("ViT", d_model, n_heads)
        if d_ff is not None:
            check_size("ViT", "d_ff", d_ff)
        self.patch_embed = PatchEmbedding(image_size, patch_size, in_channels, d_model)
        n_tokens = self.patch_embed.n_patches + 1  # patches plus the class token
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d_model))
        self.pos = LearnedPositionalEncoding(d_model, max_len=n_tokens)
        d_ff = 4 * d_model if d_ff is None else d_ff
        self.blocks = nn.ModuleList(
            TransformerBlock(d_model, n_heads, d_ff, dropout=dropout)
            for _ in range(n_layers)
        )
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_classes)

    def tokens(self, images: torch.Tensor) -> torch.Tensor:
        """Class token + patch tokens + positions: the blocks' input, (B, T + 1, D)."""
        x = self.patch_embed(images)  # (B, C, H, W) -> (B, T, D)
        cls = self.cls_token.expand(x.shape[0], -1, -1)  # (1, 1, D) -> (B, 1, D)
        x = torch.cat([cls, x], dim=1)  # -> (B, T + 1, D)
        return self.pos(x)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Return class logits."""
        x = self.tokens(images)  # (B, T + 1, D)
        for block in self.blocks:
            x = block(x)  # (B, T + 1, D) -> (B, T + 1, D)
        cls = self.ln_f(x[:, 0])  # the class token's vector, (B, D)
        return self.head(cls)  # (B, D) -> (B, K)

    @torch.no_grad()
    def attention_maps(self, images: torch.Tensor) -> list[torch.Tensor]:
        """Attention weights of every block, each (B, n_heads, T + 1, T + 1).

        Call ``model.eval()`` first if the model uses dropout.
        """
        x = self.tokens(images)
        maps = []
        for block in self.blocks:
            x, weights = block(x, return_attention=True)
            maps.append(weights)
        return maps
