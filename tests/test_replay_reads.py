"""autograd.compile where the step computes with numbers it read from ``.data`` and decides on
the result — as nn's losses check their targets. Python's + − × ÷, negation, abs and sum() of
numbers read are nodes the replay computes, so comparing the result guards its outcome, not
every number that went into it: a mini-batch of other numbers that takes the same decisions
replays. Each case runs compiled beside eager, on both backends, bit for bit."""

from __future__ import annotations

import pytest
from eager_oracle import side_by_side

import autograd
import nn
from autograd import Value

pytest.importorskip("numpy")


@pytest.fixture(params=["numpy", "python"])
def backend(request):
    return request.param


def test_a_decision_on_arithmetic_of_reads_is_a_guard_on_its_outcome(backend):
    def make():
        w = Value(1.5)

        def fn(x, y):
            a, b = w * x, w * y
            close = abs(a.data - b.data) / 2 < 1.0  # (nodes: sub, abs, div)
            return (a + b) if close else (a * b)

        return [w], fn

    calls = [(1.0, 1.5), (2.0, 2.5), (-3.0, -2.0), (1.0, 9.0), (4.0, 4.25), (1.0, 9.5)]
    step = side_by_side(make, calls, backend)
    assert step.counts == {"traced": 2, "replayed": 4, "eager": 0}


def test_a_division_by_a_read_that_is_zero_raises_as_eagerly(backend):
    def make():
        w = Value(2.0)

        def fn(x):
            a = w * x
            scale = 1.0 / a.data  # ZeroDivisionError eagerly where a is 0
            return a * 3.0 if scale > 0 else a * 5.0

        return [w], fn

    side_by_side(make, [(1.0,), (2.0,), (0.0,), (3.0,)], backend)


def test_arithmetic_of_reads_that_overflows_is_still_decided_as_eagerly(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            a = w * x
            return a * 3.0 if a.data * 1e300 > 1.0 else a * 5.0  # inf for a > 1e8

        return [w], fn

    side_by_side(make, [(1e9,), (2e9,), (-1.0,), (1e9,)], backend)


# --- nn's losses over mini-batches --------------------------------------------------------------


def batches(targets):
    """Mini-batches of two points each, every one with another pattern of targets."""
    points = [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75], [0.1, 0.2]]
    return [([points[k % 4], points[(k + 1) % 4]], list(t)) for k, t in enumerate(targets)]


@pytest.mark.parametrize(
    ("loss", "outputs", "targets"),
    [
        (nn.hinge, 1, [(1.0, -1.0), (-1.0, 1.0), (1.0, 1.0), (-1.0, -1.0)]),
        (nn.mse, 1, [(1.0, -1.0), (0.5, 0.25), (-2.0, 3.0)]),
        (nn.binary_cross_entropy_with_logits, 1, [(1.0, 0.0), (0.0, 1.0), (0.25, 0.75)]),
        (
            nn.cross_entropy,
            3,
            [([1.0, 0.0, 0.0], [0.0, 0.0, 1.0]), ([0.0, 1.0, 0.0], [0.2, 0.3, 0.5])],
        ),
    ],
    ids=["hinge", "mse", "bce with logits", "cross-entropy, soft targets"],
)
def test_a_loss_replays_mini_batches_of_other_targets_without_tracing_again(
    backend, loss, outputs, targets
):
    def make():
        model = nn.MLP(2, [3, outputs], seed=4)

        def fn(xs, ts):
            scores = [model(x) for x in xs]
            return loss(scores, ts)

        return model.parameters(), fn

    step = side_by_side(make, batches(targets), backend)
    assert step.counts["traced"] == 1


def test_a_loss_still_refuses_a_bad_target_in_a_replayed_mini_batch(backend):
    def make():
        model = nn.MLP(2, [3, 1], seed=4)
        return model.parameters(), lambda xs, ts: nn.hinge([model(x) for x in xs], ts)

    calls = batches([(1.0, -1.0), (-1.0, 1.0), (1.0, 0.5), (-1.0, -1.0)])
    step = side_by_side(make, calls, backend)  # (the same outcomes, the third an error)
    with pytest.raises(ValueError, match=r"targets must be -1 or \+1, got 0\.5"):
        step(*calls[2])


@pytest.mark.filterwarnings("error")
def test_fit_with_compile_replays_hinge_mini_batches():
    xs = [[0.1 * k, 0.2 - 0.05 * k] for k in range(12)]
    ys = [1.0 if k % 3 else -1.0 for k in range(12)]
    runs = []
    for compiled in (False, True):
        model = nn.MLP(2, [4, 1], seed=1)
        history = nn.fit(
            model,
            xs,
            ys,
            loss=nn.hinge,
            optimizer=nn.SGD(model, lr=0.1),
            epochs=4,
            batch_size=4,
            seed=0,
            progress=False,
            compile=compiled,
        )
        runs.append(([p.data.hex() for p in model.parameters()], history.loss))
    assert runs[0] == runs[1]


def test_soft_targets_may_be_values_and_get_gradients():
    t = [Value(0.25), Value(0.75)]
    z = [0.5, -1.0]
    loss = nn.cross_entropy(z, t)
    loss.backward()
    lse = autograd.logsumexp(z).data
    assert [v.grad for v in t] == pytest.approx([lse - z[0], lse - z[1]], rel=1e-15)
