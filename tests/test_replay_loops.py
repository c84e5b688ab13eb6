"""The python backend's loops: a subgraph built for every point is written once, as a loop, and
replays bit for bit what eager computes — its sums deferred, its skips dropped."""

from __future__ import annotations

import functools
import math
import operator
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value
from autograd.replay import _values
from autograd.replay import python as python_backend
from autograd.replay.loops import _added_in_turn, sequential_sum, short_dot
from autograd.replay.trace import trace
from autograd.testing import expressions

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from w1_data import initial_weights, make_moons
from w1_demo import ValueModel, demo_loss


def bits(values):
    return [(v.data.hex(), v.grad.hex()) for v in values]


def compiled(fn):
    return autograd.compile(fn, backend="python")


def loops_in(step) -> int:
    """How many loops the step's replay runs (one list of repetitions each)."""
    (entry,) = next(iter(step.traces.values()))
    return sum(
        1 for name in entry.replay.__code__.co_varnames if name[0] == "S" and name[1:].isdigit()
    )


def _demo_source(points: int, loops: bool = True) -> str:
    X, y = make_moons()
    model = ValueModel("m", nn.MLP(2, [16, 16, 1]), Value, X, y)
    model.load(initial_weights())
    inputs = [x for row in X[:points] for x in row]
    rows = lambda xs: [xs[2 * i : 2 * i + 2] for i in range(points)]
    tr = trace(lambda xs: demo_loss(model.model, Value, rows(xs), y[:points]), inputs)
    source, _ = python_backend.generate(tr, list(dict.fromkeys(_values(tr.outputs))), loops=loops)
    return source


def test_micrograds_demo_is_written_a_point_at_a_time_not_a_line_a_node():
    rolled = _demo_source(100)
    assert "for r in range(100):" in rolled  # the 65 nodes of a point's forward, once
    assert rolled.count("\n") < 2_000 < 20_000 < _demo_source(100, loops=False).count("\n")
    # the code does not grow with the points (a line a node would add 3,900 for these 60)
    assert abs(rolled.count("\n") - _demo_source(40).count("\n")) < 10


def test_a_hidden_unit_that_is_off_does_not_add_up_its_gradient():
    # A relu that is off passes on +0.0 whatever reaches it: the 16 sums of 16 terms that
    # make the first hidden layer's gradients are computed only where their relu is on.
    source = _demo_source(100)
    gated = [line for line in source.splitlines() if line.endswith("> 0.0 else 0.0")]
    assert len(gated) == 16
    assert all("_seqsum(_map(_mul, q" in line for line in gated)
    # eager checks every gradient for overflow: the skipped ones are bounded after the loop
    assert "if not (m1 * b1 < 1.0715086071862673e+301):" in source


def in_turn(terms, start):
    return functools.reduce(operator.add, terms, start)


@pytest.mark.parametrize("added", [sequential_sum, _added_in_turn])
def test_sequential_sum_adds_one_term_after_another_on_every_python(added):
    # eager adds a gradient's contributions in order; Python 3.12's sum() compensates instead
    terms = [1e16, 1.0, 1.0]
    assert added(terms, 0.0) == in_turn(terms, 0.0) == 1e16
    assert added([0.1] * 10, 0.5) == in_turn([0.1] * 10, 0.5)
    assert added(iter([0.1, 0.2, 0.3]), 1e-17) == in_turn([0.1, 0.2, 0.3], 1e-17)
    assert added([], -0.0).hex() == "-0x0.0p+0"
    assert added([-0.0, -0.0], -0.0).hex() == "-0x0.0p+0"


@given(st.lists(st.floats(allow_nan=False)), st.floats(allow_nan=False))
def test_the_loop_adds_as_reduce_adds(terms, start):
    with_nan = math.isnan(in_turn(terms, start))  # (inf − inf)
    got = _added_in_turn(terms, start)
    assert math.isnan(got) if with_nan else got.hex() == in_turn(terms, start).hex()


@given(
    st.lists(st.floats(allow_nan=False), min_size=2, max_size=4),
    st.one_of(st.none(), st.floats(allow_nan=False)),
)
@example([-0.0, 1.0, 0.0, -1.0], None)  # two −0.0 products: fsum gives +0.0
@example([2.0, -0.0], -0.0)
def test_a_short_dot_written_inline_is_the_dot_rows_forward(numbers, bias):
    # fsum of two rounded products is their float sum (fsum's zero is +0.0: hence + 0.0); an
    # inf or nan either way, or an error in fsum, runs the step eagerly
    pairs = len(numbers) // 2
    ws, xs = numbers[0 : 2 * pairs : 2], numbers[1 : 2 * pairs : 2]
    names = {f"a{k}": v for k, v in enumerate(numbers)} | {"b": bias}
    form = short_dot(
        [f"a{2 * k}" for k in range(pairs)],
        [f"a{2 * k + 1}" for k in range(pairs)],
        None if bias is None else "b",
    )
    got = eval(form, {}, names)
    row = [v for pair in zip(ws, xs) for v in pair] + ([] if bias is None else [bias])
    try:
        want = autograd.OPS["dot"].forward(*row)
    except ArithmeticError:  # eager raises: the inline form must send the step there
        assert not math.isfinite(got)
        return
    if math.isfinite(got) and math.isfinite(want):
        assert got.hex() == want.hex()
    else:
        assert not math.isfinite(got)  # and the step runs eagerly


