"""Tracing a step: run it once on Values, and keep what a replay needs.

``trace(fn, args)`` calls ``fn`` with the numbers in ``args`` replaced by leaf Values (the
inputs), records the graph it builds, then runs an ordinary ``backward()`` on it — so the
traced call *is* the eager step. What it keeps is a :class:`Trace`: the nodes in creation order
(each an op and its inputs' positions), which leaves are parameters (Values made before the
call: read through ``.data`` at every replay), inputs (fed anew) and constants (fixed now), the
outputs, and the guards.

A guard is a decision the step's Python code took from a number while it ran. While tracing,
``.data`` read by code outside the engine gives a :class:`Probe`. Comparing it or computing
with it gives other Probes and decides nothing; *using* one — ``if``, ``float()``, printing,
hashing — records a guard: on a comparison's outcome, or on the exact numbers read. A use
anywhere counts, after the last node too, since it may choose what is returned. (micrograd's
demo adds comparisons up into an accuracy it returns and never uses: no guard.)

A float argument is a Value while tracing; compared, tested, converted or printed by the
step's code, it acts as the float it stands for (a Probe of its number).

What else the step's code does is noted or refused: setting a parameter's ``.grad`` (its
``zero_grad()``) is done at every replay; ``detach()`` and ops inside ``no_grad()`` give
leaves that copy a node the replay computes; reading ``.grad``, assigning ``.data``, copying
a Value, calling ``backward()``, ``grad()`` or ``_backward()``, building in another thread or
on a Value made by an op before the call make the step :class:`Untraceable` (it runs
eagerly).
"""

from __future__ import annotations

import math
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
from ..value import Value, _new, _next_seq
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
    """A number user code got from ``.data`` while a step is traced, or computed from such
    numbers. Comparisons and arithmetic give other Probes and decide nothing; a *use* — ``if``
    or ``bool()``, ``float()``, ``int()``, printing or formatting, hashing, indexing, any other
    method — records the guards the number depends on and gives the plain value: a comparison
    of a read with a number or another read, a guard on its outcome; anything else, a guard on
    each number read, bit for bit. (micrograd's demo compares every score with 0 and adds the
    outcomes up into an accuracy it returns, never used while building: no guard.)"""

    __slots__ = ("needs", "node", "number", "recorder")

    def __init__(
        self, number: Any, needs: tuple[_Need, ...], recorder: _Recorder, node: Value | None = None
    ) -> None:
        self.number, self.needs, self.recorder, self.node = number, needs, recorder, node

    @property
    def __class__(self) -> type:  # type: ignore[override]
        # isinstance(v.data, float) holds while tracing too; a computed number's type may
        # depend on it (x ** 0.5 is complex for x < 0): asking it is a use
        if self.node is None and type(self.number) is not bool:
            self._use()
        return type(self.number)

    def _use(self) -> Any:
        self.recorder.use(_needs(self))
        return self.number

    def _compare(self, other: Any, op: str) -> Any:
        if isinstance(other, Probe):
            number = other.number
        elif isinstance(other, numbers.Real):
            number = other
        else:
            return NotImplemented
        outcome = _COMPARE[op](self.number, number)
        right = other.node if isinstance(other, Probe) else None
        if self.node is not None and (right is not None or not isinstance(other, Probe)):
            constant = 0.0 if right is not None else _as_constant(number)
            if constant is not None:  # a read against a read or a float: its outcome
                return Probe(
                    outcome, (_Need(self.node, op, right, constant, outcome),), self.recorder
                )
        return Probe(outcome, _needs(self) + _needs(other), self.recorder)

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, "<")

    def __le__(self, other: Any) -> Any:
        return self._compare(other, "<=")

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, ">")

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, ">=")

    def __eq__(self, other: Any) -> Any:
        return self._compare(other, "==")

    def __ne__(self, other: Any) -> Any:
        return self._compare(other, "!=")

    def __bool__(self) -> bool:
        return bool(self._use())

    def __float__(self) -> float:
        return float(self._use())

    def __int__(self) -> int:
        return int(self._use())

    def __index__(self) -> int:
        return operator.index(self._use())

    def __hash__(self) -> int:
        return hash(self._use())

    def __round__(self, ndigits: Any = None) -> Any:
        return round(self._use(), ndigits)

    def __trunc__(self) -> int:
        return math.trunc(self._use())

    def __floor__(self) -> int:
        return math.floor(self._use())

    def __ceil__(self) -> int:
        return math.ceil(self._use())

    def __repr__(self) -> str:
        return repr(self._use())

    def __str__(self) -> str:
        return str(self._use())

    def __format__(self, spec: str) -> str:
        return format(self._use(), spec)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy as np

        return np.asarray(self._use(), dtype=dtype)

    def __getattr__(self, name: str) -> Any:  # the number's methods: is_integer(), hex(), ...
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._use(), name)


