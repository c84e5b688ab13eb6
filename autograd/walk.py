"""The reverse walk: one loop, output to inputs, applying the op table's rules.

Every consumer uses it: ``backward()`` walks the Values themselves and accumulates into their
``.grad``; ``grad()`` and ``backward_steps()`` walk stand-ins (:class:`Cell`) that have a
gradient of their own, so no Value's ``.grad`` is touched. Floats give numbers; with
``values=True`` (``grad(..., create_graph=True)``) the rules get the graph's own Values and
the gradients are Values that can be differentiated again.

A node sends (its gradient) × (local derivative) to each input, in input order. The hottest
ops do that through their row's float ``fast`` path; every other op, and every op when Values
or steps are wanted, through its ``derivative`` rule.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import attrgetter
from typing import Any

from .mode import anomaly, tracer
from .ops import call_repr

__all__ = ["Cell", "backpropagate", "gradients", "shadow", "topological_order", "walk"]

# A node of the graph: a Value, or a Cell standing in for one. The walk reads ``op``,
# ``parents`` and ``data`` and reads and writes ``grad``.
Node = Any
OnStep = Callable[[Node, int, Any, Any, Any, Any, Any], None]


@contextmanager
def gc_paused() -> Iterator[None]:
    """The walk allocates many small tuples and makes no reference cycles, so the cyclic
    garbage collector has nothing to find in it; pausing it halves a 10**6-node backward."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def topological_order(roots: Iterable[Node]) -> list[Node]:
    """Every Value the roots depend on, each listed after all of its parents.

    A Value's inputs always exist before it does, so creation order is topological: collect
    what the roots reach (breadth first, no recursion, no stack that grows with depth) and sort
    by creation. A chain of 10**6 nodes is fine; the order is deterministic.
    """
    return _reach(roots, reset_grads=False)


def _reach(roots: Iterable[Node], reset_grads: bool) -> list[Node]:
    """:func:`topological_order`; with ``reset_grads`` it also zeroes the gradient of every
    interior node (not the leaves) on the way, which ``backward`` needs: one pass, not two."""
    order: list[Node] = []
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


def walk(order: list[Node], *, values: bool = False, on_step: OnStep | None = None) -> None:
    """Send every node's ``.grad`` on to its inputs' ``.grad``, the last node of ``order``
    (topological: inputs first) first, so each node has its whole gradient when its turn comes.

    With ``values`` the nodes are Cells whose ``grad`` starts as None (nothing arrived yet) and
    the rules run on the Values the cells stand for. ``on_step(node, i, upstream, local,
    contribution, before, after)`` hears every accumulation into ``node.parents[i]``
    (contribution None: the op passed nothing).
    """
    fast_allowed = not values and on_step is None
    for node in reversed(order):
        op = node.op
        if op is None:
            continue
        g = node.grad
        if fast_allowed and op.fast is not None:
            # g == 0 with a finite output: all a row's fast path could send is ±0 (a learner's
            # closure is called whatever it gets, as in micrograd)
            if g != 0.0 or node.data - node.data != 0.0 or op.custom:
                op.fast(g, node.parents, node.data)
            continue
        if g is None:  # values: nothing depends on this node through a non-zero path
            continue
        parents = node.parents
        try:
            if values:
                locals_ = op.derivative(*node.value.parents, out=node.value)
            else:
                locals_ = op.derivative(
                    *[p if type(p) is float else p.data for p in parents], out=node.data
                )
        except ZeroDivisionError:
            raise ZeroDivisionError(
                f"cannot differentiate {call_repr(op, parents)}: its derivative there is "
                "infinite or undefined (the rule divides by zero)"
            ) from None
        except (ArithmeticError, ValueError) as e:
            raise type(e)(f"cannot differentiate {call_repr(op, parents)}: {e}") from None
        for i, p in enumerate(parents):
            if type(p) is float:  # a constant: nothing to accumulate
                continue
            d = locals_[i]
            if type(d) is float and d == 0.0 and (values or op.select):
                c = None  # a derivative that is 0 by the op's choice (or a constant 0): nothing
            elif values and type(d) is float and d == 1.0:
                c = g  # keeps the gradient's own graph small
            else:
                c = g * d
            before = p.grad
            after = before if c is None else c if before is None else before + c
            p.grad = after
            if on_step is not None:
                on_step(node, i, g, d, c, before, after)