def _points_step(expr, is_param, ps, points):
    """The random graph once a point (shared parameters, each point's own inputs), summed with
    builtins.sum — a chain of additions — into the loss."""
    outs = []
    for inputs in points:
        it_p, it_i = iter(ps), iter(Value(x) for x in inputs)
        outs.append(expr([next(it_p) if p else next(it_i) for p in is_param]))
    return sum(outs) * 0.5


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    expr=expressions(
        ["add", "sub", "mul", "neg", "tanh", "sigmoid", "exp", "log", "relu", "sum", "dot", "div"],
        max_leaves=4,
        max_nodes=10,
    ),
    seed=st.integers(0, 2**16),
)
def test_a_random_graph_repeated_for_every_point_replays_in_loops_bit_for_bit(expr, seed):
    rng = random.Random(seed)
    n = len(expr.leaves)
    is_param = [k % 2 == 0 for k in range(n)]
    eager_ps, twin_ps = ([Value(x) for x, p in zip(expr.leaves, is_param) if p] for _ in range(2))
    point = [x for x, p in zip(expr.leaves, is_param) if not p]
    points = [[x + 0.01 * j for x in point] for j in range(12)]
    step = compiled(lambda points: _points_step(expr, is_param, twin_ps, points))
    for k in range(30):
        starts = [rng.choice([0.0, 0.5, -1.25]) for _ in eager_ps]  # not −0.0: see below
        for a, b, g in zip(eager_ps, twin_ps, starts):
            a.grad = b.grad = g
        try:
            loss = _points_step(expr, is_param, eager_ps, points)
            loss.backward()
        except (ArithmeticError, ValueError) as error:
            with pytest.raises(type(error)):
                step(points)
            return
        replayed = step(points)
        assert replayed.data.hex() == loss.data.hex() or (
            math.isnan(loss.data) and math.isnan(replayed.data)
        )
        assert bits(twin_ps) == bits(eager_ps), k
        for a, b in zip(eager_ps, twin_ps):
            a.data = b.data = a.data - 0.01 * (a.grad if math.isfinite(a.grad) else 0.0)
        points = [[x + 0.01 * (rng.random() - 0.5) for x in p] for p in points]
    if all(math.isfinite(p.data) and math.isfinite(p.grad) for p in eager_ps):
        assert step.counts["eager"] == 0 or not math.isfinite(loss.data)
    assert loops_in(step) >= 1


def test_a_gradient_starting_at_negative_zero_runs_a_looped_step_eagerly_and_exactly():
    # the loops add ±0 where eager adds nothing; −0.0 + 0.0 is +0.0: such a step runs eagerly
    X, y = make_moons()
    eager, twin = nn.MLP(2, [4, 1], seed=3), nn.MLP(2, [4, 1], seed=3)
    step = compiled(lambda X, y: demo_loss(twin, Value, X, y))
    step(X[:30], y[:30])
    for k in range(3):
        for a, b in zip(eager.parameters(), twin.parameters()):
            a.grad = b.grad = -0.0 if k != 1 else 0.0
        demo_loss(eager, Value, X[:30], y[:30]).backward()
        step(X[:30], y[:30])
        assert bits(twin.parameters()) == bits(eager.parameters()), k
    assert step.counts == {"traced": 1, "replayed": 1, "eager": 2}
    assert loops_in(step) >= 1


def test_values_returned_and_branches_taken_inside_a_loop_are_replayed_right():
    X, y = make_moons()
    eager, twin = nn.MLP(2, [6, 1], seed=1), nn.MLP(2, [6, 1], seed=1)

    def build(model, X, y):
        scores, margins, losses = [], [], []
        for x, yi in zip(X, y):  # a point at a time: its nodes made one after another
            scores.append(s := model(x))
            margins.append(m := s * yi)
            # a branch on the score's number while building: a guard for every point
            losses.append((1 - m).relu() if s.data < 1.5 else s * 0.0)
        return sum(losses) * (1.0 / len(losses)), scores, margins

    step = compiled(lambda X, y: build(twin, X, y))
    for k in range(20):
        for m in (eager, twin):
            m.zero_grad()
        loss, scores, margins = build(eager, X[:40], y[:40])
        loss.backward()
        replayed, twin_scores, twin_margins = step(X[:40], y[:40])
        assert replayed.data == loss.data, k
        assert bits(twin_scores) == bits(scores), k
        # an off relu's 0 times −1 is −0.0: eager adds it to +0.0 and returns +0.0
        assert bits(twin_margins) == bits(margins), k
        assert bits(twin.parameters()) == bits(eager.parameters()), k
        for a, b in zip(eager.parameters(), twin.parameters()):
            a.data = b.data = a.data - 0.5 * a.grad
    assert step.counts["replayed"] >= 1 and loops_in(step) >= 1


