"""Random graphs against PyTorch in double precision: value, gradient and Hessian.

PyTorch is a test oracle only (``make test TORCH=1``, which CI runs, installs it); without it
these tests are skipped.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from oracles import compare, examples

from autograd import OPS
from autograd.testing import Expression, expressions

pytest.importorskip("torch")


@settings(max_examples=examples(5000))
@given(expressions(max_leaves=3, max_nodes=10))
def test_value_gradient_and_hessian_equal_torch_float64(expr):
    compare.assert_matches_torch(expr)


def test_torch_oracle_knows_every_op():
    for name, op in OPS.items():
        arity = op.arity or 2
        leaves = [(lo + hi) / 2 for lo, hi in (op.sample * arity)[:arity]]
        args: tuple = tuple(range(arity))
        if name in ("pow", "leaky_relu"):  # the second input is a constant
            args, leaves = (0, 2.0 if name == "pow" else 0.1), leaves[:1]
        compare.assert_matches_torch(Expression(leaves, [(op, args)]))


def test_planted_wrong_sigmoid_rule_is_caught_by_torch(monkeypatch):
    monkeypatch.setattr(OPS["sigmoid"], "derivative", lambda x, out: (out * out,))
    expr = Expression([0.3], [(OPS["sigmoid"], (0,))])
    with pytest.raises(AssertionError, match="PyTorch"):
        compare.assert_matches_torch(expr)


def test_torch_oracle_softplus_hessian_is_not_nan_far_below_zero():
    # Found by the random graphs: softplus(-780) has a nan second derivative in
    # torch.logaddexp, so the oracle, not the engine, disagreed.
    # y = ((x0 ** 1.5).exp() * (-(x2 + x1))).softplus()
    op = OPS.__getitem__
    nodes = [
        (op("pow"), (0, 1.5)),  # slot 3
        (op("exp"), (3,)),  # slot 4
        (op("add"), (2, 1)),  # slot 5
        (op("neg"), (5,)),  # slot 6
        (op("mul"), (4, 6)),  # slot 7
        (op("softplus"), (7,)),
    ]
    expr = Expression([2.875, 3.0, 3.0], nodes)
    compare.assert_matches_torch(expr)
    compare.assert_matches_duals(expr)
