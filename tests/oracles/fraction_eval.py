"""Exact gradients in rational arithmetic: the same DAG evaluated with ``fractions.Fraction``.

Only ops whose values and derivatives are rational — add, sub, mul, div, neg, integer powers,
sum, dot — so every number here is exact: the value and the gradient are the true ones at
the (float) inputs, computed by a reverse sweep written here from the calculus.

Next to each exact number travels a first-order bound on how far a float computation of it
can be off, in units of the unit roundoff ``U = 2**-53`` (the textbook running error
analysis: each rounding adds ``|result|``, and errors propagate through each op's partial
derivatives). A comparison can then tell a wrong gradient from one that is as close as
floating point can get at an ill-conditioned point (e.g. a gradient that is exactly 0 but is
the float difference of two equal-valued subexpressions).

>>> r = evaluate([3.0, 0.5], [("mul", (0, 1)), ("div", (2, 0)), ("pow", (3, 2.0))])
>>> r.value, r.gradient                          # ((x·y)/x)² = y²: ∂/∂x = 0, ∂/∂y = 2y
(Fraction(1, 4), [Fraction(0, 1), Fraction(1, 1)])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = ["RATIONAL", "Exact", "U", "evaluate"]

U = 2.0**-53  # unit roundoff of double precision
_TINY = 2.0**-1074 / U  # the smallest subnormal, in units of U
RATIONAL = frozenset({"add", "sub", "mul", "div", "neg", "pow", "sum", "dot"})

Node = tuple[str, tuple[Any, ...]]  # op name; args: int = slot, float = constant


@dataclass(frozen=True)
class Exact:
    """The exact value and gradient, with first-order float error bounds (units of ``U``)."""

    value: Fraction
    value_error: float
    gradient: list[Fraction]
    gradient_error: list[float]


def _m(q: Fraction) -> float:
    return abs(float(q))


def _r(q: Fraction) -> float:
    """What rounding ``q`` to a float may cost, in units of U: |q|, plus 2**-1074 absolute
    where the result underflows into the subnormal range."""
    return abs(float(q)) + _TINY


def _forward(name: str, xs: list[Fraction], es: list[float]) -> tuple[Fraction, float]:
    """An op's exact result, and the error bound of its float result (units of U)."""
    if name in ("add", "sub"):
        (x, y), (ex, ey) = xs, es
        v = x + y if name == "add" else x - y
        return v, ex + ey + _r(v)
    if name == "mul":
        (x, y), (ex, ey) = xs, es
        v = x * y
        return v, _m(y) * ex + _m(x) * ey + _r(v)
    if name == "div":
        (x, y), (ex, ey) = xs, es
        v = x / y
        return v, ex / _m(y) + _m(x) * ey / _m(y) ** 2 + _r(v)
    if name == "neg":
        return -xs[0], es[0]
    if name == "pow":
        x, n = xs[0], _integer(xs[1])
        v = x**n
        slope = n * x ** (n - 1) if n else Fraction(0)
        return v, _m(slope) * es[0] + 2 * _r(v)  # math.pow: within an ulp or so
    if name == "sum":
        v = sum(xs, Fraction(0))
        return v, sum(es) + _r(v)  # math.fsum rounds once
    if name == "dot":  # (w1, x1, ..., wn, xn[, bias])
        n = len(xs) // 2
        products = [w * x for w, x in zip(xs[0 : 2 * n : 2], xs[1 : 2 * n : 2])]
        v = sum(products, Fraction(0))
        e = sum(
            _m(x) * ew + _m(w) * ex + _r(p)
            for w, x, ew, ex, p in zip(
                xs[0 : 2 * n : 2], xs[1 : 2 * n : 2], es[0 : 2 * n : 2], es[1 : 2 * n : 2], products
            )
        )
        e += _r(v)  # fsum of the rounded products
        if len(xs) % 2:
            v += xs[-1]
            e += es[-1] + _r(v)
        return v, e
    raise ValueError(f"fraction oracle: {name} is not a rational op")


def _partials(name: str, xs: list[Fraction], es: list[float]) -> list[tuple[Fraction, float]]:
    """∂out/∂input for each input, exact, with the error bound of a float computation of it."""
    if name == "add":
        return [(Fraction(1), 0.0), (Fraction(1), 0.0)]
    if name == "sub":
        return [(Fraction(1), 0.0), (Fraction(-1), 0.0)]
    if name == "mul":
        (x, y), (ex, ey) = xs, es
        return [(y, ey), (x, ex)]
    if name == "div":
        (x, y), (ex, ey) = xs, es
        my = _m(y)
        d_x, d_y = 1 / y, -x / (y * y)
        return [
            (d_x, ey / my**2 + _r(d_x)),
            (d_y, ex / my**2 + 2 * _m(x) * ey / my**3 + 3 * _r(d_y)),
        ]
    if name == "neg":
        return [(Fraction(-1), 0.0)]
    if name == "pow":
        x, n = xs[0], _integer(xs[1])
        d = n * x ** (n - 1) if n else Fraction(0)
        curvature = n * (n - 1) * x ** (n - 2) if n not in (0, 1) else Fraction(0)
        return [(d, _m(curvature) * es[0] + 3 * _r(d)), (Fraction(0), 0.0)]
    if name == "sum":
        return [(Fraction(1), 0.0)] * len(xs)
    if name == "dot":  # (w1, x1, ..., wn, xn[, bias]): ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂bias = 1
        n = len(xs) // 2
        partials: list[tuple[Fraction, float]] = []
        for i in range(n):
            partials += [(xs[2 * i + 1], es[2 * i + 1]), (xs[2 * i], es[2 * i])]
        return partials + ([(Fraction(1), 0.0)] if len(xs) % 2 else [])
    raise ValueError(f"fraction oracle: {name} is not a rational op")


def _integer(c: Fraction) -> int:
    if c.denominator != 1:
        raise ValueError(f"fraction oracle: exponent {c} is not an integer")
    return int(c)


def evaluate(leaves: Sequence[float], nodes: Sequence[Node]) -> Exact:
    """The output (the last node) and its gradient with respect to every leaf, exactly."""
    values = [Fraction(x) for x in leaves]
    errors = [0.0] * len(values)  # inputs are exact
    slots_of = []
    for name, args in nodes:
        xs = [values[a] if type(a) is int else Fraction(a) for a in args]
        es = [errors[a] if type(a) is int else 0.0 for a in args]
        v, e = _forward(name, xs, es)
        values.append(v)
        errors.append(e)
        slots_of.append((name, args, xs, es))

    # Reverse sweep: adjoints, each with the error bound of its float accumulation.
    adjoint = [Fraction(0)] * len(values)
    adjoint_error = [0.0] * len(values)
    adjoint[-1] = Fraction(1)
    first = len(leaves)
    for k in range(len(nodes) - 1, -1, -1):
        slot = first + k
        a, ea = adjoint[slot], adjoint_error[slot]
        if a == 0 and ea == 0.0:
            continue
        name, args, xs, es = slots_of[k]
        for arg, (d, ed) in zip(args, _partials(name, xs, es)):
            if type(arg) is not int:
                continue  # a constant
            c = a * d
            error_c = _m(d) * ea + _m(a) * ed + _r(c)
            before = adjoint[arg]
            adjoint[arg] = before + c
            # Rounding the running sum costs at most |before| + |c|, in any order.
            adjoint_error[arg] += error_c + _m(before) + _r(c)
    return Exact(values[-1], errors[-1], adjoint[:first], adjoint_error[:first])
