"""gradcheck: passes on right gradients, fails on wrong ones — naming the broken rule — and
reports kinks as points without a derivative, not as failures.

The "check that checks the checker" tests plant wrong rules with monkeypatch: a check that
cannot fail proves nothing.
"""

from __future__ import annotations

import importlib
import math
import warnings

import pytest

import autograd
from autograd import OPS, GradcheckError, Op, Value, apply, gradcheck, topological_order
from autograd.check import NotDifferentiableWarning

gradcheck_module = importlib.import_module("autograd.check.gradcheck")


def softmax_cross_entropy(zs: list[Value]) -> Value:
    """A user's own function: cross-entropy of softmax(z) for class 1, written with Values."""
    exps = [z.exp() for z in zs]
    total = autograd.sum(exps)
    return -(exps[1] / total).log()


def labelled(value: Value, label: str) -> Value:
    value.label = label
    return value


def tanh_then_more(xs: list[Value]) -> Value:
    """tanh near the inputs, then several other ops between it and the output."""
    a = labelled(xs[0] * xs[1], "a")
    h = labelled(a.tanh(), "h")
    return (h * xs[0] + xs[1].exp()).sin() / (1.0 + h * h)


def test_passes_on_a_users_own_function_first_and_second_order():
    assert gradcheck(softmax_cross_entropy, [0.3, -1.2, 2.0]) is True
    assert gradcheck(softmax_cross_entropy, [0.3, -1.2, 2.0], order=2) is True


def test_leaves_the_callers_values_and_closed_over_weights_untouched():
    w = Value(0.7, label="w")  # a weight f closes over: held fixed
    x = Value(-0.4, label="x")
    assert gradcheck(lambda xs: (w * xs[0]).tanh() * w, [x], order=2)
    assert (w.data, w.grad, x.data, x.grad) == (0.7, 0.0, -0.4, 0.0)


def test_constant_function_has_zero_gradient():
    assert gradcheck(lambda xs: Value(3.0), [1.0])
    assert gradcheck(lambda xs: 2.5, [1.0, 2.0])


def test_planted_wrong_tanh_rule_is_named_with_label_and_inputs(monkeypatch):
    monkeypatch.setattr(OPS["tanh"], "derivative", lambda x, out: (1.0 - out,))  # not 1 - out²
    with pytest.raises(GradcheckError) as caught:
        gradcheck(tanh_then_more, [Value(0.5, label="w"), 0.8])
    err = caught.value
    assert err.culprit is not None and err.culprit.op is OPS["tanh"]
    assert err.culprit.node.label == "h"
    message = str(err)
    assert "derivative" in message and "analytic" in message and "numeric" in message
    assert "∂f/∂w" in message and "∂f/∂x1" in message  # a row per input
    assert "tanh (label 'h'), made as tanh(0.4) from inputs 'a' = 0.4" in message
    assert "OPS['tanh'].derivative" in message


def test_names_the_first_faulty_node_not_the_output(monkeypatch):
    # Two tanh nodes are wrong; the one nearer the inputs is named. The output is a div.
    monkeypatch.setattr(OPS["tanh"], "derivative", lambda x, out: (1.0 - out,))

    def f(xs):
        first = labelled(xs[0].tanh(), "first")
        second = labelled((first * 3.0).tanh(), "second")
        return second / (1.0 + xs[0] * xs[0])

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [0.6])
    assert caught.value.culprit.node.label == "first"


def test_planted_wrong_mul_rule_is_named(monkeypatch):
    monkeypatch.setattr(OPS["mul"], "derivative", lambda x, y, out: (y, y))  # ∂/∂y should be x
    monkeypatch.setattr(OPS["mul"], "fast", None)  # so the walk runs the planted rule
    with pytest.raises(GradcheckError, match="mul"):
        gradcheck(lambda xs: (xs[0] * xs[1]).sin(), [0.5, 1.5])


