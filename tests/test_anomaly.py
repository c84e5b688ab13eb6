"""detect_anomaly: the first nan/inf raises at the op that made it, naming the user's line."""

from __future__ import annotations

import math

import pytest

import nn
from autograd import (
    AnomalyError,
    Value,
    detect_anomaly,
    draw_dot,
    enable_grad,
    grad,
    is_grad_enabled,
    mode,
    no_grad,
)

INF, NAN = float("inf"), float("nan")


@pytest.fixture(autouse=True)
def _mode_is_restored():
    yield
    assert mode.grad_enabled() is True and mode.anomaly() is None


def test_off_by_default_nan_propagates_silently():
    x = Value(INF, label="x")
    y = x - x
    assert math.isnan(y.data) and y.op.name == "sub"
    assert mode.grad_enabled() is True and mode.anomaly() is None


def test_forward_nan_names_the_op_inputs_labels_and_line():
    x = Value(INF, label="x")
    h = x * 2.0  # inf from inf: outside anomaly mode nothing is said
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        y = h - x  # noqa: F841 - the line the error must name
    err = info.value
    message = str(err)
    assert message.startswith("forward of sub made nan: inf - inf")
    assert "'x' = inf" in message and "unlabelled inf" in message
    assert "test_anomaly.py" in message and "y = h - x" in message
    assert err.phase == "forward" and err.node.op.name == "sub" and err.node.parents == (h, x)
    assert isinstance(err, FloatingPointError) and err.site and "y = h - x" in err.site


def test_first_op_is_blamed_not_a_later_one():
    x = Value(NAN, label="x")
    with pytest.raises(AnomalyError, match="forward of tanh") as info, detect_anomaly():
        y = x.tanh()
        y.exp()
    assert info.value.node.parents == (x,)


def test_backward_inf_names_the_op_whose_rule_sent_it():
    x = Value(1e-200, label="x")
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        h = x * 1e200  # 1.0: every value is finite
        y = h * 1e300
        y.backward()  # dy/dx = 1e300 × 1e200 is not
    err = info.value
    assert str(err).startswith("backward of mul sent an inf gradient to its input 'x'")
    assert "upstream gradient 1e+300 × local derivative 1e+200" in str(err)
    assert "h = x * 1e200" in str(err)
    assert (err.phase, err.node, err.parent) == ("backward", h, x)


def test_backward_nan_from_an_infinite_seed_names_backward():
    x = Value(2.0)
    with pytest.raises(AnomalyError, match=r"passed to backward\(\) is nan"), detect_anomaly():
        (x * 3.0).backward(NAN)


def test_grad_with_create_graph_is_checked_too():
    x = Value(1e-200, label="x")
    with pytest.raises(AnomalyError, match="backward of mul") as info, detect_anomaly():
        y = (x * 1e200) * 1e300
        grad(y, [x], create_graph=True)
    assert info.value.parent is x


def test_node_made_outside_is_reported_without_a_line():
    x = Value(1e-200, label="x")
    y = (x * 1e200) * 1e300
    with pytest.raises(AnomalyError, match="made at an unknown line"), detect_anomaly():
        y.backward()


def test_no_grad_inside_still_raises_without_labels():
    x = Value(INF, label="x")
    expected = r"inf - inf.*\n.*unlabelled: the graph is not"
    with pytest.raises(AnomalyError, match=expected), detect_anomaly(), no_grad():
        assert not is_grad_enabled()
        x - x


def test_enable_grad_inside_keeps_recording_sites():
    x = Value(INF, label="x")
    with pytest.raises(AnomalyError, match="y = x - x"), detect_anomaly(), no_grad(), enable_grad():
        assert mode.grad_enabled() is True and mode.anomaly() is not None  # both, separately
        y = x - x  # noqa: F841


def test_nested_blocks_and_decorator_share_one_recorder():
    @detect_anomaly()
    def f(v):
        return v * 2.0

    with detect_anomaly():
        outer = mode.anomaly()
        with detect_anomaly():
            assert mode.anomaly() is outer
        assert f(Value(1.0)).data == 2.0 and mode.anomaly() is outer


def test_finite_graph_is_untouched_by_anomaly_mode():
    x = Value(0.5, label="x")
    with detect_anomaly():
        y = (x * 3.0).tanh()
        y.backward()
    assert x.grad == pytest.approx(3.0 * (1.0 - y.data**2))


def test_line_is_the_users_not_nns():
    neuron = nn.Neuron(2, activation="tanh", seed=0, label="N1")
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        neuron([INF, 1.0])  # the user's line, not nn/layers.py
    assert "test_anomaly.py" in info.value.site and "neuron([INF, 1.0])" in info.value.site
    assert info.value.node.op.name == "dot"


def test_drawing_marks_the_anomaly():
    x = Value(1e-200, label="x")
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        y = (x * 1e200) * 1e300
        y.backward()
    source = draw_dot(y, anomaly=info.value).source
    assert source.count("⚠ anomaly") == 1
    assert '[label="∂ 1e+200" color="#dc2626" fontcolor="#dc2626" penwidth=3]' in source
    forward = Value(INF, label="v")
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        forward - forward
    assert "⚠ anomaly" in draw_dot(info.value.node, anomaly=info.value).source
