"""Tracing a step: run it once on Values, and keep what a replay needs.

``trace(fn, args)`` calls ``fn`` with the numbers in ``args`` replaced by leaf Values (the
inputs), records the graph it builds, then runs an ordinary ``backward()`` on it — so the
traced call *is* the eager step. What it keeps is a :class:`Trace`: the nodes in creation order
(each an op and its inputs' positions), which leaves are parameters (Values made before the
call: read through ``.data`` at every replay), inputs (fed anew) and constants (fixed now), the
outputs, and the guards.

A guard is a decision the step's Python code took from a number while it ran. What a read of
``.data`` gives the step's code, and how using it makes a guard, is :mod:`.probe`; what else
that code may do with Values while traced — noted, or refused so that the step runs eagerly —
is :mod:`.recorder`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import attrgetter
from typing import Any

from ..mode import _tracer
from ..ops import Op
from ..value import Value, _next_seq
from ..walk import _creation, backpropagate, gc_paused, topological_order
from .probe import Probe
from .recorder import Guard, _hook, _Recorder, _recorder

__all__ = ["NotReplayed", "Probe", "Trace", "Untraceable", "shape_of", "trace"]

_op = attrgetter("op")


class Untraceable(Exception):
    """The step cannot be traced (it runs eagerly instead); the message says why."""


class NotReplayed:
    """Stands, in a replayed step's result, for a value that is not a Value — a number the step
    computed from ``.data`` (an accuracy): a replay computes Values only."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<not replayed: computed in Python from .data while tracing; compute it from the returned Values>"


NOT_REPLAYED = NotReplayed()

# --- tracing ---------------------------------------------------------------------------------------


@dataclass
class Trace:
    """A traced step, ready to be compiled: see the module's docstring.

    ``nodes`` is the graph in creation order (``reached``: those the loss depends on, the
    nodes its backward walks, in that order too); leaves are parameters (``params``: node → its
    Value, the same object), inputs (``inputs``: node → position in the flat inputs) or
    constants — or copies of another node (``aliases``: made by ``Value(v)``, fed ``v``'s number
    at every replay). ``outputs`` is the step's result with every other value than a Value
    replaced by :data:`NOT_REPLAYED`; ``result`` is what the traced call returned.
    """

    nodes: list[Value]
    reached: list[Value]
    params: dict[Value, int]
    inputs: dict[Value, int]
    loss: Value
    outputs: Any
    result: Any
    guards: list[Guard] = field(default_factory=list)
    aliases: dict[Value, Value] = field(default_factory=dict)  # leaf -> the Value it copies
    resets: dict[Value, Any] = field(default_factory=dict)  # p.grad = number, by the step


def trace(call: Callable[[list[Value]], Any], inputs: list[float]) -> Trace:
    """Run ``call(leaves)`` — the step, with a leaf Value for every input number — record its
    graph and guards, then backward from its loss (the eager step). Raises
    :class:`Untraceable` for a step that cannot be replayed.

    The cyclic garbage collector is paused meanwhile: the trace keeps every node the step
    makes, so the collector's passes over them (the more, the longer) would find nothing."""
    with gc_paused():
        return _trace(call, inputs)


def _trace(call: Callable[[list[Value]], Any], inputs: list[float]) -> Trace:
    start = _next_seq()
    leaves = [Value(x) for x in inputs]
    recorder = _Recorder(start, leaves)
    _hook(True)
    token, tracing = _recorder.set(recorder), _tracer.set(recorder)
    try:
        result = call(leaves)
    finally:
        recorder.closed = True
        _tracer.reset(tracing)
        _recorder.reset(token)
        _hook(False)
    if recorder.refused:
        raise Untraceable(recorder.refused)
    # (a number it returns is not a use of it)
    result = _mapped(result, lambda v: v.number if isinstance(v, Probe) else v)
    loss, outputs = _outputs(result)
    if recorder.float_like(loss):
        raise Untraceable(
            "its loss is computed from its float arguments alone: eagerly a float, which has "
            "no backward()"
        )
    # what it computes from float arguments alone is, eagerly, a float: returned as one
    floaty, kind = recorder.float_like, recorder.float_kind
    result = _mapped(result, lambda v: kind(v)(v.data) if isinstance(v, Value) and floaty(v) else v)
    outputs = _mapped(
        outputs, lambda v: AsFloat(v, kind(v)) if isinstance(v, Value) and floaty(v) else v
    )
    guarded = [g.left for g in recorder.guards] + [
        g.right for g in recorder.guards if g.right is not None
    ]
    # Every node the call made is computed at each replay, as eager computes it (one the loss
    # does not use may raise), with what the result and the guards read.
    made = [n for n in recorder.made if n.op is not None]
    nodes = topological_order([loss, *_values(outputs), *guarded, *made])
    aliases = {leaf: source for leaf, source in recorder.aliases.values()}
    sources = [aliases[n] for n in nodes if n in aliases]
    if sources:  # the Values that aliases copy are computed by the replay too (most are inputs:
        # leaves, so only their own ancestors are walked, not the whole graph again)
        have = set(nodes)
        more = [n for n in topological_order(sources) if n not in have]
        nodes = sorted([*nodes, *more], key=_creation)  # (creation order: topological)
    _check_nodes(nodes, start, set(map(id, chain(recorder.made, leaves))))
    params = {n: k for k, n in enumerate(n for n in nodes if n.op is None and n._seq < start)}
    position = {id(leaf): k for k, leaf in enumerate(leaves)}
    ins = {n: position[id(n)] for n in nodes if id(n) in position}
    before = [p.grad for p in params]
    try:
        reached = backpropagate(loss, 1.0)  # the eager step, on the graph just built
    except BaseException:
        for p, g in zip(params, before):  # (the step runs eagerly next: no gradient twice)
            p.grad = g
        raise
    return Trace(
        nodes,
        reached,
        params,
        ins,
        loss,
        outputs,
        result,
        recorder.guards,
        {n: aliases[n] for n in nodes if n in aliases},
        recorder.resets,
    )