def _binary(f: Callable[[Any, Any], Any], reflected: bool) -> Callable[[Probe, Any], Any]:
    def op(self: Probe, other: Any) -> Any:
        if isinstance(other, Probe):
            number = other.number
        elif isinstance(other, numbers.Real):
            number = other
        else:
            return NotImplemented  # (a Value: its own method takes the number, a use)
        result = f(number, self.number) if reflected else f(self.number, number)
        needs = _needs(self) + _needs(other)
        if isinstance(result, tuple):  # divmod
            return tuple(Probe(r, needs, self.recorder) for r in result)
        return Probe(result, needs, self.recorder)

    return op


def _unary_probe(f: Callable[[Any], Any]) -> Callable[[Probe], Probe]:
    def op(self: Probe) -> Probe:
        return Probe(f(self.number), _needs(self), self.recorder)

    return op


for _name, _f in {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "divmod": divmod, "pow": operator.pow,
}.items():  # fmt: skip
    setattr(Probe, f"__{_name}__", _binary(_f, False))
    setattr(Probe, f"__r{_name}__", _binary(_f, True))
for _name, _f in {"neg": operator.neg, "pos": operator.pos, "abs": abs}.items():
    setattr(Probe, f"__{_name}__", _unary_probe(_f))

numbers.Real.register(Probe)


def _needs(x: Any) -> tuple[_Need, ...]:
    """The guards a Probe's number depends on (a read: its number itself)."""
    if not isinstance(x, Probe):
        return ()
    return (x.recorder.pin(x.node),) if x.node is not None else x.needs


def _as_constant(x: Any) -> float | None:
    """``x`` as the float a replay compares with, where comparing with it is comparing with
    ``x`` (a float, an int that is one exactly); else None (a Fraction, a numpy float32,
    2**60 + 1: compared by their own rules, they guard the number read itself)."""
    if type(x) is float or type(x) is bool or _is_float64(x):
        return float(x)
    if type(x) is int and abs(x) <= 2**53:
        return float(x)
    return None


def _is_float64(x: Any) -> bool:
    kind = type(x)
    return kind.__name__ == "float64" and kind.__module__ == "numpy"


# --- the recorder and the .data and .grad hooks -------------------------------------------------


@dataclass
class Guard:
    """``left op right`` had ``outcome`` while tracing (right: a node, or the number
    ``constant``); a pin (``op`` None) requires the node's number to be ``constant`` exactly."""

    left: Value
    op: str | None
    right: Value | None
    constant: float
    outcome: bool
    when: int  # creation number when it was used: guards only what is made after


class _Need:
    """A guard a Probe's number depends on, recorded (once) when the number is first used."""

    __slots__ = ("constant", "done", "left", "op", "outcome", "right")

    def __init__(
        self, left: Value, op: str | None, right: Value | None, constant: float, outcome: bool
    ) -> None:
        self.left, self.op, self.right = left, op, right
        self.constant, self.outcome, self.done = constant, outcome, False


