"""Forward mode with hyper-dual numbers: first and second derivatives of the same DAG.

A hyper-dual number ``a + b·ε₁ + c·ε₂ + d·ε₁ε₂`` with ``ε₁² = ε₂² = 0`` carries a value, two
directional derivatives and their mixed second derivative. Seeding input i with ε₁ and input j
with ε₂ gives ∂f/∂xᵢ, ∂f/∂xⱼ and ∂²f/∂xᵢ∂xⱼ exactly (up to rounding, with no step size).

Every op is written here from its own first and second derivative (f, f', f''), in forward
mode: no code is shared with the engine's reverse mode or its op table.

>>> x = Dual(0.5, 1.0, 1.0, 0.0)                 # seed x in both directions
>>> y = x * x * x                                # x³: 3x², 6x
>>> y.a, y.b, y.d
(0.125, 0.75, 3.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["Dual", "derivatives", "evaluate"]


class Dual:
    """a + b·ε₁ + c·ε₂ + d·ε₁ε₂."""

    __slots__ = ("a", "b", "c", "d")

    def __init__(self, a: float, b: float = 0.0, c: float = 0.0, d: float = 0.0) -> None:
        self.a, self.b, self.c, self.d = a, b, c, d

    def __add__(self, o: Dual) -> Dual:
        return Dual(self.a + o.a, self.b + o.b, self.c + o.c, self.d + o.d)

    def __sub__(self, o: Dual) -> Dual:
        return Dual(self.a - o.a, self.b - o.b, self.c - o.c, self.d - o.d)

    def __neg__(self) -> Dual:
        return Dual(-self.a, -self.b, -self.c, -self.d)

    def __mul__(self, o: Dual) -> Dual:
        return Dual(
            self.a * o.a,
            self.a * o.b + self.b * o.a,
            self.a * o.c + self.c * o.a,
            self.a * o.d + self.b * o.c + self.c * o.b + self.d * o.a,
        )

    def __truediv__(self, o: Dual) -> Dual:
        return self * o.apply(lambda y: 1.0 / y, lambda y: -1.0 / (y * y), lambda y: 2.0 / y**3)

    def apply(
        self,
        f: Callable[[float], float],
        df: Callable[[float], float],
        d2f: Callable[[float], float],
    ) -> Dual:
        """g(self) for a function g with derivatives df, d2f: the chain rule to second order."""
        a, b, c, d = self.a, self.b, self.c, self.d
        slope = df(a)
        return Dual(f(a), slope * b, slope * c, slope * d + d2f(a) * b * c)

    def __repr__(self) -> str:
        return f"Dual({self.a!r}, {self.b!r}, {self.c!r}, {self.d!r})"


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _power(c: float) -> tuple[Callable[[float], float], ...]:
    """x ** c for a constant c, and its first two derivatives."""
    return (
        lambda x: math.pow(x, c),
        lambda x: c * math.pow(x, c - 1.0) if c != 0.0 else 0.0,
        lambda x: c * (c - 1.0) * math.pow(x, c - 2.0) if c not in (0.0, 1.0) else 0.0,
    )


def _sign(x: float) -> float:
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


# name -> (f, f', f'') for the ops of one variable
_UNARY: dict[str, tuple[Callable[[float], float], ...]] = {
    "exp": (math.exp, math.exp, math.exp),
    "log": (math.log, lambda x: 1.0 / x, lambda x: -1.0 / (x * x)),
    "sqrt": (math.sqrt, lambda x: 0.5 / math.sqrt(x), lambda x: -0.25 / (x * math.sqrt(x))),
    "tanh": (
        math.tanh,
        lambda x: 1.0 - math.tanh(x) ** 2,
        lambda x: -2.0 * math.tanh(x) * (1.0 - math.tanh(x) ** 2),
    ),
    "sigmoid": (
        _sigmoid,
        lambda x: _sigmoid(x) * _sigmoid(-x),
        lambda x: _sigmoid(x) * _sigmoid(-x) * (_sigmoid(-x) - _sigmoid(x)),
    ),
    "softplus": (_softplus, _sigmoid, lambda x: _sigmoid(x) * _sigmoid(-x)),
    "relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0.0 else 0.0, lambda x: 0.0),
    "abs": (abs, _sign, lambda x: 0.0),
    "sin": (math.sin, math.cos, lambda x: -math.sin(x)),
    "cos": (math.cos, lambda x: -math.sin(x), lambda x: -math.cos(x)),
    "tan": (  # sec² x = 1 / cos² x, and its derivative 2 sec² x tan x
        math.tan,
        lambda x: 1.0 / math.cos(x) ** 2,
        lambda x: 2.0 * math.tan(x) / math.cos(x) ** 2,
    ),
}


def _constant(x: Any) -> Dual:
    return x if isinstance(x, Dual) else Dual(float(x))


def _op(name: str, args: list[Any]) -> Dual:
    if name in _UNARY:
        return _constant(args[0]).apply(*_UNARY[name])
    if name == "add":
        return _constant(args[0]) + _constant(args[1])
    if name == "sub":
        return _constant(args[0]) - _constant(args[1])
    if name == "mul":
        return _constant(args[0]) * _constant(args[1])
    if name == "div":
        return _constant(args[0]) / _constant(args[1])
    if name == "neg":
        return -_constant(args[0])
    if name == "pow":  # x ** c, c a constant
        return _constant(args[0]).apply(*_power(float(args[1])))
    if name == "vpow":  # x ** y = exp(y · log x), x > 0
        log_x = _constant(args[0]).apply(*_UNARY["log"])
        return (_constant(args[1]) * log_x).apply(*_UNARY["exp"])
    if name == "leaky_relu":
        slope = float(args[1])
        return _constant(args[0]).apply(
            lambda x: x if x > 0.0 else slope * x,
            lambda x: 1.0 if x > 0.0 else slope,
            lambda x: 0.0,
        )
    if name == "sum":
        total = Dual(0.0)
        for x in args:
            total = total + _constant(x)
        return total
    if name == "dot":  # (w1, x1, ..., wn, xn[, bias])
        n = len(args) // 2
        total = Dual(0.0)
        for w, x in zip(args[0 : 2 * n : 2], args[1 : 2 * n : 2]):
            total = total + _constant(w) * _constant(x)
        return total + _constant(args[-1]) if len(args) % 2 else total
    if name == "logsumexp":  # log Σ e^x, shifted by the largest value (a constant)
        xs = [_constant(x) for x in args]
        m = max(x.a for x in xs)
        total = Dual(0.0)
        for x in xs:
            total = total + (x - Dual(m)).apply(*_UNARY["exp"])
        return total.apply(*_UNARY["log"]) + Dual(m)
    raise ValueError(f"dual oracle: unknown op {name!r}")


def evaluate(leaves: Sequence[Dual], nodes: Sequence[tuple[str, tuple[Any, ...]]]) -> Dual:
    """The output (last node) of the DAG on hyper-dual inputs; int args are slots."""
    slots: list[Any] = list(leaves)
    for name, args in nodes:
        slots.append(_op(name, [slots[a] if type(a) is int else a for a in args]))
    return slots[-1]


def derivatives(
    leaves: Sequence[float], nodes: Sequence[tuple[str, tuple[Any, ...]]]
) -> tuple[float, list[float], list[list[float]]]:
    """The value, the gradient and the Hessian, one hyper-dual pass per pair i <= j.

    >>> value, g, H = derivatives([2.0, 3.0], [("mul", (0, 1)), ("mul", (2, 0))])   # x²y
    >>> value, g, H
    (12.0, [12.0, 4.0], [[6.0, 4.0], [4.0, 0.0]])
    """
    n = len(leaves)
    gradient = [0.0] * n
    hessian = [[0.0] * n for _ in range(n)]
    value = 0.0
    for i in range(n):
        for j in range(i, n):
            seeded = [Dual(x, float(k == i), float(k == j), 0.0) for k, x in enumerate(leaves)]
            out = evaluate(seeded, nodes)
            value = out.a
            gradient[i] = out.b
            hessian[i][j] = hessian[j][i] = out.d
    return value, gradient, hessian
