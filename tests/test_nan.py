"""NaN propagates: an op that compares its input (relu, leaky_relu, abs, ...) never picks a
branch for nan, and detect_anomaly() names the op that made the first one."""

from __future__ import annotations

import math

import pytest

import nn
from autograd import OPS, Value, detect_anomaly, grad
from autograd.anomaly import AnomalyError
from autograd.ops import run

NAN = math.nan


def _point(op, nan_at: int) -> tuple[float, ...]:
    """nan at one input; every other input three quarters up its sampling range (not 0)."""
    count = 4 if op.arity is None else op.arity
    point = [0.25 * lo + 0.75 * hi for lo, hi in (op.sample * count)[:count]]
    point[nan_at] = NAN
    return tuple(point)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_gives_nan_for_a_nan_input(name):
    op = OPS[name]
    count = 4 if op.arity is None else op.arity
    for i in range(count):
        if i not in op.constants:
            assert math.isnan(run(op, _point(op, i))), (name, i)


def test_relu_of_nan_is_nan_and_so_is_its_gradient():  # it was 0.0 with gradient 0.0
    x = Value(NAN)
    y = x.relu()
    assert math.isnan(y.data)
    y.backward()
    assert math.isnan(x.grad)
    assert math.isnan(grad(x.relu(), [x])[0].data)
    assert math.isnan(grad(x.relu(), [x], create_graph=True)[0].data)


def test_leaky_relu_and_abs_derivatives_at_nan_are_nan():
    for make in (lambda v: v.leaky_relu(0.1), abs):
        x = Value(NAN)
        make(x).backward()
        assert math.isnan(x.grad)


def test_value_power_value_at_a_nan_base_is_nan_not_an_error():
    x, y = Value(NAN), Value(2.0)
    (x**y).backward()
    assert math.isnan(x.grad) and math.isnan(y.grad)


def test_an_mlp_with_one_nan_weight_outputs_nan():  # it output 0.0 through the relus
    model = nn.MLP(2, [4, 4, 1], seed=0)
    model.layers[0].neurons[0].w[0].data = NAN
    assert math.isnan(model([0.5, -0.5]).data)


def test_hinge_of_a_nan_score_is_nan():
    assert math.isnan(nn.hinge([Value(NAN)], [1.0]).data)


def test_detect_anomaly_names_the_relu_that_met_a_nan():
    x = Value(NAN, label="x")
    with (
        pytest.raises(AnomalyError, match=r"forward of relu made nan: relu\(nan\)"),
        detect_anomaly(),
    ):
        x.relu()
