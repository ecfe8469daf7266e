"""Optimizers: turn gradients into parameter updates, exactly as ``torch.optim``.

Each optimizer holds a model (a layer or a ``Sequential``); ``step()`` reads
``model.grads`` and updates ``model.params`` in place, so the layers see the
new values. Per-parameter state (momentum buffers, running averages) is keyed
by the parameter's name. Call ``model.astype(...)`` before building the
optimizer, not after.
Reference: the update rules of ``torch.optim.SGD``, ``RMSprop`` and ``Adam``
(PyTorch documentation); Kingma & Ba (2015), "Adam"; Hinton's lecture 6e
(RMSProp).
"""

import math

import numpy as np

from .base import Layer


def _hyper(
    name: str,
    value: float,
    *,
    low: float,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = True,
) -> float:
    """``value`` as a float, or a ValueError naming the hyperparameter and its range.

    NaN fails every comparison, so it is caught too (``lr=nan`` used to train to NaN).
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name} expected a number, got {type(value).__name__}")
    value = float(value)
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    if not (above and below):
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(
            f"{name} expected a value in {left}{low:g}, {high:g}{right}, got {value}"
        )
    return value


class Optimizer:
    """Base class: remembers the model and per-parameter state."""

    def __init__(self, model: Layer, lr: float) -> None:
        if not (hasattr(model, "params") and hasattr(model, "grads")):
            raise TypeError(
                f"optimizer expected a layer or Sequential with params and grads, "
                f"got {type(model).__name__}"
            )
        self.model = model
        self.lr = _hyper("lr", lr, low=0.0)
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def step(self) -> None:
        """Update every parameter once from its current gradient."""
        grads = self.model.grads
        for name, p in self.model.params.items():
            self._update(name, p, grads[name])

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def _buffer(self, name: str, key: str, like: np.ndarray) -> np.ndarray:
        """A zero-initialised state array for parameter ``name``."""
        slot = self.state.setdefault(name, {})
        if key not in slot:
            slot[key] = np.zeros_like(like)
        return slot[key]


class SGD(Optimizer):
    r"""Gradient descent with optional momentum (PyTorch's form, no dampening).

    $b \leftarrow \mu b + g$ (with $b = g$ at the first step), then
    $p \leftarrow p - \eta b$; without momentum simply $p \leftarrow p - \eta g$.
    """

    def __init__(self, model: Layer, lr: float, *, momentum: float = 0.0) -> None:
        super().__init__(model, lr)
        self.momentum = _hyper("momentum", momentum, low=0.0)

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        if self.momentum == 0:
            p -= self.lr * g
            return
        buf = self._buffer(name, "momentum", p)
        buf *= self.momentum  # 0 at the first step, so buf becomes g
        buf += g
        p -= self.lr * buf

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, momentum={self.momentum})"


class RMSProp(Optimizer):
    r"""Divide each step by a running RMS of recent gradients (PyTorch's RMSprop).

    $v \leftarrow \alpha v + (1 - \alpha) g^2$, then
    $p \leftarrow p - \eta\, g / (\sqrt{v} + \epsilon)$ ($\epsilon$ outside the root).
    """

    def __init__(
        self, model: Layer, lr: float, *, alpha: float = 0.99, eps: float = 1e-8
    ) -> None:
        super().__init__(model, lr)
        self.alpha = _hyper("alpha", alpha, low=0.0, high=1.0, high_open=False)
        self.eps = _hyper("eps", eps, low=0.0, low_open=True)

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        v = self._buffer(name, "square_avg", p)
        v *= self.alpha
        v += (1 - self.alpha) * g * g
        p -= self.lr * g / (np.sqrt(v) + self.eps)

    def __repr__(self) -> str:
        return f"RMSProp(lr={self.lr}, alpha={self.alpha}, eps={self.eps})"


class Adam(Optimizer):
    r"""Momentum plus RMS scaling, with bias correction (PyTorch's Adam).

    $m \leftarrow \beta_1 m + (1-\beta_1) g$,
    $v \leftarrow \beta_2 v + (1-\beta_2) g^2$,
    $p \leftarrow p - \frac{\eta}{1-\beta_1^t} \cdot
    \frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}$ at step $t = 1, 2, \ldots$
    """

    def __init__(
        self,
        model: Layer,
        lr: float = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(model, lr)
        if not (isinstance(betas, tuple | list) and len(betas) == 2):
            raise ValueError(f"betas expected a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _hyper("betas[0]", betas[0], low=0.0, high=1.0),
            _hyper("betas[1]", betas[1], low=0.0, high=1.0),
        )
        self.eps = _hyper("eps", eps, low=0.0, low_open=True)
        self.t = 0

    def step(self) -> None:
        """Advance the step counter, then update every parameter."""
        self.t += 1
        super().step()

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        beta1, beta2 = self.betas
        m = self._buffer(name, "exp_avg", p)
        v = self._buffer(name, "exp_avg_sq", p)
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        step_size = self.lr / (1 - beta1**self.t)
        denom = np.sqrt(v) / math.sqrt(1 - beta2**self.t) + self.eps
        p -= step_size * m / denom

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps})"
