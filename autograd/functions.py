"""Functions on floats and Values alike, and the fused nodes ``sum``, ``dot`` and ``linear``.

Each function applies its row of :data:`autograd.OPS`: on a Value it records the op in the
graph; on a plain number it returns the float the same forward gives, with the same errors.

>>> from autograd import Value, functions as F
>>> F.tanh(0.0), F.tanh(Value(0.0))
(0.0, Value(data=0.0, grad=0.0))

The one-input functions are written out (so editors and type checkers know them); a test
checks that every op with a ``Value`` method has one here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import chain
from operator import attrgetter
from typing import Any

from .mode import tracer
from .ops import OPS, dot_inputs, dot_value, run
from .value import Value, _apply, _record, apply, as_float

__all__ = [
    "cos",
    "dot",
    "exp",
    "leaky_relu",
    "linear",
    "log",
    "logsumexp",
    "relu",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "sum",
    "tan",
    "tanh",
]

Number = Value | float


def exp(x: Number) -> Number:
    """e ** x."""
    return apply("exp", x)


def log(x: Number) -> Number:
    """Natural logarithm; ValueError for x <= 0."""
    return apply("log", x)


def sqrt(x: Number) -> Number:
    """Square root; ValueError for x < 0."""
    return apply("sqrt", x)


def tanh(x: Number) -> Number:
    """Hyperbolic tangent."""
    return apply("tanh", x)


def sigmoid(x: Number) -> Number:
    """1 / (1 + e ** -x), finite and accurate for any x."""
    return apply("sigmoid", x)


def relu(x: Number) -> Number:
    """max(x, 0)."""
    return apply("relu", x)


def softplus(x: Number) -> Number:
    """log(1 + e ** x), finite and accurate for any x."""
    return apply("softplus", x)


def sin(x: Number) -> Number:
    """Sine (radians)."""
    return apply("sin", x)


def cos(x: Number) -> Number:
    """Cosine (radians)."""
    return apply("cos", x)


def tan(x: Number) -> Number:
    """Tangent (radians); its poles are at π/2 + kπ."""
    return apply("tan", x)


def leaky_relu(x: Number, slope: float = 0.01) -> Number:
    """x where positive, else ``slope * x``."""
    return apply("leaky_relu", x, slope)


_OPERAND_TYPES = frozenset((Value, float))
_BIAS_TYPES = frozenset((Value, float, type(None)))


def operands(items: Iterable[Any], where: str) -> tuple[Number, ...]:
    """Values as they are and real numbers as float constants; TypeError for anything else.

    >>> operands([Value(1.0), 2], "dot")
    (Value(data=1.0, grad=0.0), 2.0)
    """
    items = tuple(items)
    if _OPERAND_TYPES.issuperset(map(type, items)):  # the common case, checked at C speed
        return items
    return tuple(x if isinstance(x, Value) else as_float(x, where) for x in items)


def sum(values: Iterable[Number]) -> Value:  # noqa: A001 - mirrors torch.sum
    """Σ values as ONE node with n parents (``builtins.sum`` would chain n - 1 adds).

    >>> from autograd import Value, sum
    >>> xs = [Value(1.0), Value(2.0), 3.0]
    >>> s = sum(xs); s.backward()
    >>> s.data, len(s.parents), xs[0].grad
    (6.0, 3, 1.0)
    """
    return _apply(_SUM, *operands(values, "sum"))


def logsumexp(values: Iterable[Number]) -> Value:
    """log Σ e^values as ONE node, finite for any sizes (no e^x overflows): the normaliser of
    a softmax; its gradient is the softmax, e^(xᵢ − out).

    >>> from autograd import Value, logsumexp
    >>> logsumexp([Value(1000.0), Value(1000.0)]).data == 1000.0 + math.log(2.0)
    True
    """
    return _apply(_LOGSUMEXP, *operands(values, "logsumexp"))


def dot(ws: Iterable[Number], xs: Iterable[Number], bias: Number | None = None) -> Value:
    """Σ wᵢ·xᵢ (+ bias) as ONE node: a neuron's pre-activation. Its parents are the pairs,
    then the bias: (w1, x1, w2, x2, ..., bias).

    >>> from autograd import Value, dot
    >>> w = [Value(0.5), Value(-1.0)]
    >>> z = dot(w, [2.0, 3.0], bias=Value(0.25))
    >>> z.data, len(z.parents)
    (-1.75, 5)
    """
    ws, xs = operands(ws, "dot"), operands(xs, "dot")
    if len(ws) != len(xs):
        raise ValueError(f"dot: ws has {len(ws)} entries but xs has {len(xs)}")
    return _apply(_DOT, *dot_inputs(ws, xs, None if bias is None else operands((bias,), "dot")[0]))


def linear(
    weights: Sequence[Sequence[Number]],
    inputs: Sequence[Number],
    biases: Sequence[Number | None] | None = None,
) -> list[Value]:
    """W·x + b: for each row of ``weights`` one ``dot`` node (with that row's bias), reading
    every input's float once for all rows — a layer's pre-activations.

    >>> from autograd import Value, linear
    >>> W = [[Value(1.0), Value(2.0)], [Value(-1.0), Value(0.5)]]
    >>> [z.data for z in linear(W, [3.0, 4.0], biases=[Value(0.5), None])]
    [11.5, -1.0]
    """
    xs = operands(inputs, "linear")
    tracing = tracer() is not None  # compile is tracing: the engine's reads are no guards
    if tracing:  # (read past the tracer's hook, which costs a Python call a read)
        xs_data = list(map(_float_or_slot, xs))
    else:
        xs_data = [x if type(x) is float else x.data for x in xs]
    rows = [row if type(row) is list or type(row) is tuple else list(row) for row in weights]
    biases = [None] * len(rows) if biases is None else list(biases)
    if len(biases) != len(rows):
        raise ValueError(f"linear: {len(rows)} rows of weights but {len(biases)} biases")
    for row in rows:
        if len(row) != len(xs):
            raise ValueError(f"linear: a row has {len(row)} weights but there are {len(xs)} inputs")
    weight_types = set(map(type, chain.from_iterable(rows)))  # checked once, at C speed
    if not _OPERAND_TYPES.issuperset(weight_types):
        rows = [operands(row, "linear") for row in rows]
    if not _BIAS_TYPES.issuperset(map(type, biases)):
        biases = [None if b is None else operands((b,), "linear")[0] for b in biases]
    if tracing:
        data = _slot if weight_types == {Value} else _float_or_slot
    else:
        data = _data if weight_types == {Value} else _float_or_data
    pairs: list[Number] = [0.0] * (2 * len(xs))  # dot's inputs (w1, x1, w2, x2, ...)
    pairs[1::2] = xs
    out = []
    for row, bias in zip(rows, biases):
        pairs[0::2] = row
        if bias is None:
            inputs_, b = tuple(pairs), None
        else:
            inputs_ = (*pairs, bias)
            b = bias if type(bias) is float else _slot(bias) if tracing else bias.data
        try:
            z = dot_value(map(data, row), xs_data, b)
        except (ArithmeticError, ValueError):
            z = math.nan
        if z - z != 0.0:  # an error or nan/inf: run says it as it does for any op
            z = run(_DOT, dot_inputs(list(map(data, row)), xs_data, b))
        out.append(_record(_DOT, inputs_, z))
    return out


def _float_or_data(x: Number) -> float:
    return x if type(x) is float else x.data


_slot = Value.__dict__["data"].__get__  # a Value's number: the slot itself, past a tracer's hook


def _float_or_slot(x: Number, _get: Any = _slot) -> float:
    return x if type(x) is float else _get(x)


_data = attrgetter("data")
_SUM, _DOT, _LOGSUMEXP = OPS["sum"], OPS["dot"], OPS["logsumexp"]
