"""The python backend: a traced step as one generated Python function.

Node k's number is ``V[k]`` and its gradient ``G[k]`` (k: its place in creation order). The
forward pass is one line a node and the backward pass one block a node, in the order the eager
engine runs them. Every op is computed by its row of the table — ``op.forward`` and
``op.derivative`` — except the arithmetic of the ops with a float fast path (add, sum, mul,
relu, dot) and sub and neg, written inline exactly as their forwards and fast paths compute it
(tests/test_replay.py checks each against its row). Where a dot's weights and inputs are runs
of consecutive nodes (a layer's neurons), its products and gradient updates run as slices, at C
speed. So the replay does the eager step's float operations, in its order, on the same
numbers: the same results, bit for bit.

The function returns None when the eager step would raise or meet inf or nan (the caller then
runs the step eagerly, which raises the same error or gives the same IEEE numbers), and False
when a guard fails.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import repeat
from operator import add, attrgetter, mul
from typing import Any

from ..ops import OPS, dot_parts
from ..value import Value
from .trace import Trace

__all__ = ["compile_trace"]

_ADD, _SUM, _MUL, _RELU, _DOT = (OPS[n] for n in ("add", "sum", "mul", "relu", "dot"))
_SUB, _NEG = OPS["sub"], OPS["neg"]
_INLINE_FORWARD = {  # the forwards that are one Python expression
    _ADD: "{0} + {1}",
    _SUB: "{0} - {1}",
    _MUL: "{0} * {1}",
    _NEG: "-{0}",
    _RELU: "0.0 if {0} <= 0.0 else {0}",
}


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
            "_all": all,
            "_copysign": math.copysign,
            "_data": attrgetter("data"),
        }

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


def generate(tr: Trace, wanted: list[Value]) -> tuple[str, dict[str, Any]]:
    """The replay function's source and namespace."""
    w = _Writer(tr)
    n = len(tr.nodes)
    runs = _unary_runs(tr.nodes, w.slot)
    w.emit("def replay(P, X):")
    w.emit(f"    V = [0.0] * {n}")
    _forward(tr, w, runs)
    w.emit("    if not _all(_map(_isfinite, V)):")
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
    for node, k in tr.params.items():
        w.emit(f"    G[{w.slot[node]}] = P[{k}].grad")
    w.emit(f"    G[{w.slot[tr.loss]}] += 1.0")
    ends = {first + length - 1: (first, length) for first, length in runs.items()}
    k = len(tr.nodes) - 1
    while k >= 0:
        if k in ends:  # a run of one-input nodes: their steps, together (each has its own input)
            first, length = ends[k]
            _run_backward(tr.nodes[first], first, length, w)
            k = first - 1
            continue
        if tr.nodes[k].op is not None:
            _backward(tr.nodes[k], w)
        k -= 1
    w.emit("    if not _all(_map(_isfinite, G)):")
    w.emit("        return None")
    params = tuple(w.slot[p] for p in tr.params)
    outputs = tuple(w.slot[v] for v in wanted)
    w.emit(
        f"    return [G[i] for i in {params!r}], [V[i] for i in {outputs!r}], [G[i] for i in {outputs!r}]"
    )
    w.namespace["C"] = tuple(w.constants)
    return "\n".join(w.lines) + "\n", w.namespace


def _unary_runs(nodes: list[Value], slot: dict[Value, int]) -> dict[int, int]:
    """Runs of consecutive nodes of one op with one input each (no constant), whose inputs are
    themselves consecutive nodes outside the run — a layer's activations: first place -> length."""
    runs: dict[int, int] = {}
    k = 0
    while k < len(nodes):
        op = nodes[k].op
        if op is None or op.arity != 1 or type(nodes[k].parents[0]) is float:
            k += 1
            continue
        start = slot[nodes[k].parents[0]]
        length = 1
        while (
            k + length < len(nodes)
            and nodes[k + length].op is op
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


def _forward(tr: Trace, w: _Writer, runs: dict[int, int]) -> None:
    nodes = tr.nodes
    k = 0
    while k < len(nodes):  # consecutive parameters are read with one slice
        node = nodes[k]
        i, op = w.slot[node], node.op
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
        k += 1
        if op is None:
            if node in tr.inputs:
                w.emit(f"    V[{i}] = X[{tr.inputs[node]}]")
            elif node in tr.aliases:
                w.emit(f"    V[{i}] = V[{w.slot[tr.aliases[node]]}]")
            else:
                w.emit(f"    V[{i}] = {w.constant(node.data)}")
            continue
        args = [w.ref(p) for p in node.parents]
        if op in _INLINE_FORWARD:
            expr = _INLINE_FORWARD[op].format(*args)
        elif op is _SUM:
            expr = f"_fsum({w.refs(node.parents)})"
        elif op is _DOT:
            ws, xs, bias = dot_parts(node.parents)
            expr = f"_fsum(_map(_mul, {w.refs(ws)}, {w.refs(xs)}))"
            if bias is not None:
                expr = f"{expr} + {w.ref(bias)}"
        else:
            name = f"F{i}"
            w.namespace[name] = op.forward
            expr = f"{name}({', '.join(args)})"
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
