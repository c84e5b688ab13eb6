"""Every op in the table: first and second derivatives against central finite differences.

The check here is the table's own unit test. A planted wrong rule must make it fail — a check
that cannot fail proves nothing.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import OPS, Value, grad
from autograd.numeric import numeric_grad
from autograd.ops import run
from autograd.value import apply

FIRST_TOL = 1e-5
SECOND_TOL = 1e-4


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


@st.composite
def op_inputs(draw, name):
    """Inputs for op `name` inside its sampling ranges, away from kinks."""
    op = OPS[name]
    if op.arity is None:
        k = draw(st.integers(1, 4))
        count = 2 * k + draw(st.integers(0, 1)) if name == "dot" else k
        ranges = op.sample * count
    else:
        ranges = op.sample
    xs = [draw(st.floats(lo, hi, allow_nan=False)) for lo, hi in ranges]
    for i, x in enumerate(xs):
        if i not in op.constants:
            assume(all(abs(x - k) > 1e-3 for k in op.kinks))
    return xs


def derivative_mismatches(name: str, xs: list[float]) -> list[str]:
    """Where op `name`'s rule disagrees with finite differences at xs (first and second order)."""
    op = OPS[name]
    free = [i for i in range(len(xs)) if i not in op.constants]

    def build():
        leaves = [Value(x) for x in xs]
        args = [xs[i] if i in op.constants else leaves[i] for i in range(len(xs))]
        return leaves, apply(op, *args)

    def forward(point):
        return run(op, tuple(point))

    problems = []
    leaves, out = build()
    first = [g.data for g in grad(out, [leaves[i] for i in free])]
    numeric = numeric_grad(forward, xs)
    for i, a in zip(free, first):
        if not _close(a, numeric[i], FIRST_TOL):
            problems.append(f"d{name}/dx{i} at {xs}: rule {a}, finite difference {numeric[i]}")

    # Second order: differentiate the rule's gradient again (create_graph) and compare with
    # finite differences of the first derivative.
    for i in free:
        leaves, out = build()
        (g,) = grad(out, [leaves[i]], create_graph=True)
        second = [h.data for h in grad(g, [leaves[j] for j in free])]

        def first_i(point, i=i):
            ls = [Value(p) for p in point]
            args = [point[k] if k in op.constants else ls[k] for k in range(len(point))]
            return grad(apply(op, *args), [ls[i]])[0].data

        numeric2 = numeric_grad(first_i, xs)
        for j, a in zip(free, second):
            if not _close(a, numeric2[j], SECOND_TOL):
                problems.append(
                    f"d2{name}/dx{i}dx{j} at {xs}: rule {a}, finite difference {numeric2[j]}"
                )
    return problems


@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_rule_matches_finite_differences_first_and_second_order(name, data):
    xs = data.draw(op_inputs(name))
    assert derivative_mismatches(name, xs) == []


def test_planted_wrong_rule_is_caught(monkeypatch):
    # tanh' = 1 - out², planted as 1 - out: the check above must notice.
    monkeypatch.setattr(OPS["tanh"], "derivative", lambda x, out: (1.0 - out,))
    assert derivative_mismatches("tanh", [0.7]) != []


def test_planted_wrong_second_order_is_caught(monkeypatch):
    # Right first derivative as a number, but built from data so its own graph is constant:
    # only the second-order comparison can see it.
    monkeypatch.setattr(
        OPS["sin"], "derivative", lambda x, out: (math.cos(x if type(x) is float else x.data),)
    )
    problems = derivative_mismatches("sin", [0.4])
    assert problems and all(p.startswith("d2sin") for p in problems)


def test_every_op_declares_a_sampling_range_per_input():
    for op in OPS.values():
        assert op.arity is None or len(op.sample) == op.arity, op.name
        assert op.symbol and op.domain


def test_rules_return_one_local_derivative_per_input():
    for name, op in OPS.items():
        xs = [(lo + hi) / 2 for lo, hi in (op.sample * 4 if op.arity is None else op.sample)]
        locals_ = op.derivative(*xs, out=run(op, tuple(xs)))
        assert isinstance(locals_, tuple) and len(locals_) == len(xs), name