class _Recorder:
    def __init__(self, start: int, inputs: list[Value]) -> None:
        self.start = start  # Values numbered after it were made during the call
        self.body = _next_seq()  # and after this one, by the step (not its inputs)
        self.guards: list[Guard] = []
        self.pins: dict[int, _Need] = {}
        self.refused: str | None = None
        self.closed = False  # the call returned: Probes it left behind are plain numbers
        self.aliases: dict[int, tuple[Value, Value]] = {}  # id(leaf) -> (leaf, its source)
        self.made: list[Value] = []  # the Values this call made, in order
        self.resets: dict[Value, Any] = {}  # p.grad = number (float or int), by the step
        self._input_only = {id(leaf): True for leaf in inputs}

    def copy(self, leaf: Value, source: Value) -> Any:
        """``Value(source)`` made ``leaf``. Run eagerly, the inputs are floats, so ``source``
        must be one, or computed from them only: then ``leaf`` is a leaf whose number is
        ``source``'s at every replay. Else ``source`` is returned, and Value() refuses it, as
        it does eagerly."""
        return self.alias(leaf, source) if self.input_only(source) else source

    def alias(self, leaf: Value, source: Value) -> float:
        """``leaf`` is a leaf (no gradient passes through it) whose number is ``source``'s at
        every replay: ``Value(an input)``, ``detach()``, an op run inside ``no_grad()``."""
        self.aliases[id(leaf)] = (leaf, source)
        return _get(source)

    def detach(self, leaf: Value, source: Value) -> None:
        """``source.detach()`` made ``leaf``: a copy of it (eagerly, a float argument has no
        ``detach()``: refused)."""
        if self.input_only(source):
            self.refused = "it calls .detach() on a float argument"
        self.alias(leaf, source)

    def detached(self, leaf: Value, op: Op, inputs: tuple[Any, ...]) -> None:
        """``leaf`` was made by ``op`` from ``inputs`` inside ``no_grad()``: a node that the
        replay computes (made just before it, as it was), which ``leaf`` copies."""
        node = _new(Value)
        node._seq, leaf._seq = leaf._seq, _next_seq()
        _set(node, _get(leaf))
        _grad_set(node, 0.0)
        node.label, node.op, node.parents = "", op, inputs
        self.made.append(node)
        self.alias(leaf, node)

    def input_only(self, v: Value) -> bool:
        """Whether ``v`` is an input, or made by ops from inputs and numbers only (a float,
        when the step runs eagerly)."""
        known = self._input_only
        stack = [v]
        while stack:
            node = stack[-1]
            if id(node) in known:
                stack.pop()
                continue
            if node.op is None or node._seq < self.start:
                known[id(node)] = False
                stack.pop()
                continue
            pending = [p for p in node.parents if type(p) is not float and id(p) not in known]
            if pending:
                stack.extend(pending)
                continue
            known[id(node)] = all(known[id(p)] for p in node.parents if type(p) is not float)
            stack.pop()
        return known[id(v)]

    def probe(self, node: Value, number: float) -> Probe:
        return Probe(number, (), self, node)

    def pin(self, node: Value) -> _Need:
        """The guard on ``node``'s number, bit for bit: one per node."""
        need = self.pins.get(id(node))
        if need is None:
            need = self.pins[id(node)] = _Need(node, None, None, _get(node), True)
        return need

    def use(self, needs: tuple[_Need, ...]) -> None:
        if self.closed:
            return
        for need in needs:
            if not need.done:
                need.done = True
                self.guards.append(
                    Guard(need.left, need.op, need.right, need.constant, need.outcome, _next_seq())
                )

    def reset(self, param: Value, g: Any) -> None:
        """The step's code set a parameter's ``.grad`` (``zero_grad()``): each replay does."""
        if type(g) in (float, int):
            self.resets[param] = g
        else:
            self.refused = "it sets a parameter's .grad to a number computed while building (set it after the step)"


