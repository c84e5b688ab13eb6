"""The numpy backend's depths (autograd/replay/levels.py): computed run by run, as wide graphs
are, they are the depths computed node by node, as deep narrow graphs are."""

from __future__ import annotations

import random
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")

import autograd  # noqa: E402
import nn  # noqa: E402
from autograd import Value  # noqa: E402
from autograd.replay import batched, levels  # noqa: E402
from autograd.testing import expressions  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from w1_data import make_moons  # noqa: E402
from w1_demo import demo_loss  # noqa: E402


def reference_depths(parents, kinds, size):
    """The definition, spelled out: 1 + the deepest input; leaves and constants 0."""
    depth = [0] * size
    for i, (reads, kind) in enumerate(zip(parents, kinds)):
        if kind != "leaf":
            depth[i] = 1 + max(depth[p] for p in reads)
    return depth


@st.composite
def dags(draw):
    """Nodes in creation order: leaves, ops reading earlier nodes and constants (indices
    after the nodes), and copies of an earlier node; wide stretches and deep ones."""
    n = draw(st.integers(1, 60))
    constants = draw(st.integers(0, 3))
    parents, kinds = [], []
    for i in range(n):
        kind = draw(st.sampled_from(["leaf", "op", "op", "op", "copy"])) if i else "leaf"
        if kind == "leaf":
            reads = []
        elif kind == "copy":
            reads = [draw(st.integers(0, i - 1))]
        else:
            pool = list(range(i)) + [n + c for c in range(constants)]
            reads = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5))
        parents.append(reads)
        kinds.append(kind)
    return parents, kinds, n + constants


def as_arrays(parents, kinds):
    """levels.depths' arguments: a copy reads nothing as a node (a leaf), its source aside."""
    own = [reads if kind == "op" else [] for reads, kind in zip(parents, kinds)]
    starts = np.concatenate([[0], np.cumsum([len(r) for r in own])]).astype(np.intp)
    parent = np.array([p for r in own for p in r], np.intp)
    ordinary = np.array([kind == "op" for kind in kinds])
    copies = {i: reads[0] for i, (reads, kind) in enumerate(zip(parents, kinds)) if kind == "copy"}
    return parent, starts, ordinary, copies


@settings(max_examples=300, deadline=None)
@given(dags())
def test_depths_run_by_run_are_the_depths_node_by_node_and_the_definition(dag):
    parents, kinds, size = dag
    parent, starts, ordinary, copies = as_arrays(parents, kinds)
    expected = reference_depths(parents, kinds, size)
    for blocked in (True, False):
        found = levels.depths(parent, starts, ordinary, {}, copies, size, blocked=blocked)
        assert found.tolist() == expected, blocked


@settings(max_examples=300, deadline=None)
@given(dags())
def test_no_run_holds_a_node_that_reads_another_of_its_run(dag):
    parents, kinds, _ = dag
    parent, starts, ordinary, copies = as_arrays(parents, kinds)
    units = np.flatnonzero(np.array([kind != "leaf" for kind in kinds]))
    cuts = levels.runs(parent, starts, ordinary, {}, copies, units)
    assert cuts[:1] == ([0] if len(units) else [])
    for lo, hi in zip(cuts, [*cuts[1:], len(units)]):
        run = set(units[lo:hi].tolist())
        for i in run:
            assert not run.intersection(parents[i]), (i, run)


@contextmanager
def both_ways():
    """Every plan's depths computed both ways and compared (after the block: compile would
    take an error raised while planning for a bug of its own, and run the step eagerly);
    (units, runs, inputs) noted."""
    seen, differ = [], []
    runs = levels.runs

    def noted(parent, starts, ordinary, chains, copies, units):
        cuts = runs(parent, starts, ordinary, chains, copies, units)
        seen.append((len(units), len(cuts), len(parent)))
        return cuts

    def depths(*args):
        by_runs = levels.depths(*args, blocked=True)
        by_nodes = levels.depths(*args, blocked=False)
        if by_runs.tolist() != by_nodes.tolist():
            differ.append(np.flatnonzero(by_runs != by_nodes).tolist())
        return by_runs

    with pytest.MonkeyPatch.context() as m:
        m.setattr(levels, "runs", noted)
        m.setattr(batched, "depths", depths)
        yield seen
    assert not differ, differ


