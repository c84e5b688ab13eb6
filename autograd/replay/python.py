"""The python backend: a traced step as one generated Python function.

Node k's number is ``V[k]`` and its gradient ``G[k]`` (k: its place in creation order). The
forward pass is a line a node and the backward pass a block a node, in the order the eager
engine runs them — except where the step built the same subgraph again and again (a point of
a batch, a step of a recurrence: :mod:`.segments`): :mod:`.loops` writes each such segment
once, as a loop over its repetitions, so the code does not grow with the batch. Every op is
computed by its row of the table — ``op.forward`` and ``op.derivative`` — except the
arithmetic of the ops with a float fast path (add, sum, mul, relu, dot) and sub and neg,
written inline exactly as their forwards and fast paths compute it (tests/test_replay.py
checks each against its row). Where a dot's weights and inputs are runs of consecutive nodes
(a layer's neurons), its products and gradient updates run as slices, at C speed. So the
replay does the eager step's float operations, in its order, on the same numbers: the same
results, bit for bit.

The function returns None when the eager step would raise or meet inf or nan (the caller then
runs the step eagerly, which raises the same error or gives the same IEEE numbers) or, with
loops, when a parameter's gradient starts at −0.0; and False when a guard fails.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import chain, repeat
from operator import add, attrgetter, mul, not_
from typing import Any

from ..ops import OPS, dot_parts
from ..value import Value
from .loops import Flags, LoopCode, forward_expression, sequential_sum
from .segments import Segment, find_segments
from .trace import Trace

__all__ = ["compile_trace"]

_ADD, _SUM, _MUL, _RELU, _DOT = (OPS[n] for n in ("add", "sum", "mul", "relu", "dot"))
_SUB, _NEG = OPS["sub"], OPS["neg"]


def compile_trace(tr: Trace, wanted: list[Value]) -> Callable[[list[Value], list[float]], Any]:
    """``replay(params, inputs)`` for the trace: the parameters' gradients and the wanted
    nodes' numbers and gradients, or None, or False (see the module's docstring)."""
    source, namespace = generate(tr, wanted)
    exec(compile(source, f"<replay of {len(tr.nodes)} nodes>", "exec"), namespace)
    return namespace["replay"]  # type: ignore[no-any-return]


class _Writer:
    """Source lines, and the constants and functions they use (``C[k]``, ``F12``)."""

    def __init__(self, tr: Trace) -> None:
        self.slot = {node: i for i, node in enumerate(tr.nodes)}
        self.lines: list[str] = []
        self.constants: list[Any] = []
        self.namespace: dict[str, Any] = {
            "_fsum": math.fsum,
            "_map": map,
            "_mul": mul,
            "_add": add,
            "_repeat": repeat,
            "_isfinite": math.isfinite,
            "_copysign": math.copysign,
            "_data": attrgetter("data"),
            "_sum": sum,
            "_seqsum": sequential_sum,
            "_grad": attrgetter("grad"),
            "_filter": filter,
            "_not": not_,
            "_abs": abs,
            "_chain": chain.from_iterable,
        }
        self.hoisted: set[str] = set()

    def emit(self, line: str) -> None:
        self.lines.append(line)

    def constant(self, x: Any) -> str:
        self.constants.append(x)
        return f"C[{len(self.constants) - 1}]"

    def ref(self, p: Any) -> str:
        return self.constant(p) if type(p) is float else f"V[{self.slot[p]}]"

    def refs(self, items: tuple[Any, ...]) -> str:
        """A sequence of the items' numbers: a slice of V for a run of consecutive nodes, a
        constant tuple for constants, else a tuple of references."""
        if all(type(p) is float for p in items):
            return self.constant(tuple(items))
        run = _run(self.slot, items)
        if run is not None:
            return f"V[{run[0]}:{run[1]}]"
        return "(" + ", ".join(self.ref(p) for p in items) + ",)"


def _run(slot: dict[Value, int], items: tuple[Any, ...]) -> tuple[int, int] | None:
    """(start, stop) if the items are nodes at consecutive places, else None."""
    if not items or any(type(p) is float for p in items):
        return None
    first = slot[items[0]]
    if all(slot[p] == first + k for k, p in enumerate(items)):
        return first, first + len(items)
    return None


def generate(tr: Trace, wanted: list[Value], loops: bool = True) -> tuple[str, dict[str, Any]]:
    """The replay function's source and namespace; ``loops``: write repeated subgraphs as
    loops (:mod:`.loops`) rather than a line a node."""
    w = _Writer(tr)
    n = len(tr.nodes)
    segments = _segments(tr, w.slot) if loops else []
    flags = _flags(tr, w.slot, wanted, segments)
    code = {seg.start: LoopCode(w, tr.nodes, seg, q, flags) for q, seg in enumerate(segments)}
    ends = {seg.stop - 1: code[seg.start] for seg in segments}
    covered = [False] * n
    for seg in segments:
        covered[seg.start : seg.stop] = [True] * (seg.stop - seg.start)
    # The walk runs only the nodes the loss depends on; a rule run on another (g = 0) would
    # add +0.0 where eager adds nothing: a parameter's −0.0 would turn +0.0.
    reached = [False] * n
    for node in tr.reached:
        reached[w.slot[node]] = True
    runs = _unary_runs(tr.nodes, w.slot, [c or not r for c, r in zip(covered, reached)])
    run_ends = {first + length - 1: (first, length) for first, length in runs.items()}
    w.emit("def replay(P, X):")
    w.emit("    Pg = list(_map(_grad, P))")
    if segments:  # the loops add ±0 where eager adds nothing: −0.0 + 0.0 would be +0.0
        w.emit("    if -1.0 in _map(_copysign, _repeat(1.0), _filter(_not, Pg)):")
        w.emit("        return None")
    w.emit(f"    V = [0.0] * {n}")
    _forward(tr, w, runs, code)
    w.emit("    if not _isfinite(_sum(V)):")  # a sum is finite only if every term is
    w.emit("        return None")
    for guard in tr.guards:  # the decisions the step's code took while building
        left = f"V[{w.slot[guard.left]}]"
        if guard.op is None:
            pinned = w.constant(guard.constant)
            w.emit(
                f"    if not ({left} == {pinned} and _copysign(1.0, {left}) == _copysign(1.0, {pinned})):"
            )
        else:
            right = (
                f"V[{w.slot[guard.right]}]"
                if guard.right is not None
                else w.constant(guard.constant)
            )
            w.emit(f"    if ({left} {guard.op} {right}) is not {guard.outcome}:")
        w.emit("        return False")
    w.emit(f"    G = [0.0] * {n}")
    params = [w.slot[p] for p in tr.params]
    if params == list(range(len(params))):  # the parameters come first, in order: one slice
        w.emit(f"    G[0:{len(params)}] = Pg")
    else:
        for i, k in enumerate(params):
            w.emit(f"    G[{k}] = Pg[{i}]")
    w.emit(f"    G[{w.slot[tr.loss]}] += 1.0")
    k = len(tr.nodes) - 1
    while k >= 0:
        if k in ends:  # a segment: its repetitions, last-made first
            ends[k].backward()
            k = ends[k].seg.start - 1
            continue
        if k in run_ends:  # a run of one-input nodes: their steps together (own inputs each)
            first, length = run_ends[k]
            _run_backward(tr.nodes[first], first, length, w)
            k = first - 1
            continue
        if tr.nodes[k].op is not None and reached[k]:
            _backward(tr.nodes[k], w)
        k -= 1
    w.emit("    if not _isfinite(_sum(G)):")  # a sum is finite only if every term is
    w.emit("        return None")
    outputs = tuple(w.slot[v] for v in wanted)
    grads = (
        f"G[0:{len(params)}]"
        if params == list(range(len(params)))
        else f"[G[i] for i in {tuple(params)!r}]"
    )
    w.emit(f"    return {grads}, [V[i] for i in {outputs!r}], [G[i] for i in {outputs!r}]")
    w.namespace["C"] = tuple(w.constants)
    return "\n".join(w.lines) + "\n", w.namespace


def _segments(tr: Trace, slot: dict[Value, int]) -> list[Segment]:
    kinds = dict.fromkeys(tr.params, "parameter") | dict.fromkeys(tr.inputs, "input")
    kinds |= dict.fromkeys(tr.aliases, "copy")
    return find_segments(tr.nodes, slot, kinds, tr.aliases)


def _flags(
    tr: Trace, slot: dict[Value, int], wanted: list[Value], segments: list[Segment]
) -> Flags:
    """Which nodes' numbers and gradients are read outside their repetition (see Flags)."""
    n = len(tr.nodes)
    rep = list(range(-1, -n - 1, -1))  # a node outside the segments is its own repetition
    for seg in segments:
        for base in range(seg.start, seg.stop, seg.length):
            rep[base : base + seg.length] = [base] * seg.length
    live, read, sent, want = [False] * n, [False] * n, [False] * n, [False] * n
    for v in wanted:
        want[slot[v]] = read[slot[v]] = True
    for guard in tr.guards:
        read[slot[guard.left]] = True
        if guard.right is not None:
            read[slot[guard.right]] = True
    sent[slot[tr.loss]] = True
    for i, node in enumerate(tr.nodes):
        if node.op is None:
            # eager computes, and checks for overflow, every leaf's gradient but the inputs'
            # (floats in eager): a copy's or a constant's too
            live[i] = node not in tr.inputs or want[i]
            source = tr.aliases.get(node)
            if source is not None and rep[slot[source]] != rep[i]:
                read[slot[source]] = True
            continue
        alive = want[i]
        for p in node.parents:
            if type(p) is not float:
                k = slot[p]
                alive = alive or live[k]
                if rep[k] != rep[i]:
                    read[k] = sent[k] = True
        live[i] = alive
    return Flags(live, read, sent, want)


