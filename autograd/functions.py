"""Functions on floats and Values alike, plus the fused n-ary nodes ``sum`` and ``dot``.

On a Value each function records its op in the graph; on a plain number it returns a float
computed by the same forward, with the same errors.

>>> from autograd import Value, functions as F
>>> F.tanh(0.0), F.tanh(Value(0.0))
(0.0, Value(data=0.0, grad=0.0))
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from typing import Any, overload

from .ops import OPS, run
from .value import Value, apply, as_float

__all__ = [
    "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "sin", "cos",
    "sum", "dot",
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


def _operands(items: Iterable[Any], where: str) -> tuple[Value | float, ...]:
    return tuple(x if isinstance(x, Value) else as_float(x, where) for x in items)


def sum(values: Iterable[Value | float]) -> Value:  # noqa: A001 - mirrors torch.sum
    """Σ values as ONE node with n parents (``builtins.sum`` would chain n - 1 adds).

    >>> from autograd import Value, sum
    >>> xs = [Value(1.0), Value(2.0), 3.0]
    >>> s = sum(xs); s.backward()
    >>> s.data, len(s.parents), xs[0].grad
    (6.0, 3, 1.0)
    """
    return apply(OPS["sum"], *_operands(values, "sum"))


def dot(ws: Sequence[Value | float], xs: Sequence[Value | float], bias: Value | float | None = None) -> Value:
    """Σ wᵢ·xᵢ (+ bias) as ONE node: a neuron's pre-activation.

    >>> from autograd import Value, dot
    >>> w = [Value(0.5), Value(-1.0)]
    >>> z = dot(w, [2.0, 3.0], bias=Value(0.25))
    >>> z.data, len(z.parents)
    (-1.75, 5)
    """
    ws, xs = _operands(ws, "dot"), _operands(xs, "dot")
    if len(ws) != len(xs):
        raise ValueError(f"dot: ws has {len(ws)} entries but xs has {len(xs)}")
    extra = () if bias is None else (bias if isinstance(bias, Value) else as_float(bias, "dot"),)
    return apply(OPS["dot"], *ws, *xs, *extra)


del builtins
