"""Activation functions by name: what a neuron applies to its pre-activation w·x + b.

>>> from autograd import Value
>>> ACTIVATIONS["relu"](Value(-2.0)).data, ACTIVATIONS["linear"](Value(-2.0)).data
(0.0, -2.0)

``softmax`` is not here: it needs every output of a layer at once, so it is a *layer*
activation (``Layer(..., activation="softmax")``, ``MLP(..., output_activation="softmax")``).
"""

from __future__ import annotations

from collections.abc import Callable

from autograd import Value

__all__ = ["ACTIVATIONS", "LAYER_ACTIVATIONS", "check_activation"]


def _linear(z: Value) -> Value:
    return z


# name -> what a neuron does to its pre-activation z
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": _linear,
}

# Names a layer accepts: the neuron activations plus softmax over the whole layer.
LAYER_ACTIVATIONS = (*ACTIVATIONS, "softmax")

# How a neuron's repr names it, micrograd style: ReLUNeuron(2), LinearNeuron(16).
DISPLAY_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}


def check_activation(name: object, where: str, *, allow_softmax: bool = False) -> str:
    """``name`` if it names an activation, else ValueError (TypeError) listing the valid names.

    >>> check_activation("tanh", "Neuron")
    'tanh'
    >>> check_activation("gelu", "Neuron")
    Traceback (most recent call last):
    ...
    ValueError: Neuron: unknown activation 'gelu'; valid names are 'relu', 'tanh', 'sigmoid', 'linear'
    """
    valid = LAYER_ACTIVATIONS if allow_softmax else tuple(ACTIVATIONS)
    if not isinstance(name, str):
        raise TypeError(f"{where}: activation must be a name (str), got {type(name).__name__}")
    if name == "softmax" and not allow_softmax:
        raise ValueError(
            f"{where}: softmax is not a per-neuron activation (it needs every output of a layer); "
            "use it as a layer's activation or an MLP's output_activation"
        )
    if name not in valid:
        names = ", ".join(repr(n) for n in valid)
        raise ValueError(f"{where}: unknown activation {name!r}; valid names are {names}")
    return name
