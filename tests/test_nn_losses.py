"""Losses: each against its formula, its gradient against finite differences, stable at the
extremes, small graphs, and clear errors."""

from __future__ import annotations

import functools
import math
import operator

import numpy as np
import pytest

from autograd import Value, topological_order
from autograd.check import numeric_grad
from nn import (
    MLP,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge,
    l2,
    log_softmax,
    mse,
    softmax,
    sse,
)


def gradient_error(loss_of, xs, eps=1e-6):
    """Largest |analytic − numeric| gradient of ``loss_of(list of Values or floats)`` at xs."""
    values = [Value(x) for x in xs]
    loss_of(values).backward()
    numeric = numeric_grad(lambda fs: loss_of(fs).data, xs, eps=eps)
    return max(abs(v.grad - d) for v, d in zip(values, numeric))


def interior_nodes(out):
    return [v for v in topological_order([out]) if v.op is not None]


# --- formulas -----------------------------------------------------------------------------


def test_mse_and_sse_are_mean_and_half_sum_of_squares():
    p, t = [0.3, -1.2, 2.5], [0.0, -1.0, 3.0]
    sq = [(a - b) ** 2 for a, b in zip(p, t)]
    assert mse(p, t).data == pytest.approx(sum(sq) / 3, rel=1e-15)
    assert sse(p, t).data == pytest.approx(0.5 * sum(sq), rel=1e-15)
    values = [Value(x) for x in p]
    sse(values, t).backward()
    assert [v.grad for v in values] == pytest.approx([a - b for a, b in zip(p, t)], rel=1e-15)


def test_mse_over_a_batch_of_vectors_averages_every_output():
    outputs = [[Value(1.0), Value(2.0)], [Value(0.0), Value(-1.0)]]
    targets = np.array([[1.0, 0.0], [1.0, 1.0]])
    assert mse(outputs, targets).data == pytest.approx((0 + 4 + 1 + 4) / 4, rel=1e-15)


def test_binary_cross_entropy_matches_its_formula():
    p, t = [0.9, 0.2, 0.6, 0.35], [1.0, 0.0, 1.0, 0.25]
    expected = -np.mean([b * math.log(a) + (1 - b) * math.log(1 - a) for a, b in zip(p, t)])
    assert binary_cross_entropy(p, t).data == pytest.approx(expected, rel=1e-14)


def test_bce_from_logits_equals_bce_of_sigmoid():
    z, t = [2.0, -1.0, 0.3, -4.0], [1, 0, 0, 1]
    probabilities = [1 / (1 + math.exp(-v)) for v in z]
    assert binary_cross_entropy_with_logits(z, t).data == pytest.approx(
        binary_cross_entropy(probabilities, t).data, rel=1e-13
    )


def test_hinge_is_micrograds_max_margin():
    scores, ys = [Value(0.4), Value(-2.0), Value(1.5)], [1, 1, -1]
    expected = sum((1 + -y * s).relu() for y, s in zip(ys, scores)) * (1.0 / 3)
    assert hinge(scores, ys).data == pytest.approx(expected.data, rel=1e-15)


def test_cross_entropy_is_minus_log_softmax_of_the_class():
    z = [0.5, -1.0, 2.0]
    p = np.exp(z) / np.sum(np.exp(z))
    assert cross_entropy(z, 2).data == pytest.approx(-math.log(p[2]), rel=1e-14)
    assert cross_entropy(z, [0.0, 0.0, 1.0]).data == pytest.approx(-math.log(p[2]), rel=1e-14)
    soft = [0.2, 0.3, 0.5]
    assert cross_entropy(z, soft).data == pytest.approx(-np.dot(soft, np.log(p)), rel=1e-14)
    batch = cross_entropy([z, z[::-1]], [2, 0])
    assert batch.data == pytest.approx(-math.log(p[2]), rel=1e-14)


def test_l2_is_alpha_sum_of_squares_with_gradient_two_alpha_p():
    model = MLP(2, [3, 1], seed=0)
    penalty = l2(model, alpha=1e-4)
    assert penalty.data == pytest.approx(
        1e-4 * sum(p.data**2 for p in model.parameters()), rel=1e-14
    )
    penalty.backward()
    assert all(p.grad == pytest.approx(2e-4 * p.data, rel=1e-15) for p in model.parameters())


def test_log_softmax_is_log_of_softmax():
    z = [1.0, -2.0, 0.5, 3.0]
    assert [v.data for v in log_softmax(z)] == pytest.approx(
        [math.log(p.data) for p in softmax(z)], rel=1e-14
    )


# --- gradients ------------------------------------------------------------------------------


def sigmoid(x):
    return x.sigmoid() if isinstance(x, Value) else 1 / (1 + math.exp(-x))


def softmax_mix(v):
    p = softmax(v)
    return p[0] - 2.0 * p[2]


# Each maps three inputs (Values, or floats for the finite differences) to a loss.
LOSSES = {
    "mse": lambda v: mse(v, [0.5, -1.0, 2.0]),
    "sse": lambda v: sse(v, [0.5, -1.0, 2.0]),
    "bce": lambda v: binary_cross_entropy([sigmoid(x) for x in v], [1, 0, 0.5]),
    "bce_logits": lambda v: binary_cross_entropy_with_logits(v, [1, 0, 0.5]),
    "hinge": lambda v: hinge(v, [1, -1, 1]),
    "cross_entropy": lambda v: cross_entropy(v, 1),
    "soft_cross_entropy": lambda v: cross_entropy(v, [0.2, 0.5, 0.3]),
    "softmax": softmax_mix,
    "log_softmax": lambda v: 3.0 * log_softmax(v)[1],
}


