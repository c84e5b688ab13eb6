"""The way out to PyTorch: an ``nn.MLP`` as a ``torch.nn.Sequential``, and back.

``model.to_torch()`` and ``MLP.from_torch(module)`` call these. PyTorch is imported here, when
they are called, never by ``import nn``: it is optional.

An MLP's layer becomes a ``torch.nn.Linear`` (its weights outputs × inputs, as ``Linear`` keeps
them) followed by its activation's module — ``ReLU``, ``Tanh``, ``Sigmoid``, nothing for a linear
layer, ``Softmax(dim=-1)`` for a softmax output. In float64 the numbers are the model's own, so
the round trip MLP → torch → MLP gives back every parameter bit for bit, and torch computes the
same outputs and gradients up to its own order of summation (~1e-15 relative).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

__all__ = ["from_torch", "to_torch"]

# nn's activations and the torch modules that compute them
_MODULES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            "to_torch/from_torch need PyTorch: pip install torch (the CPU build is enough: "
            "pip install torch --index-url https://download.pytorch.org/whl/cpu)"
        ) from None
    return torch


def to_torch(model: Any, dtype: Any = None) -> Any:
    """``model`` (an :class:`nn.MLP`) as a ``torch.nn.Sequential`` on the CPU, in ``dtype``
    (default ``torch.float64``: the model's numbers exactly)."""
    torch = _torch()
    dtype = torch.float64 if dtype is None else dtype
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise TypeError(f"to_torch: dtype must be a torch floating dtype, got {dtype!r}")
    modules = []
    for k, layer in enumerate(model.layers):
        neurons = layer.neurons
        linear = torch.nn.Linear(len(neurons[0].w), len(neurons), dtype=dtype)
        with torch.no_grad():
            weights = [[w.data for w in n.w] for n in neurons]
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        modules.append(linear)
        activation = neurons[0].activation  # what Layer.forward applies to every neuron
        if any(n.activation != activation for n in neurons):
            raise ValueError(
                f"to_torch: layer {k} mixes activations "
                f"({sorted({n.activation for n in neurons})}); torch applies one per layer"
            )
        if activation != "linear":
            modules.append(getattr(torch.nn, _MODULES[activation])())
        if layer.activation == "softmax":
            modules.append(torch.nn.Softmax(dim=-1))
    return torch.nn.Sequential(*modules)


def from_torch(cls: Any, module: Any) -> Any:
    """An MLP (of class ``cls``) with ``module``'s weights, from any dtype or device: a
    ``torch.nn.Sequential`` (or one ``Linear``) of ``Linear`` layers, each followed by at most
    one of ``ReLU``, ``Tanh``, ``Sigmoid``, ``Identity``, and ``Softmax(dim=-1)`` at the end."""
    torch = _torch()
    nn = torch.nn
    if isinstance(module, nn.Linear):
        module = nn.Sequential(module)
    if not isinstance(module, nn.Sequential):
        raise TypeError(
            f"from_torch: expected a torch.nn.Sequential of Linear layers and activations, "
            f"got {type(module).__name__}"
        )
    names = {getattr(nn, m): a for a, m in _MODULES.items()}
    linears: list[Any] = []
    activations: list[str] = []
    softmax = False
    children = list(module.named_children())
    for position, (name, child) in enumerate(children):
        where = f"from_torch: module {name!r} ({type(child).__name__})"
        if isinstance(child, nn.Linear):
            if child.bias is None:
                raise ValueError(f"{where} has no bias; every nn neuron has one (bias=True)")
            linears.append(child)
            activations.append("linear")
            continue
        if not linears:
            raise ValueError(f"{where} comes before any Linear layer")
        if isinstance(child, nn.Identity):
            continue
        if isinstance(child, nn.Softmax):
            if child.dim not in (-1, 1) or position != len(children) - 1:
                raise ValueError(
                    f"{where}: nn has softmax over the outputs (dim=-1), as the last module only"
                )
            softmax = True
            continue
        kind = type(child)
        if kind not in names:
            known = ", ".join(["Linear", *_MODULES.values(), "Identity", "Softmax"])
            raise ValueError(f"{where} has no counterpart in nn (it has {known})")
        if activations[-1] != "linear":
            raise ValueError(f"{where}: a second activation after one Linear layer")
        activations[-1] = names[kind]
    if not linears:
        raise ValueError("from_torch: the module has no Linear layer")
    for before, after in pairwise(linears):
        if after.in_features != before.out_features:
            raise ValueError(
                f"from_torch: a Linear layer of {after.in_features} inputs follows one of "
                f"{before.out_features} outputs"
            )
    weights = [_numbers(torch, linear.weight) for linear in linears]
    biases = [_numbers(torch, linear.bias) for linear in linears]
    model = cls.from_matrices(weights, biases, activation="linear", output_activation="linear")
    for layer, activation in zip(model.layers, activations):
        for neuron in layer.neurons:
            neuron.activation = activation
        layer.activation = activation
    if softmax:
        model.layers[-1].activation = "softmax"
    return model


def _numbers(torch: Any, tensor: Any) -> Any:
    """A parameter's numbers as float64 numpy (exact from float32, float16, bfloat16)."""
    return tensor.detach().to(device="cpu", dtype=torch.float64).numpy()