def test_wrong_rule_in_a_users_own_op_is_named():
    cube = Op("cube", lambda x: x**3, lambda x, out: (2 * x * x,))  # should be 3x²
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda xs: apply(cube, xs[0]).tanh(), [0.7])
    assert caught.value.culprit.op is cube
    assert "the derivative of Op('cube')" in str(caught.value)

    right = Op("cube", lambda x: x**3, lambda x, out: (3 * x * x,))
    assert gradcheck(lambda xs: apply(right, xs[0]).tanh(), [0.7], order=2)


def test_rule_built_from_data_passes_order_1_but_fails_order_2(monkeypatch):
    # The right number, but as a float made from .data: its own graph is constant, so only
    # the second derivative (through create_graph) can see it.
    monkeypatch.setattr(
        OPS["sin"], "derivative", lambda x, out: (math.cos(x if type(x) is float else x.data),)
    )

    def f(xs):
        return (xs[0] * xs[1]).sin()

    assert gradcheck(f, [0.4, 0.3])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [0.4, 0.3], order=2)
    culprit = caught.value.culprit
    assert culprit.op is OPS["sin"] and culprit.order == 2
    assert "∂²f/∂x0∂x1" in str(caught.value)
    assert "not on .data" in str(caught.value)


def test_relu_at_zero_is_reported_as_not_differentiable_not_as_a_failure():
    with pytest.warns(NotDifferentiableWarning, match=r"relu\(0.0\)"):
        assert gradcheck(lambda xs: xs[0].relu() * xs[1], [0.0, 2.0])


def test_abs_next_to_its_kink_is_reported_as_not_differentiable():
    # abs(x - 1e-8) at x = 0: steps of 1e-6 and 1e-7 both cross the kink.
    with pytest.warns(NotDifferentiableWarning, match="abs"):
        assert gradcheck(lambda xs: abs(xs[0] - 1e-8), [0.0])


def test_abs_at_zero_where_the_difference_agrees_needs_no_report():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda xs: abs(xs[0]) * xs[1], [0.0, 1.5])


def test_kink_in_the_second_derivative_is_reported_too():
    with pytest.warns(NotDifferentiableWarning) as record:
        assert gradcheck(lambda xs: (3.0 * xs[0] - 1e-7).relu(), [0.0], order=2)
    assert [str(w.message).split(" could not")[0].split(", so ")[1] for w in record] == [
        "∂f/∂x0",
        "∂²f/∂x0∂x0",
    ]


def test_a_kink_does_not_hide_a_broken_rule(monkeypatch):
    # The only input's step crosses relu's kink, yet the wrong tanh rule is still named.
    monkeypatch.setattr(OPS["tanh"], "derivative", lambda x, out: (1.0 - out,))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda xs: xs[0].relu() + (xs[0] + 0.9).tanh(), [0.0])
    assert caught.value.culprit.op is OPS["tanh"]


def overwriting_grad(output, inputs, *, create_graph=False):
    """micrograd's old bug: each parent's gradient is *set*, not accumulated (fan-out lost)."""
    grads = {output: 1.0}
    for node in reversed(topological_order([output])):
        if node.op is None or node not in grads:
            continue
        data = [p if type(p) is float else p.data for p in node.parents]
        for p, d in zip(node.parents, node.op.derivative(*data, out=node.data)):
            if type(p) is not float:
                grads[p] = grads[node] * d
    return [Value(grads.get(x, 0.0)) for x in inputs]


def test_fan_out_bug_in_the_walk_is_caught_and_blamed_on_the_walk(monkeypatch):
    monkeypatch.setattr(gradcheck_module, "grad", overwriting_grad)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda xs: (xs[0] + xs[0]) * xs[0], [3.0])  # (x + x)·x: 12 at 3, not 6
    assert caught.value.culprit is None
    assert "Every op's local derivative agrees" in str(caught.value)
    assert "12" in str(caught.value)


