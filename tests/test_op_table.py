"""Every op in the table: first and second derivatives against central finite differences.

The check here is the table's own unit test. A planted wrong rule must make it fail — a check
that cannot fail proves nothing.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import OPS, Value, apply, grad
from autograd.check import numeric_grad
from autograd.ops import run

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


# --- the float fast paths: each does exactly what its row's rule gives ---------------------

FAST = sorted(name for name, op in OPS.items() if op.fast is not None)


def _bits(x: float) -> str:
    return x.hex() if x == x else "nan"  # -0.0 and 0.0 differ; every nan is the same


@st.composite
def fast_path_cases(draw, name):
    """Inputs of op `name` (Values, some repeated, and float constants), each Value's starting
    .grad (0, −0.0, anything), and the gradient arriving from above (possibly 0 or inf)."""
    op = OPS[name]
    xs = draw(op_inputs(name))
    pool = [Value(x) for x in xs]
    inputs = []
    for i, x in enumerate(xs):
        if i in op.constants or (i and draw(st.integers(0, 3)) == 0):
            inputs.append(float(x))  # a constant
        else:
            inputs.append(draw(st.sampled_from(pool[: i + 1])) if i else pool[0])
    assume(any(isinstance(p, Value) for p in inputs))
    starts = {
        id(p): draw(st.sampled_from([0.0, -0.0, 1.5, -2.25]))
        for p in inputs
        if isinstance(p, Value)
    }
    g = draw(st.sampled_from([1.0, -0.75, 0.0, -0.0, 3e-300, math.inf]))
    return inputs, starts, g


def _rule_result(op, inputs, starts, g):
    """What the walk's rule path sends: g × local into each Value input, in input order; a
    select op's 0 sends nothing."""
    data = [p if type(p) is float else p.data for p in inputs]
    locals_ = op.derivative(*data, out=run(op, tuple(data)))
    grads = dict(starts)
    for p, d in zip(inputs, locals_):
        if type(p) is float or (op.select and d == 0.0):
            continue
        grads[id(p)] += g * d
    return grads


@pytest.mark.parametrize("name", FAST)
@given(data=st.data())
def test_fast_path_sends_exactly_what_the_rule_gives(name, data):
    op = OPS[name]
    inputs, starts, g = data.draw(fast_path_cases(name))
    expected = _rule_result(op, inputs, starts, g)
    for p in inputs:
        if isinstance(p, Value):
            p.grad = starts[id(p)]
    out = run(op, tuple(p if type(p) is float else p.data for p in inputs))
    op.fast(g, tuple(inputs), out)
    got = {id(p): p.grad for p in inputs if isinstance(p, Value)}
    assert {k: _bits(v) for k, v in got.items()} == {k: _bits(v) for k, v in expected.items()}


def test_every_fast_path_is_checked():
    assert FAST == ["add", "dot", "mul", "relu", "sum"]


def test_planted_wrong_fast_path_is_caught(monkeypatch):
    def wrong(g, parents, out):  # ∂(x·y)/∂x sent as y's data, but to y as well
        x, y = parents
        for p in (x, y):
            if type(p) is not float:
                p.grad += g * (y if type(y) is float else y.data)

    monkeypatch.setattr(OPS["mul"], "fast", wrong)
    with pytest.raises(AssertionError):
        test_fast_path_sends_exactly_what_the_rule_gives(name="mul")


# --- array forms: each row on numpy arrays (the compiled numpy replay), bit for bit as floats ---

ARRAYS = sorted(name for name, op in OPS.items() if op.arrays != (None, None))
SPECIAL = [0.0, -0.0, 1e-300, -1e-300, 1e300, math.inf, -math.inf, math.nan]


@st.composite
def batches(draw, name):
    """Rows of inputs for op `name` (one arity for all), from its sample ranges and the kinks,
    signed zeros, huge and tiny numbers, and (for the ops with fixed arity) inf and nan."""
    op = OPS[name]
    if op.arity is None:
        k = draw(st.integers(1, 20))
        count = 2 * k + draw(st.integers(0, 1)) if name == "dot" else k
        ranges = [op.sample[0]] * count
        special = st.sampled_from(SPECIAL[:5])  # fsum itself refuses inf − inf
    else:
        ranges = list(op.sample)
        special = st.sampled_from(SPECIAL + list(op.kinks))

    def row():
        return st.tuples(*[st.one_of(st.floats(lo, hi), special) for lo, hi in ranges])

    return [list(r) for r in draw(st.lists(row(), min_size=1, max_size=12))]


def _float_rows(op, rows):
    """Each row's forward and local derivatives by the float rules (None where they raise)."""
    out = []
    for row in rows:
        try:
            value = op.forward(*row)
            local = tuple(float(d) for d in op.derivative(*row, out=value))
        except (ArithmeticError, ValueError):
            continue
        out.append((row, value, local))
    return out


@pytest.mark.parametrize("name", ARRAYS)
@given(data=st.data())
def test_array_forms_give_the_float_rules_numbers_bit_for_bit(name, data):
    np = pytest.importorskip("numpy")
    from autograd.replay.batched import derivative_on_rows, forward_on_rows

    op = OPS[name]
    checked = _float_rows(op, data.draw(batches(name)))
    assume(checked)
    A = np.array([row for row, _, _ in checked], dtype=float).T  # input by input
    with np.errstate(all="ignore"):  # numpy warns where floats give inf or nan
        values = forward_on_rows(op)(A)
        locals_ = derivative_on_rows(op)(A, values)
    locals_ = np.array([np.broadcast_to(d, values.shape) for d in locals_]).T
    assert [_bits(v) for v in values.tolist()] == [_bits(v) for _, v, _ in checked]
    assert [[_bits(d) for d in row] for row in locals_.tolist()] == [
        [_bits(d) for d in local] for _, _, local in checked
    ]


def test_the_ops_with_array_forms():
    assert set(ARRAYS) == set(OPS) - {"pow", "vpow"}  # x ** c: math.pow, element by element


def test_planted_numpy_function_where_maths_differs_is_caught(monkeypatch):
    np = pytest.importorskip("numpy")
    monkeypatch.setattr(OPS["tanh"], "arrays", (np.tanh, True))  # not math.tanh's last bit
    with pytest.raises(AssertionError):
        test_array_forms_give_the_float_rules_numbers_bit_for_bit(name="tanh")
