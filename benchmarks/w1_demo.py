"""W1 for graph engines: micrograd's demo training step, written once for any Value class.

The loss below is micrograd's demo notebook, line for line; this engine and micrograd both run
this very function, so they build the same computation the way a user would write it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from w1_data import ALPHA, LEARNING_RATE

__all__ = ["ValueModel", "demo_loss"]


def demo_loss(
    model: Any, value: type, X: list[list[float]], y: list[float], sum_: Callable[..., Any] = sum
) -> Any:
    """micrograd's demo loss: SVM max-margin loss over all points + ALPHA · Σ p² (a Value)."""
    inputs = [list(map(value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum_(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum_(p * p for p in model.parameters())
    return data_loss + reg_loss


class ValueModel:
    """A W1 contender around a micrograd-style MLP (``.layers``, ``.neurons``, ``.w``, ``.b``).

    ``step()`` is the demo's training step: loss, ``zero_grad``, ``backward``, SGD.
    """

    def __init__(
        self,
        name: str,
        model: Any,
        value: type,
        X: list[list[float]],
        y: list[float],
        sum_: Callable[..., Any] = sum,
    ) -> None:
        self.name = name
        self.model = model
        self.value = value
        self.X = X
        self.y = y
        self.sum = sum_

    def _ordered(self) -> list[Any]:
        """Parameters in micrograd's order, found through the micrograd-compatible attributes."""
        return [
            p
            for layer in self.model.layers
            for neuron in layer.neurons
            for p in (*neuron.w, neuron.b)
        ]

    def load(self, flat: list[float]) -> None:
        """Set the parameters from a flat list in micrograd's order."""
        params = self._ordered()
        if len(params) != len(flat):
            raise ValueError(f"{self.name}: model has {len(params)} parameters, got {len(flat)}")
        for p, x in zip(params, flat):
            p.data = float(x)

    def weights(self) -> list[float]:
        """The parameters' data, flat, in micrograd's order."""
        return [float(p.data) for p in self._ordered()]

    def gradients(self) -> list[float]:
        """The parameters' gradients from the last step, flat, in micrograd's order."""
        return [float(p.grad) for p in self._ordered()]

    def loss(self) -> Any:
        """The demo loss as a graph (not differentiated)."""
        return demo_loss(self.model, self.value, self.X, self.y, self.sum)

    def step(self) -> float:
        """One training step; returns the loss it differentiated."""
        total_loss = demo_loss(self.model, self.value, self.X, self.y, self.sum)
        self.model.zero_grad()
        total_loss.backward()
        for p in self.model.parameters():
            p.data -= LEARNING_RATE * p.grad
        return float(total_loss.data)