def _unary_runs(nodes: list[Value], slot: dict[Value, int], covered: list[bool]) -> dict[int, int]:
    """Runs of consecutive nodes of one op with one input each (no constant), whose inputs are
    themselves consecutive nodes outside the run — a layer's activations: first place -> length."""
    runs: dict[int, int] = {}
    k = 0
    while k < len(nodes):
        op = nodes[k].op
        if covered[k] or op is None or op.arity != 1 or type(nodes[k].parents[0]) is float:
            k += 1
            continue
        start = slot[nodes[k].parents[0]]
        length = 1
        while (
            k + length < len(nodes)
            and nodes[k + length].op is op
            and not covered[k + length]
            and type(nodes[k + length].parents[0]) is not float
            and slot[nodes[k + length].parents[0]] == start + length
        ):
            length += 1
        if length > 1 and not (k <= start + length - 1 and start <= k + length - 1):
            runs[k] = length
            k += length
        else:
            k += 1
    return runs


def _run_forward(node: Value, first: int, length: int, w: _Writer) -> None:
    op = node.op
    assert op is not None
    name = f"F{first}"
    w.namespace[name] = op.forward
    start = w.slot[node.parents[0]]
    w.emit(f"    V[{first}:{first + length}] = _map({name}, V[{start}:{start + length}])")


