"""What user code gets from ``.data`` while a step is traced: a :class:`Probe`.

Comparing a Probe or computing with it gives another Probe and decides nothing; *using* one —
``if``, ``float()``, printing, hashing, an index, any method of the number — records the
guards its number depends on (see :mod:`.recorder`) and gives the plain value: the outcome of
a comparison of a read with a float or another read, or else every number read that went into
it, bit for bit. micrograd's demo adds comparisons of its scores up into an accuracy that it
returns and never uses: no guard.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..ops import OPS, Op

if TYPE_CHECKING:
    from ..value import Value

_Recorder = Any  # .recorder._Recorder: what a Probe tells of its uses (pin, use)

__all__ = ["Probe"]

_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_COMPARE |= {"==": operator.eq, "!=": operator.ne}


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
        elif isinstance(other, numbers.Number):
            # (a complex, a Decimal: compared by its own rules, with the number read)
            return Probe(_COMPARE[op](self.number, other), _needs(self), self.recorder)
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


def _binary(
    f: Callable[[Any, Any], Any], reflected: bool, op: Op | None
) -> Callable[[Probe, Any], Any]:
    def compute(self: Probe, other: Any) -> Any:
        if isinstance(other, Probe):
            number = other.number
        elif isinstance(other, numbers.Real):
            number = other
        else:
            return NotImplemented  # (a Value: its own method takes the number, a use)
        result = f(number, self.number) if reflected else f(self.number, number)
        if op is not None and self.node is not None:
            partner = other.node if isinstance(other, Probe) else _as_constant(number)
            if partner is not None:
                inputs = (partner, self.node) if reflected else (self.node, partner)
                return self.recorder.derive(op, inputs, result)
        needs = _needs(self) + _needs(other)
        if isinstance(result, tuple):  # divmod
            return tuple(Probe(r, needs, self.recorder) for r in result)
        return Probe(result, needs, self.recorder)

    return compute


def _comparison(name: str) -> Callable[[Probe, Any], Any]:
    symbol = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}[name]

    def compare(self: Probe, other: Any) -> Any:
        return self._compare(other, symbol)

    return compare


def _unary_probe(f: Callable[[Any], Any], op: Op | None) -> Callable[[Probe], Probe]:
    def compute(self: Probe) -> Probe:
        if op is not None and self.node is not None:
            return self.recorder.derive(op, (self.node,), f(self.number))
        return Probe(f(self.number), _needs(self), self.recorder)

    return compute


# Python's + − × ÷, negation and abs of numbers read are ops of the table, which compute them
# as Python does: their results are nodes too (a comparison of one is a guard on its outcome)
_DERIVED = {"add": "add", "sub": "sub", "mul": "mul", "truediv": "div", "neg": "neg", "abs": "abs"}
for _name, _f in {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "divmod": divmod, "pow": operator.pow,
}.items():  # fmt: skip
    _op = OPS[_DERIVED[_name]] if _name in _DERIVED else None
    setattr(Probe, f"__{_name}__", _binary(_f, False, _op))
    setattr(Probe, f"__r{_name}__", _binary(_f, True, _op))
for _name in ("lt", "le", "gt", "ge", "eq", "ne"):
    setattr(Probe, f"__{_name}__", _comparison(_name))
for _name, _f in {"neg": operator.neg, "pos": operator.pos, "abs": abs}.items():
    setattr(
        Probe, f"__{_name}__", _unary_probe(_f, OPS[_DERIVED[_name]] if _name in _DERIVED else None)
    )

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


class _Need:
    """A guard a Probe's number depends on, recorded (once) when the number is first used."""

    __slots__ = ("constant", "done", "left", "op", "outcome", "right")

    def __init__(
        self, left: Value, op: str | None, right: Value | None, constant: float, outcome: bool
    ) -> None:
        self.left, self.op, self.right = left, op, right
        self.constant, self.outcome, self.done = constant, outcome, False
