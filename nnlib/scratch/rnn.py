r"""A vanilla (Elman) recurrent layer with backpropagation through time.

Letters: N batch, T time steps, D input size, H hidden size.

$h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$ with $h_0 = 0$; the layer returns every
$h_t$. The same weights are used at every step, so their gradients are sums
over time. Backward walks the steps in reverse, carrying $dL/dh_{t-1}$ back
through $W_h$: repeated products with $W_h^T$ and $1 - h_t^2$ are why the
gradient can vanish (or explode) over long sequences.
Reference: Elman (1990), "Finding Structure in Time"; Werbos (1990),
"Backpropagation Through Time: What It Does and How to Do It".
"""

import numpy as np

from nnlib._checks import check_grad, check_int, check_shape

from .base import Layer
from .init import init_weight


class RNN(Layer):
    """Tanh recurrent layer; returns the hidden state at every time step.

    Weights are Glorot-uniform, the bias starts at 0. PyTorch's ``nn.RNN`` has
    the same maths with ``weight_ih = Wx.T``, ``weight_hh = Wh.T`` and two
    biases whose sum is ``b``.

    Args:
        input_size: D, the features of each time step.
        hidden_size: H, the size of the hidden state.
        rng: the generator of the initial weights; ``None`` takes the next default
            generator (see ``nnlib.scratch.init``). Default: ``None``.

    Shape:
        - Input: (N, T, D)
        - Output: (N, T, H), the hidden state after every step
        - params: Wx (D, H), Wh (H, H), b (H,)

    Example:
        >>> from nnlib.scratch import RNN
        >>> rnn = RNN(3, 5, rng=np.random.default_rng(0))
        >>> h = rnn(np.ones((2, 4, 3)))
        >>> h.shape, bool(np.abs(h).max() < 1)  # tanh keeps every h_t in (-1, 1)
        ((2, 4, 5), True)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        self.input_size = check_int("RNN", "input_size", input_size)
        self.hidden_size = check_int("RNN", "hidden_size", hidden_size)
        D, H = input_size, hidden_size
        self._add_param("Wx", init_weight("xavier", (D, H), D, H, rng, where="RNN"))
        self._add_param("Wh", init_weight("xavier", (H, H), H, H, rng, where="RNN"))
        self._add_param("b", np.zeros(H))

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Run the recurrence over the T steps, starting from $h_0 = 0$."""
        x = check_shape("RNN", x, ("N", "T", self.input_size))
        Wx, Wh, b = self._params_as(x.dtype, "Wx", "Wh", "b")
        N, T, _ = x.shape
        # the input part does not depend on h: do all steps in one product
        xw = x @ Wx + b  # (N, T, D) @ (D, H) -> (N, T, H)
        hs = np.empty((N, T, self.hidden_size), dtype=x.dtype)
        h = np.zeros((N, self.hidden_size), dtype=x.dtype)
        for t in range(T):
            h = np.tanh(xw[:, t] + h @ Wh)  # (N, H) @ (H, H) -> (N, H)
            hs[:, t] = h
        self._cache = (x, hs)
        return hs

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Backpropagation through time: walk the steps from T-1 back to 0."""
        x, hs = self._saved()
        N, T, D = x.shape
        H = self.hidden_size
        dy = check_grad("RNN", dy, hs.shape)
        Wx, Wh = self._params_as(x.dtype, "Wx", "Wh")
        dz = np.empty_like(hs)  # dL/d(pre-activation) at every step
        dh_next = np.zeros((N, H), dtype=x.dtype)  # gradient arriving from step t+1
        for t in reversed(range(T)):
            dh = dy[:, t] + dh_next  # h_t feeds the output and the next step
            dz[:, t] = dh * (1 - hs[:, t] ** 2)  # through tanh
            dh_next = dz[:, t] @ Wh.T  # (N, H) @ (H, H) -> (N, H)
        # h_{t-1} for every step, with h_{-1} = 0: (N, T, H)
        h_prev = np.zeros_like(hs)
        h_prev[:, 1:] = hs[:, :-1]  # (also right for T = 0: no steps at all)
        dz2 = dz.reshape(N * T, H)  # (N, T, H) -> (N*T, H)
        self._set_grad("Wx", x.reshape(N * T, D).T @ dz2)  # (D, N*T) @ (N*T, H)
        self._set_grad("Wh", h_prev.reshape(N * T, H).T @ dz2)  # (H, N*T) @ (N*T, H)
        self._set_grad("b", dz2.sum(axis=0))  # (H,)
        return dz @ Wx.T  # (N, T, H) @ (H, D) -> (N, T, D)

    def __repr__(self) -> str:
        return f"RNN({self.input_size}, {self.hidden_size})"
