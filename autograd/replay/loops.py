"""Loops for the python backend: each segment of a trace (:mod:`.segments`: a subgraph the
step built again and again, a point of a batch, a step of a recurrence) written once.

The python backend writes a segment as a loop over its repetitions instead of a line per node:
the code is as long as one repetition, so Python compiles it in milliseconds, and a
repetition's numbers live in local variables. Its backward pass is the eager walk unrolled as
before — repetitions last-made first, each one's nodes last-made first, a node's gradient
added up when its turn comes — with three changes that leave every result as it is, bit for bit:

- *No skips.* The walk skips a fast-path node whose gradient is 0, and an off relu sends
  nothing; here their contributions, ±0, are added. Every gradient except a parameter's starts
  at +0.0, and adding ±0 to a sum that started at +0.0 changes nothing (an exact cancellation
  rounds to +0.0). A parameter whose ``.grad`` starts at −0.0 would turn +0.0, so such a step
  runs eagerly. A repetition whose incoming gradients are all 0 sends only ±0 and is skipped
  whole, when its ops are ones whose contributions are g times a finite number (add, sum, mul,
  relu, dot, sub, neg); a rule runs whatever its g, as in eager (sqrt's at 0 raises).
- *Deferred sums.* A weight shared by every repetition receives one contribution from each, in
  the walk's order: repetition ``count - 1`` first. Those contributions are kept (the
  gradients and the inputs they multiply, a repetition a row) and added after the loop, one
  after another in that order: with ``builtins.sum``, at C speed, before Python 3.12, which
  adds floats in order; from 3.12 it compensates, so a loop of ``+=`` adds them there.
- *Off relus' sums skipped.* A relu that is off passes on +0.0 whatever gradient reaches it,
  so where that gradient is a sum of many terms g·w (a hidden unit's, from the next layer)
  read by nothing else, the sum is computed only when the relu is on. Eager computes it, and
  raises where it overflows; so the loop adds up Σ|g| over the repetitions, and after it
  checks that Σ|g| · max|w| is far below overflow — which bounds every skipped sum — or runs
  the step eagerly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..ops import OPS, dot_parts
from ..value import Value
from .segments import Ref, Segment

__all__ = [
    "INLINE_FORWARD",
    "Flags",
    "LoopCode",
    "forward_expression",
    "sequential_sum",
    "short_dot",
]

_ADD, _SUM, _MUL, _RELU, _DOT = (OPS[n] for n in ("add", "sum", "mul", "relu", "dot"))
_SUB, _NEG = OPS["sub"], OPS["neg"]
INLINE_FORWARD = {  # the forwards that are one Python expression
    _ADD: "{0} + {1}",
    _SUB: "{0} - {1}",
    _MUL: "{0} * {1}",
    _NEG: "-{0}",
    _RELU: "0.0 if {0} <= 0.0 else {0}",
}


def short_dot(ws: list[str], xs: list[str], bias: str | None) -> str:
    """A dot of one or two terms as one expression. ``math.fsum`` of two rounded products is
    their float sum, correctly rounded as fsum's (one of them: itself), except that fsum's zero
    is always +0.0 — hence ``+ 0.0``; a sum that overflows is inf here and an error in fsum,
    and either way the step runs eagerly."""
    total = " + ".join(f"{w} * {x}" for w, x in zip(ws, xs)) + " + 0.0"
    return total if bias is None else f"{total} + {bias}"


def forward_expression(
    op: Any,
    inputs: Sequence[Any],
    ref: Callable[[Any], str],
    sequence: Callable[[tuple[Any, ...]], str],
    namespace: dict[str, Any],
    name: str,
) -> str:
    """The Python expression of ``op`` on ``inputs`` (``ref`` writes one input, ``sequence``
    several: a dot's weights, a sum's terms): the fast-path ops' arithmetic inline, as their
    forwards compute it; a dot as fsum of its products (one or two: their sum), then + bias;
    any other op its forward, bound in ``namespace`` as ``name``."""
    if op in INLINE_FORWARD:
        return INLINE_FORWARD[op].format(*map(ref, inputs))
    if op is _SUM:
        return f"_fsum({sequence(tuple(inputs))})"
    if op is _DOT:
        ws, xs, bias = dot_parts(inputs)
        b = None if bias is None else ref(bias)
        if 1 <= len(ws) <= 2:
            return short_dot(list(map(ref, ws)), list(map(ref, xs)), b)
        products = f"_fsum(_map(_mul, {sequence(ws)}, {sequence(xs)}))"
        return products if b is None else f"{products} + {b}"
    namespace[name] = op.forward
    return f"{name}({', '.join(map(ref, inputs))})"


# ops whose every contribution is g times a finite number (the forward was finite) or g itself
_PLAIN = frozenset((_ADD, _SUM, _MUL, _RELU, _DOT, _SUB, _NEG))
_GATHER = 8  # terms of a gradient from which they are added as one sum (sequential_sum)
_SHORT = 16  # a repetition's record this long or shorter: checked as one stream of numbers
_SKIPPED_LIMIT = 2.0**1000  # Σ|g| · max|w| below this: no skipped sum overflows


def _added_in_turn(values: Iterable[float], start: float) -> float:
    """``reduce(add, values, start)``, as a loop: ``+=`` on floats is one bytecode, quicker
    than a call to ``operator.add`` a term (1.7-2.3x on Python 3.12 and 3.13)."""
    total = start
    for value in values:
        total += value
    return total


def _sum_is_sequential() -> bool:
    """Whether ``builtins.sum`` adds floats one after another (before 3.12) or compensates."""
    return sum([1e16, 1.0, 1.0], 0.0) == 1e16


sequential_sum = sum if _sum_is_sequential() else _added_in_turn


# --- code: a segment as two loops ---------------------------------------------------------------


@dataclass
class Flags:
    """Per slot: ``live`` — its gradient reaches a parameter, a copy or a constant the step
    made (eager computes their gradients, and raises where one overflows) or a wanted node;
    ``read`` — a node outside its repetition, a guard or the caller reads its number;
    ``sent`` — a node outside its repetition sends it gradient (or it is the loss);
    ``wanted`` — the caller reads its gradient."""

    live: list[bool]
    read: list[bool]
    sent: list[bool]
    wanted: list[bool]


class LoopCode:
    """The forward and backward loops of segment number ``q``, written with the python
    backend's writer ``w`` (``emit``, ``constant``, ``namespace``, ``hoisted``)."""

    def __init__(self, w: Any, nodes: list[Value], segment: Segment, q: int, flags: Flags) -> None:
        self.w, self.nodes, self.seg, self.q = w, nodes, segment, q
        s, length, count = segment.start, segment.length, segment.count

        def any_rep(flag: list[bool]) -> list[bool]:
            return [any(flag[s + r * length + j] for r in range(count)) for j in range(length)]

        self.live, self.read = any_rep(flags.live), any_rep(flags.read)
        self.sent, self.wanted = any_rep(flags.sent), any_rep(flags.wanted)
        self.shared_live = flags.live
        self.loads: dict[tuple[int, int], str] = {}  # strided inputs: (at, step) -> local
        self.tuples: dict[tuple[str, ...], str] = {}
        self.before: list[str] = []  # lines before the forward loop

    # names
    def v(self, j: int) -> str:
        return f"v{self.q}_{j}"

    def g(self, j: int) -> str:
        return f"g{self.q}_{j}"

    def at(self, j: int) -> str:
        """Slot of node j of repetition r, as an expression."""
        return f"{self.seg.start + j} + {self.seg.length} * r"

    def hoist(self, name: str, expr: str) -> str:
        """``name``, assigned ``expr`` before the loop being written (once in the function)."""
        if name not in self.w.hoisted:
            self.w.hoisted.add(name)
            self.before.append(f"    {name} = {expr}")
        return name

    def ref(self, ref: Ref, body: list[str]) -> str:
        """The expression of an input in the forward loop's body (loading it if needed)."""
        if ref.kind == "local":
            return self.v(ref.at)
        if ref.kind == "shared":
            return self.hoist(f"e{ref.at}", f"V[{ref.at}]")
        if ref.kind == "strided":
            name = self.loads.get((ref.at, ref.step))
            if name is None:
                name = self.loads[(ref.at, ref.step)] = f"l{self.q}_{len(self.loads)}"
                body.append(f"        {name} = V[{ref.at} + {ref.step} * r]")
            return name
        if ref.kind == "number":
            return _literal(ref.numbers[0], self.w)
        name = f"t{self.q}_{len(self.w.hoisted)}"
        return self.hoist(name, self.w.constant(ref.numbers)) + "[r]"

    def sequence(self, refs: tuple[Ref, ...], body: list[str]) -> str:
        """A sequence of the inputs' numbers (a dot's weights or inputs, a sum's terms)."""
        if refs and all(r.kind == "shared" for r in refs):
            first = refs[0].at
            if all(r.at == first + k for k, r in enumerate(refs)):
                return self.hoist(f"h{first}_{len(refs)}", f"V[{first}:{first + len(refs)}]")
            return self.hoist(
                f"h{self.q}_{len(self.w.hoisted)}",
                "(" + ", ".join(self.ref(r, body) for r in refs) + ",)",
            )
        if all(r.kind == "number" for r in refs):
            return self.w.constant(tuple(r.numbers[0] for r in refs))
        items = tuple(self.ref(r, body) for r in refs)
        name = self.tuples.get(items)
        if name is None:
            name = self.tuples[items] = f"u{self.q}_{len(self.tuples)}"
            body.append(f"        {name} = ({', '.join(items)},)")
        return name

    # the forward loop
    def forward(self) -> None:
        seg, w = self.seg, self.w
        body: list[str] = []
        for j in range(seg.length):
            node, refs = self.nodes[seg.start + j], seg.refs[j]
            op = node.op
            if op is None:
                expr = self.ref(refs[0], body)
            else:
                expr = forward_expression(
                    op,
                    refs,
                    lambda r: self.ref(r, body),
                    lambda rs: self.sequence(rs, body),
                    w.namespace,
                    f"F{seg.start + j}",
                )
            body.append(f"        {self.v(j)} = {expr}")
            if self.read[j]:
                body.append(f"        V[{self.at(j)}] = {self.v(j)}")
        self.stored = [self.v(j) for j in range(seg.length)] + list(self.loads.values())
        body.append(f"        S{self.q}.append(({', '.join(self.stored)},))")
        w.emit(f"    S{self.q} = []")
        for line in self.before:
            w.emit(line)
        w.emit(f"    for r in range({seg.count}):")
        for line in body:
            w.emit(line)
        # every number the step makes is finite, or eager runs it (a sum of them is not finite);
        # short records summed as one stream (a call of sum a record costs more than its terms)
        numbers = f"_chain(S{self.q})" if len(self.stored) <= _SHORT else f"_map(_sum, S{self.q})"
        w.emit(f"    if not _isfinite(_sum({numbers})):")
        w.emit("        return None")

    # the backward loop
    def backward(self) -> None:
        seg, w, nodes = self.seg, self.w, self.nodes
        self.before = []
        ops = [nodes[seg.start + j].op for j in range(seg.length)]
        plain = all(op in _PLAIN for op in ops if op is not None)
        generic = not plain  # rules run whatever g is: they may raise, or make nan from 0·inf
        inflow = [j for j in range(seg.length) if self.sent[j]]
        if plain and not (inflow and any(self.live)):
            return  # no gradient comes in, or none goes anywhere it is read: only ±0 would
        self.deferred = self._deferrable()
        self.records: list[str] = []
        self.sums: dict[int, tuple[int, str | None]] = {}  # shared slot -> (column, factor)
        body: list[str] = []
        self.started: set[int] = set()
        self.pending: dict[int, list[_Term]] = {}  # a node's terms, until its turn comes
        self.gathered: dict[tuple[str, ...], str] = {}
        self.bounded: set[str] = set()  # gathered g tuples whose Σ|g| m{q} adds up
        self.bound_factors: list[str] = []  # the fixed factors of the sums skipped when off
        self.strided: dict[str, list[_Term]] = {}  # a slot outside: its terms, in order
        checked = False  # whether z{q} sums leaves' g − g (see below)
        for j in range(seg.length - 1, -1, -1):
            node = nodes[seg.start + j]
            if node.op is not None:
                self._step(j, node, body, generic)
            elif j in self.pending:  # a copy or constant: eager computes its gradient
                self._gradient(j, body)
                if self.wanted[j]:
                    body.append(f"        G[{self.at(j)}] = {self.g(j)}")
                else:  # read by no one, but eager raises where it overflows: g − g is nan then
                    body.append(f"        z{self.q} += {self.g(j)} - {self.g(j)}")
                    checked = True
        for slot, terms in self.strided.items():  # nothing in a repetition reads them
            body += self._added(slot, terms, slot)
        for line in self.before:
            w.emit(line)
        if self.bound_factors:  # (hoisted above, with the other fixed factors)
            factors = ", ".join(self.bound_factors)
            w.emit(f"    b{self.q} = max(_map(_abs, _chain(({factors},))))")
            w.emit(f"    m{self.q} = 0.0")
        if checked:
            w.emit(f"    z{self.q} = 0.0")
        if self.records:
            w.emit(f"    R{self.q} = []")
        w.emit(f"    for r in range({seg.count - 1}, -1, -1):")
        if plain:  # a repetition that gets no gradient sends only ±0: skipped, as eager skips
            test = " or ".join(f"G[{self.at(j)}]" for j in inflow)
            w.emit(f"        if not ({test}):")
            w.emit("            continue")
        w.emit(f"        {', '.join(self.stored)}, = S{self.q}[r]")
        for line in body:
            w.emit(line)
        if self.records:
            w.emit(f"        R{self.q}.append(({', '.join(self.records)},))")
            w.emit(f"    if R{self.q}:")
            w.emit(f"        c{self.q} = tuple(zip(*R{self.q}))")
            for at, (column, factor) in self.sums.items():
                terms = f"c{self.q}[{column}]"
                if factor is not None:
                    terms = f"_map(_mul, {terms}, {factor})"
                w.emit(f"        G[{at}] = _seqsum({terms}, G[{at}])")
        if checked:
            w.emit(f"    if z{self.q} != 0.0:")  # (nan: a leaf's gradient was not finite)
            w.emit("        return None")
        if self.bound_factors:  # a skipped sum ≤ Σ|g| · max|w|, to within rounding (≪ 2**24)
            w.emit(f"    if not (m{self.q} * b{self.q} < {_SKIPPED_LIMIT!r}):")
            w.emit("        return None")

    def _deferrable(self) -> set[int]:
        """The shared slots whose contributions can be added after the loop: one a repetition,
        g or g times a number, and no other input of any repetition at that slot."""
        seg, nodes = self.seg, self.nodes
        count: dict[int, int] = {}
        bad: set[int] = set()
        strided: set[int] = set()
        for j, refs in enumerate(seg.refs):
            op = nodes[seg.start + j].op
            for ref in refs:
                if ref.kind == "shared":
                    count[ref.at] = count.get(ref.at, 0) + 1
                    if op is None or op not in _PLAIN or op is _RELU:
                        bad.add(ref.at)
                elif ref.kind == "strided" and op is not None:
                    strided.update(range(ref.at, ref.at + ref.step * seg.count, ref.step))
        return {at for at, k in count.items() if k == 1 and at not in bad and at not in strided}

    def _step(self, j: int, node: Value, body: list[str], generic: bool) -> None:
        """Node j's step of the walk: its gradient, then what it sends to each input."""
        op, refs = node.op, self.seg.refs[j]
        if (
            op is _RELU
            and j in self.pending
            and not (self.sent[j] or self.wanted[j])
            and self._gathers(self.pending[j])
        ):  # one sum only the relu reads: g, a sum from +0.0 where on, else +0.0
            self._gradient(j, body, gate=self.v(j))
            self._send(refs[0], self.g(j), None, body, signed_zero_free=True)
            return
        if j in self.pending:
            self._gradient(j, body)
        if j in self.started:
            g = self.g(j)
        elif self.sent[j]:
            g = self.g(j)
            body.append(f"        {g} = G[{self.at(j)}]")
        else:
            g = "0.0"
        if self.wanted[j] and j in self.started:
            body.append(f"        G[{self.at(j)}] = {g}")
        if g == "0.0" and not generic:
            return  # sends only ±0
        if op is _ADD or op is _SUM:
            for ref in refs:
                self._send(ref, g, None, body)
        elif op is _MUL:
            x, y = refs
            self._send(x, g, y, body)
            self._send(y, g, x, body)
        elif op is _DOT:
            ws, xs, bias = dot_parts(refs)
            for wi, xi in zip(ws, xs):
                self._send(wi, g, xi, body)
                self._send(xi, g, wi, body)
            if bias is not None:
                self._send(bias, g, None, body)
        elif op is _SUB:
            self._send(refs[0], g, Ref("number", numbers=(1.0,)), body)
            self._send(refs[1], g, Ref("number", numbers=(-1.0,)), body)
        elif op is _NEG:
            self._send(refs[0], g, Ref("number", numbers=(-1.0,)), body)
        elif op is _RELU:
            # g: a sum from +0.0, never −0.0; where off, g − g: +0.0, or nan where g is not
            # finite (which eager's check finds at the relu): passed on to be seen
            term = f"({g} if {self.v(j)} > 0.0 else {g} - {g})"
            self._send(refs[0], term, None, body, signed_zero_free=True)
        else:
            assert op is not None
            name = f"D{self.seg.start + j}"
            self.w.namespace[name] = op.derivative
            args = ", ".join(self._value(r) for r in refs)
            d = f"d{self.q}_{j}"  # its own name: its terms may be added later
            body.append(f"        {d} = {name}({args}, out={self.v(j)})")
            for k, ref in enumerate(refs):
                if ref.kind in ("number", "table"):
                    continue
                if op.select:
                    skip = f"type({d}[{k}]) is float and {d}[{k}] == 0.0"
                    self._send(ref, g, f"{d}[{k}]", body, when=f"not ({skip})")
                else:
                    self._send(ref, g, f"{d}[{k}]", body)

    def _value(self, ref: Ref) -> str:
        """An input's number in the backward loop (the forward loaded or hoisted it)."""
        if ref.kind == "strided":
            return self.loads[(ref.at, ref.step)]
        return self.ref(ref, [])

    def _send(
        self,
        target: Ref,
        g: str,
        factor: Ref | str | None,
        body: list[str],
        when: str | None = None,
        signed_zero_free: bool = False,
    ) -> None:
        """Add g (times ``factor``) to ``target``'s gradient, as the walk does now, only if
        ``when`` holds; ``signed_zero_free``: the term is never −0.0."""
        if isinstance(factor, Ref):
            factor = self._value(factor)
        term = g if factor is None else f"{g} * {factor}"
        kind = target.kind
        if kind in ("number", "table"):
            return
        if kind == "local":  # added up when the target's turn in the walk comes
            if self.live[target.at]:
                self.started.add(target.at)
                self.pending.setdefault(target.at, []).append(
                    _Term(term, g, factor, when, signed_zero_free)
                )
            return
        if kind == "shared":
            if not self.shared_live[target.at]:
                return
            if target.at in self.deferred and when is None:
                self.sums[target.at] = (
                    self._record(g),
                    None if factor is None else self._column(factor),
                )
                return
            line = f"G[{target.at}] += {term}"
        else:  # added up after the repetition's other work (see _added)
            slots = range(target.at, target.at + target.step * self.seg.count, target.step)
            if any(self.shared_live[k] for k in slots):
                slot = f"G[{target.at} + {target.step} * r]"
                self.strided.setdefault(slot, []).append(
                    _Term(term, g, factor, when, signed_zero_free)
                )
            return
        if when is None:
            body.append(f"        {line}")
        else:
            body.append(f"        if {when}:")
            body.append(f"            {line}")

    def _gradient(self, j: int, body: list[str], gate: str | None = None) -> None:
        """Node j's gradient, now that every contribution to it is made: its start (0.0, or
        what came from outside its repetition) plus its terms, one after another in the
        walk's order (``gate``: see :meth:`_added`)."""
        terms = self.pending.pop(j)
        start = f"G[{self.at(j)}]" if self.sent[j] else "0.0"
        body += self._added(self.g(j), terms, start, gate)

    def _gathers(self, terms: list[_Term]) -> bool:
        """Whether ``terms`` are added as one sum: many g·w, each w the same in every
        repetition (a layer's inputs)."""
        return len(terms) >= _GATHER and all(
            t.when is None and self._fixed(t.factor) for t in terms
        )

    def _added(
        self, name: str, terms: list[_Term], start: str, gate: str | None = None
    ) -> list[str]:
        """The lines that make ``name`` its start plus ``terms``, one after another in the
        walk's order — many terms g·w with fixed w (a layer's inputs) as one sum at C speed,
        only where ``gate`` > 0.0 if given — a relu's output, for terms that make one sum (and
        Σ|g| added up: see the module's docstring)."""
        body: list[str] = []
        if self._gathers(terms):
            factors = ", ".join("1.0" if t.factor is None else t.factor for t in terms)
            fixed = self.hoist(f"k{self.q}_{len(self.w.hoisted)}", f"({factors},)")
            gs = tuple(t.g for t in terms)
            row = self.gathered.get(gs)
            if row is None:
                row = self.gathered[gs] = f"q{self.q}_{len(self.gathered)}"
                body.append(f"        {row} = ({', '.join(gs)},)")
            total = f"_seqsum(_map(_mul, {row}, {fixed}), {start})"
            if gate is not None:  # a relu's output, which only the relu reads
                if row not in self.bounded:
                    self.bounded.add(row)
                    body.append(f"        m{self.q} += _sum(_map(_abs, {row}))")
                if fixed not in self.bound_factors:
                    self.bound_factors.append(fixed)
                total = f"{total} if {gate} > 0.0 else 0.0"
            body.append(f"        {name} = {total}")
            return body
        first, *rest = terms
        if first.when is None:
            # 0.0 + term: a term −0.0 makes +0.0, as eager's first addition does; a relu's
            # term is never −0.0 (its g is a sum that started at +0.0)
            zero_free = start == "0.0" and first.signed_zero_free
            body.append(
                f"        {name} = {first.term if zero_free else f'{start} + {first.term}'}"
            )
        else:
            if start != name:  # (a slot outside the repetition starts where it is)
                body.append(f"        {name} = {start}")
            rest = terms
        for t in rest:
            if t.when is None:
                body.append(f"        {name} += {t.term}")
            else:
                body.append(f"        if {t.when}:")
                body.append(f"            {name} += {t.term}")
        return body

    def _fixed(self, factor: str | None) -> bool:
        """Whether a factor is the same number in every repetition (or absent: 1)."""
        if factor is None:
            return True
        return not (
            factor.startswith((f"v{self.q}_", f"l{self.q}_", f"d{self.q}_"))
            or factor.endswith("[r]")
        )

    def _record(self, expr: str) -> int:
        """The column of ``expr`` in the repetitions' records."""
        if expr not in self.records:
            self.records.append(expr)
        return self.records.index(expr)

    def _column(self, factor: str) -> str:
        """A factor of a deferred sum: its column, or the same number repeated."""
        if self._fixed(factor):
            return f"_repeat({factor})"
        return f"c{self.q}[{self._record(factor)}]"


@dataclass(frozen=True)
class _Term:
    """A contribution to a node's gradient: ``term`` (``g`` times ``factor``, or g), added
    only if ``when`` holds; ``signed_zero_free``: the term is never −0.0."""

    term: str
    g: str
    factor: str | None
    when: str | None
    signed_zero_free: bool


def _literal(x: float, w: Any) -> str:
    """A float in source: its repr when that reads back as itself, else a constant."""
    if x != x or x in (float("inf"), float("-inf")):
        return w.constant(x)
    return f"({x!r})" if x < 0.0 or str(x).startswith("-") else repr(x)