def test_branch_on_data_is_not_blamed_on_an_op():
    def f(xs):  # piecewise through Python control flow: no kinked op in the graph
        return xs[0] * 2.0 if xs[0].data > 0 else xs[0] * 3.0

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [0.0])
    assert caught.value.culprit is None
    assert "a Python branch on .data?" in str(caught.value)


def test_inaccurate_finite_difference_next_to_a_singularity_blames_nothing():
    # log at 2e-6 with a step of 1e-6 is a poor finite difference; a smaller step agrees.
    assert gradcheck(lambda xs: xs[0].log(), [2e-6])


def test_edge_of_the_domain_shrinks_the_step():
    assert gradcheck(lambda xs: xs[0].sqrt(), [1e-7])


def test_table_marks_only_the_rows_that_differ(monkeypatch):
    monkeypatch.setattr(OPS["exp"], "derivative", lambda x, out: (2.0 * out,))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda xs: xs[0].exp() + xs[1] * xs[1], [0.1, 0.2])
    rows = caught.value.rows
    assert [row.ok for row in rows] == [False, True]
    lines = str(caught.value).splitlines()
    assert sum("<- differs" in line for line in lines) == 1
    assert "1 of 2 first derivatives disagree" in lines[0]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: gradcheck(lambda xs: xs[0], [1.0], order=3), ValueError),
        (lambda: gradcheck(lambda xs: "y", [1.0]), TypeError),
        (lambda: gradcheck(lambda xs: xs[0], []), ValueError),
        (lambda: gradcheck(lambda xs: xs[0], [math.nan]), ValueError),
        (lambda: gradcheck(lambda xs: xs[0], ["1.0"]), TypeError),
    ],
)
def test_rejects_bad_arguments(call, error):
    with pytest.raises(error):
        call()


def test_gradcheck_error_is_an_assertion_error():
    # so a failing gradcheck inside a test reads as a failed assertion
    assert issubclass(GradcheckError, AssertionError)


def test_planted_wrong_neg_rule_is_named(monkeypatch):
    # neg is written with an infix symbol but has one input: its message must still be made
    # (ops.call_repr unpacks two operands for "-" and raised ValueError here).
    monkeypatch.setattr(OPS["neg"], "derivative", lambda x, out: (1.0,))
    with pytest.raises(GradcheckError, match=r"neg\(0.3\)"):
        gradcheck(lambda xs: -xs[0], [0.3])


def test_a_wrong_fast_path_is_named_even_when_the_rule_is_right(monkeypatch):
    # backward and grad send mul through its fast path; the rule alone would pass.
    def wrong(g, parents, out):
        x, y = parents
        x.grad += g * y.data
        y.grad += g * y.data  # ∂(x·y)/∂y is x

    monkeypatch.setattr(OPS["mul"], "fast", wrong)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda xs: (xs[0] * xs[1]).sin(), [0.5, 1.5])
    assert caught.value.culprit.fast and caught.value.culprit.index == 1
    assert "fast path (Op.fast) sends 1.5 to input 1" in str(caught.value)


def test_gradcheck_at_large_inputs_scales_its_step_with_the_input():
    # With a fixed step 1e-6 the difference quotient of x² at 1e8 loses most of its digits
    # (x² ≈ 1e16, whose spacing is 2), and so does x log x at 1e9: both would "disagree".
    assert gradcheck(lambda v: v[0] ** 2, [1e8])
    assert gradcheck(lambda v: v[0] * v[0].log(), [1e9])
    assert gradcheck(lambda v: (v[0] * v[1]).log(), [-3e6, -2e7], order=2)


def test_gradcheck_with_an_unscaled_step_would_fail_at_large_inputs(monkeypatch):
    # the checker's own check: the test above must fail if the step stopped scaling
    monkeypatch.setattr(gradcheck_module, "step_size", lambda x, eps: eps)
    for f, x in ((lambda v: v[0] ** 2, 1e8), (lambda v: v[0] * v[0].log(), 1e9)):
        with pytest.raises(GradcheckError):
            gradcheck(f, [x])
