"""Reverse mode: regression tests named after the bugs they guard, and grad to any order."""

from __future__ import annotations

import math
import random
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value, dot, grad, no_grad, topological_order


def test_fan_out_accumulates():  # (x + x) * x at 3 -> 12
    x = Value(3.0)
    ((x + x) * x).backward()
    assert x.grad == 12.0


def test_x_times_x_sends_gradient_to_x_twice():  # parents must be a tuple, not a set
    x = Value(3.0)
    y = x * x
    assert y.parents == (x, x)
    y.backward()
    assert x.grad == 6.0


def test_deep_chain_has_no_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(10**6):
        y = y * 1.0000001
    assert sys.getrecursionlimit() < 10**6
    y.backward()
    assert x.grad == pytest.approx(1.0000001**1_000_000, rel=1e-9)
    (g,) = grad(y, [x])
    assert g.data == x.grad


def test_backward_twice_only_accumulates_leaves():
    x = Value(2.0)
    h = x * x  # interior
    y = h * 3.0
    y.backward()
    y.backward()
    assert x.grad == 24.0  # 2 × 12: leaves accumulate, as in PyTorch
    assert h.grad == 3.0  # interior: recomputed, not doubled (micrograd's bug gives 6)
    assert y.grad == 1.0


def test_backward_on_a_leaf_accumulates_one():
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_value_pow_value():  # micrograd asserts the exponent is a number
    x, y = Value(2.0), Value(3.0)
    z = x**y
    z.backward()
    assert z.data == 8.0
    assert x.grad == pytest.approx(3 * 2.0**2)
    assert y.grad == pytest.approx(8.0 * math.log(2.0))


def test_number_pow_value():
    y = Value(3.0)
    z = 2**y
    z.backward()
    assert y.grad == pytest.approx(8.0 * math.log(2.0))


def test_pow_zero_exponent_has_zero_derivative_at_zero():  # d/dx x**0 = 0, not 0 * 0**-1
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0


def test_value_pow_value_at_zero_base_with_positive_exponent():  # as PyTorch: d/dy = 0
    x, y = Value(0.0), Value(2.0)
    (x**y).backward()
    assert x.grad == 0.0 and y.grad == 0.0


def test_backward_scales_by_gradient():
    x = Value(2.0)
    (x * x).backward(gradient=0.5)
    assert x.grad == 2.0


def test_unrelated_input_gets_zero_gradient():
    x, z = Value(1.0), Value(5.0)
    (g,) = grad(x * 2, [z])
    assert g.data == 0.0


def test_grad_does_not_touch_dot_grad():
    x = Value(2.0)
    y = x * x
    (g,) = grad(y, [x])
    assert g.data == 4.0 and x.grad == 0.0 and y.grad == 0.0


def test_grad_accepts_a_single_value():
    x = Value(2.0)
    assert [g.data for g in grad(x * x, x)] == [4.0]


def test_grad_rejects_non_values():
    with pytest.raises(TypeError, match="inputs"):
        grad(Value(1.0) * 2, [1.0])
    with pytest.raises(TypeError, match="output"):
        grad(1.0, [Value(1.0)])


def test_third_derivative_of_exp_2x():  # d³/dx³ exp(2x) = 8 exp(2x)
    for x0 in (-1.5, 0.0, 0.7, 2.0):
        x = Value(x0)
        (d1,) = grad((2 * x).exp(), [x], create_graph=True)
        (d2,) = grad(d1, [x], create_graph=True)
        (d3,) = grad(d2, [x])
        assert d3.data == pytest.approx(8 * math.exp(2 * x0), rel=1e-12)


def test_second_derivative_of_x_cubed_tanh_x():
    # d²/dx² x³ tanh x = 6x t + 6x² s - 2x³ t s,  t = tanh x, s = 1 - t²
    for x0 in (-2.0, -0.3, 0.5, 1.7):
        x = Value(x0)
        (d1,) = grad(x**3 * x.tanh(), [x], create_graph=True)
        (d2,) = grad(d1, [x])
        t = math.tanh(x0)
        s = 1 - t * t
        expected = 6 * x0 * t + 6 * x0**2 * s - 2 * x0**3 * t * s
        assert d2.data == pytest.approx(expected, rel=1e-12)


