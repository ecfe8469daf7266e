r"""A single neuron: a weighted sum of the inputs plus a bias, then an activation.

$z = x \cdot w + b$, $y = f(z)$. With the sigmoid activation this is logistic
regression; with the identity it fits $y = ax + b$.
"""

import numpy as np

from nnlib._checks import check_choice, check_grad, check_int, check_shape

from . import functional as F
from .base import Layer
from .init import init_weight

# name -> (f, f') ; each takes the pre-activation z
ACTIVATIONS = {
    "identity": (F.identity, F.identity_derivative),
    "sigmoid": (F.sigmoid, F.sigmoid_derivative),
    "relu": (F.relu, F.relu_derivative),
    "tanh": (F.tanh, F.tanh_derivative),
}


class Neuron(Layer):
    """One neuron with ``n_inputs`` weights, a bias and an activation.

    Weights are Glorot-uniform (He-normal for ``"relu"``); the bias starts at 0.

    Args:
        n_inputs: the number of input features.
        activation: ``"identity"``, ``"sigmoid"``, ``"relu"`` or ``"tanh"``.
            Default: ``"identity"``.
        rng: the generator of the initial weights; ``None`` takes the next default
            generator (see ``nnlib.scratch.init``). Default: ``None``.

    Shape:
        - Input: (N, n_inputs)
        - Output: (N,)
        - params: w (n_inputs,), b () (a 0-d array)

    Example:
        >>> from nnlib.scratch import Neuron
        >>> neuron = Neuron(3, activation="sigmoid", rng=np.random.default_rng(0))
        >>> neuron(np.zeros((4, 3)))  # sigmoid(0 + b) with b = 0
        array([0.5, 0.5, 0.5, 0.5])
    """

    def __init__(
        self,
        n_inputs: int,
        *,
        activation: str = "identity",
        rng: np.random.Generator | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(activation, str):
            raise TypeError(
                f"Neuron expected activation as a name (str), "
                f"got {type(activation).__name__}"
            )
        check_choice("Neuron", "activation", activation, sorted(ACTIVATIONS))
        self.n_inputs = check_int("Neuron", "n_inputs", n_inputs)
        self.activation = activation
        kind = "he" if activation == "relu" else "xavier"
        w = init_weight(kind, (n_inputs,), n_inputs, 1, rng, where="Neuron")
        self._add_param("w", w)
        self._add_param("b", np.zeros(()))

    def forward(self, x: np.ndarray) -> np.ndarray:
        r"""$y = f(x \cdot w + b)$."""
        x = check_shape("Neuron", x, ("N", self.n_inputs))
        w, b = self._params_as(x.dtype, "w", "b")
        z = x @ w + b  # (N, n) @ (n,) -> (N,)
        self._cache = (x, z)
        f, _ = ACTIVATIONS[self.activation]
        return f(z)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        r"""Chain rule through $z$: $dz = dy \cdot f'(z)$.

        Then $dw = x^T dz$, $db = \sum_n dz_n$ and $dx = dz\,w^T$.
        """
        x, z = self._saved()
        dy = check_grad("Neuron", dy, z.shape)
        (w,) = self._params_as(x.dtype, "w")
        _, df = ACTIVATIONS[self.activation]
        dz = dy * df(z)  # (N,)
        self._set_grad("w", x.T @ dz)  # (n, N) @ (N,) -> (n,)
        self._set_grad("b", np.asarray(dz.sum()))  # () like b
        return np.outer(dz, w)  # (N,) x (n,) -> (N, n)

    def __repr__(self) -> str:
        return f"Neuron({self.n_inputs}, activation={self.activation!r})"
