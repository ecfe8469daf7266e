"""Weight initialisation: Xavier/Glorot and He (Kaiming), drawn from an explicit rng.

Every function takes ``rng``: a ``np.random.Generator``, or ``None`` for a fresh
generator seeded with ``DEFAULT_SEED`` (0), so code that passes no generator is
still reproducible. Note that two layers built with ``rng=None`` draw the same
numbers; pass one shared generator to give them different weights.

References: Glorot & Bengio (2010), "Understanding the difficulty of training
deep feedforward neural networks"; He et al. (2015), "Delving Deep into
Rectifiers".
"""

import math

import numpy as np

DEFAULT_SEED = 0


def get_rng(rng: np.random.Generator | None = None) -> np.random.Generator:
    """Return ``rng``, or a new generator seeded with ``DEFAULT_SEED`` if ``None``."""
    if rng is None:
        return np.random.default_rng(DEFAULT_SEED)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng expected a np.random.Generator or None, got {type(rng).__name__}"
        )
    return rng


def xavier_uniform(
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    r"""Glorot uniform: $U(-a, a)$ with $a = \sqrt{6 / (n_{in} + n_{out})}$."""
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return get_rng(rng).uniform(-a, a, size=shape)


def xavier_normal(
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    r"""Glorot normal: $N(0, \sigma^2)$, $\sigma = \sqrt{2 / (n_{in} + n_{out})}$."""
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return get_rng(rng).normal(0.0, std, size=shape)


def he_normal(
    shape: tuple[int, ...], fan_in: int, rng: np.random.Generator | None = None
) -> np.ndarray:
    r"""He normal, for ReLU networks: $N(0, \sigma^2)$, $\sigma = \sqrt{2 / n_{in}}$."""
    std = math.sqrt(2.0 / fan_in)
    return get_rng(rng).normal(0.0, std, size=shape)


def he_uniform(
    shape: tuple[int, ...], fan_in: int, rng: np.random.Generator | None = None
) -> np.ndarray:
    r"""He uniform: $U(-a, a)$ with $a = \sqrt{6 / n_{in}}$."""
    a = math.sqrt(6.0 / fan_in)
    return get_rng(rng).uniform(-a, a, size=shape)


def init_weight(
    kind: str,
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Draw weights by name: ``"xavier"`` (Glorot uniform) or ``"he"`` (He normal)."""
    if kind == "xavier":
        return xavier_uniform(shape, fan_in, fan_out, rng)
    if kind == "he":
        return he_normal(shape, fan_in, rng)
    raise ValueError(f"init expected 'xavier' or 'he', got {kind!r}")