def test_fourth_derivative_of_sin():  # any order: d⁴/dx⁴ sin = sin
    x = Value(0.9)
    g = x.sin()
    for _ in range(4):
        (g,) = grad(g, [x], create_graph=True)
    assert g.data == pytest.approx(math.sin(0.9), rel=1e-12)


def test_mixed_second_partials_are_symmetric():
    x, y = Value(0.3), Value(-1.2)
    f = (x * y).sin() + x**2 * y.exp()
    dx, dy = grad(f, [x, y], create_graph=True)
    (dxy,) = grad(dx, [y])
    (dyx,) = grad(dy, [x])
    assert dxy.data == pytest.approx(dyx.data, rel=1e-12)


def test_backward_through_a_create_graph_gradient():
    x = Value(1.5)
    (d1,) = grad(x**3, [x], create_graph=True)  # 3x²
    d1.backward()  # d/dx 3x² = 6x
    assert x.grad == pytest.approx(9.0)


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    assert y.data == 5.0 and y.op is None and y.parents == ()
    y.backward()
    assert x.grad == 0.0


def test_no_grad_as_decorator_and_nested():
    @no_grad()
    def f(v):
        return v * 2

    assert f(Value(1.0)).parents == ()
    with no_grad(), autograd.enable_grad():
        assert (Value(1.0) * 2).parents != ()
    assert autograd.is_grad_enabled()


def test_create_graph_works_inside_no_grad():
    x = Value(2.0)
    y = x**3
    with no_grad():
        (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x])
    assert d2.data == 12.0


def test_topological_order_lists_parents_first_and_is_deterministic():
    x = Value(1.0)
    a = x * 2
    b = a + x
    c = b * a
    order = topological_order([c])
    assert order == topological_order([c])
    pos = {n: i for i, n in enumerate(order)}
    for n in order:
        for p in n.parents:
            if isinstance(p, Value):
                assert pos[p] < pos[n]
    assert len(order) == 4


def test_fused_dot_is_one_node_and_sum_is_one_node():
    ws = [Value(float(i)) for i in range(5)]
    xs = [Value(1.0 + i) for i in range(5)]
    z = dot(ws, xs, bias=Value(0.5))
    s = autograd.sum(ws)
    assert len(z.parents) == 11 and z.op is OPS["dot"]
    assert len(s.parents) == 5 and s.op is OPS["sum"]
    assert len(topological_order([z])) == 12


def test_dot_rejects_length_mismatch_and_bad_items():
    with pytest.raises(ValueError, match="ws has 2 entries but xs has 1"):
        dot([Value(1.0), Value(2.0)], [1.0])
    with pytest.raises(TypeError, match="str"):
        dot([Value(1.0)], ["a"])
    with pytest.raises(TypeError, match="NoneType"):
        autograd.sum([Value(1.0), None])


def test_functions_work_on_floats_and_values():
    assert autograd.tanh(0.5) == math.tanh(0.5)
    assert autograd.exp(Value(1.0)).data == math.e
    assert autograd.leaky_relu(-2.0, 0.1) == pytest.approx(-0.2)
    with pytest.raises(TypeError, match="str"):
        autograd.exp("1")


# --- backward's float fast paths must agree with the table's rules -----------------------------


