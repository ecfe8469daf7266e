"""Dense (fully connected) layer: every input feeds every output.

$y = xW + b$. Letters: N batch, in/out the feature counts.
"""

import numpy as np

from ._checks import check_grad, check_positive, check_shape
from .base import Layer
from .init import init_weight


class Dense(Layer):
    """Affine map $y = xW + b$ (``torch.nn.Linear`` stores $W^T$ instead).

    ``init="he"`` (default, for ReLU networks) draws $W$ from $N(0, 2/n_{in})$;
    ``init="xavier"`` uses Glorot uniform. The bias starts at 0.

    Shape:
        input (N, in_features) -> output (N, out_features).
        params: W (in_features, out_features), b (out_features,).
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
        self.in_features = check_positive(in_features, "in_features")
        self.out_features = check_positive(out_features, "out_features")
        shape = (in_features, out_features)
        self._add_param("W", init_weight(init, shape, in_features, out_features, rng))
        self._add_param("b", np.zeros(out_features))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """$y = xW + b$."""
        x = check_shape(x, "Dense", ("N", self.in_features))
        W, b = self._params_as(x.dtype, "W", "b")
        self._cache = (x,)
        return x @ W + b  # (N, in) @ (in, out) -> (N, out), + (out,)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""$dW = x^T dy$, $db = \sum_n dy$, $dx = dy\,W^T$."""
        (x,) = self._saved()
        dy = check_grad(dy, "Dense", (x.shape[0], self.out_features))
        (W,) = self._params_as(x.dtype, "W")
        self.grads["W"] = x.T @ dy  # (in, N) @ (N, out) -> (in, out)
        self.grads["b"] = dy.sum(axis=0)  # (N, out) -> (out,)
        return dy @ W.T  # (N, out) @ (out, in) -> (N, in)

    def __repr__(self) -> str:
        return f"Dense({self.in_features}, {self.out_features})"
