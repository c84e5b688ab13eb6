"""Functions on floats and Values alike, plus the fused n-ary nodes ``sum`` and ``dot``.

On a Value each function records its op in the graph; on a plain number it returns a float
computed by the same forward, with the same errors.

>>> from autograd import Value, functions as F
>>> F.tanh(0.0), F.tanh(Value(0.0))
(0.0, Value(data=0.0, grad=0.0))
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, overload

from .ops import OPS, run
from .value import Value, apply, as_float

__all__ = [
    "cos",
    "dot",
    "exp",
    "leaky_relu",
    "log",
    "operands",
    "relu",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "sum",
    "tanh",
]


@overload
def _unary(name: str, x: Value) -> Value: ...
@overload
def _unary(name: str, x: float) -> float: ...
def _unary(name: str, x: Any) -> Any:
    if isinstance(x, Value):
        return apply(OPS[name], x)
    return run(OPS[name], (as_float(x, name),))


def exp(x: Value | float) -> Value | float:
    """e ** x."""
    return _unary("exp", x)


def log(x: Value | float) -> Value | float:
    """Natural logarithm; ValueError for x <= 0."""
    return _unary("log", x)


def sqrt(x: Value | float) -> Value | float:
    """Square root; ValueError for x < 0."""
    return _unary("sqrt", x)


def tanh(x: Value | float) -> Value | float:
    """Hyperbolic tangent."""
    return _unary("tanh", x)


def sigmoid(x: Value | float) -> Value | float:
    """1 / (1 + e ** -x), finite and accurate for any x."""
    return _unary("sigmoid", x)


def relu(x: Value | float) -> Value | float:
    """max(x, 0)."""
    return _unary("relu", x)


def softplus(x: Value | float) -> Value | float:
    """log(1 + e ** x), finite and accurate for any x."""
    return _unary("softplus", x)


def sin(x: Value | float) -> Value | float:
    """Sine (radians)."""
    return _unary("sin", x)


def cos(x: Value | float) -> Value | float:
    """Cosine (radians)."""
    return _unary("cos", x)


def leaky_relu(x: Value | float, slope: float = 0.01) -> Value | float:
    """x where positive, else ``slope * x``."""
    if isinstance(x, Value):
        return x.leaky_relu(slope)
    return run(OPS["leaky_relu"], (as_float(x, "leaky_relu"), as_float(slope, "leaky_relu")))


_OPERAND_TYPES = frozenset((Value, float))


def operands(items: Iterable[Any], where: str) -> tuple[Value | float, ...]:
    """Values as they are and real numbers as float constants; TypeError for anything else.

    >>> operands([Value(1.0), 2], "dot")
    (Value(data=1.0, grad=0.0), 2.0)
    """
    items = tuple(items)
    if _OPERAND_TYPES.issuperset(map(type, items)):  # the common case, checked at C speed
        return items
    return tuple(x if isinstance(x, Value) else as_float(x, where) for x in items)


def sum(values: Iterable[Value | float]) -> Value:  # noqa: A001 - mirrors torch.sum
    """Σ values as ONE node with n parents (``builtins.sum`` would chain n - 1 adds).

    >>> from autograd import Value, sum
    >>> xs = [Value(1.0), Value(2.0), 3.0]
    >>> s = sum(xs); s.backward()
    >>> s.data, len(s.parents), xs[0].grad
    (6.0, 3, 1.0)
    """
    return apply(_SUM, *operands(values, "sum"))


def dot(
    ws: Iterable[Value | float], xs: Iterable[Value | float], bias: Value | float | None = None
) -> Value:
    """Σ wᵢ·xᵢ (+ bias) as ONE node: a neuron's pre-activation.

    >>> from autograd import Value, dot
    >>> w = [Value(0.5), Value(-1.0)]
    >>> z = dot(w, [2.0, 3.0], bias=Value(0.25))
    >>> z.data, len(z.parents)
    (-1.75, 5)
    """
    ws, xs = tuple(ws), tuple(xs)
    if len(ws) != len(xs):
        raise ValueError(f"dot: ws has {len(ws)} entries but xs has {len(xs)}")
    return apply(_DOT, *operands(ws + xs if bias is None else (*ws, *xs, bias), "dot"))


_SUM, _DOT = OPS["sum"], OPS["dot"]
