"""Nodes made micrograd's way: ``Value(data, children, op)`` with a ``_backward`` closure.

A learner who writes an op as in micrograd's lecture —

>>> from autograd import Value, grad
>>> import math
>>> def tanh(self):
...     t = math.tanh(self.data)
...     out = Value(t, (self,), 'tanh')
...     def _backward():
...         self.grad += (1 - t**2) * out.grad
...     out._backward = _backward
...     return out
>>> x = Value(0.5)
>>> y = tanh(x) * 2
>>> y.backward(); round(x.grad, 12) == round(2 * (1 - math.tanh(0.5) ** 2), 12)
True

— gets a node whose op is a :class:`Custom`, one per node, holding the closure. ``backward()``
calls the closure at the node's place in the walk; ``grad()`` and ``backward_steps()`` (which
walk stand-ins, so that no ``.grad`` changes) run it on the Values with the node's gradient
from the walk and hand what it added to the stand-ins, restoring every ``.grad`` after;
``draw_dot`` labels the edges with what the closure sends for a gradient of 1. A closure works
on floats, so ``grad(..., create_graph=True)`` through such a node is an error: to
differentiate an op twice, declare it in the op table (README, "Adding an op").

Nodes the engine makes have no closure: their op is a row of the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .ops import Op

__all__ = ["Custom"]


def _nothing() -> None:
    """micrograd's default ``_backward``: a node nobody gave a closure sends nothing."""


class Custom(Op):
    """The op of one micrograd-style node: its ``_op`` text, the node, and its closure."""

    __slots__ = ("closure", "node")
    custom = True

    def __init__(self, node: Any, text: str) -> None:
        super().__init__(
            text or "custom",
            self._forward,
            self._locals,
            symbol=text or "?",
            arity=None,
            fast=self._run,
        )
        self.node = node
        self.closure: Callable[[], None] = _nothing

    def __repr__(self) -> str:
        return f"Custom({self.symbol!r})"

    def __reduce__(self) -> Any:
        raise TypeError(
            f"a micrograd-style node ({self.symbol!r}) cannot be pickled: its _backward is a "
            "closure; declare the op in autograd.OPS to pickle graphs that use it"
        )

    def _forward(self, *inputs: float) -> float:
        raise TypeError(
            f"{self.symbol!r} is a micrograd-style node: its value is the data it was made with"
        )

    def _run(self, g: float, parents: tuple[Any, ...], out: float) -> None:
        """The walk's step for this node: the closure, on the Values themselves (backward,
        ``node._backward()``) or on their stand-ins' behalf (grad, backward_steps)."""
        if parents is self.node.parents:
            self.closure()
            return
        added = self._added(g)
        for cell in {id(c): c for c in parents if type(c) is not float}.values():
            cell.grad += added[id(cell.value)]

    def _added(self, g: float) -> dict[int, float]:
        """What the closure adds to each input's ``.grad`` when this node's gradient is ``g``,
        every ``.grad`` restored afterwards (by input id)."""
        node = self.node
        inputs = {id(p): p for p in node.parents if type(p) is not float}
        saved = node.grad, {k: p.grad for k, p in inputs.items()}
        try:
            node.grad = g
            for p in inputs.values():
                p.grad = 0.0
            self.closure()
            return {k: p.grad for k, p in inputs.items()}
        finally:
            node.grad = saved[0]
            for k, p in inputs.items():
                p.grad = saved[1][k]

    def _locals(self, *inputs: Any, out: Any) -> tuple[float, ...]:
        """The local derivatives, as what the closure sends for a gradient of 1 (an input used
        twice shares what it gets). Values (create_graph) cannot go through a closure."""
        if type(out) is not float:
            raise TypeError(
                f"grad(..., create_graph=True) cannot go through the micrograd-style node "
                f"{self.symbol!r}: its _backward closure computes with floats, so its gradient "
                "cannot be differentiated again. Declare the op in the table (autograd.OPS, "
                "see the README's 'Adding an op') to differentiate it to any order."
            )
        added = self._added(1.0)
        parents = self.node.parents
        uses = {id(p): sum(q is p for q in parents) for p in parents if type(p) is not float}
        return tuple(0.0 if type(p) is float else added[id(p)] / uses[id(p)] for p in parents)