def _run_backward(node: Value, first: int, length: int, w: _Writer) -> None:
    op = node.op
    assert op is not None
    start = w.slot[node.parents[0]]
    name = f"B{first}"
    w.namespace[name] = _relu_step if op is _RELU else _rule_step(op)
    inputs, outputs = f"[{start}:{start + length}]", f"[{first}:{first + length}]"
    w.emit(f"    G{inputs} = _map({name}, G{inputs}, G{outputs}, V{inputs}, V{outputs})")


def _relu_step(before: float, g: float, x: float, out: float) -> float:
    """A relu's walk step, as its fast path: the input's gradient after it."""
    if g != 0.0 or out - out != 0.0:
        if out > 0.0:
            return before + g
        if out != out:
            return before + g * out
    return before


def _rule_step(op: Any) -> Callable[[float, float, float, float], float]:
    """A one-input op's walk step, as the generic path applies its rule."""
    rule, select = op.derivative, op.select

    def step(before: float, g: float, x: float, out: float) -> float:
        d = rule(x, out=out)[0]
        if select and type(d) is float and d == 0.0:
            return before
        return before + g * d

    return step


def _forward(tr: Trace, w: _Writer, runs: dict[int, int], code: dict[int, LoopCode]) -> None:
    nodes = tr.nodes
    k = 0
    while k < len(nodes):  # consecutive parameters, and inputs, are read with one slice
        node = nodes[k]
        i, op = w.slot[node], node.op
        if k in code:
            code[k].forward()
            k = code[k].seg.stop
            continue
        if k in runs:
            _run_forward(node, k, runs[k], w)
            k += runs[k]
            continue
        if op is None and node in tr.params:
            j = k
            while (
                j + 1 < len(nodes)
                and nodes[j + 1] in tr.params
                and tr.params[nodes[j + 1]] == tr.params[nodes[j]] + 1
            ):
                j += 1
            first = tr.params[node]
            w.emit(f"    V[{i}:{i + j - k + 1}] = _map(_data, P[{first}:{first + j - k + 1}])")
            k = j + 1
            continue
        if op is None and node in tr.inputs:
            j, first = k, tr.inputs[node]
            while j + 1 < len(nodes) and tr.inputs.get(nodes[j + 1]) == first + j + 1 - k:
                j += 1
            w.emit(f"    V[{i}:{i + j - k + 1}] = X[{first}:{first + j - k + 1}]")
            k = j + 1
            continue
        k += 1
        if op is None:
            if node in tr.aliases:
                w.emit(f"    V[{i}] = V[{w.slot[tr.aliases[node]]}]")
            else:
                w.emit(f"    V[{i}] = {w.constant(node.data)}")
            continue
        expr = forward_expression(op, node.parents, w.ref, w.refs, w.namespace, f"F{i}")
        w.emit(f"    V[{i}] = {expr}")


