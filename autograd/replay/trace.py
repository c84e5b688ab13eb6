"""Tracing a step: run it once on Values, and keep what a replay needs.

``trace(fn, args)`` calls ``fn`` with the numbers in ``args`` replaced by leaf Values (the
inputs), records the graph it builds, then runs an ordinary ``backward()`` on it — so the
traced call *is* the eager step. What it keeps is a :class:`Trace`: the nodes in creation order
(each an op and its inputs' positions), which leaves are parameters (Values made before the
call: read through ``.data`` at every replay), inputs (fed anew) and constants (fixed now), the
outputs, and the guards.

A guard is a decision the step's Python code took from a number while the graph was being
built. While tracing, ``.data`` read by code outside the engine gives a :class:`Probe`: a
comparison with it (``if v.data > 0:``) becomes a guard on the comparison's outcome, any other
use (arithmetic, ``float()``, ``math.exp``) a guard on the exact number. A read after the last
node of the graph was made (an accuracy computed at the end) cannot have chosen what was built
and is no guard.
"""

from __future__ import annotations

import numbers
import operator
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from ..mode import _tracer
from ..ops import Op
from ..value import Value, _next_seq
from ..walk import _creation, topological_order

__all__ = ["NotReplayed", "Probe", "Trace", "Untraceable", "shape_of", "trace"]


class Untraceable(Exception):
    """The step cannot be traced (it runs eagerly instead); the message says why."""


class NotReplayed:
    """Stands, in a replayed step's result, for a value that is not a Value — a number the step
    computed from ``.data`` (an accuracy): a replay computes Values only."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<not replayed: computed in Python from .data while tracing; compute it from the returned Values>"


NOT_REPLAYED = NotReplayed()

_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_COMPARE |= {"==": operator.eq, "!=": operator.ne}


# --- what user code gets from .data while tracing ----------------------------------------------


class Probe:
    """A Value's number as user code sees it while a step is traced: comparisons become guards
    on their outcome, any other use a guard on the number itself."""

    __slots__ = ("node", "number", "recorder")

    def __init__(self, node: Value, number: float, recorder: _Recorder) -> None:
        self.node, self.number, self.recorder = node, number, recorder

    def _compare(self, other: Any, op: str) -> bool:
        if isinstance(other, Probe):
            outcome = _COMPARE[op](self.number, other.number)
            self.recorder.predicate(self.node, op, other.node, None, outcome)
            return outcome
        if isinstance(other, numbers.Real):
            outcome = _COMPARE[op](self.number, other)
            self.recorder.predicate(self.node, op, None, float(other), outcome)
            return outcome
        return NotImplemented

    def __lt__(self, other: Any) -> bool:
        return self._compare(other, "<")

    def __le__(self, other: Any) -> bool:
        return self._compare(other, "<=")

    def __gt__(self, other: Any) -> bool:
        return self._compare(other, ">")

    def __ge__(self, other: Any) -> bool:
        return self._compare(other, ">=")

    def __eq__(self, other: Any) -> bool:  # type: ignore[override]
        return self._compare(other, "==")

    def __ne__(self, other: Any) -> bool:  # type: ignore[override]
        return self._compare(other, "!=")

    def __bool__(self) -> bool:
        return self._compare(0.0, "!=")

    def __float__(self) -> float:
        self.recorder.pin(self.node)
        return self.number

    def __hash__(self) -> int:
        return hash(float(self))

    def __int__(self) -> int:
        return int(float(self))

    def __round__(self, ndigits: Any = None) -> Any:
        return round(float(self), ndigits)

    def __trunc__(self) -> int:
        return int(float(self))

    def __floor__(self) -> int:
        import math

        return math.floor(float(self))

    def __ceil__(self) -> int:
        import math

        return math.ceil(float(self))

    def __repr__(self) -> str:  # display: cannot choose what is built
        return repr(self.number)

    def __format__(self, spec: str) -> str:
        return format(self.number, spec)

    __str__ = __repr__


def _arithmetic(name: str) -> Callable[..., Any]:
    method = getattr(float, name)

    def use(self: Probe, *other: Any) -> Any:
        other = tuple(float(o) if isinstance(o, Probe) else o for o in other)
        return method(float(self), *other)

    return use


for _name in (
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__divmod__",
    "__rdivmod__", "__pow__", "__rpow__", "__neg__", "__pos__", "__abs__",
):  # fmt: skip
    setattr(Probe, _name, _arithmetic(_name))

numbers.Real.register(Probe)


# --- the recorder and the .data hook -------------------------------------------------------------


@dataclass
class Guard:
    """``left op right`` had ``outcome`` while tracing (right: a node, or the number
    ``constant``); a pin (``op`` None) requires the node's number to be ``constant`` exactly."""

    left: Value
    op: str | None
    right: Value | None
    constant: float
    outcome: bool
    when: int  # creation number when it was read: guards only what is made after


