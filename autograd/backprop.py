"""Reverse mode's two entry points: ``backward`` fills ``.grad``, ``grad`` returns gradients.

Both run the one reverse walk of :mod:`autograd.walk`. With ``create_graph=True`` the op
table's rules get the graph's own Values, so the gradients are Values that can be
differentiated again.

>>> from autograd import Value, grad
>>> x = Value(2.0)
>>> dy, = grad(x ** 3, [x], create_graph=True)      # 3x² = 12
>>> d2y, = grad(dy, [x])                            # 6x = 12
>>> dy.data, d2y.data
(12.0, 12.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext

from .mode import enable_grad
from .value import Value
from .walk import gradients

__all__ = ["backward", "grad"]


def backward(root: Value, gradient: float = 1.0) -> None:
    """Set ``.grad`` of every Value ``root`` depends on; leaves accumulate, interior nodes reset.

    Calling it twice doubles the leaves' gradients (as in PyTorch) but not the interior ones
    (micrograd's bug): interior gradients always belong to this call.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward: expected a Value, got {type(root).__name__}")
    root.backward(gradient)


def grad(
    output: Value, inputs: Sequence[Value] | Value, *, create_graph: bool = False
) -> list[Value]:
    """d output / d input for each input, as Values; no ``.grad`` is touched.

    With ``create_graph=True`` the results are Values in a graph that reaches the inputs, so
    they can be differentiated again, to any order. An input the output does not depend on
    gets a gradient of 0.0. Each input gets a Value of its own, even where two gradients are
    the same node of the gradient's graph.

    >>> x = Value(0.5)
    >>> g1, = grad(x.exp(), [x], create_graph=True)
    >>> g2, = grad(g1, [x])
    >>> round(g2.data, 12) == round(x.exp().data, 12)
    True
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {type(output).__name__}")
    inputs = [inputs] if isinstance(inputs, Value) else list(inputs)
    for x in inputs:
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs must be Values, got {type(x).__name__}")
    with enable_grad() if create_graph else nullcontext():
        found = gradients(output, inputs, values=create_graph)
        results: list[Value] = []
        for g in found:
            if not isinstance(g, Value):
                g = Value(0.0 if g is None else g)
            elif any(g is r for r in results):  # two inputs got the same node: copy it
                g = g * 1.0
            results.append(g)
    return results
