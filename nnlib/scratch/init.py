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

from nnlib._checks import check_choice, check_seed

DEFAULT_SEED = 0
# the root of every default generator; each rng=None spawns one independent child
_default_seeds = np.random.SeedSequence(DEFAULT_SEED)


def seed_default_rng(seed: int = DEFAULT_SEED) -> None:
    """Restart the default generators, so ``rng=None`` layers repeat their weights.

    The next layers built with ``rng=None`` get the weights of the start of the
    sequence for ``seed``.

    Args:
        seed: a non-negative int. Default: ``DEFAULT_SEED`` (0).

    Example:
        >>> from nnlib.scratch import Dense, init
        >>> init.seed_default_rng(0)
        >>> W = Dense(2, 2).params["W"]
        >>> init.seed_default_rng(0)
        >>> bool((Dense(2, 2).params["W"] == W).all())
        True
    """
    global _default_seeds
    seed = check_seed("seed_default_rng", seed)
    _default_seeds = np.random.SeedSequence(seed)


def get_rng(
    rng: np.random.Generator | None = None, *, where: str = "get_rng"
) -> np.random.Generator:
    """Return ``rng``, or the next independent default generator if ``None``.

    Args:
        rng: a ``np.random.Generator`` or ``None``. Default: ``None``.
        where: the caller, named in the error for anything else (``Dense``).
            Default: ``"get_rng"``.

    Example:
        >>> from nnlib.scratch.init import get_rng
        >>> rng = np.random.default_rng(0)
        >>> get_rng(rng) is rng, type(get_rng(None)).__name__
        (True, 'Generator')
    """
    if rng is None:
        (child,) = _default_seeds.spawn(1)
        return np.random.default_rng(child)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{where} expected rng as a np.random.Generator or None, "
            f"got {type(rng).__name__}"
        )
    return rng


def xavier_uniform(
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    r"""Glorot uniform: $U(-a, a)$ with $a = \sqrt{6 / (n_{in} + n_{out})}$.

    Args:
        shape: the shape of the weights.
        fan_in: $n_{in}$, the inputs of one unit.
        fan_out: $n_{out}$, the outputs of one unit.
        rng: the generator to draw from; ``None`` takes the next default
            generator. Default: ``None``.

    Example:
        >>> from nnlib.scratch.init import xavier_uniform
        >>> W = xavier_uniform((100, 50), 100, 50, np.random.default_rng(0))
        >>> W.shape, bool(np.abs(W).max() <= np.sqrt(6 / 150))
        ((100, 50), True)
    """
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return get_rng(rng).uniform(-a, a, size=shape)


def xavier_normal(
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    r"""Glorot normal: $N(0, \sigma^2)$, $\sigma = \sqrt{2 / (n_{in} + n_{out})}$.

    Args:
        shape: the shape of the weights.
        fan_in: $n_{in}$, the inputs of one unit.
        fan_out: $n_{out}$, the outputs of one unit.
        rng: the generator to draw from; ``None`` takes the next default
            generator. Default: ``None``.

    Example:
        >>> from nnlib.scratch.init import xavier_normal
        >>> W = xavier_normal((200, 100), 200, 100, np.random.default_rng(0))
        >>> W.shape, round(float(W.std()), 2)  # sqrt(2 / 300) = 0.082
        ((200, 100), 0.08)
    """
    std = math.sqrt(2.0 / (fan_in + fan_out))
    return get_rng(rng).normal(0.0, std, size=shape)


def he_normal(
    shape: tuple[int, ...], fan_in: int, rng: np.random.Generator | None = None
) -> np.ndarray:
    r"""He normal, for ReLU networks: $N(0, \sigma^2)$, $\sigma = \sqrt{2 / n_{in}}$.

    Args:
        shape: the shape of the weights.
        fan_in: $n_{in}$, the inputs of one unit.
        rng: the generator to draw from; ``None`` takes the next default
            generator. Default: ``None``.

    Example:
        >>> from nnlib.scratch.init import he_normal
        >>> W = he_normal((200, 100), 200, np.random.default_rng(0))
        >>> W.shape, round(float(W.std()), 2)  # sqrt(2 / 200) = 0.1
        ((200, 100), 0.1)
    """
    std = math.sqrt(2.0 / fan_in)
    return get_rng(rng).normal(0.0, std, size=shape)


def he_uniform(
    shape: tuple[int, ...], fan_in: int, rng: np.random.Generator | None = None
) -> np.ndarray:
    r"""He uniform: $U(-a, a)$ with $a = \sqrt{6 / n_{in}}$.

    Args:
        shape: the shape of the weights.
        fan_in: $n_{in}$, the inputs of one unit.
        rng: the generator to draw from; ``None`` takes the next default
            generator. Default: ``None``.

    Example:
        >>> from nnlib.scratch.init import he_uniform
        >>> W = he_uniform((100, 50), 100, np.random.default_rng(0))
        >>> W.shape, bool(np.abs(W).max() <= np.sqrt(6 / 100))
        ((100, 50), True)
    """
    a = math.sqrt(6.0 / fan_in)
    return get_rng(rng).uniform(-a, a, size=shape)


def init_weight(
    kind: str,
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | None = None,
    *,
    where: str = "init_weight",
) -> np.ndarray:
    """Draw weights by name: ``"xavier"`` (Glorot uniform) or ``"he"`` (He normal).

    Args:
        kind: ``"xavier"`` or ``"he"``.
        shape: the shape of the weights.
        fan_in: the inputs of one unit.
        fan_out: the outputs of one unit (``"he"`` does not use it).
        rng: the generator to draw from; ``None`` takes the next default
            generator. Default: ``None``.
        where: the layer being built, named in the errors for a wrong ``init``
            or ``rng``. Default: ``"init_weight"``.

    Example:
        >>> from nnlib.scratch.init import init_weight
        >>> init_weight("he", (3, 2), 3, 2, np.random.default_rng(0)).shape
        (3, 2)
    """
    check_choice(where, "init", kind, ("xavier", "he"))
    rng = get_rng(rng, where=where)
    if kind == "xavier":
        return xavier_uniform(shape, fan_in, fan_out, rng)
    return he_normal(shape, fan_in, rng)