_recorder: ContextVar[_Recorder | None] = ContextVar("autograd.replay.recorder", default=None)
_slot = Value.__dict__["data"]  # the slot descriptor: the number itself
_get, _set = _slot.__get__, _slot.__set__
_grad_slot = Value.__dict__["grad"]
_grad_get, _grad_set = _grad_slot.__get__, _grad_slot.__set__
_seq_of = Value.__dict__["_seq"].__get__
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
    tracing context, user code reading it gets a Probe, and assigning it is refused; the
    Values the engine makes there are noted."""

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
                recorder.refused = (
                    "it assigns a Value's .data while building the graph (update it after the step)"
                )
                return  # (not done now: the step runs eagerly next, and does it once)
            if _seq_of(obj) > recorder.start:  # a Value made now (its number set once)
                recorder.made.append(obj)
        _set(obj, number)


class _RecordingGrad:
    """``Value.grad`` while a trace is running: in the tracing context, the step's own code
    setting a parameter's gradient (``zero_grad()``) is noted, and reading it is refused."""

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        recorder = _recorder.get()
        if recorder is not None and _seq_of(obj) < recorder.start:
            frame = sys._getframe(1)
            if not _is_engine(frame.f_code, frame):
                recorder.refused = (
                    "it reads a parameter's .grad while building the graph (read it after the step)"
                )
        return _grad_get(obj)

    def __set__(self, obj: Any, g: Any) -> None:
        recorder = _recorder.get()
        if recorder is not None:
            new = _seq_of(obj) > recorder.start
            # (+0.0 into a Value the step made — as the engine makes every one — is nothing)
            made = _seq_of(obj) > recorder.body
            if not (made and type(g) is float and g == 0.0 and math.copysign(1.0, g) > 0.0):
                frame = sys._getframe(1)
                if _is_engine(frame.f_code, frame):
                    pass
                elif not new:
                    recorder.reset(obj, g)
                else:  # a Value it made: eager's backward would start from that gradient
                    recorder.refused = (
                        "it sets the .grad of a Value it made (set it after the step)"
                    )
                    return
        _grad_set(obj, g)


# While tracing, a float argument is a Value (an input), and so is what the step computes from
# such Values only: eagerly, floats. Compared, tested, converted or printed by the step's code,
# it acts as that float — a Probe of its number — rather than as a Value (whose == is identity).


def _number(v: Value) -> Probe | None:
    """The Probe of an input-only Value's number, in the tracing context; else None."""
    recorder = _recorder.get()
    if recorder is None or not recorder.input_only(v):
        return None
    return recorder.probe(v, _get(v))


def _as_float_compare(name: str) -> Callable[[Value, Any], Any]:
    def compare(self: Value, other: Any) -> Any:
        number = _number(self)
        if number is not None and isinstance(other, Value):
            other = _number(other)
        if number is None or other is None:
            return NotImplemented  # (==: identity, as for any Value; <: a TypeError)
        return getattr(number, name)(other)

    return compare


def _as_float_use(name: str) -> Callable[..., Any]:
    def use(self: Value, *args: Any) -> Any:
        number = _number(self)
        if number is None:
            raise TypeError(f"a Value is not a number here ({name}); use its .data")
        return getattr(number, name)(*args)

    return use


def _as_float_bool(self: Value) -> bool:
    number = _number(self)
    if number is None:
        return True  # (any Value's truth)
    frame = sys._getframe(1)
    return True if _is_engine(frame.f_code, frame) else bool(number)


_value_repr = Value.__repr__


def _as_float_repr(self: Value) -> str:
    recorder = _recorder.get()
    if recorder is not None:
        frame = sys._getframe(1)
        if not _is_engine(frame.f_code, frame):  # the step's code shows a number: a use
            number = _number(self)
            if number is not None:
                return repr(number)
            recorder.use((recorder.pin(self),))
    return _value_repr(self)


def _as_float_format(self: Value, spec: str) -> str:
    number = _number(self)
    return object.__format__(self, spec) if number is None else format(number, spec)


_AS_FLOAT: dict[str, Any] = {
    **{f"__{n}__": _as_float_compare(f"__{n}__") for n in ("eq", "ne", "lt", "le", "gt", "ge")},
    **{f"__{n}__": _as_float_use(f"__{n}__") for n in ("float", "int", "index", "trunc")},
    **{f"__{n}__": _as_float_use(f"__{n}__") for n in ("floor", "ceil", "round")},
    "__bool__": _as_float_bool,
    "__repr__": _as_float_repr,
    "__format__": _as_float_format,
    "__hash__": object.__hash__,  # (a Value is hashed as itself, == or not)
}


