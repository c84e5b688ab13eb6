"""Backward, one accumulation at a time: the chain rule as a list of steps you can read.

:func:`backward_steps` lists every ``parent.grad += upstream × local`` that ``backward()``
performs, in the order it performs them, without touching any ``.grad``: it runs the same walk
(:mod:`autograd.walk`) on stand-ins and notes each accumulation.
``autograd.write_step_frames`` draws the graph after each step.

>>> from autograd import Value, backward_steps
>>> x = Value(3.0, label="x")
>>> y = x * x; y.label = "y"
>>> for step in backward_steps(y):
...     print(step)
step 0: seed y.grad = 1
step 1: x.grad += 1 × 3 = 3 (0 → 3)
step 2: x.grad += 1 × 3 = 3 (3 → 6)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .value import Value
from .walk import Cell, shadow, topological_order, walk

__all__ = ["Step", "backward_steps", "gradients_after", "name_of"]


@dataclass(frozen=True)
class Step:
    """One gradient accumulation: ``node.grad`` goes from ``before`` to ``after``.

    ``source`` is the op node whose rule sends the gradient (None for step 0, the seed at the
    root) and ``position`` which of ``source.parents`` receives it; ``contribution`` is
    ``upstream × local``, the source's gradient times the local derivative ∂source/∂node.
    """

    index: int
    node: Value
    source: Value | None
    position: int
    upstream: float
    local: float
    contribution: float
    before: float
    after: float

    def __str__(self) -> str:
        if self.source is None:
            return f"step {self.index}: seed {name_of(self.node)}.grad = {_fmt(self.after)}"
        return (
            f"step {self.index}: {name_of(self.node)}.grad += {_fmt(self.upstream)} × "
            f"{_fmt(self.local)} = {_fmt(self.contribution)} "
            f"({_fmt(self.before)} → {_fmt(self.after)})"
        )


def backward_steps(root: Value, gradient: float = 1.0) -> list[Step]:
    """Every gradient accumulation ``root.backward(gradient)`` would perform, in its order.

    The walk is backward's: ``topological_order([root])`` reversed, each op node sending its
    gradient to its parents in order (a ``dot`` node's are w1, x1, w2, x2, ..., bias). Every
    gradient starts at 0.0, as after ``zero_grad``; nothing is modified (``backward()`` would
    add the final values to the leaves' ``.grad``). A relu that is off passes nothing: its step
    shows a contribution of 0.0 and leaves the gradient as it was.

    >>> x = Value(2.0, label="x")
    >>> steps = backward_steps(x.tanh() * 3.0)
    >>> [(s.source.op.name if s.source else "seed", s.node.label or "tanh") for s in steps]
    [('seed', 'tanh'), ('mul', 'tanh'), ('tanh', 'x')]
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: expected a Value, got {type(root).__name__}")
    cells = shadow(topological_order([root]))
    seed = cells[root].grad = float(gradient)
    steps = [Step(0, root, None, -1, seed, 1.0, seed, 0.0, seed)]

    def note(cell: Cell, i: int, g: Any, d: Any, c: Any, before: Any, after: Any) -> None:
        node = cell.parents[i].value
        contribution = 0.0 if c is None else c
        steps.append(
            Step(len(steps), node, cell.value, i, g, float(d), contribution, before, after)
        )

    walk(list(cells.values()), on_step=note)
    return steps


def gradients_after(steps: list[Step], k: int) -> dict[Value, float]:
    """Every node's gradient once steps 0..k are done (nodes not yet reached: their start)."""
    grads: dict[Value, float] = {}
    for step in steps:
        grads.setdefault(step.node, step.before)
    for step in steps[: k + 1]:
        grads[step.node] = step.after
    return grads


def name_of(node: Value) -> str:
    """How a step names a node: its label, else the op and its inputs' labels or data, as in
    ``(n + b)`` or ``tanh(0.3)``, else its data."""
    if node.label:
        return node.label
    if node.op is None:
        return f"Value({_fmt(node.data)})"
    shown = [p.label or _fmt(p.data) if isinstance(p, Value) else _fmt(p) for p in node.parents]
    if len(shown) > 4:
        shown = [*shown[:3], f"... {len(shown) - 3} more"]
    if node.op.symbol in ("+", "-", "*", "/", "**") and len(shown) == 2:
        return f"({shown[0]} {node.op.symbol} {shown[1]})"
    return f"{node.op.name}({', '.join(shown)})"


def _fmt(x: float) -> str:
    return format(x, ".4g")
