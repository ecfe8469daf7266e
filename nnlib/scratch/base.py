"""The layer protocol every scratch layer follows.

A layer turns an input array into an output array (``forward``) and, given the
gradient of the loss with respect to that output, returns the gradient with
respect to its input (``backward``). Trainable arrays live in ``params``; after
``backward`` the matching gradients are in ``grads`` (same keys and shapes,
overwritten by every call, never accumulated).

``forward`` keeps what ``backward`` needs in ``self._cache``; ``backward``
starts by unpacking it, so it always refers to the most recent ``forward``.

Dtypes: the computation follows the input's dtype. Parameters are created in
float64 (what gradient checks need); a float32 input makes the layer use a
float32 copy of each parameter, so the output is float32; the gradients are
stored in each parameter's own dtype, so training never changes it. For speed, convert a
model once with ``model.astype(np.float32)`` so no copy is made per call, and
do it before creating the optimizer.
"""

from typing import Any

import numpy as np


class Layer:
    """Base class of the scratch layers: ``forward``, ``backward`` and their arrays.

    A subclass computes its output in ``forward`` and keeps what ``backward`` needs
    in ``self._cache``; ``backward`` turns dL/dy into dL/dx and fills ``grads``.
    ``layer(x)`` is ``layer.forward(x)``; ``astype(dtype)`` converts the parameters.

    Example:
        >>> from nnlib.scratch import Layer
        >>> class Double(Layer):
        ...     def forward(self, x):
        ...         return 2 * x
        ...     def backward(self, dy):
        ...         return 2 * dy
        >>> Double()(np.array([1.0, 2.0]))
        array([2., 4.])
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache: Any = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Same as ``forward(x)``."""
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute the output and remember what ``backward`` needs."""
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Return dL/dx given dL/dy, and fill ``grads``."""
        raise NotImplementedError

    def _add_param(self, name: str, value: np.ndarray) -> None:
        """Register a trainable array and a zero gradient of the same shape."""
        self.params[name] = value
        self.grads[name] = np.zeros_like(value)

    def _params_as(self, dtype: np.dtype, *names: str) -> tuple[np.ndarray, ...]:
        """The named parameters in the computation's dtype (no copy if it matches)."""
        return tuple(self.params[n].astype(dtype, copy=False) for n in names)

    def _set_grad(self, name: str, value: np.ndarray) -> None:
        """Store a gradient in its parameter's dtype (no copy if it matches).

        The computation ran in the input's dtype; the optimizer adds ``grads`` to
        ``params``, so both keep the parameter's dtype whatever the input was.
        """
        self.grads[name] = value.astype(self.params[name].dtype, copy=False)

    def _saved(self) -> Any:
        """The cache of the last ``forward``; an error if there was none."""
        if self._cache is None:
            name = type(self).__name__
            raise RuntimeError(
                f"{name}.backward was called before {name}.forward: "
                "run a forward pass first"
            )
        return self._cache

    def astype(self, dtype: Any) -> "Layer":
        """Convert parameters and gradients to ``dtype`` in place; return self."""
        for name in self.params:
            self.params[name] = self.params[name].astype(dtype)
            self.grads[name] = self.grads[name].astype(dtype)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
