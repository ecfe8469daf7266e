"""Sequential: a stack of layers, run in order forward and in reverse backward."""

from collections.abc import Iterator, MutableMapping
from typing import Any

import numpy as np

from nnlib._checks import format_shape

from .base import Layer


class Sequential(Layer):
    """Chain layers: ``Sequential(Dense(64, 128), ReLU(), Dense(128, 10))``.

    ``params`` and ``grads`` gather every layer's arrays under keys prefixed by
    the layer's index (``"0.W"``, ``"2.b"``); they are the layers' own arrays,
    so an optimizer that updates ``params`` in place updates the layers.
    ``model[i]`` is the i-th layer, ``len(model)`` the number of layers.

    Args:
        *layers: the layers, in the order forward runs them.

    Shape:
        - Input: what the first layer takes
        - Output: what the last layer gives

    Example:
        >>> from nnlib.scratch import Dense, ReLU, Sequential
        >>> rng = np.random.default_rng(0)
        >>> model = Sequential(Dense(4, 8, rng=rng), ReLU(), Dense(8, 2, rng=rng))
        >>> model(np.ones((3, 4))).shape, model.backward(np.ones((3, 2))).shape
        ((3, 2), (3, 4))
        >>> list(model.params)
        ['0.W', '0.b', '2.W', '2.b']
    """

    def __init__(self, *layers: Layer) -> None:
        # no super().__init__(): params and grads are views built from the layers
        for i, layer in enumerate(layers):
            if not (hasattr(layer, "forward") and hasattr(layer, "backward")):
                raise TypeError(
                    f"Sequential expected layers with forward and backward, "
                    f"got {type(layer).__name__} at position {i}"
                )
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Feed ``x`` through every layer in order."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """Feed the gradient through every layer in reverse order."""
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    @property
    def params(self) -> "LayerArrays":
        """Every layer's parameters, keyed ``"{index}.{name}"``.

        ``model.params["0.W"] = W`` writes ``W`` into layer 0's own array (the
        same as ``model.params["0.W"][...] = W``); the shape must match.
        """
        return LayerArrays(self.layers, "params")

    @property
    def grads(self) -> "LayerArrays":
        """Every layer's gradients, keyed like ``params``."""
        return LayerArrays(self.layers, "grads")

    def astype(self, dtype: Any) -> "Sequential":
        """Convert every layer's parameters to ``dtype``; return self."""
        for layer in self.layers:
            layer.astype(dtype)
        return self

    def __getitem__(self, index: int | slice) -> Layer:
        """The layer at ``index``; a slice gives a ``Sequential`` of those layers."""
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __repr__(self) -> str:
        if not self.layers:
            return "Sequential()"
        lines = [
            f"  ({i}): {layer!r}".replace("\n", "\n  ")  # indent nested models
            for i, layer in enumerate(self.layers)
        ]
        return "Sequential(\n" + "\n".join(lines) + "\n)"


class LayerArrays(MutableMapping):
    """``Sequential.params`` (or ``grads``): the layers' own arrays under one name each.

    A plain dict built on the fly would accept ``model.params["0.W"] = W`` and
    then throw it away, leaving the layer unchanged. Here an assignment copies
    ``W`` into the layer's array, so the layer, every optimizer and every other
    reference see it; keys cannot be added or removed.
    """

    def __init__(self, layers: list[Layer], attribute: str) -> None:
        self._attribute = attribute
        self._arrays: dict[str, np.ndarray] = {}
        for i, layer in enumerate(layers):
            arrays = getattr(layer, attribute)
            for name in arrays:
                self._arrays[f"{i}.{name}"] = arrays[name]

    def __getitem__(self, key: str) -> np.ndarray:
        return self._arrays[key]

    def __setitem__(self, key: str, value: object) -> None:
        if key not in self._arrays:
            raise KeyError(
                f"Sequential.{self._attribute} expected one of "
                f"{sorted(self._arrays)}, got {key!r} (keys cannot be added)"
            )
        target = self._arrays[key]
        value = np.asarray(value)
        if value.shape != target.shape:
            raise ValueError(
                f"Sequential.{self._attribute}[{key!r}] expected shape "
                f"{format_shape(target.shape)}, got {format_shape(value.shape)}"
            )
        target[...] = value  # in place: the layer holds this very array

    def __delitem__(self, key: str) -> None:
        raise TypeError(
            f"Sequential.{self._attribute} expected its keys to stay, got del {key!r}"
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __repr__(self) -> str:
        return repr(self._arrays)
