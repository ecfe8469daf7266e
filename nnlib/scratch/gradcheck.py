r"""Numerical gradient check: compare backward with central differences.

To test a layer with a vector output $y$, take a fixed random direction $P$ and
the scalar $f = \sum y \odot P$. Backward with $dy = P$ gives the analytic
gradient of $f$; the numerical one is $(f(x + \epsilon e_i) - f(x - \epsilon e_i))
/ 2\epsilon$ for every entry $i$ of the input and of every parameter. The two
should agree to about 1e-8 or better in float64.

The error of one array is $\|g_a - g_n\| / \max(\|g_a\| + \|g_n\|, 1)$: relative
for gradients of norm above 1, absolute below. The floor matters when a gradient
is exactly zero (the key bias of attention, whose shift the softmax ignores):
then $g_n$ is pure rounding noise, about 1e-9, and a plain ratio would report 1.
Reference: cs231n, "Gradient checks" (Karpathy's notes).
"""

import numpy as np

from nnlib._checks import as_float_array, check_number, check_seed

from .base import Layer


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    r"""$\|a - b\| / \max(\|a\| + \|b\|, 1)$ (see the module docstring)."""
    denom = max(np.linalg.norm(a) + np.linalg.norm(b), 1.0)
    return float(np.linalg.norm(a - b) / denom)


def _numerical(f, array: np.ndarray, eps: float) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to ``array``.

    ``array`` is nudged in place, one entry at a time, and restored.
    """
    grad = np.zeros_like(array)
    for i in np.ndindex(array.shape):  # every entry, whatever the rank (even 0-d)
        old = array[i]
        array[i] = old + eps
        f_plus = f()
        array[i] = old - eps
        f_minus = f()
        array[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def gradient_errors(
    layer: Layer, x: np.ndarray, *, eps: float = 1e-6, seed: int = 0
) -> dict[str, float]:
    """Relative error between analytic and numerical gradients, per array.

    Needs float64 input and parameters (float32 rounding would swamp the
    differences). The layer's cache is left as after ``layer.forward(x)``.

    Args:
        layer: a layer or ``Sequential`` with ``forward``, ``backward``,
            ``params`` and ``grads``.
        x: an input the layer takes.
        eps: the step of the central differences. Default: ``1e-6``.
        seed: the seed of the random projection $P$ of the output. Default: ``0``.

    Returns:
        ``{"x": ..., "<param name>": ...}``: the error of the input's gradient and
        of every parameter's.

    Example:
        >>> from nnlib.scratch import Dense, gradient_errors
        >>> layer = Dense(3, 2, rng=np.random.default_rng(0))
        >>> errors = gradient_errors(layer, np.ones((4, 3)))
        >>> sorted(errors), all(e < 1e-7 for e in errors.values())
        (['W', 'b', 'x'], True)
    """
    if not all(hasattr(layer, a) for a in ("forward", "backward", "params", "grads")):
        raise TypeError(
            f"gradcheck expected a layer (forward, backward, params, grads), "
            f"got {type(layer).__name__}"
        )
    eps = check_number("gradcheck", "eps", eps, low=0.0, low_open=True)
    seed = check_seed("gradcheck", seed)
    x = as_float_array("gradcheck", x, name="x")
    if not np.isfinite(x).all():  # NaN differences would make the error NaN
        raise ValueError("gradcheck expected finite values in x, got NaN or inf")
    x = np.array(x, dtype=np.float64)  # a private copy: the caller's x is never nudged
    for name, p in layer.params.items():
        if p.dtype != np.float64:
            raise TypeError(
                f"gradcheck expected float64 parameters, got {name} as {p.dtype}; "
                "call layer.astype(np.float64) first"
            )
    P = np.random.default_rng(seed).standard_normal(np.shape(layer.forward(x)))

    def f() -> float:
        return float(np.sum(layer.forward(x) * P))

    layer.forward(x)
    analytic = {"x": layer.backward(P.copy())}
    analytic.update({name: g.copy() for name, g in layer.grads.items()})
    errors = {"x": _relative_error(analytic["x"], _numerical(f, x, eps))}
    for name, p in layer.params.items():
        errors[name] = _relative_error(analytic[name], _numerical(f, p, eps))
    layer.forward(x)  # leave the cache as it was after a normal forward
    return errors


def gradcheck(
    layer: Layer, x: np.ndarray, *, eps: float = 1e-6, seed: int = 0
) -> float:
    r"""The largest relative gradient error over the input and every parameter.

    The error of an array is $\|g_a - g_n\| / \max(\|g_a\| + \|g_n\|, 1)$ (see the
    module docstring); in float64 a correct ``backward`` gives about 1e-8 or less.

    Args:
        layer: a layer or ``Sequential`` with ``forward``, ``backward``,
            ``params`` and ``grads``, in float64.
        x: an input the layer takes (converted to float64).
        eps: the step of the central differences. Default: ``1e-6``.
        seed: the seed of the random projection of the output. Default: ``0``.

    Returns:
        The largest of the errors ``gradient_errors`` returns, a float.

    Example:
        >>> from nnlib.scratch import Dense, gradcheck
        >>> layer = Dense(3, 2, rng=np.random.default_rng(0))
        >>> x = np.random.default_rng(1).standard_normal((4, 3))
        >>> bool(gradcheck(layer, x) < 1e-7)
        True
    """
    return max(gradient_errors(layer, x, eps=eps, seed=seed).values())