def _random_graph(rng: random.Random, n_ops: int) -> tuple[list[Value], Value]:
    """A random DAG over every op, with constants, fan-out, and nested dot/sum nodes."""
    leaves = [Value(rng.uniform(0.5, 1.5), label=f"x{i}") for i in range(4)]
    pool: list[Value] = list(leaves)
    for _ in range(n_ops):
        a, b = rng.choice(pool), rng.choice(pool)
        c = rng.uniform(-1.0, 1.0)
        kind = rng.randrange(12)
        if kind == 0:
            v = a + b
        elif kind == 1:
            v = a * b + c
        elif kind == 2:
            v = dot([a, b, c], [b, 2.0, a], bias=b if rng.random() < 0.5 else None)
        elif kind == 3:
            v = autograd.sum([a, b, c, a])
        elif kind == 4:
            v = (a - b).relu()
        elif kind == 5:
            v = a.tanh() - b.sigmoid()
        elif kind == 6:
            v = (a * a + 0.5).log()
        elif kind == 7:
            v = a / (b * b + 1.0)
        elif kind == 8:
            v = (a * 0.3).exp() * b.sin()
        elif kind == 9:
            v = abs(a - b) + (a * a + 1.0) ** 1.5
        elif kind == 10:
            v = (a * a + 0.5) ** b.tanh()
        else:
            v = a.softplus() + b.leaky_relu(0.1) + a.cos()
        pool.append(v.tanh() if abs(v.data) > 5 else v)  # keeps exp and pow from overflowing
    return leaves, autograd.sum(pool[-3:])


@given(seed=st.integers(0, 2**32 - 1), n_ops=st.integers(1, 25))
def test_backward_agrees_with_the_rules_run_on_values(seed, n_ops):
    # backward() sends dot, add, sum, mul and relu through their float fast paths;
    # grad(create_graph=True) runs every op's rule on Values, never a fast path.
    leaves, out = _random_graph(random.Random(seed), n_ops)
    out.backward()
    for leaf, g in zip(leaves, grad(out, leaves, create_graph=True)):
        assert leaf.grad == pytest.approx(g.data, rel=1e-13, abs=1e-13)
    for node in topological_order([out]):
        if node.op is not None:
            (g,) = grad(out, [node], create_graph=True)
            assert node.grad == pytest.approx(g.data, rel=1e-13, abs=1e-13)


def test_zero_upstream_gradient_still_sends_nan_through_an_inf_input():
    # backward() skips nodes whose gradient is 0 when their data is finite (nothing flows);
    # a node holding inf must still send 0 · inf = nan on, as PyTorch does.
    a, b = Value(math.inf), Value(1.0)
    c = a * b  # inf
    d = c * 0.0  # c's gradient is 1 · 0.0 = 0
    d.backward()
    assert c.grad == 0.0 and a.grad == 0.0
    assert math.isnan(b.grad)  # 0 · a.data = 0 · inf


def test_zero_upstream_gradient_skip_leaves_gradients_unchanged():
    # The relu kills the gradient of the first dot: its inputs get exactly 0.0, and a leaf
    # that is also used elsewhere keeps exactly what it gets from there.
    w = [Value(0.5), Value(-2.0)]
    x = [Value(1.0), Value(1.0)]
    y = dot(w, x).relu() + 3.0 * x[0]
    y.backward()
    assert [v.grad for v in w] == [0.0, 0.0]
    assert [v.grad for v in x] == [3.0, 0.0]


def test_off_relu_passes_zero_even_an_infinite_gradient_in_every_mode():
    # backward gave 0.0 but grad() nan when they were separate walks; PyTorch gives 0.
    x = Value(-1.0)
    y = x.relu() * math.inf  # the relu's gradient is inf; inf × 0 would be nan
    y.backward()
    assert x.grad == 0.0
    assert grad(y, [x])[0].data == 0.0
    assert grad(y, [x], create_graph=True)[0].data == 0.0
    assert autograd.backward_steps(y)[-1].after == 0.0


def test_grad_equals_backward_bit_for_bit():
    # one walk: grad() walks stand-ins of the same graph with the same fast paths
    rng = random.Random(7)
    for _ in range(20):
        leaves, out = _random_graph(rng, 15)
        out.backward()
        assert [g.data for g in grad(out, leaves)] == [leaf.grad for leaf in leaves]