class Cell:
    """Stands in for a Value while ``grad()`` or ``backward_steps()`` walks its graph: the
    same op and data, the cells of its parents, and a gradient of its own."""

    __slots__ = ("data", "grad", "op", "parents", "value")

    data: float
    grad: Any
    op: Any
    parents: tuple[Any, ...]
    value: Any


def shadow(order: list[Node], *, values: bool = False) -> dict[Node, Cell]:
    """A Cell for every node of ``order`` (topological), gradient 0.0 (None with ``values``)."""
    cells: dict[Node, Cell] = {}
    start = None if values else 0.0
    for node in order:
        cell = Cell()
        cell.value, cell.op, cell.data, cell.grad = node, node.op, node.data, start
        cell.parents = (
            tuple([p if type(p) is float else cells[p] for p in node.parents]) if node.op else ()
        )
        cells[node] = cell
    return cells


def backpropagate(root: Node, seed: float) -> list[Node]:
    """``root.backward(seed)``: every Value root depends on gets d root / d it in ``.grad``
    (leaves accumulate, interior nodes hold this walk's gradient). Returns those Values, in
    topological order (``autograd.compile`` keeps them: what its replay's walk reaches)."""
    if tracer() is not None:  # compile's backward comes after the step: not one inside it
        tracer().refused = (
            "it calls backward() while building the graph (the compiled step calls it after)"
        )
        return []  # (not now: the step runs eagerly next, and calls it once)
    with gc_paused():
        order = _reach([root], reset_grads=True)
        root.grad += seed
        walk(order)
        check_finite(order)
    return order


def gradients(output: Node, inputs: list[Node], *, values: bool = False) -> list[Any]:
    """d output / d input for each input (None where nothing reached it); no ``.grad`` changes."""
    recorder = tracer()
    if recorder is not None:  # compile is tracing: a replay could not compute these numbers
        recorder.refused = (
            "it takes grad(..., create_graph=True), whose rules branch on numbers"
            if values
            else "it takes grad() while building the graph: a replay would not compute its numbers"
        )
    with gc_paused():
        cells = shadow(topological_order([output]), values=values)
        cells[output].grad = 1.0
        order = list(cells.values())
        walk(order, values=values)
        check_finite(order, values=values)
    return [cells[x].grad if x in cells else None for x in inputs]


def check_finite(order: list[Node], *, values: bool = False) -> None:
    """Raise where a gradient overflowed although every value in the graph is finite."""
    if not values and math.isfinite(sum(map(_grad, order))):
        return  # float gradients, summed at C speed (if the sum overflows, look closer)
    grads = [_number(node.grad) for node in order]
    if all(map(math.isfinite, grads)):
        return
    nodes = [node.value for node in order] if isinstance(order[0], Cell) else order
    recorder = anomaly()
    if recorder is not None:  # detect_anomaly(): name the op whose backward made it
        recorder.backward(nodes, dict(zip(nodes, grads)))
    for node, g in zip(reversed(nodes), reversed(grads)):
        if not math.isfinite(g):
            if all(math.isfinite(n.data) for n in nodes):
                what = call_repr(node.op, node.parents) if node.op else repr(node)
                raise OverflowError(f"backward: the gradient at {what} overflowed to {g}")
            return


_grad = attrgetter("grad")


def _number(g: Any) -> float:
    """A gradient as a number: a float, a Value's data, 0.0 for None (nothing arrived)."""
    if type(g) is float:
        return g
    return 0.0 if g is None else g.data
