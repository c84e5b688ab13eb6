"""Random graphs against independent oracles — no single oracle is trusted.

1. central finite differences (``autograd.gradcheck``), first and second order;
2. exact rational arithmetic (``oracles.fraction_eval``): + − × ÷ and integer powers;
3. forward-mode hyper-dual numbers (``oracles.dual``): every op, gradient and Hessian;
4. PyTorch in double precision: tests/test_oracles_torch.py.

Under the ci profile these tests check thousands of graphs each (``oracles.examples``); the
run prints the count. Each oracle is also shown to catch a planted wrong rule.
"""

from __future__ import annotations

import ast
import math
import warnings
from fractions import Fraction
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from oracles import compare, count, dual, examples, fraction_eval

import nn
from autograd import OPS, GradcheckError, Value, grad, gradcheck
from autograd.check import NotDifferentiableWarning
from autograd.testing import RATIONAL_OPS, Expression, expressions
from nn.testing import mlps

INTEGER_EXPONENTS = (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0)

rational_expressions = expressions(
    RATIONAL_OPS, max_leaves=4, max_nodes=12, exponents=INTEGER_EXPONENTS
)
any_expressions = st.one_of(
    expressions(max_leaves=3, max_nodes=10), expressions(max_leaves=3, max_nodes=10, reuse=False)
)


def expression(*nodes, leaves=(0.7, -1.3)) -> Expression:
    return Expression(leaves, [(OPS[name], args) for name, args in nodes])


# --- 2. exact rational arithmetic --------------------------------------------------------------


@settings(max_examples=examples(5000))
@given(rational_expressions)
def test_engine_gradients_equal_exact_rational_arithmetic(expr):
    compare.assert_matches_fractions(expr)


def test_the_rational_expressions_are_what_the_fraction_oracle_evaluates():
    # autograd.testing.RATIONAL_OPS picks the ops drawn for this oracle; it must not name an op
    # the oracle cannot evaluate, nor leave out one it can.
    assert set(RATIONAL_OPS) == fraction_eval.RATIONAL


def test_fraction_oracle_is_exact_where_floats_are_not():
    # f = (((x + y) − x)·x)^−2 at x = 3, y = 0.1: in floats (3 + 0.1) − 3 is not 0.1, here it
    # is, so f = (y·x)^−2 and its gradient come out exact.
    X, Y = Fraction(3.0), Fraction(0.1)
    exact = fraction_eval.evaluate(
        [3.0, 0.1], [("add", (0, 1)), ("sub", (2, 0)), ("mul", (3, 0)), ("pow", (4, -2.0))]
    )
    assert exact.value == 1 / (Y * X) ** 2
    assert exact.gradient == [-2 / (Y * Y * X**3), -2 / (X * X * Y**3)]
    assert (3.0 + 0.1) - 3.0 != 0.1


def test_planted_wrong_mul_rule_is_caught_by_the_rational_oracle(monkeypatch):
    monkeypatch.setattr(OPS["mul"], "derivative", lambda x, y, out: (y, y))
    monkeypatch.setattr(OPS["mul"], "fast", None)  # so the walk runs the planted rule
    with pytest.raises(AssertionError, match="exact rational arithmetic"):
        compare.assert_matches_fractions(expression(("mul", (0, 1)), ("add", (2, 0))))


def test_planted_off_by_an_ulp_rule_is_caught_by_the_rational_oracle(monkeypatch):
    # 1e-12 relative is far tighter than finite differences: a rule wrong in the 13th digit
    # passes gradcheck but not the exact oracle.
    original = OPS["div"].derivative
    monkeypatch.setattr(
        OPS["div"],
        "derivative",
        lambda x, y, out: tuple(d * (1 + 1e-11) for d in original(x, y, out=out)),
    )
    expr = expression(("div", (0, 1)))
    assert gradcheck(expr, expr.leaves)
    with pytest.raises(AssertionError):
        compare.assert_matches_fractions(expr)


# --- 3. forward-mode hyper-dual numbers ----------------------------------------------------------


@settings(max_examples=examples(5000))
@given(any_expressions)
def test_first_and_second_derivatives_equal_hyper_dual_numbers(expr):
    compare.assert_matches_duals(expr)


def test_dual_oracle_knows_every_op():
    for name, op in OPS.items():
        arity = op.arity or 2
        args = tuple(range(arity))
        leaves = [(lo + hi) / 2 for lo, hi in (op.sample * arity)[:arity]]
        if name == "pow":  # the exponent is a constant
            args, leaves = (0, 2.0), leaves[:1]
        if name == "leaky_relu":
            args, leaves = (0, 0.1), leaves[:1]
        compare.assert_matches_duals(Expression(leaves, [(op, args)]))


def test_planted_wrong_tanh_rule_is_caught_by_the_dual_oracle(monkeypatch):
    monkeypatch.setattr(OPS["tanh"], "derivative", lambda x, out: (1.0 - out,))
    with pytest.raises(AssertionError, match="hyper-dual"):
        compare.assert_matches_duals(expression(("tanh", (0,))))


def test_planted_rule_built_from_data_is_caught_by_the_dual_hessian(monkeypatch):
    monkeypatch.setattr(
        OPS["sin"], "derivative", lambda x, out: (math.cos(x if type(x) is float else x.data),)
    )
    expr = expression(("mul", (0, 1)), ("sin", (2,)))
    compare.assert_matches_duals(expr, second_order=False)  # first order is right
    with pytest.raises(AssertionError, match="∂²y/∂x0∂x0"):
        compare.assert_matches_duals(expr)


