"""Sequential: a stack of layers, run in order forward and in reverse backward."""

from collections.abc import Iterator
from typing import Any

import numpy as np

from .base import Layer


class Sequential(Layer):
    """Chain layers: ``Sequential(Dense(64, 128), ReLU(), Dense(128, 10))``.

    ``params`` and ``grads`` gather every layer's arrays under keys prefixed by
    the layer's index (``"0.W"``, ``"2.b"``); they are the layers' own arrays,
    so an optimizer that updates ``params`` in place updates the layers.
    ``model[i]`` is the i-th layer, ``len(model)`` the number of layers.

    Shape:
        input: what the first layer takes -> output: what the last one gives.
    """

    def __init__(self, *layers: Layer) -> None:
        # no super().__init__(): params and grads are views built from the layers
        for i, layer in enumerate(layers):
            if not (hasattr(layer, "forward") and hasattr(layer, "backward")):
                raise ValueError(
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
    def params(self) -> dict[str, np.ndarray]:
        """Every layer's parameters, keyed ``"{index}.{name}"``."""
        return {
            f"{i}.{name}": value
            for i, layer in enumerate(self.layers)
            for name, value in layer.params.items()
        }

    @property
    def grads(self) -> dict[str, np.ndarray]:
        """Every layer's gradients, keyed like ``params``."""
        return {
            f"{i}.{name}": value
            for i, layer in enumerate(self.layers)
            for name, value in layer.grads.items()
        }

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
