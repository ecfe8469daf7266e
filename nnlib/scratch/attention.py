r"""Multi-head self-attention, written out step by step.

Letters: N batch, T sequence length, D = d_model, h heads, d = D / h per head.

Every position makes a query, a key and a value ($Q = XW_q + b_q$, ...). Within
each head, position $t$ mixes the values of all positions with weights
$\mathrm{softmax}(q_t K^T / \sqrt{d})$; the heads' outputs are joined and
projected by $W_o$. With ``causal=True`` position $t$ only sees positions
$\le t$. Nothing here is more than matrix products and one softmax.
Reference: Vaswani et al. (2017), "Attention Is All You Need"; the same maths
as ``torch.nn.MultiheadAttention`` (``in_proj_weight`` stacks $W_q^T, W_k^T, W_v^T$).
"""

import math

import numpy as np

from nnlib._checks import check_bool, check_grad, check_heads, check_shape

from . import functional as F
from .base import Layer
from .init import init_weight


class MultiHeadSelfAttention(Layer):
    """Scaled dot-product self-attention over ``n_heads`` heads, then a projection.

    Weights are Glorot-uniform, biases 0. The attention weights of the last
    forward are kept in ``.attention`` (N, h, T, T) for plotting.

    Args:
        d_model: D, the features of each position.
        n_heads: h, the number of heads; it must divide ``d_model``.
        causal: if ``True``, position t sees only positions up to t.
            Default: ``False``.
        rng: the generator of the initial weights; ``None`` takes the next default
            generator (see ``nnlib.scratch.init``). Default: ``None``.

    Shape:
        - Input: (N, T, D)
        - Output: (N, T, D)
        - params: Wq, Wk, Wv, Wo (D, D); bq, bk, bv, bo (D,)

    Example:
        >>> from nnlib.scratch import MultiHeadSelfAttention
        >>> rng = np.random.default_rng(0)
        >>> attn = MultiHeadSelfAttention(8, 2, causal=True, rng=rng)
        >>> attn(np.ones((1, 4, 8))).shape, attn.attention.shape
        ((1, 4, 8), (1, 2, 4, 4))
        >>> float(attn.attention[0, 0, 0, 1])  # position 0 does not see position 1
        0.0
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        *,
        causal: bool = False,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.d_model, self.n_heads = check_heads(
            "MultiHeadSelfAttention", d_model, n_heads
        )
        self.causal = check_bool("MultiHeadSelfAttention", "causal", causal)
        self.attention: np.ndarray | None = None
        D = d_model
        for name in "qkvo":
            W = init_weight("xavier", (D, D), D, D, rng, where="MultiHeadSelfAttention")
            self._add_param(f"W{name}", W)
        for name in "qkvo":
            self._add_param(f"b{name}", np.zeros(D))

    def _split(self, a: np.ndarray) -> np.ndarray:
        """(N, T, D) -> (N, h, T, d): one slice of the features per head."""
        N, T, _ = a.shape
        # (N, T, D) -> (N, T, h, d) -> (N, h, T, d)
        d = self.d_model // self.n_heads  # explicit: -1 is ambiguous when N*T = 0
        return a.reshape(N, T, self.n_heads, d).transpose(0, 2, 1, 3)

    @staticmethod
    def _merge(a: np.ndarray) -> np.ndarray:
        """(N, h, T, d) -> (N, T, D): put the heads side by side again."""
        N, h, T, d = a.shape
        return a.transpose(0, 2, 1, 3).reshape(N, T, h * d)  # via (N, T, h, d)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """softmax(Q K^T / sqrt(d)) V per head, then the output projection."""
        x = check_shape("MultiHeadSelfAttention", x, ("N", "T", self.d_model))
        Wq, Wk, Wv, Wo, bq, bk, bv, bo = self._params_as(
            x.dtype, "Wq", "Wk", "Wv", "Wo", "bq", "bk", "bv", "bo"
        )
        T = x.shape[1]
        scale = 1 / math.sqrt(self.d_model // self.n_heads)  # a Python float: no upcast
        # the scores' 1/sqrt(d) is applied to the queries: (N, T, D) is smaller
        # than the (N, h, T, T) scores when T > d, and the product is the same
        q = self._split((x @ Wq + bq) * scale)  # (N,T,D) @ (D,D) -> (N,h,T,d)
        k = self._split(x @ Wk + bk)  # same, unscaled
        v = self._split(x @ Wv + bv)  # same
        # (N, h, T, d) @ (N, h, d, T) -> (N, h, T, T): every query against every key
        scores = q @ k.transpose(0, 1, 3, 2)
        if self.causal:
            future = np.triu(np.ones((T, T), dtype=bool), k=1)  # True where key > query
            scores = np.where(future, -np.inf, scores)  # exp(-inf) = 0 in the softmax
        A = F.softmax(scores, axis=-1)  # (N, h, T, T), rows sum to 1
        context = self._merge(A @ v)  # (N,h,T,T) @ (N,h,T,d) -> (N,h,T,d) -> (N,T,D)
        self.attention = A
        self._cache = (x, q, k, v, A, context)
        return context @ Wo + bo  # (N, T, D) @ (D, D) -> (N, T, D)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Reverse every step of forward; the three projections all feed dx."""
        x, q, k, v, A, context = self._saved()
        dy = check_grad("MultiHeadSelfAttention", dy, x.shape)
        Wq, Wk, Wv, Wo = self._params_as(x.dtype, "Wq", "Wk", "Wv", "Wo")
        N, T, D = x.shape
        scale = 1 / math.sqrt(D // self.n_heads)
        x2, dy2 = x.reshape(N * T, D), dy.reshape(N * T, D)  # (N, T, D) -> (N*T, D)
        self._set_grad("Wo", context.reshape(N * T, D).T @ dy2)  # (D, N*T) @ (N*T, D)
        self._set_grad("bo", dy2.sum(axis=0))
        dctx = self._split(dy @ Wo.T)  # (N, T, D) @ (D, D) -> (N, h, T, d)
        dA = dctx @ v.transpose(0, 1, 3, 2)  # (N,h,T,d) @ (N,h,d,T) -> (N,h,T,T)
        dv = A.transpose(0, 1, 3, 2) @ dctx  # (N,h,T,T) @ (N,h,T,d) -> (N,h,T,d)
        # masked scores have A = 0, so their gradient is 0 without extra work
        dscores = F.softmax_backward(A, dA, axis=-1)  # (N, h, T, T)
        # forward scaled q, so dL/dq takes the scale; q here is already scaled
        dq = dscores @ k * scale  # (N,h,T,T) @ (N,h,T,d) -> (N,h,T,d)
        dk = dscores.transpose(0, 1, 3, 2) @ q  # (N,h,T,T) @ (N,h,T,d) -> (N,h,T,d)
        dx = np.zeros_like(x)
        for name, W, dproj in (("q", Wq, dq), ("k", Wk, dk), ("v", Wv, dv)):
            dproj = self._merge(dproj).reshape(N * T, D)  # (N,h,T,d) -> (N*T, D)
            self._set_grad(f"W{name}", x2.T @ dproj)  # (D, N*T) @ (N*T, D) -> (D, D)
            self._set_grad(f"b{name}", dproj.sum(axis=0))  # (D,)
            dx += (dproj @ W.T).reshape(N, T, D)  # (N*T, D) @ (D, D) -> (N, T, D)
        return dx

    def __repr__(self) -> str:
        return (
            f"MultiHeadSelfAttention(d_model={self.d_model}, n_heads={self.n_heads}, "
            f"causal={self.causal})"
        )
