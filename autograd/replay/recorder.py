"""The recorder of a traced step, and the hooks that feed it.

While ``autograd.compile`` traces a step, ``Value.data`` and ``Value.grad`` are descriptors
that note what the step's own code (not the engine's) does with them: a read of ``.data`` gives
a :class:`~.probe.Probe`; setting a parameter's ``.grad`` (its ``zero_grad()``) is noted, to
be done at every replay; reading ``.grad`` or assigning ``.data`` is refused. A float argument
is a Value then, and so is what the step computes from such Values by Python's arithmetic
(*float-like*); compared, tested, hashed or printed by the step's code, it acts as the float
it stands for (a Probe of its number). The hooks are on while any trace runs, in any thread;
they act in the tracing context only, and leave Value as it was when the last trace ends.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from .. import functions, value
from ..mode import anomaly, grad_enabled
from ..ops import OPS, PYTHON_SUM, Op, run
from ..value import Value, _new, _next_seq
from . import builtin_sum
from .probe import Probe, _Need

__all__ = ["Guard"]

# The ops of Python's arithmetic: on floats, eagerly, they give floats
_ARITHMETIC = {OPS[name] for name in ("add", "sub", "mul", "div", "neg", "pow", "vpow", "abs")}
_ARITHMETIC |= {PYTHON_SUM}  # (and sum() of floats: see .builtin_sum)


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
        self._float_like = {id(leaf): True for leaf in inputs}
        self.numpy_leaves: set[int] = set()  # the inputs that stand for numpy's float64s

    def copy(self, leaf: Value, source: Value) -> Any:
        """``Value(source)`` made ``leaf``. Run eagerly, the inputs are floats, so ``source``
        must be one, or computed from them only: then ``leaf`` is a leaf whose number is
        ``source``'s at every replay. Else ``source`` is returned, and Value() refuses it, as
        it does eagerly."""
        return self.alias(leaf, source) if self.float_like(source) else source

    def alias(self, leaf: Value, source: Value) -> float:
        """``leaf`` is a leaf (no gradient passes through it) whose number is ``source``'s at
        every replay: ``Value(an input)``, ``detach()``, an op run inside ``no_grad()``."""
        self.aliases[id(leaf)] = (leaf, source)
        return _get(source)

    def detach(self, leaf: Value, source: Value) -> None:
        """``source.detach()`` made ``leaf``: a copy of it (eagerly, a float argument has no
        ``detach()``: refused)."""
        if self.float_like(source):
            self.refused = "it calls .detach() on a float argument"
        self.alias(leaf, source)

    def detached(self, leaf: Value, op: Op, inputs: tuple[Any, ...]) -> None:
        """``leaf`` was made by ``op`` from ``inputs`` inside ``no_grad()``: a node that the
        replay computes (made just before it, as it was), which ``leaf`` copies."""
        node = self._made(op, inputs, _get(leaf), leaf._seq)
        leaf._seq = _next_seq()
        self.alias(leaf, node)
        if self.float_like(node):  # eagerly, arithmetic on floats: a float, as the node
            self._float_like[id(leaf)] = True

    def float_like(self, v: Value) -> bool:
        """Whether ``v`` is *float-like*: an input, or made from inputs and numbers by Python's arithmetic
        only (+ − × ÷ **, abs): a float, when the step runs eagerly. (``autograd.sum`` of
        floats, say, is a Value then too.)"""
        known = self._float_like
        stack = [v]
        while stack:
            node = stack[-1]
            if id(node) in known:
                stack.pop()
                continue
            if node.op not in _ARITHMETIC or node._seq < self.start:
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

    def float_kind(self, v: Value) -> type:
        """The type of the number a float-like ``v`` is, eagerly: numpy's float64 where an
        input it is computed from is one (numpy's scalars win over floats), else float."""
        if self.numpy_leaves:
            seen, stack = set(), [v]
            while stack:
                node = stack.pop()
                if id(node) in self.numpy_leaves:
                    import numpy as np

                    return np.float64
                if id(node) not in seen:
                    seen.add(id(node))
                    stack.extend(p for p in node.parents if type(p) is not float)
        return float

    def probe(self, node: Value, number: float) -> Probe:
        return Probe(number, (), self, node)

    def derive(self, op: Op, inputs: tuple[Any, ...], number: Any) -> Probe:
        """The Probe of ``number``, which the step's code computed from numbers it read by
        Python's arithmetic — ``op`` on ``inputs`` (the nodes read, and floats): a node the
        replay computes too, as Python does, so that comparing it guards the outcome. (Not
        finite, or after the call: a Probe that depends on every number read.)"""
        if self.closed or not math.isfinite(number):
            return Probe(number, tuple(self.pin(x) for x in inputs if type(x) is not float), self)
        return Probe(number, (), self, self._made(op, inputs, float(number), _next_seq()))

    def _made(self, op: Op, inputs: tuple[Any, ...], number: float, seq: int) -> Value:
        """A node of ``op`` on ``inputs`` holding ``number``, made now as creation number
        ``seq``: one the replay computes, as it computes every node the call made."""
        node = _new(Value)
        node._seq = seq
        _set(node, number)
        _grad_set(node, 0.0)
        node.label, node.op, node.parents = "", op, inputs
        self.made.append(node)
        return node

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
            seq = _seq_of(obj)
            new = seq > recorder.start
            # (+0.0 into a Value the step made — as the engine makes every one — is nothing)
            made = seq > recorder.body
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
# such Values with Python's arithmetic only (+ − × ÷ **, abs): eagerly, floats. Compared,
# tested, hashed or printed by the step's code, it acts as that float — a Probe of its number —
# rather than as a Value (whose == is identity). For any other Value, and in any other thread,
# these hooks do what Value does without them.


def _number(v: Value) -> Probe | None:
    """The Probe of a float-like Value's number, in the tracing context; else None."""
    recorder = _recorder.get()
    if recorder is None or not recorder.float_like(v):
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


def _by_the_step(frame: Any) -> bool:
    """Whether ``frame`` runs the step's own code (not the engine's)."""
    return not _is_engine(frame.f_code, frame)


def _as_float_bool(self: Value) -> bool:
    number = _number(self)
    return True if number is None or not _by_the_step(sys._getframe(1)) else bool(number)


def _as_float_hash(self: Value) -> int:
    number = _number(self)
    if number is None or not _by_the_step(sys._getframe(1)):
        return object.__hash__(self)  # (the engine's dicts and sets: each Value itself)
    return hash(number)


def _as_float_repr(self: Value) -> str:
    recorder = _recorder.get()
    if recorder is not None and _by_the_step(sys._getframe(1)):  # a number shown: a use
        number = _number(self)
        if number is not None:
            return repr(number)
        recorder.use((recorder.pin(self),))
    original = _SAVED.get("__repr__", _MISSING)
    return (object.__repr__ if original is _MISSING else original)(self)  # type: ignore[no-any-return]


def _as_float_format(self: Value, spec: str) -> str:
    recorder = _recorder.get()
    if recorder is not None and _by_the_step(sys._getframe(1)):
        number = _number(self)
        if number is not None:
            return format(number, spec)
        recorder.use((recorder.pin(self),))
    return object.__format__(self, spec)


_EXACT_UFUNCS = {"add", "subtract", "multiply", "divide", "true_divide", "negative", "positive"}


def _as_float_ufunc(self: Value, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """numpy's ufunc on a Value, as numpy runs it on any object (a 0-d object array); on a
    float argument, anything but + − × ÷ is refused: numpy's own (np.exp) is not math's."""
    import numpy as np

    recorder = _recorder.get()
    exact = method == "__call__" and ufunc.__name__ in _EXACT_UFUNCS
    floats = recorder is not None and any(
        isinstance(x, Value) and recorder.float_like(x) for x in inputs
    )
    if floats and not exact:
        recorder.refused = (
            f"it computes numpy's {ufunc.__name__} on a float argument, which numpy "
            "computes otherwise on a float than on a Value; use autograd's ops"
        )
    plain = [np.asarray(x, dtype=object) if isinstance(x, Value) else x for x in inputs]
    return getattr(ufunc, method)(*plain, **kwargs)


_AS_FLOAT: dict[str, Any] = {
    "__array_ufunc__": _as_float_ufunc,
    **{f"__{n}__": _as_float_compare(f"__{n}__") for n in ("eq", "ne", "lt", "le", "gt", "ge")},
    "__bool__": _as_float_bool,
    "__hash__": _as_float_hash,
    "__repr__": _as_float_repr,
    "__format__": _as_float_format,
}
_MISSING = object()
_SAVED: dict[str, Any] = {}  # Value's own, put back when the last trace ends


# The engine's own paths that make a node, as the hooks would run them — the same Value, made
# past the descriptors above (a Python call a read and a write, which the engine's reads skip
# anyway: a trace's nodes are made a third quicker). While a trace runs they stand in for
# value._record, value._unary, value.data_of and functions' _record; in another thread they
# do just what those do.
_engine_record = value._record


def _record_traced(op: Op, inputs: tuple[Any, ...], data: float) -> Value:
    """value._record while a trace runs (the Value it makes noted, as the hook notes it): a
    node recorded in the graph; the rest (grad mode off, anomaly mode) is value._record's own,
    through the hooks."""
    if not grad_enabled() or anomaly() is not None:
        return _engine_record(op, inputs, data)
    out = _new(Value)
    out._seq = _next_seq()
    _set(out, data)
    _grad_set(out, 0.0)
    out.label, out.op, out.parents = "", op, inputs
    recorder = _recorder.get()
    if recorder is not None:
        recorder.made.append(out)
    return out


def _unary_traced(op: Op, x: Value) -> Value:
    """value._unary while a trace runs."""
    return _record_traced(op, (x,), run(op, (_get(x),)))


def _data_of_traced(inputs: tuple[Any, ...]) -> tuple[float, ...]:
    """value.data_of while a trace runs."""
    return tuple([x if type(x) is float else _get(x) for x in inputs])


_ENGINE_PATHS = [
    (value, "_record", _record_traced),  # (the first: _engine_record)
    (value, "_unary", _unary_traced),
    (value, "data_of", _data_of_traced),
    (functions, "_record", _record_traced),
]
_ENGINE_SAVED = [getattr(module, name) for module, name, _ in _ENGINE_PATHS]


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
                _SAVED[name] = Value.__dict__.get(name, _MISSING)
                setattr(Value, name, method)
            elif _SAVED[name] is _MISSING:
                delattr(Value, name)
            else:
                setattr(Value, name, _SAVED[name])
        if not _hooked:
            _SAVED.clear()
        for (module, name, traced), engine in zip(_ENGINE_PATHS, _ENGINE_SAVED):
            setattr(module, name, traced if _hooked else engine)
        builtin_sum.swap(bool(_hooked))
