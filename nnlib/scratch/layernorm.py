r"""Layer normalisation: standardise each feature vector, then scale and shift.

Letters: D features (the last axis); everything before it is batch-like.

$\hat x = (x - \mu) / \sqrt{\sigma^2 + \epsilon}$ with the mean and the biased
variance taken over the last axis, then $y = \gamma \hat x + \beta$.
Reference: Ba, Kiros & Hinton (2016), "Layer Normalization".
"""

import numpy as np

from nnlib._checks import check_grad, check_int, check_last_dim, check_number

from .base import Layer


class LayerNorm(Layer):
    """Normalise over the last axis (as ``torch.nn.LayerNorm(d)``).

    Args:
        d: the size D of the last axis.
        eps: a small number added to the variance, so that a constant row does not
            divide by zero. Default: ``1e-5``.

    Shape:
        - Input: (..., D) with D = d
        - Output: (..., D)
        - params: gamma (d,) starting at 1, beta (d,) starting at 0

    Example:
        >>> from nnlib.scratch import LayerNorm
        >>> y = LayerNorm(4)(np.array([[1.0, 2.0, 3.0, 4.0]]))
        >>> bool(np.allclose(y.mean(axis=-1), 0)), round(float(y.std()), 4)
        (True, 1.0)
    """

    def __init__(self, d: int, *, eps: float = 1e-5) -> None:
        super().__init__()
        self.d = check_int("LayerNorm", "d", d)
        self.eps = check_number("LayerNorm", "eps", eps, low=0.0, low_open=True)
        self._add_param("gamma", np.ones(d))
        self._add_param("beta", np.zeros(d))

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$\gamma \hat x + \beta$."""
        x = check_last_dim("LayerNorm", x, self.d)
        gamma, beta = self._params_as(x.dtype, "gamma", "beta")
        mu = x.mean(axis=-1, keepdims=True)  # (..., 1)
        var = x.var(axis=-1, keepdims=True)  # (..., 1), biased (divides by d)
        inv_std = 1 / np.sqrt(var + self.eps)  # (..., 1)
        x_hat = (x - mu) * inv_std  # (..., d)
        self._cache = (x_hat, inv_std)
        return x_hat * gamma + beta

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""Input gradient $(g - \bar g - \hat x\,\overline{g \hat x}) / \sigma$.

        Here $g = \gamma\,dy$, bars are means over the last axis and
        $\sigma = \sqrt{\mathrm{var} + \epsilon}$.
        """
        x_hat, inv_std = self._saved()
        dy = check_grad("LayerNorm", dy, x_hat.shape)
        (gamma,) = self._params_as(x_hat.dtype, "gamma")
        batch_axes = tuple(range(dy.ndim - 1))  # every axis but the last
        self._set_grad("gamma", (dy * x_hat).sum(axis=batch_axes))  # (d,)
        self._set_grad("beta", dy.sum(axis=batch_axes))  # (d,)
        g = dy * gamma  # dL/dx_hat, (..., d)
        g_mean = g.mean(axis=-1, keepdims=True)  # (..., 1)
        gx_mean = (g * x_hat).mean(axis=-1, keepdims=True)  # (..., 1)
        return inv_std * (g - g_mean - x_hat * gx_mean)

    def __repr__(self) -> str:
        return f"LayerNorm({self.d}, eps={self.eps})"
