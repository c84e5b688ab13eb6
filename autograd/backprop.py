"""Reverse mode: walk the graph once, output to inputs, applying the op table's rules.

One walk serves both modes. With floats it computes numbers; with ``create_graph=True`` the
rules get the graph's own Values, so the gradients are Values that can be differentiated again.

>>> from autograd import Value, grad
>>> x = Value(2.0)
>>> dy, = grad(x ** 3, [x], create_graph=True)      # 3x² = 12
>>> d2y, = grad(dy, [x])                            # 6x = 12
>>> dy.data, d2y.data
(12.0, 12.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from . import mode
from .ops import call_repr
from .value import Value

__all__ = ["topological_order", "backward", "grad"]


def topological_order(roots: Iterable[Value]) -> list[Value]:
    """Every Value the roots depend on, each listed after all of its parents.

    Iterative depth-first search with an explicit stack: no recursion limit, so a chain of
    10**6 nodes is fine. The order is deterministic (it follows ``parents`` order).
    """
    order: list[Value] = []
    seen: set[Value] = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.parents))]
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if type(p) is not float and p not in seen:
                    seen.add(p)
                    stack.append((p, iter(p.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _propagate(order: list[Value], root: Value, seed: Any, create_graph: bool) -> dict[Value, Any]:
    """Gradients of ``root`` for every node in ``order`` (floats, or Values with create_graph)."""
    grads: dict[Value, Any] = {root: seed}
    for node in reversed(order):
        op = node.op
        if op is None:
            continue
        g = grads.get(node)
        if g is None:  # root does not depend on this node
            continue
        parents = node.parents
        try:
            if create_graph:
                locals_ = op.derivative(*parents, out=node)
            else:
                locals_ = op.derivative(
                    *[p if type(p) is float else p.data for p in parents], out=node.data
                )
        except (ArithmeticError, ValueError) as e:
            raise type(e)(f"cannot differentiate {call_repr(op, parents)}: {e}") from None
        for p, d in zip(parents, locals_):
            if type(p) is float:  # a constant: nothing to accumulate
                continue
            if create_graph and type(d) is float and (d == 0.0 or d == 1.0):
                if d == 0.0:
                    continue  # keeps the gradient's own graph small
                contribution = g
            else:
                contribution = g * d
            before = grads.get(p)
            grads[p] = contribution if before is None else before + contribution
    return grads


def _check_finite(order: list[Value], grads: dict[Value, Any]) -> None:
    """Raise where a gradient overflowed although every value in the graph is finite."""
    for node in reversed(order):
        g = grads.get(node, 0.0)
        g = g if type(g) is float else g.data
        if not math.isfinite(g):
            if all(math.isfinite(n.data) for n in order):
                what = call_repr(node.op, node.parents) if node.op else repr(node)
                raise OverflowError(f"backward: the gradient at {what} overflowed to {g}")
            return


def backward(root: Value, gradient: float = 1.0) -> None:
    """Set ``.grad`` of every Value ``root`` depends on; leaves accumulate, interior nodes reset.

    Calling it twice doubles the leaves' gradients (as in PyTorch) but not the interior ones
    (micrograd's bug): interior gradients always belong to this call.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward: expected a Value, got {type(root).__name__}")
    order = topological_order([root])
    grads = _propagate(order, root, float(gradient), create_graph=False)
    _check_finite(order, grads)
    for node in order:
        if node.op is None:
            node.grad += grads.get(node, 0.0)
        else:
            node.grad = grads.get(node, 0.0)


def grad(
    output: Value, inputs: Sequence[Value] | Value, *, create_graph: bool = False
) -> list[Value]:
    """d output / d input for each input, as Values; no ``.grad`` is touched.

    With ``create_graph=True`` the results are Values in a graph that reaches the inputs, so
    they can be differentiated again, to any order. An input the output does not depend on
    gets a gradient of 0.0.

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
    order = topological_order([output])
    if create_graph:
        with mode.enable_grad():
            grads = _propagate(order, output, 1.0, create_graph=True)
    else:
        grads = _propagate(order, output, 1.0, create_graph=False)
    _check_finite(order, grads)
    results = []
    for x in inputs:
        g = grads.get(x, 0.0)
        results.append(g if isinstance(g, Value) else Value(g))
    return results
