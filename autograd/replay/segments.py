"""Segments of a trace: a subgraph the step builds again and again.

A step over a batch builds the same subgraph for every point: the same ops, reading the same
weights, the point's own inputs, the previous point's outputs. In the trace these are runs of
nodes that repeat with a period: a *segment* — ``count`` repetitions of ``length`` nodes from
``start``, where node ``start + r·length + j`` is made by the same op as node ``start + j`` and
reads each input the same way in every repetition r (a :class:`Ref`): an earlier node of the
same repetition, one node for all (a weight), the node ``slot + step·r`` (the point's input,
the previous repetition's output), or a number (fixed, or one a repetition). The python
backend writes each segment once, as a loop (:mod:`.loops`).

>>> from autograd import Value
>>> w = Value(0.5)
>>> xs = [Value(float(x)) for x in range(6)]
>>> outs = [(w * x).tanh() for x in xs]
>>> nodes = [w, *xs, *[n for o in outs for n in (o.parents[0], o)]]
>>> slot = {n: k for k, n in enumerate(nodes)}
>>> kinds = dict.fromkeys(nodes[:7], "parameter")
>>> [(s.start, s.length, s.count) for s in find_segments(nodes, slot, kinds, {})]
[(7, 2, 6)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..value import Value

__all__ = ["Ref", "Segment", "find_segments"]

_MIN_NODES = 8  # a segment smaller than this stays straight-line code


@dataclass(frozen=True)
class Ref:
    """How a node of a segment reads one input, the same way in every repetition r.

    ``kind``: "local" (node ``at`` of the same repetition), "shared" (the node at slot ``at``),
    "strided" (the node at slot ``at + step·r``), "number" (``numbers[0]`` in every
    repetition) or "table" (``numbers[r]``).
    """

    kind: str
    at: int = 0
    step: int = 0
    numbers: tuple[float, ...] = ()


@dataclass
class Segment:
    """``count`` repetitions of the ``length`` nodes from ``start``; ``refs[j]`` says how node
    j of a repetition reads its inputs (a copy: its source; a constant: its number)."""

    start: int
    length: int
    count: int
    refs: list[list[Ref]] = field(default_factory=list)

    @property
    def stop(self) -> int:
        return self.start + self.length * self.count


def find_segments(
    nodes: list[Value], slot: dict[Value, int], kinds: dict[Value, str], sources: dict[Value, Value]
) -> list[Segment]:
    """The trace's segments, left to right, none overlapping. ``kinds`` names the leaves that
    are "parameter", "input" or "copy" (of ``sources[leaf]``); other leaves are constants. At
    each node two periods are tried — the distance to the next node like it, and to the next
    one after the run of nodes like it (a layer's neurons) — and the one covering more kept."""
    return _Finder(nodes, slot, kinds, sources).segments()


class _Finder:
    def __init__(
        self,
        nodes: list[Value],
        slot: dict[Value, int],
        kinds: dict[Value, str],
        sources: dict[Value, Value],
    ) -> None:
        self.nodes, self.slot, self.kinds, self.sources = nodes, slot, kinds, sources
        self.keys = [self.key(node) for node in nodes]

    def key(self, node: Value) -> Any:
        if node.op is not None:
            return (node.op, tuple(type(p) is float for p in node.parents))
        kind = self.kinds.get(node, "constant")
        return kind if kind in ("copy", "constant") else None  # parameters, inputs: never

    def inputs(self, node: Value) -> tuple[Any, ...]:
        """An op's inputs, a copy's source, a constant's number."""
        if node.op is not None:
            return node.parents
        if node in self.sources:
            return (self.sources[node],)
        return (node.data,)

    def segments(self) -> list[Segment]:
        keys, n = self.keys, len(self.keys)
        next_same, last = [n] * n, {}
        run_end = [n] * n
        for i in range(n - 1, -1, -1):
            key = keys[i]
            if key is not None:
                next_same[i] = last.get(key, n)
                last[key] = i
            run_end[i] = run_end[i + 1] if i + 1 < n and keys[i + 1] == key else i + 1
        found: list[Segment] = []
        k = 0
        while k < n:
            best: Segment | None = None
            if keys[k] is not None:
                for other in sorted({next_same[k], next_same[run_end[k] - 1]}):
                    if other < n:
                        segment = self.match(k, other - k)
                        if segment and (best is None or segment.stop > best.stop):
                            best = segment
            if best is not None and best.stop - best.start >= _MIN_NODES:
                found.append(best)
                k = best.stop
            else:
                k += 1
        return found

    def match(self, start: int, length: int) -> Segment | None:
        """The longest segment of period ``length`` from ``start`` (two repetitions or more)."""
        nodes, slot, keys = self.nodes, self.slot, self.keys
        if start + 2 * length > len(nodes):
            return None
        plan: list[list[tuple[str, int, int]]] = []  # per node and input: (kind, at, step)
        for j in range(length):
            if keys[start + j] != keys[start + length + j]:
                return None
            row = []
            pairs = zip(self.inputs(nodes[start + j]), self.inputs(nodes[start + length + j]))
            for a, b in pairs:
                if type(a) is float:
                    row.append(("number", 0, 0))
                    continue
                p, q = slot[a], slot[b]
                if start <= p < start + j and q == p + length:
                    row.append(("local", p - start, 0))
                elif p < start and q < start + length:
                    row.append(("shared", p, 0) if q == p else ("strided", p, q - p))
                else:
                    return None
            plan.append(row)
        count = 2
        while start + (count + 1) * length <= len(nodes) and self.repeats(
            plan, start, length, count
        ):
            count += 1
        refs = []
        for j, row in enumerate(plan):
            refs_j = []
            for i, (kind, at, step) in enumerate(row):
                if kind != "number":
                    refs_j.append(Ref(kind, at, step))
                    continue
                numbers = tuple(self.inputs(nodes[start + r * length + j])[i] for r in range(count))
                same = all(_same(x, numbers[0]) for x in numbers)
                refs_j.append(
                    Ref("number" if same else "table", numbers=numbers[: 1 if same else count])
                )
            refs.append(refs_j)
        return Segment(start, length, count, refs)

    def repeats(
        self, plan: list[list[tuple[str, int, int]]], start: int, length: int, r: int
    ) -> bool:
        """Whether repetition r reads its inputs as ``plan`` says."""
        nodes, slot, keys = self.nodes, self.slot, self.keys
        base = start + r * length
        for j, row in enumerate(plan):
            if keys[base + j] != keys[start + j]:
                return False
            for (kind, at, step), x in zip(row, self.inputs(nodes[base + j])):
                if kind == "number":
                    if type(x) is not float:
                        return False
                elif type(x) is float:
                    return False
                elif kind == "local":
                    if slot[x] != base + at:
                        return False
                elif slot[x] != at + step * r or slot[x] >= base:
                    return False
        return True


def _same(x: float, y: float) -> bool:
    """The same float, bit for bit (−0.0 is not 0.0; a nan is itself)."""
    return x.hex() == y.hex() if x == x else y != y
