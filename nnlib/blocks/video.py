"""Video classification: convolve over time too, or look at frames one by one.

Letters: B batch, C channels, T frames, H height, W width, K classes, D features.

A 3D convolution slides a k x k x k kernel over (T, H, W) (Ji et al., 2013; Tran et
al., C3D, 2015): one kernel can respond to an edge that moves right from one frame
to the next, so motion is something it can see. The baseline ``FrameCNN`` applies a
2D CNN to each frame on its own and averages the frames' features: it cannot tell
a clip from the same clip played backwards (nor any reordering of its frames), so
it cannot tell "moves right" from "moves left". Default widths give the two about
the same number of parameters (3.8 thousand), so the comparison is about what the
models can see, not their size.
"""

from __future__ import annotations

import torch
from torch import nn

from nnlib._checks import check_bool, check_int, check_nonempty, check_tensor
from nnlib.blocks._dtype import needs_cast, run_in_dtype


class Conv3DClassifier(nn.Module):
    """Two 3x3x3 convolutions over (T, H, W), global average pooling, a linear head.

    ``Conv3d -> BN -> ReLU -> MaxPool (1, 2, 2) -> Conv3d -> BN -> ReLU -> mean over
    (T, H, W) -> Linear``, with ``width`` and ``2 * width`` channels; convolutions
    are padded by 1, so T, H and W keep their sizes until the pooling (which halves
    H and W only: time is kept whole).

    Args:
        in_channels: channels of each frame. Default: ``1``.
        n_classes: number of classes K. Default: ``4``.
        width: channels of the first convolution. Default: ``8``.
        norm: batch normalisation after each convolution. Default: ``True``.

    Shape:
        - Input: (B, in_channels, T, H, W)
        - Output: (B, n_classes) logits

    Returns:
        Class logits.

    Example:
        >>> import torch
        >>> from nnlib.blocks import Conv3DClassifier
        >>> model = Conv3DClassifier(1, 4)
        >>> tuple(model(torch.zeros(2, 1, 8, 16, 16)).shape)
        (2, 4)
        >>> sum(p.numel() for p in model.parameters())
        3788
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_classes: int = 4,
        *,
        width: int = 8,
        norm: bool = True,
    ) -> None:
        super().__init__()
        where = "Conv3DClassifier"
        self.in_channels = check_int(where, "in_channels", in_channels)
        self.n_classes = check_int(where, "n_classes", n_classes)
        self.width = check_int(where, "width", width)
        norm = check_bool(where, "norm", norm)
        w = width
        self.features = nn.Sequential(
            nn.Conv3d(in_channels, w, 3, padding=1, bias=not norm),
            nn.BatchNorm3d(w) if norm else nn.Identity(),
            nn.ReLU(),
            nn.MaxPool3d((1, 2, 2)),  # halve H and W, keep every frame
            nn.Conv3d(w, 2 * w, 3, padding=1, bias=not norm),
            nn.BatchNorm3d(2 * w) if norm else nn.Identity(),
            nn.ReLU(),
        )
        self.head = nn.Linear(2 * w, n_classes)

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        """Return class logits for a batch of clips."""
        check_tensor("Conv3DClassifier", clips, ("B", self.in_channels, "T", "H", "W"))
        check_nonempty("Conv3DClassifier", clips)
        if needs_cast(
            "Conv3DClassifier", clips, self.head.weight
        ):  # the dtype rule (blocks/_dtype.py)
            return run_in_dtype(self, clips.dtype, clips)
        x = self.features(clips)  # (B, C, T, H, W) -> (B, 2w, T, H/2, W/2)
        x = x.mean(dim=(2, 3, 4))  # -> (B, 2w): average over time and space
        return self.head(x)  # -> (B, K)


class FrameCNN(nn.Module):
    """The per-frame baseline: a 2D CNN on every frame, features averaged over time.

    ``Conv2d -> BN -> ReLU -> MaxPool 2 -> Conv2d -> BN -> ReLU -> mean over (H, W)``
    per frame, with ``width`` and ``2 * width`` channels, then the mean over frames
    and a linear head. The default ``width=14`` matches ``Conv3DClassifier``'s
    default parameter count within 2 % (a 3x3 kernel has a third of the weights of
    a 3x3x3 one, so the channels grow by about $\\sqrt{3}$).

    Args:
        in_channels: channels of each frame. Default: ``1``.
        n_classes: number of classes K. Default: ``4``.
        width: channels of the first convolution. Default: ``14``.
        norm: batch normalisation after each convolution. Default: ``True``.

    Shape:
        - Input: (B, in_channels, T, H, W)
        - Output: (B, n_classes) logits

    Returns:
        Class logits, the same for any order of the frames.

    Example:
        >>> import torch
        >>> from nnlib.blocks import FrameCNN
        >>> model = FrameCNN(1, 4)
        >>> tuple(model(torch.zeros(2, 1, 8, 16, 16)).shape)
        (2, 4)
        >>> sum(p.numel() for p in model.parameters())
        3854
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_classes: int = 4,
        *,
        width: int = 14,
        norm: bool = True,
    ) -> None:
        super().__init__()
        where = "FrameCNN"
        self.in_channels = check_int(where, "in_channels", in_channels)
        self.n_classes = check_int(where, "n_classes", n_classes)
        self.width = check_int(where, "width", width)
        norm = check_bool(where, "norm", norm)
        w = width
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, w, 3, padding=1, bias=not norm),
            nn.BatchNorm2d(w) if norm else nn.Identity(),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(w, 2 * w, 3, padding=1, bias=not norm),
            nn.BatchNorm2d(2 * w) if norm else nn.Identity(),
            nn.ReLU(),
        )
        self.head = nn.Linear(2 * w, n_classes)

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        """Return class logits for a batch of clips."""
        check_tensor("FrameCNN", clips, ("B", self.in_channels, "T", "H", "W"))
        check_nonempty("FrameCNN", clips)
        if needs_cast(
            "FrameCNN", clips, self.head.weight
        ):  # the dtype rule (blocks/_dtype.py)
            return run_in_dtype(self, clips.dtype, clips)
        B, C, T, H, W = clips.shape
        frames = clips.transpose(1, 2).reshape(B * T, C, H, W)  # every frame an image
        x = self.features(frames)  # (B*T, C, H, W) -> (B*T, 2w, H/2, W/2)
        x = x.mean(dim=(2, 3)).reshape(B, T, -1)  # -> (B*T, 2w) -> (B, T, 2w)
        return self.head(x.mean(dim=1))  # mean over frames (B, 2w) -> (B, K)