class _Recorder:
    def __init__(self) -> None:
        self.guards: list[Guard] = []
        self.pinned: set[int] = set()
        self.refused: str | None = None
        self.aliases: dict[int, tuple[Value, Value]] = {}  # id(leaf) -> (leaf, its source)

    def alias(self, leaf: Value, source: Value) -> float:
        """``Value(source)`` made ``leaf``: a leaf (as ``Value(number)`` is when the step runs
        eagerly) whose number is ``source``'s at every replay."""
        self.aliases[id(leaf)] = (leaf, source)
        return _slot.__get__(source, Value)

    def probe(self, node: Value, number: float) -> Probe:
        return Probe(node, number, self)

    def predicate(
        self, left: Value, op: str, right: Value | None, constant: Any, outcome: bool
    ) -> None:
        self.guards.append(Guard(left, op, right, constant or 0.0, outcome, _next_seq()))

    def pin(self, node: Value) -> None:
        if id(node) not in self.pinned:
            self.pinned.add(id(node))
            self.guards.append(
                Guard(node, None, None, _slot.__get__(node, Value), True, _next_seq())
            )


_recorder: ContextVar[_Recorder | None] = ContextVar("autograd.replay.recorder", default=None)
_slot = Value.__dict__["data"]  # the slot descriptor: the number itself
_get, _set = _slot.__get__, _slot.__set__
_hooked = 0
_hook_lock = threading.Lock()


def _is_engine(code: Any, frame: Any) -> bool:
    """Whether the code running in ``frame`` is the engine's own (remembered per code)."""
    engine = _engine_code.get(code)
    if engine is None:
        name = frame.f_globals.get("__name__", "")
        engine = _engine_code[code] = name == "autograd" or name.startswith("autograd.")
    return engine


_engine_code: dict[Any, bool] = {}


class _RecordingData:
    """``Value.data`` while a trace is running (in any thread): the slot, read through; in the
    tracing context, user code reading it gets a Probe, and assigning it is refused."""

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        number = _get(obj)
        recorder = _recorder.get()
        if recorder is None:
            return number
        frame = sys._getframe(1)
        if _is_engine(frame.f_code, frame):
            return number
        return recorder.probe(obj, number)

    def __set__(self, obj: Any, number: Any) -> None:
        recorder = _recorder.get()
        if recorder is not None:
            frame = sys._getframe(1)
            if not _is_engine(frame.f_code, frame):
                recorder.refused = "it assigns a Value's .data while building the graph"
        _set(obj, number)


def _hook(on: bool) -> None:
    global _hooked
    with _hook_lock:
        _hooked += 1 if on else -1
        setattr(Value, "data", _RecordingData() if _hooked else _slot)  # noqa: B010


# --- tracing ---------------------------------------------------------------------------------------


