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

from nnlib._checks import check_number, describe

from .base import Layer


class Optimizer:
    """Base class of the optimizers: ``step()`` updates every parameter in place.

    A subclass writes ``_update(name, p, g)``, the rule for one parameter ``p`` and
    its gradient ``g``; per-parameter buffers live in ``self.state[name]``.

    Args:
        model: a layer or a ``Sequential``, with ``params`` and ``grads``.
        lr: the learning rate, >= 0.

    Example:
        >>> from nnlib.scratch import Dense, Optimizer
        >>> class SignSGD(Optimizer):
        ...     def _update(self, name, p, g):
        ...         p -= self.lr * np.sign(g)
        >>> layer = Dense(2, 1, rng=np.random.default_rng(0))
        >>> layer.grads["b"][...] = 3.0
        >>> SignSGD(layer, 0.5).step()
        >>> layer.params["b"]
        array([-0.5])
    """

    def __init__(self, model: Layer, lr: float) -> None:
        if not (hasattr(model, "params") and hasattr(model, "grads")):
            raise TypeError(
                f"{type(self).__name__} expected model as a layer or Sequential "
                f"with params and grads, got {type(model).__name__}"
            )
        self.model = model
        self.lr = check_number(type(self).__name__, "lr", lr, low=0.0)
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

    Args:
        model: a layer or a ``Sequential``, with ``params`` and ``grads``.
        lr: the learning rate $\eta$, >= 0.
        momentum: $\mu$, >= 0; 0 is plain gradient descent. Default: ``0.0``.

    Example:
        >>> from nnlib.scratch import SGD, Dense
        >>> layer = Dense(2, 1, rng=np.random.default_rng(0))
        >>> layer.grads["b"][...] = 1.0
        >>> opt = SGD(layer, 0.1, momentum=0.9)
        >>> opt.step(); opt.step()
        >>> np.round(layer.params["b"], 4)  # -0.1 * 1, then -0.1 * (0.9 + 1)
        array([-0.29])
    """

    def __init__(self, model: Layer, lr: float, *, momentum: float = 0.0) -> None:
        super().__init__(model, lr)
        self.momentum = check_number("SGD", "momentum", momentum, low=0.0)

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

    Args:
        model: a layer or a ``Sequential``, with ``params`` and ``grads``.
        lr: the learning rate $\eta$, >= 0.
        alpha: the decay $\alpha$ of the running average, in [0, 1].
            Default: ``0.99``.
        eps: $\epsilon$, > 0, keeps the step finite where $v = 0$.
            Default: ``1e-8``.

    Example:
        >>> from nnlib.scratch import Dense, RMSProp
        >>> layer = Dense(2, 1, rng=np.random.default_rng(0))
        >>> layer.grads["b"][...] = 2.0
        >>> RMSProp(layer, 0.01).step()
        >>> np.round(layer.params["b"], 4)  # v = 0.01 * 2^2, step 0.01 * 2 / 0.2
        array([-0.1])
    """

    def __init__(
        self, model: Layer, lr: float, *, alpha: float = 0.99, eps: float = 1e-8
    ) -> None:
        super().__init__(model, lr)
        self.alpha = check_number("RMSProp", "alpha", alpha, low=0.0, high=1.0)
        self.eps = check_number("RMSProp", "eps", eps, low=0.0, low_open=True)

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

    Args:
        model: a layer or a ``Sequential``, with ``params`` and ``grads``.
        lr: the learning rate $\eta$, >= 0. Default: ``1e-3``.
        betas: $(\beta_1, \beta_2)$, the decays of the two running averages, each
            in [0, 1). Default: ``(0.9, 0.999)``.
        eps: $\epsilon$, > 0, keeps the step finite where $v = 0$.
            Default: ``1e-8``.

    Example:
        >>> from nnlib.scratch import Adam, Dense
        >>> layer = Dense(2, 1, rng=np.random.default_rng(0))
        >>> layer.grads["b"][...] = 5.0
        >>> Adam(layer, lr=0.01).step()
        >>> np.round(layer.params["b"], 4)  # the first step is lr, whatever |g|
        array([-0.01])
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
        if not isinstance(betas, tuple | list):
            raise TypeError(
                f"Adam expected betas as a pair (beta1, beta2), got {describe(betas)}"
            )
        if len(betas) != 2:
            raise ValueError(
                f"Adam expected betas as a pair (beta1, beta2), got {tuple(betas)}"
            )
        self.betas = tuple(
            check_number("Adam", f"betas[{i}]", b, low=0.0, high=1.0, high_open=True)
            for i, b in enumerate(betas)
        )
        self.eps = check_number("Adam", "eps", eps, low=0.0, low_open=True)
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
