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

from nnlib._checks import check_heads, check_int, check_tensor, format_shape
from nnlib.blocks._dtype import needs_cast, run_in_dtype
from nnlib.blocks.positional import LearnedPositionalEncoding
from nnlib.blocks.transformer import TransformerBlock


def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Cut images into non-overlapping square patches, flattened, row by row.

    Args:
        images: a batch of images.
        patch_size: p, the side of a patch; it must divide H and W.

    Shape:
        - Input: (B, C, H, W), with H and W divisible by p
        - Output: (B, T, C * p * p) with T = (H / p) * (W / p)

    Example:
        >>> import torch
        >>> from nnlib.blocks import patchify
        >>> images = torch.arange(16.0).reshape(1, 1, 4, 4)
        >>> patchify(images, 2)[0, 0].tolist()  # the top-left 2 x 2 patch
        [0.0, 1.0, 4.0, 5.0]
    """
    layout = ("B", "C", "H", "W")
    check_tensor("patchify", images, layout, name="images", floating=False)
    p = check_int("patchify", "patch_size", patch_size)
    B, C, H, W = images.shape
    if H % p or W % p:
        raise ValueError(
            f"patchify expected H and W divisible by patch_size={p}, "
            f"got images {format_shape(images.shape)}"
        )
    x = images.reshape(B, C, H // p, p, W // p, p)  # split rows and columns into blocks
    x = x.permute(0, 2, 4, 1, 3, 5)  # -> (B, H/p, W/p, C, p, p): patch grid first
    return x.reshape(B, (H // p) * (W // p), C * p * p)  # -> (B, T, C*p*p)


class PatchEmbedding(nn.Module):
    """Flatten each patch and map it linearly to ``d_model``.

    (Equivalent to a Conv2d with kernel and stride ``patch_size``; written as
    patchify + Linear so the cutting is visible.)

    Args:
        image_size: the side H = W of the square input images.
        patch_size: p; it must divide ``image_size``.
        in_channels: the channels C of the images.
        d_model: D, the size of each patch token.

    Shape:
        - Input: (B, C, H, W) with H = W = image_size
        - Output: (B, T, D), T = (image_size / p)^2 patches (``n_patches``)

    Example:
        >>> import torch
        >>> from nnlib.blocks import PatchEmbedding
        >>> embed = PatchEmbedding(8, 4, 1, 16)
        >>> embed(torch.zeros(2, 1, 8, 8)).shape, embed.n_patches
        (torch.Size([2, 4, 16]), 4)
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
            check_int("PatchEmbedding", name, value)
        if image_size % patch_size != 0:
            raise ValueError(
                f"PatchEmbedding expected image_size divisible by patch_size="
                f"{patch_size}, got {image_size}"
            )
        self.image_size = image_size
        self.patch_size = patch_size
        self.in_channels = in_channels
        self.n_patches = (image_size // patch_size) ** 2
        self.proj = nn.Linear(in_channels * patch_size * patch_size, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return one D-dimensional token per patch."""
        s = self.image_size
        check_tensor("PatchEmbedding", x, ("B", self.in_channels, s, s))
        if needs_cast("PatchEmbedding", x, self.proj.weight):
            return run_in_dtype(self, x.dtype, x)
        patches = patchify(x, self.patch_size)  # (B, C, s, s) -> (B, T, C*p*p)
        return self.proj(patches)  # (B, T, C*p*p) @ (C*p*p, D) -> (B, T, D)


class ViT(nn.Module):
    """Vision Transformer classifier with a class token.

    Blocks are pre-norm ``TransformerBlock``s, followed by a final LayerNorm and a
    linear head on the class token.

    Args:
        image_size: the side H = W of the square input images. Default: ``8``.
        patch_size: p; it must divide ``image_size``. Default: ``4``.
        in_channels: the channels C of the images. Default: ``1``.
        n_classes: K, the number of classes. Default: ``10``.
        d_model: D, the size of each token. Default: ``64``.
        n_heads: h, the attention heads; it must divide ``d_model``. Default: ``4``.
        n_layers: the number of ``TransformerBlock``s. Default: ``2``.
        d_ff: the width of the feed-forward layers; ``None`` uses ``4 * d_model``.
            Default: ``None``.
        dropout: the dropout probability inside the blocks. Default: ``0.0``.

    Shape:
        - Input: (B, C, H, W) with H = W = image_size
        - Output: (B, K) logits

    Example:
        >>> import torch
        >>> from nnlib.blocks import ViT
        >>> model = ViT(d_model=16, n_heads=2)
        >>> images = torch.zeros(2, 1, 8, 8)
        >>> model(images).shape, model.attention_maps(images)[0].shape  # 4 + 1 tokens
        (torch.Size([2, 10]), torch.Size([2, 2, 5, 5]))
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
        check_int("ViT", "n_classes", n_classes)
        check_int("ViT", "n_layers", n_layers)
        check_heads("ViT", d_model, n_heads)
        if d_ff is not None:
            check_int("ViT", "d_ff", d_ff)
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
        p = self.patch_embed
        size = p.image_size
        check_tensor("ViT", images, ("B", p.in_channels, size, size))
        if needs_cast("ViT", images, self.cls_token):
            return run_in_dtype(self, images.dtype, images)
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