@dataclass
class Trace:
    """A traced step, ready to be compiled: see the module's docstring.

    ``nodes`` is the graph in creation order; leaves are parameters (``params``: node → its
    Value, the same object), inputs (``inputs``: node → position in the flat inputs) or
    constants — or copies of another node (``aliases``: made by ``Value(v)``, fed ``v``'s number
    at every replay). ``outputs`` is the step's result with every other value than a Value
    replaced by :data:`NOT_REPLAYED`; ``result`` is what the traced call returned.
    """

    nodes: list[Value]
    params: dict[Value, int]
    inputs: dict[Value, int]
    loss: Value
    outputs: Any
    result: Any
    guards: list[Guard] = field(default_factory=list)
    aliases: dict[Value, Value] = field(default_factory=dict)  # leaf -> the Value it copies


def trace(call: Callable[[list[Value]], Any], inputs: list[float]) -> Trace:
    """Run ``call(leaves)`` — the step, with a leaf Value for every input number — record its
    graph and guards, then backward from its loss (the eager step). Raises
    :class:`Untraceable` for a step that cannot be replayed."""
    from ..custom import Custom

    start = _next_seq()
    leaves = [Value(x) for x in inputs]
    recorder = _Recorder()
    _hook(True)
    token, tracing = _recorder.set(recorder), _tracer.set(recorder)
    try:
        result = call(leaves)
    finally:
        _tracer.reset(tracing)
        _recorder.reset(token)
        _hook(False)
    if recorder.refused:
        raise Untraceable(recorder.refused)
    loss, outputs = _outputs(result)
    guarded = [g.left for g in recorder.guards] + [
        g.right for g in recorder.guards if g.right is not None
    ]
    nodes = topological_order([loss, *_values(outputs), *guarded])
    aliases = {leaf: source for leaf, source in recorder.aliases.values()}
    sources = [aliases[n] for n in nodes if n in aliases]
    if sources:  # the Values that aliases copy are computed by the replay too (most are inputs:
        # leaves, so only their own ancestors are walked, not the whole graph again)
        have = set(nodes)
        more = [n for n in topological_order(sources) if n not in have]
        nodes = sorted([*nodes, *more], key=_creation)  # (creation order: topological)
    last = max((n._seq for n in nodes if n._seq > start), default=start)
    guards = [g for g in recorder.guards if g.when < last]  # later reads chose nothing built
    for node in nodes:
        if isinstance(node.op, Custom):
            raise Untraceable(
                f"it makes a micrograd-style node ({node.op.symbol!r}) whose _backward is a "
                "closure, which a replay cannot run; declare the op in autograd.OPS"
            )
        if node.op is not None and not isinstance(node.op, Op):
            raise Untraceable("it makes a node whose op is not an autograd.Op")
    params = {n: k for k, n in enumerate(n for n in nodes if n.op is None and n._seq < start)}
    position = {id(leaf): k for k, leaf in enumerate(leaves)}
    ins = {n: position[id(n)] for n in nodes if id(n) in position}
    loss.backward()  # the eager step, on the graph just built
    return Trace(
        nodes,
        params,
        ins,
        loss,
        outputs,
        result,
        guards,
        {n: aliases[n] for n in nodes if n in aliases},
    )


def _outputs(result: Any) -> tuple[Value, Any]:
    """The loss, and the result with Values kept (nested lists and tuples followed) and every
    other value replaced by NOT_REPLAYED."""
    if isinstance(result, Value):
        return result, result
    if isinstance(result, (tuple, list)) and result and isinstance(result[0], Value):
        return result[0], _keep_values(result)
    raise Untraceable(
        "it must return a Value (the loss), or a tuple or list whose first item is the loss, "
        f"got {type(result).__name__}"
    )


def _keep_values(x: Any) -> Any:
    if isinstance(x, Value):
        return x
    if isinstance(x, (tuple, list)):
        return type(x)(_keep_values(v) for v in x)
    return NOT_REPLAYED


def _values(x: Any) -> list[Value]:
    if isinstance(x, Value):
        return [x]
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
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, [_keep_slots(v, slot) for v in x])
    return repr(x)