def _check_nodes(nodes: list[Value], start: int, mine: set[int]) -> None:
    """Untraceable unless every node is one a replay can run: made by this call, in this
    thread, by an op of the table. (Each op is looked at once, each node's number once: a
    trace has hundreds of thousands of nodes and a few ops.)"""
    from ..custom import Custom

    seqs = list(map(_creation, nodes))
    if not mine.issuperset(map(id, compress(nodes, map(start.__lt__, seqs)))):
        raise Untraceable(
            "part of its graph is built in another thread, where the trace cannot follow it"
        )
    ops = list(map(_op, nodes))
    for op in dict(zip(map(id, ops), ops)).values():
        if op is None:
            continue
        if isinstance(op, Custom):
            raise Untraceable(
                f"it makes a micrograd-style node ({op.symbol!r}) whose _backward is a "
                "closure, which a replay cannot run; declare the op in autograd.OPS"
            )
        if not isinstance(op, Op):
            raise Untraceable("it makes a node whose op is not an autograd.Op")
    for op in compress(ops, map(start.__gt__, seqs)):
        if op is not None:
            raise Untraceable(
                f"it uses a Value made by {op.name} before the call, whose number a replay "
                "would compute anew from today's parameters; build it inside the step, or "
                "use its .detach()"
            )


def _mapped(x: Any, f: Callable[[Any], Any]) -> Any:
    """``x`` with ``f`` applied to everything in it but its lists and tuples (followed, and
    rebuilt of their kind: a namedtuple too)."""
    if isinstance(x, (tuple, list)):
        return made(type(x), [_mapped(v, f) for v in x])
    return f(x)


def made(kind: type, items: list[Any]) -> Any:
    """A list or tuple of ``kind`` (a namedtuple's too) holding ``items``."""
    if kind is list:
        return items
    return kind(*items) if hasattr(kind, "_fields") else kind(items)


def _outputs(result: Any) -> tuple[Value, Any]:
    """The loss, and the result with Values kept (nested lists and tuples followed) and every
    other value replaced by NOT_REPLAYED."""
    if isinstance(result, Value):
        return result, result
    if isinstance(result, (tuple, list)) and result and isinstance(result[0], Value):
        return result[0], _mapped(result, lambda v: v if isinstance(v, Value) else NOT_REPLAYED)
    raise Untraceable(
        "it must return a Value (the loss), or a tuple or list whose first item is the loss, "
        f"got {type(result).__name__}"
    )


class AsFloat:
    """In a trace's outputs, a Value the step computed from its float arguments alone: the
    step returns its number, as eagerly: a float, or numpy's float64 where one of the
    arguments it is computed from is numpy's (numpy's scalar arithmetic keeps its type)."""

    __slots__ = ("kind", "value")

    def __init__(self, value: Value, kind: type) -> None:
        self.value, self.kind = value, kind


def _values(x: Any) -> list[Value]:
    if isinstance(x, Value):
        return [x]
    if isinstance(x, AsFloat):
        return [x.value]
    if isinstance(x, (tuple, list)):
        return [v for item in x for v in _values(item)]
    return []


# --- when a read did not matter --------------------------------------------------------------------


def shape_of(tr: Trace) -> tuple[bytes, list[tuple[Any, ...]]]:
    """What a trace built and what it read while building: a digest of its graph (ops, the
    slots and numbers they take, which leaves are which, what is returned), and each guard as
    (what it compares, where in the building it was read, its outcome). Two traces of one
    step with the same digest and the same reads built the same graph from the same decisions'
    inputs."""
    import hashlib
    from bisect import bisect_left

    slot = {node: k for k, node in enumerate(tr.nodes)}
    digest = hashlib.blake2b(digest_size=20)

    def ref(x: Any) -> str:
        return x.hex() if type(x) is float else str(slot[x])

    for node in tr.nodes:
        if node.op is not None:
            item = f"{node.op.name}({','.join(map(ref, node.parents))})"
        elif node in tr.params:
            item = f"p{id(node)}"
        elif node in tr.inputs:
            item = f"i{tr.inputs[node]}"
        elif node in tr.aliases:
            item = f"a{slot[tr.aliases[node]]}"
        else:
            item = f"c{node.data.hex()}"
        digest.update(item.encode() + b";")
    digest.update(repr(_keep_slots(tr.outputs, slot)).encode())
    digest.update(repr([(id(p), repr(g)) for p, g in tr.resets.items()]).encode())
    made = [node._seq for node in tr.nodes]
    reads = [
        (
            slot[g.left],
            g.op,
            None if g.right is None else slot[g.right],
            g.constant.hex(),
            bisect_left(made, g.when),
            g.outcome,
        )
        for g in tr.guards
    ]
    return digest.digest(), reads


def _keep_slots(x: Any, slot: dict[Value, int]) -> Any:
    if isinstance(x, Value):
        return slot[x]
    if isinstance(x, AsFloat):
        return (x.kind.__name__, slot[x.value])
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, [_keep_slots(v, slot) for v in x])
    return repr(x)
