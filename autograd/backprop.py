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

import gc
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from operator import attrgetter
from typing import Any

from . import mode
from .ops import OPS, call_repr
from .value import Value, data_of

__all__ = ["backward", "grad", "topological_order"]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The walk allocates many small tuples and makes no reference cycles, so the cyclic
    garbage collector has nothing to find in it; pausing it halves a 10**6-node backward."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def topological_order(roots: Iterable[Value]) -> list[Value]:
    """Every Value the roots depend on, each listed after all of its parents.

    A Value's inputs always exist before it does, so creation order is topological: collect
    what the roots reach (breadth first, no recursion, no stack that grows with depth) and sort
    by creation. A chain of 10**6 nodes is fine; the order is deterministic.
    """
    return _reach(roots, reset_grads=False)


def _reach(roots: Iterable[Value], reset_grads: bool) -> list[Value]:
    """:func:`topological_order`; with ``reset_grads`` it also zeroes the gradient of every
    interior node (not the leaves) on the way, which ``backward`` needs: one pass, not two."""
    order: list[Value] = []
    seen: set[Any] = set()
    for root in roots:
        if root not in seen:
            seen.add(root)
            order.append(root)
    add, append, all_seen = seen.add, order.append, seen.issuperset
    for node in order:  # the list grows as the walk finds inputs: a breadth-first queue
        if node.op is None:
            continue
        if reset_grads:
            node.grad = 0.0
        parents = node.parents
        if all_seen(parents):  # at C speed: a layer's neurons share inputs and weights
            continue
        for p in parents:
            if p not in seen:
                add(p)  # float constants go into seen too (so all_seen can be true)
                if type(p) is not float:
                    append(p)
    order.sort(key=_creation)
    return order


_creation = attrgetter("_seq")


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
                locals_ = op.derivative(*data_of(parents), out=node.data)
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


def _check_finite(order: list[Value], gradient_of: Callable[[Value], Any]) -> None:
    """Raise where a gradient overflowed although every value in the graph is finite."""
    if gradient_of is _grad_attribute and math.isfinite(sum(map(gradient_of, order))):
        return  # backward()'s floats, summed at C speed (if the sum overflows, look closer)
    grads = [g if type(g) is float else g.data for g in map(gradient_of, order)]
    if all(map(math.isfinite, grads)):
        return
    if mode.anomaly is not None:  # detect_anomaly(): name the op whose backward made it
        mode.anomaly.backward(order, gradient_of)
    for node in reversed(order):
        g = gradient_of(node)
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
    with _gc_paused():
        order = _reach([root], reset_grads=True)
        root.grad += float(gradient)
        _accumulate(order)
        _check_finite(order, _grad_attribute)


def _accumulate(order: list[Value]) -> None:
    """Plain backward on floats, accumulating into ``.grad``: the speed-critical loop.

    The hottest ops are inlined here; tests check each inlined case against the op table's
    rule (tests/test_backprop.py::test_inlined_backward_agrees_with_the_op_table).
    """
    for node in reversed(order):
        op = node.op
        if op is None:
            continue
        g = node.grad
        parents = node.parents
        if g == 0.0 and op in _LINEAR_IN_GRAD and node.data - node.data == 0.0:
            # Nothing flows through: each contribution would be 0 · (a finite input) = ±0,
            # which leaves every gradient as it is. A finite output means finite inputs for
            # these ops; with an inf or nan one, 0 · inf = nan must still reach the inputs.
            continue
        if op is _DOT:  # parents (w1..wn, x1..xn[, bias]): ∂/∂wi = xi, ∂/∂xi = wi, ∂/∂bias = 1
            n = len(parents) >> 1
            for w, x in zip(parents[:n], parents[n : n + n]):
                if type(w) is float:
                    if type(x) is not float:
                        x.grad += g * w
                elif type(x) is float:  # a network's inputs are constants
                    w.grad += g * x
                else:
                    w.grad += g * x.data
                    x.grad += g * w.data
            if len(parents) & 1 and type(parents[-1]) is not float:
                parents[-1].grad += g
        elif op is _ADD or op is _SUM:
            for p in parents:
                if type(p) is not float:
                    p.grad += g
        elif op is _MUL:
            x, y = parents
            if type(x) is not float:
                x.grad += g * (y if type(y) is float else y.data)
            if type(y) is not float:
                y.grad += g * (x if type(x) is float else x.data)
        elif op is _RELU:
            if node.data > 0.0:
                parents[0].grad += g
        else:
            try:
                locals_ = op.derivative(*data_of(parents), out=node.data)
            except (ArithmeticError, ValueError) as e:
                raise type(e)(f"cannot differentiate {call_repr(op, parents)}: {e}") from None
            for p, d in zip(parents, locals_):
                if type(p) is not float:
                    p.grad += g * d


_grad_attribute = attrgetter("grad")
_DOT, _ADD, _SUM, _MUL, _RELU = OPS["dot"], OPS["add"], OPS["sum"], OPS["mul"], OPS["relu"]
_LINEAR_IN_GRAD = frozenset((_DOT, _ADD, _SUM, _MUL, _RELU))


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
    with _gc_paused(), mode.enable_grad() if create_graph else nullcontext():
        order = topological_order([output])
        grads = _propagate(order, output, 1.0, create_graph)
        _check_finite(order, lambda node: grads.get(node, 0.0))
    results = []
    for x in inputs:
        g = grads.get(x, 0.0)
        results.append(g if isinstance(g, Value) else Value(g))
    return results