def test_value_power_hessian_at_a_zero_exponent_is_symmetric():
    # y = x ** e at e = 0: ∂²y/∂x∂e = 1/x. (PyTorch's pow backward masks ∂/∂x to 0 where
    # e == 0, which makes its ∂²y/∂e∂x 0 — the engine must not copy that.)
    expr = Expression([1.6, 0.0], [(OPS["vpow"], (0, 1))])
    hessian = compare.engine_hessian(expr)
    assert hessian[0][1] == hessian[1][0] == pytest.approx(1 / 1.6, rel=1e-15)
    compare.assert_matches_duals(expr)


def test_oracles_share_no_code_with_the_engine():
    # The oracles import nothing from autograd: they read an expression as plain data.
    folder = Path(__file__).parent / "oracles"
    for name in ("fraction_eval.py", "dual.py", "torch_eval.py"):
        tree = ast.parse((folder / name).read_text())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(m.split(".")[0] in ("autograd", "nn") for m in imported), (name, imported)


def test_oracles_agree_with_each_other_and_with_calculus():
    # f = x²·y + y/x at (0.7, -1.3)
    expr = expression(("pow", (0, 2.0)), ("mul", (2, 1)), ("div", (1, 0)), ("add", (3, 4)))
    x, y = 0.7, -1.3
    exact = fraction_eval.evaluate(*compare.program(expr))
    value, gradient, hessian = dual.derivatives(*compare.program(expr))
    expected_gradient = [2 * x * y - y / x**2, x * x + 1 / x]
    expected_hessian = [[2 * y + 2 * y / x**3, 2 * x - 1 / x**2], [2 * x - 1 / x**2, 0.0]]
    assert float(exact.value) == pytest.approx(value, rel=1e-15)
    assert [float(g) for g in exact.gradient] == pytest.approx(gradient, rel=1e-14)
    assert gradient == pytest.approx(expected_gradient, rel=1e-14)
    for row, expected_row in zip(hessian, expected_hessian):
        assert row == pytest.approx(expected_row, rel=1e-13)


# --- 1. central finite differences (gradcheck) ---------------------------------------------------


@settings(max_examples=examples(4000))
@given(any_expressions)
def test_random_expressions_pass_gradcheck(expr):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NotDifferentiableWarning)
        assert gradcheck(expr, expr.leaves)
    if caught:
        event("a finite-difference step crossed a kink")
    count("finite differences")


@settings(max_examples=examples(1000))
@given(expressions(max_leaves=3, max_nodes=6))
def test_random_expressions_pass_second_order_gradcheck(expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotDifferentiableWarning)
        assert gradcheck(expr, expr.leaves, order=2)
    count("finite differences")


def _planted(original):
    """A wrong rule: every local derivative d becomes 2d + 0.5 (never d, except at d = −0.5)."""
    return lambda *args, out: tuple(2.0 * d + 0.5 for d in original(*args, out=out))


@settings(max_examples=examples(1000))
@given(expressions(max_leaves=3, max_nodes=8), st.data())
def test_gradcheck_blames_the_planted_rule_and_nothing_else(expr, data):
    name = data.draw(st.sampled_from(sorted({op.name for op, _ in expr.nodes})), label="planted")
    _, truth, _ = dual.derivatives(*compare.program(expr))
    with mock.patch.object(OPS[name], "derivative", _planted(OPS[name].derivative)):
        leaves, y = expr.build()
        engine = [g.data for g in grad(y, leaves)]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NotDifferentiableWarning)
                gradcheck(expr, expr.leaves)
            raised = None
        except GradcheckError as err:
            raised = err
    # Wherever the planted error shows in the gradient, gradcheck must fail...
    visible = any(abs(e - t) > 10 * (1e-5 + 1e-3 * abs(t)) for e, t in zip(engine, truth))
    if visible:
        assert raised is not None, "the planted rule changed the gradient but gradcheck passed"
    # ...and when it fails, it names the planted op, never an innocent one.
    if raised is not None:
        assert raised.culprit is not None and raised.culprit.op.name == name, str(raised)
    event(f"planted error {'visible' if visible else 'invisible'} in the gradient")


# --- through nn ---------------------------------------------------------------------------


def _parameters_swapped(model, values):
    """Point every weight and bias of ``model`` at ``values`` (in w-then-b order per neuron);
    return the originals."""
    it = iter(values)
    original = []
    for layer in model.layers:
        for neuron in layer.neurons:
            original.append((neuron, neuron.w, neuron.b))
            neuron.w = [next(it) for _ in neuron.w]
            neuron.b = next(it)
    return original


@settings(max_examples=examples(500))
@given(model=mlps(activations=("tanh", "sigmoid", "linear"), nout=1), data=st.data())
def test_mlp_weight_gradients_pass_gradcheck(model, data):
    x = data.draw(st.lists(st.floats(-2, 2), min_size=model.nin, max_size=model.nin), label="x")
    target = data.draw(st.floats(-1, 1), label="target")
    params = model.parameters()

    def loss(ps):
        original = _parameters_swapped(model, ps)
        try:
            return nn.sse(model(x), target)
        finally:
            for neuron, w, b in original:
                neuron.w, neuron.b = w, b

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NotDifferentiableWarning)  # relu output at its kink
        assert gradcheck(loss, [Value(p.data, p.label) for p in params])
    if caught:
        event("a finite-difference step crossed a kink")
    assert all(p.grad == 0.0 for p in params)  # gradcheck never touches the model
    count("finite differences")
