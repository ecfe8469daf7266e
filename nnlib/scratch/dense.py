"""Dense (fully connected) layer: every input feeds every output.

$y = xW + b$. Letters: N batch, in/out the feature counts.
"""

import numpy as np

from nnlib._checks import check_grad, check_int, check_shape

from .base import Layer
from .init import init_weight


class Dense(Layer):
    """Affine map $y = xW + b$ (``torch.nn.Linear`` stores $W^T$ instead).

    Args:
        in_features: the size of each input row.
        out_features: the size of each output row.
        rng: the generator of the initial weights; ``None`` takes the next default
            generator (see ``nnlib.scratch.init``). Default: ``None``.
        init: ``"he"`` draws $W$ from $N(0, 2/n_{in})$ (for ReLU networks);
            ``"xavier"`` uses Glorot uniform. The bias starts at 0. Default: ``"he"``.

    Shape:
        - Input: (N, in_features)
        - Output: (N, out_features)
        - params: W (in_features, out_features), b (out_features,)

    Example:
        >>> from nnlib.scratch import Dense
        >>> layer = Dense(4, 3, rng=np.random.default_rng(0))
        >>> layer(np.ones((2, 4))).shape
        (2, 3)
        >>> layer.backward(np.ones((2, 3))).shape, layer.grads["W"].shape
        ((2, 4), (4, 3))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        rng: np.random.Generator | None = None,
        init: str = "he",
    ) -> None:
        super().__init__()
        self.in_features = check_int("Dense", "in_features", in_features)
        self.out_features = check_int("Dense", "out_features", out_features)
        shape = (in_features, out_features)
        W = init_weight(init, shape, in_features, out_features, rng, where="Dense")
        self._add_param("W", W)
        self._add_param("b", np.zeros(out_features))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """$y = xW + b$."""
        x = check_shape("Dense", x, ("N", self.in_features))
        W, b = self._params_as(x.dtype, "W", "b")
        self._cache = (x,)
        return x @ W + b  # (N, in) @ (in, out) -> (N, out), + (out,)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""$dW = x^T dy$, $db = \sum_n dy$, $dx = dy\,W^T$."""
        (x,) = self._saved()
        dy = check_grad("Dense", dy, (x.shape[0], self.out_features))
        (W,) = self._params_as(x.dtype, "W")
        self._set_grad("W", x.T @ dy)  # (in, N) @ (N, out) -> (in, out)
        self._set_grad("b", dy.sum(axis=0))  # (N, out) -> (out,)
        return dy @ W.T  # (N, out) @ (out, in) -> (N, in)

    def __repr__(self) -> str:
        return f"Dense({self.in_features}, {self.out_features})"
