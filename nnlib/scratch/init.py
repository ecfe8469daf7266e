"""Weight initialisation: Xavier/Glorot and He (Kaiming), drawn from an explicit rng.

Every function takes ``rng``: a ``np.random.Generator``, or ``None`` for the next
default generator. Default generators are children of one ``np.random.SeedSequence``
seeded with ``DEFAULT_SEED`` (0): each ``rng=None`` call spawns a new, independent
child, so two ``Dense(4, 4)`` get different weights, and a fresh process that builds
the same layers in the same order gets the same weights again.
``seed_default_rng(seed)`` restarts the sequence (``nnlib.train.seed_everything``
calls it). An explicit generator is still the clearest way to say where weights
come from.

References: Glorot & Bengio (2010), "Understanding the difficulty of training
deep feedforward neural networks"; He et al. (2015), "Delving Deep into
Rectifiers".
"""

import math

import numpy as np

DEFAULT_SEED = 0
# the root of every default generator; each rng=None spawns one independent child
_default_seeds = np.random.SeedSequence(DEFAULT_SEED)


def seed_default_rng(seed: int = DEFAULT_SEED) -> None:
    """Restart the default generators: the next ``rng=None`` layers repeat their
    weights from the start of the sequence for ``seed``."""
    global _default_seeds
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed expected a non-negative int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed expected a non-negative int, got {seed}")
    _default_seeds = np.random.SeedSequence(int(seed))


def get_rng(rng: np.random.Generator | None = None) -> np.random.Generator:
    """Return ``rng``, or the next independent default generator if ``None``."""
    if rng is None:
        (child,) = _default_seeds.spawn(1)
        return np.random.default_rng(child)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
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