def _hook(on: bool) -> None:
    global _hooked
    with _hook_lock:
        was = bool(_hooked)
        _hooked += 1 if on else -1
        if bool(_hooked) == was:
            return
        setattr(Value, "data", _RecordingData() if _hooked else _slot)  # noqa: B010
        setattr(Value, "grad", _RecordingGrad() if _hooked else _grad_slot)  # noqa: B010
        for name, method in _AS_FLOAT.items():
            if _hooked:
                setattr(Value, name, method)
            elif name == "__repr__":
                Value.__repr__ = _value_repr  # type: ignore[method-assign]
            elif name != "__hash__":
                delattr(Value, name)


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
    resets: dict[Value, Any] = field(default_factory=dict)  # p.grad = number, by the step


def trace(call: Callable[[list[Value]], Any], inputs: list[float]) -> Trace:
    """Run ``call(leaves)`` — the step, with a leaf Value for every input number — record its
    graph and guards, then backward from its loss (the eager step). Raises
    :class:`Untraceable` for a step that cannot be replayed."""
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
    result = _plain(result)  # (a number it returns is not a use of it)
    loss, outputs = _outputs(result)
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
    _check_nodes(nodes, start, {id(n) for n in (*recorder.made, *leaves)})
    params = {n: k for k, n in enumerate(n for n in nodes if n.op is None and n._seq < start)}
    position = {id(leaf): k for k, leaf in enumerate(leaves)}
    ins = {n: position[id(n)] for n in nodes if id(n) in position}
    before = [p.grad for p in params]
    try:
        loss.backward()  # the eager step, on the graph just built
    except BaseException:
        for p, g in zip(params, before):  # (the step runs eagerly next: no gradient twice)
            p.grad = g
        raise
    return Trace(
        nodes,
        params,
        ins,
        loss,
        outputs,
        result,
        recorder.guards,
        {n: aliases[n] for n in nodes if n in aliases},
        recorder.resets,
    )


_THREAD = "part of its graph is built in another thread, where the trace cannot follow it"


def _check_nodes(nodes: list[Value], start: int, mine: set[int]) -> None:
    """Untraceable unless every node is one a replay can run: made by this call, in this
    thread, by an op of the table."""
    from ..custom import Custom

    for node in nodes:
        op = node.op
        if op is None:
            if node._seq > start and id(node) not in mine:
                raise Untraceable(_THREAD)
            continue
        if isinstance(op, Custom):
            raise Untraceable(
                f"it makes a micrograd-style node ({op.symbol!r}) whose _backward is a "
                "closure, which a replay cannot run; declare the op in autograd.OPS"
            )
        if not isinstance(op, Op):
            raise Untraceable("it makes a node whose op is not an autograd.Op")
        if node._seq < start:
            raise Untraceable(
                f"it uses a Value made by {op.name} before the call, whose number a replay "
                "would compute anew from today's parameters; build it inside the step, or "
                "use its .detach()"
            )
        if id(node) not in mine:
            raise Untraceable(_THREAD)


def _plain(x: Any) -> Any:
    """``x`` with every Probe in it (in nested lists and tuples) replaced by its number."""
    if isinstance(x, Probe):
        return x.number
    if isinstance(x, (tuple, list)) and any(isinstance(v, (Probe, tuple, list)) for v in x):
        return _rebuilt(x, [_plain(v) for v in x])
    return x


def _rebuilt(x: Any, items: list[Any]) -> Any:
    """A list or tuple of ``x``'s kind (a namedtuple too) holding ``items``."""
    kind = type(x)
    return kind(*items) if hasattr(x, "_fields") else kind(items)


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
        return _rebuilt(x, [_keep_values(v) for v in x])
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
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, [_keep_slots(v, slot) for v in x])
    return repr(x)