def test_a_wide_mlp_is_run_by_run_and_a_deep_narrow_graph_node_by_node():
    X, y = make_moons()
    model = nn.MLP(2, [16, 16, 1], seed=0)
    w = Value(0.5)

    def deep(x):  # 1,000 nodes one after the other
        h = Value(x)
        for _ in range(500):
            h = (h * w).tanh() + x
        return h

    with both_ways() as seen:
        autograd.compile(lambda X, y: demo_loss(model, Value, X, y), backend="numpy")(X, y)
        autograd.compile(deep, backend="numpy")(0.3)
    wide, narrow = dict.fromkeys(seen)  # (noted once for each way)
    assert levels.worth_runs(*wide) and wide[0] > 10 * wide[1]  # runs: a layer's neurons, ...
    assert not levels.worth_runs(*narrow)


def test_chains_and_copies_get_the_same_depths_both_ways():
    # micrograd's neurons: sum(w·x) is a chain of additions; Value(x) a copy; a loss chain
    rng = random.Random(0)
    ws = [Value(rng.uniform(-1, 1)) for _ in range(3)]

    def step(points):
        total = []
        for x in points:
            xs = [Value(v) for v in x]  # copies of the inputs
            z = sum((w * v for w, v in zip(ws, xs)), Value(0.0))
            total.append(z.tanh() * z)
        return sum(total) * 0.5

    points = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(20)]
    with both_ways() as seen:
        autograd.compile(step, backend="numpy")(points)
    assert seen


@settings(max_examples=40, deadline=None)
@given(expr=expressions(max_leaves=4, max_nodes=12), seed=st.integers(0, 2**16))
def test_random_graphs_over_many_points_get_the_same_depths_both_ways(expr, seed):
    rng = random.Random(seed)
    params = [Value(x) for x in expr.leaves]
    points = [[x + 0.1 * rng.random() for x in expr.leaves] for _ in range(8)]

    def step(points):  # each point through the graph, half its leaves parameters
        outs = [
            expr([p if k % 2 else Value(x) for k, (p, x) in enumerate(zip(params, xs))])
            for xs in points
        ]
        return sum(outs)

    with both_ways() as seen, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # (a step that raises: eager)
        try:
            autograd.compile(step, backend="numpy")(points)
        except (ArithmeticError, ValueError):
            return  # the eager step raises
    assert seen


def test_a_plan_too_big_for_four_byte_indices_replays_the_same(monkeypatch):
    # (a graph of 2**30 edges does not fit here: the bound is lowered instead, so the plan is
    # made with numpy's own index type throughout, as such a graph's would be)
    X, y = make_moons()
    plans = {}
    for bound in (batched.SMALL_INDEX, 0):
        monkeypatch.setattr(batched, "SMALL_INDEX", bound)
        model = nn.MLP(2, [16, 16, 1], seed=0)
        step = autograd.compile(lambda X, y, m=model: demo_loss(m, Value, X, y), backend="numpy")
        for _ in range(3):
            loss = step(X, y)
            for p in model.parameters():
                p.data -= 0.1 * p.grad
        (entry,) = next(iter(step.traces.values()))
        assert step.counts["replayed"] == 2
        assert entry.replay.__self__.edge_sender.dtype == (np.intp if bound == 0 else np.int32)
        plans[bound] = (loss.data.hex(), [p.data.hex() for p in model.parameters()])
    assert plans[0] == plans[batched.SMALL_INDEX]
