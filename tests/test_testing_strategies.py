"""autograd.testing: the strategies draw what they promise, and a drawn example is source code
that rebuilds exactly the graph that was tested."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

from autograd import OPS, Op, Value, apply, grad, topological_order
from autograd.testing import (
    BOUND,
    KINK_MARGIN,
    MARGIN,
    Expression,
    expressions,
    values,
)


def slot_values(expr: Expression) -> list[float]:
    """Every slot's value, leaves then nodes, as the engine computes them."""
    leaves = [Value(x) for x in expr.leaves]
    out: list[float] = list(expr.leaves)
    slots: list[Value | float] = list(leaves)
    for op, args in expr.nodes:
        node = apply(op, *[slots[a] if type(a) is int else a for a in args])
        slots.append(node)
        out.append(node.data)
    return out


@given(expressions(max_leaves=4, max_nodes=12))
def test_the_engine_records_exactly_the_drawn_dag(expr):
    # Walk the engine's graph from the output and match it node by node against the
    # expression: same op, same constants, and a shared slot is one and the same Value.
    leaves, y = expr.build()
    seen: dict[int, Value] = {i: leaf for i, leaf in enumerate(leaves)}
    n = len(expr.leaves)
    stack = [(n + len(expr.nodes) - 1, y)]
    while stack:
        slot, value = stack.pop()
        if slot in seen:
            assert seen[slot] is value, f"slot {slot} was built twice: fan-out lost"
            continue
        seen[slot] = value
        op, args = expr.nodes[slot - n]
        assert value.op is op
        assert len(value.parents) == len(args)
        for arg, parent in zip(args, value.parents):
            if type(arg) is int:
                assert isinstance(parent, Value)
                stack.append((arg, parent))
            else:
                assert type(parent) is float and parent == arg
    interior = [v for v in topological_order([y]) if v.op is not None]
    assert len(interior) == len(expr.nodes)  # pruned: every node feeds the output


@given(expressions(max_leaves=4, max_nodes=12))
def test_the_printed_source_rebuilds_the_same_values_and_gradients(expr):
    namespace: dict = {}
    exec(expr.source, namespace)
    pasted = namespace["y"]
    leaves, y = expr.build()
    assert pasted.data == y.data
    pasted_leaves = [namespace[f"x{i}"] for i in range(len(expr.leaves))]
    assert [g.data for g in grad(pasted, pasted_leaves)] == [g.data for g in grad(y, leaves)]
    assert [v.op for v in topological_order([pasted])] == [v.op for v in topological_order([y])]
    assert repr(expr) == expr.source


@given(expressions(max_leaves=4, max_nodes=12))
def test_every_input_is_inside_its_ops_domain_and_away_from_kinks(expr):
    values_ = slot_values(expr)
    assert all(abs(v) <= BOUND for v in values_)
    for op, args in expr.nodes:
        xs = [values_[a] if type(a) is int else a for a in args]
        if op.admits is not None:
            assert op.admits(*xs, margin=MARGIN), (op, xs)
        for i, x in enumerate(xs):
            if i in op.constants:
                assert type(args[i]) is float  # pow's exponent, leaky_relu's slope
            else:
                assert all(abs(x - k) >= KINK_MARGIN for k in op.kinks)
        if op.name == "vpow":
            assert type(args[1]) is int  # the exponent is a Value, else it would be pow
        assert any(type(a) is int for a in args)  # never an op of constants alone


@given(expressions(max_leaves=3, max_nodes=10, reuse=False))
def test_reuse_false_draws_trees(expr):
    assert max(expr.uses()) <= 1


@given(expressions(["add", "tanh"], max_leaves=2, max_nodes=3))
def test_ops_and_sizes_are_respected(expr):
    assert {op.name for op, _ in expr.nodes} <= {"add", "tanh"}
    assert len(expr.leaves) <= 2 and 1 <= len(expr.nodes) <= 3


# find() the first example that has a property; no shrinking, only existence matters here.
FIND = settings(
    max_examples=3000,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_shared_subexpressions_are_drawn():
    expr = find(
        expressions(),
        lambda e: any(u > 1 for u in e.uses()[len(e.leaves) :]),
        settings=FIND,
    )
    assert "t" in expr.source.split("y =")[0]  # a shared node gets a name in the source


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_is_drawn(name):
    expr = find(expressions(), lambda e: name in {op.name for op, _ in e.nodes}, settings=FIND)
    assert expr.nodes


def test_constants_n_ary_nodes_and_value_powers_are_drawn():
    def has(kind):
        return find(expressions(), kind, settings=FIND)

    has(lambda e: any(type(a) is float for op, args in e.nodes if op.name == "mul" for a in args))
    has(lambda e: any(op.name == "sum" and len(args) >= 3 for op, args in e.nodes))
    has(lambda e: any(op.name == "dot" and len(args) % 2 for op, args in e.nodes))  # a bias
    has(lambda e: any(op.name == "vpow" and type(args[0]) is float for op, args in e.nodes))
    has(lambda e: any(op.name == "leaky_relu" for op, _ in e.nodes))


def test_source_is_readable_python():
    e = Expression(
        (0.5, 2.0),
        (
            (OPS["mul"], (0, 1)),
            (OPS["tanh"], (2,)),
            (OPS["sum"], (3, 2, -1.5)),
            (OPS["pow"], (4, 2.0)),
            (OPS["neg"], (5,)),
            (OPS["vpow"], (2.0, 6)),
        ),
    )
    assert e.source == (
        "import autograd\n"
        "from autograd import Value\n"
        "x0 = Value(0.5)\n"
        "x1 = Value(2.0)\n"
        "t2 = x0 * x1\n"
        "y = 2.0 ** (-(autograd.sum([t2.tanh(), t2, -1.5]) ** 2.0))"
    )
    namespace: dict = {}
    exec(e.source, namespace)
    assert namespace["y"].data == e.build()[1].data


cube = Op("cube", lambda x: x**3, lambda x, out: (3 * x * x,), sample=((-1.5, 1.5),))


@given(expressions(["add", cube], max_nodes=6))
def test_a_users_own_op_is_fed_from_its_sample_range_and_printed_with_apply(expr):
    values_ = slot_values(expr)
    for op, args in expr.nodes:
        if op is cube:
            assert -1.5 <= values_[args[0]] <= 1.5
            assert "apply(cube, " in expr.source
            assert "from autograd import apply" in expr.source


def test_unknown_ops_and_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="unknown op 'gelu'"):
        expressions(["gelu"])
    with pytest.raises(ValueError, match="max_nodes"):
        expressions(max_nodes=0)
    with pytest.raises(ValueError, match="at least one node"):
        Expression((1.0,), ())


@given(values(-2.0, 5.0))
def test_values_are_finite_leaves_in_range(v):
    assert isinstance(v, Value) and v.op is None and -2.0 <= v.data <= 5.0
