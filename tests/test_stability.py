"""tanh, sigmoid and softplus stay finite and accurate far from zero (±800 and beyond)."""

from __future__ import annotations

import math

import pytest

from autograd import Value


@pytest.mark.parametrize(
    "x, method, value, derivative",
    [
        (800.0, "sigmoid", 1.0, 0.0),
        (-800.0, "sigmoid", 0.0, 0.0),
        (800.0, "tanh", 1.0, 0.0),
        (-800.0, "tanh", -1.0, 0.0),
        (800.0, "softplus", 800.0, 1.0),
        (-800.0, "softplus", 0.0, 0.0),
        (1e6, "softplus", 1e6, 1.0),
    ],
)
def test_finite_far_from_zero(x, method, value, derivative):
    v = Value(x)
    y = getattr(v, method)()
    y.backward()
    assert y.data == value and v.grad == derivative


@pytest.mark.parametrize("x", [-30.0, -20.0, 20.0, 36.0])
def test_accurate_in_the_tails(x):
    # Reference values from the exact formulas in forms that do not cancel.
    sig = math.exp(x) / (1 + math.exp(x)) if x < 0 else 1 / (1 + math.exp(-x))
    soft = math.log1p(math.exp(x)) if x < 0 else x + math.log1p(math.exp(-x))
    assert Value(x).sigmoid().data == pytest.approx(sig, rel=1e-15)
    assert Value(x).softplus().data == pytest.approx(soft, rel=1e-15)
    v = Value(x)
    v.softplus().backward()
    assert v.grad == pytest.approx(sig, rel=1e-15)


def test_sigmoid_tail_is_not_rounded_to_zero():  # 1 - 1/(1+e^30) would lose it all
    assert Value(-30.0).sigmoid().data > 9e-14