@pytest.mark.parametrize("name", LOSSES)
def test_loss_gradient_matches_finite_differences(name):
    xs = [0.3, -0.8, 1.7]
    assert gradient_error(LOSSES[name], xs) < 1e-8


def test_gradient_checker_catches_a_wrong_gradient():
    def wrong(v):  # the float path (numeric) and the Value path (analytic) disagree
        return mse(v, [0.0] * 3) if isinstance(v[0], Value) else sse(v, [0.0] * 3)

    assert gradient_error(wrong, [0.3, -0.8, 1.7]) > 1e-3


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    z = [Value(0.1), Value(2.0), Value(-1.0)]
    cross_entropy(z, 0).backward()
    p = [v.data for v in softmax([v.data for v in z])]
    assert [v.grad for v in z] == pytest.approx([p[0] - 1, p[1], p[2]], rel=1e-14)


# --- stability ---------------------------------------------------------------------------------


def test_softmax_and_cross_entropy_are_stable_at_1000():
    assert [p.data for p in softmax([1000.0, 0.0, -1000.0])] == [1.0, 0.0, 0.0]
    z = [Value(1000.0), Value(0.0)]
    loss = cross_entropy(z, 1)
    loss.backward()
    assert loss.data == 1000.0
    assert [v.grad for v in z] == [1.0, -1.0]
    assert log_softmax([0.0, -1000.0])[1].data == -1000.0


def test_bce_from_logits_is_exact_at_800():
    z = [Value(800.0), Value(-800.0), Value(800.0)]
    loss = binary_cross_entropy_with_logits(z, [1, 0, 0])
    loss.backward()
    assert loss.data == pytest.approx(800.0 / 3, rel=1e-15)
    assert [v.grad for v in z] == pytest.approx([0.0, 0.0, 1 / 3], abs=1e-300)


def test_bce_from_saturated_probabilities_is_finite_like_torch():
    assert binary_cross_entropy([0.0, 1.0], [0, 1]).data == 0.0  # zero-weight logs are skipped
    assert binary_cross_entropy([0.0], [1]).data == 100.0  # log clamped at -100, as PyTorch
    p = Value(1e-50)
    loss = binary_cross_entropy(p, 1)
    loss.backward()
    assert loss.data == 100.0 and p.grad == 0.0  # clamped: a constant, so no gradient


def test_bce_loss_value_matches_torch_including_the_clamp():
    torch = pytest.importorskip("torch")
    p = [0.9, 0.2, 1e-60, 1.0, 0.5]
    t = [1.0, 0.0, 1.0, 0.0, 0.3]
    expected = torch.nn.functional.binary_cross_entropy(
        torch.tensor(p, dtype=torch.float64), torch.tensor(t, dtype=torch.float64)
    )
    assert binary_cross_entropy(p, t).data == pytest.approx(expected.item(), rel=1e-14)


# --- graph size ---------------------------------------------------------------------------------


def test_losses_add_few_nodes():
    n = 50
    preds = [Value(float(i)) for i in range(n)]
    targets = [0.5] * n
    assert len(interior_nodes(mse(preds, targets))) == n + 2  # n differences, one Σ, one ÷n
    assert len(interior_nodes(sse(preds, targets))) == n + 2
    model = MLP(3, [4, 1], seed=0)
    assert len(interior_nodes(l2(model, alpha=1e-4))) == 2  # one Σp², one ×α


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: mse([1.0, 2.0], [1.0]), ValueError, "mse: 2 predictions but 1 targets"),
        (
            lambda: sse([[1.0, 2.0]], [[1.0]]),
            ValueError,
            r"sse: 2 predictions\[0\] but 1 targets\[0\]",
        ),
        (
            lambda: mse([1.0], [[1.0, 2.0]]),
            ValueError,
            "predictions\\[0\\] is one number but targets\\[0\\] is 2 values",
        ),
        (lambda: mse([], []), ValueError, "no predictions"),
        (lambda: mse(["a"], [1.0]), TypeError, "mse"),
        (lambda: hinge([0.5], [0]), ValueError, "targets must be -1 or \\+1, got 0.0"),
        (
            lambda: binary_cross_entropy([1.5], [1]),
            ValueError,
            "probability 1.5 is outside \\[0, 1\\]",
        ),
        (lambda: binary_cross_entropy([0.5], [2]), ValueError, "targets must be in \\[0, 1\\]"),
        (lambda: cross_entropy([0.1, 0.2], 2), ValueError, "class 2 is out of range for 2 logits"),
        (lambda: cross_entropy([0.1, 0.2], 1.0), TypeError, "class index"),
        (
            lambda: cross_entropy([[0.1, 0.2]], [0, 1]),
            ValueError,
            "1 samples of logits but 2 targets",
        ),
        (lambda: softmax([]), ValueError, "no logits"),
        (lambda: l2([1.0]), TypeError, "l2: expected Values"),
    ],
)
def test_bad_loss_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    "targets", [[0.2, 0.3, 0.4], [0.5, 0.5, 0.5], [1.2, -0.2, 0.0], [0.5, math.nan, 0.5]]
)
def test_soft_targets_that_are_not_probabilities_are_refused(targets):
    # [0.2, 0.3, 0.4] gave a loss that is not a cross-entropy (its minimum is not at p = t)
    with pytest.raises(ValueError, match="must be >= 0 and sum to 1"):
        cross_entropy([0.5, -1.0, 2.0], targets)


def test_soft_targets_that_sum_to_one_up_to_rounding_are_accepted():
    soft = [0.1] * 10  # added one after the other: 0.9999999999999999
    # (not sum(): from Python 3.12 it adds floats compensated, and gives 1.0)
    assert functools.reduce(operator.add, soft) != 1.0
    assert math.isfinite(cross_entropy([float(k) for k in range(10)], soft).data)