def test_a_recurrence_replays_in_a_loop_bit_for_bit():
    # h <- tanh(w·h + u·x_t + b) over 60 steps: each step reads the last one's h
    params = [Value(0.9), Value(0.4), Value(-0.1)]
    twins = [Value(p.data) for p in params]

    def run(ps, xs):
        w, u, b = ps
        h, hs = Value(0.0), []
        for x in xs:
            h = (w * h + u * x + b).tanh()
            hs.append(h)
        return (h - 0.5) ** 2 + 0.1 * hs[30], hs  # each h's gradient comes from the next

    step = compiled(lambda xs: run(twins, xs))
    rng = random.Random(7)
    for k in range(25):
        xs = [rng.uniform(-1, 1) for _ in range(60)]
        for p in params + twins:
            p.grad = 0.0
        loss, hs = run(params, xs)
        loss.backward()
        replayed, twin_hs = step(xs)
        assert replayed.data == loss.data
        assert bits(twins) == bits(params), k
        assert bits(twin_hs) == bits(hs), k
        for a, b in zip(params, twins):
            a.data = b.data = a.data - 0.1 * a.grad
    assert step.counts == {"traced": 1, "replayed": 24, "eager": 0}
    assert loops_in(step) >= 1


def test_a_point_that_gets_no_gradient_still_runs_its_rules_and_raises_as_eager():
    # eager skips a fast-path node whose gradient is 0, but runs every rule: sqrt's at 0 divides
    # by zero, though the relu after it is off and sends nothing
    w, twin = Value(2.0), Value(2.0)

    def build(w, xs):
        outs = [((w * x).sqrt() - 5.0).relu() for x in xs]
        return sum(out * 0.0 for out in outs) + w * 1.0  # no gradient reaches a point

    step = compiled(lambda xs: build(twin, xs))
    step([1.0] * 10)
    xs = [1.0] * 9 + [0.0]
    with pytest.raises(ZeroDivisionError):
        build(w, xs).backward()
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        step(xs)
    assert loops_in(step) >= 1


def test_the_gradients_of_copies_returned_from_inside_a_loop_are_eagers():
    # Value(x) of each input, made in the loop over points and returned: a copy is a leaf, and
    # the caller reads its gradient
    w, twin = Value(0.7), Value(0.7)

    def build(w, xs):
        copies, outs = [], []
        for x in xs:  # each copy made with its point's nodes: a leaf inside the loop
            copies.append(c := Value(x))
            outs.append((w * c).tanh() * c)
        return sum(outs) * 0.5, copies

    step = compiled(lambda xs: build(twin, xs))
    for k in range(4):
        xs = [0.1 * i - 0.3 * k for i in range(12)]
        w.grad = twin.grad = 0.0
        loss, copies = build(w, xs)
        loss.backward()
        replayed, twin_copies = step(xs)
        assert replayed.data == loss.data
        assert bits(twin_copies) == bits(copies) and bits([twin]) == bits([w]), k
    assert loops_in(step) >= 1 and step.counts["replayed"] == 3


def test_two_loops_over_the_same_weights_one_only_returned_replay_bit_for_bit():
    # the later loop (returned, not in the loss) gets no gradient and has no backward; the
    # earlier one's backward reads the weights it shares with it
    ws, twins = ([Value(0.5), Value(-0.25), Value(0.125)] for _ in range(2))

    def build(ws, xs):
        in_loss = []
        for x in xs:  # h's gradient is g times a weight: the backward reads the weights
            h = (ws[0] * x).tanh()
            in_loss.append(autograd.dot(ws, [h, h * x, x]))
        returned = [autograd.dot(ws, [x, 2.0 * x, x]) for x in xs]
        return sum(in_loss) * 0.5, returned

    step = compiled(lambda xs: build(twins, xs))
    for k in range(3):
        xs = [0.1 * i + k for i in range(10)]
        for w in ws + twins:
            w.grad = 0.0
        loss, returned = build(ws, xs)
        loss.backward()
        replayed, twin_returned = step(xs)
        assert replayed.data == loss.data and bits(twins) == bits(ws), k
        assert bits(twin_returned) == bits(returned), k
    assert loops_in(step) >= 2 and step.counts["replayed"] == 2