def _backward(node: Value, w: _Writer) -> None:
    """The walk's step for ``node``: its fast path's arithmetic, or its rule's."""
    i, op, parents = w.slot[node], node.op, node.parents
    assert op is not None
    values = [(k, p) for k, p in enumerate(parents) if type(p) is not float]
    if not values:
        return
    if op in (_ADD, _SUM, _MUL, _RELU, _DOT):
        # skipped, as the walk skips a fast path, when g is 0 and the output finite
        w.emit(f"    if (g := G[{i}]) != 0.0 or V[{i}] - V[{i}] != 0.0:")
        body = _fast_lines(node, w)
        for line in body or ["pass"]:
            w.emit("        " + line)
        return
    if op is _SUB or op is _NEG:  # rules (1, −1) and (−1,): g · d, as the generic path
        w.emit(f"    g = G[{i}]")
        signs = (1.0, -1.0) if op is _SUB else (-1.0,)
        for k, p in values:
            w.emit(f"    G[{w.slot[p]}] += g * {signs[k]!r}")
        return
    name = f"D{i}"
    w.namespace[name] = op.derivative
    w.emit(f"    g = G[{i}]")
    w.emit(f"    d = {name}({', '.join(w.ref(p) for p in parents)}, out=V[{i}])")
    for k, p in values:
        if op.select:
            w.emit(f"    if not (type(d[{k}]) is float and d[{k}] == 0.0):")
            w.emit(f"        G[{w.slot[p]}] += g * d[{k}]")
        else:
            w.emit(f"    G[{w.slot[p]}] += g * d[{k}]")


def _fast_lines(node: Value, w: _Writer) -> list[str]:
    op, parents, i = node.op, node.parents, w.slot[node]
    if op is _ADD or op is _SUM:
        return [f"G[{w.slot[p]}] += g" for p in parents if type(p) is not float]
    if op is _MUL:
        x, y = parents
        lines = []
        if type(x) is not float:
            lines.append(f"G[{w.slot[x]}] += g * {w.ref(y)}")
        if type(y) is not float:
            lines.append(f"G[{w.slot[y]}] += g * {w.ref(x)}")
        return lines
    if op is _RELU:
        p = parents[0]
        if type(p) is float:
            return []
        return [
            f"if V[{i}] > 0.0:",
            f"    G[{w.slot[p]}] += g",
            f"elif V[{i}] != V[{i}]:",
            f"    G[{w.slot[p]}] += g * V[{i}]",
        ]
    ws, xs, bias = dot_parts(parents)
    lines = []
    w_run, x_run = _run(w.slot, ws), _run(w.slot, xs)
    separate = w_run and x_run and (w_run[1] <= x_run[0] or x_run[1] <= w_run[0])
    xs_constant = all(type(x) is float for x in xs)
    if w_run and (separate or xs_constant):
        # each weight, then each input: no node is both, so the order across them is free
        a, b = w_run
        lines.append(f"G[{a}:{b}] = _map(_add, G[{a}:{b}], _map(_mul, _repeat(g), {w.refs(xs)}))")
        if not xs_constant:
            c, d = x_run  # type: ignore[misc]
            lines.append(f"G[{c}:{d}] = _map(_add, G[{c}:{d}], _map(_mul, _repeat(g), V[{a}:{b}]))")
    else:  # the pairs in order, as the fast path takes them
        for wi, xi in zip(ws, xs):
            if type(wi) is not float:
                lines.append(f"G[{w.slot[wi]}] += g * {w.ref(xi)}")
            if type(xi) is not float:
                lines.append(f"G[{w.slot[xi]}] += g * {w.ref(wi)}")
    if bias is not None and type(bias) is not float:
        lines.append(f"G[{w.slot[bias]}] += g")
    return lines
