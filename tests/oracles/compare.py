"""The engine next to each oracle: value, ``backward()`` gradients, ``grad()`` gradients and
(``create_graph``) second derivatives of one :class:`autograd.testing.Expression`.

A failing check raises AssertionError with a table and the expression's source, so the
reproduction is in the message.
"""

from __future__ import annotations

from typing import Any

from autograd import grad
from autograd.testing import Expression

from . import count, dual, fraction_eval

U = fraction_eval.U
EXACT_RTOL = 1e-12  # engine vs exact rational arithmetic
FLOAT_RTOL = 1e-9  # engine vs another double-precision computation (dual numbers, torch)


def program(expr: Expression) -> tuple[list[float], list[tuple[str, tuple[Any, ...]]]]:
    """The expression as plain data (op names, slots, constants): what the oracles read."""
    return list(expr.leaves), [(op.name, args) for op, args in expr.nodes]


def engine_first(expr: Expression) -> tuple[float, list[float], list[float]]:
    """The output, the leaves' ``.grad`` after ``backward()``, and ``grad()``'s gradients."""
    leaves, y = expr.build()
    y.backward()
    by_backward = [leaf.grad for leaf in leaves]
    leaves, y = expr.build()
    by_grad = [g.data for g in grad(y, leaves)]
    return y.data, by_backward, by_grad


def engine_hessian(expr: Expression) -> list[list[float]]:
    """∂²y/∂xᵢ∂xⱼ by differentiating ``grad(..., create_graph=True)`` again."""
    leaves, y = expr.build()
    firsts = grad(y, leaves, create_graph=True)
    return [[h.data for h in grad(g, leaves)] for g in firsts]


def _fail(title: str, expr: Expression, rows: list[tuple[str, float, Any]]) -> None:
    lines = [f"{title}", "", f"  {'quantity':<16} {'engine':>24} {'oracle':>24}"]
    lines += [f"  {name:<16} {a!r:>24} {b!s:>24}" for name, a, b in rows]
    lines += ["", "Reproduce with:", expr.source]
    raise AssertionError("\n".join(lines))


def float_close(a: float, b: float, rtol: float = FLOAT_RTOL) -> bool:
    """Two double-precision computations of one number agree: relative, with a floor of 1
    (the inputs and values are O(1), so an absolute error below rtol is rounding noise)."""
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


def assert_matches_fractions(expr: Expression) -> None:
    """Value and gradients equal exact rational arithmetic to 1e-12 relative — or, where the
    exact number is smaller than the float computation's rounding-error bound (an
    ill-conditioned point), to within that bound."""
    leaves, nodes = program(expr)
    exact = fraction_eval.evaluate(leaves, nodes)
    value, by_backward, by_grad = engine_first(expr)

    def close(a: float, e: Any, bound: float) -> bool:
        return abs(a - float(e)) <= max(EXACT_RTOL * abs(float(e)), 2 * U * bound)

    rows = [("value", value, exact.value, exact.value_error)]
    for i, (e, bound) in enumerate(zip(exact.gradient, exact.gradient_error)):
        rows.append((f"backward ∂y/∂x{i}", by_backward[i], e, bound))
        rows.append((f"grad ∂y/∂x{i}", by_grad[i], e, bound))
    if not all(close(a, e, bound) for _, a, e, bound in rows):
        _fail(
            "engine differs from exact rational arithmetic",
            expr,
            [(name, a, f"{float(e)!r} (±{2 * U * bound:.1e})") for name, a, e, bound in rows],
        )
    count("fractions")


def assert_matches_duals(expr: Expression, *, second_order: bool = True) -> None:
    """Value, gradients and (optionally) the Hessian equal forward-mode hyper-dual numbers."""
    leaves, nodes = program(expr)
    value_d, gradient_d, hessian_d = dual.derivatives(leaves, nodes)
    _assert_floats(
        expr,
        "hyper-dual numbers (forward mode)",
        value_d,
        gradient_d,
        hessian_d if second_order else None,
    )
    count("dual numbers")


def assert_matches_torch(expr: Expression) -> None:
    """Value, gradients and Hessian equal PyTorch's in double precision."""
    from . import torch_eval

    leaves, nodes = program(expr)
    value_t, gradient_t, hessian_t = torch_eval.derivatives(leaves, nodes)
    _assert_floats(expr, "PyTorch (float64)", value_t, gradient_t, hessian_t)
    count("torch")


def _assert_floats(
    expr: Expression,
    oracle: str,
    value: float,
    gradient: list[float],
    hessian: list[list[float]] | None,
) -> None:
    value_e, by_backward, by_grad = engine_first(expr)
    rows = [("value", value_e, value)]
    for i, g in enumerate(gradient):
        rows += [(f"backward ∂y/∂x{i}", by_backward[i], g), (f"grad ∂y/∂x{i}", by_grad[i], g)]
    if hessian is not None:
        engine = engine_hessian(expr)
        n = len(gradient)
        rows += [
            (f"∂²y/∂x{i}∂x{j}", engine[i][j], hessian[i][j]) for i in range(n) for j in range(n)
        ]
    if not all(float_close(a, b) for _, a, b in rows):
        _fail(f"engine differs from {oracle}", expr, rows)
