"""The numpy replay's gathers laid out as outer products (autograd/replay/factor.py): a layer's
weights read once per neuron, its inputs once per point, and numpy's broadcasting multiplying
them out. Only where numbers are read changes: every test here compares with the plain
gather, or with the op table's float rules, bit for bit."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")

import autograd  # noqa: E402
import nn  # noqa: E402
from autograd import Value, exact  # noqa: E402
from autograd.ops import OPS, dot_inputs  # noqa: E402
from autograd.replay.batched import _Pull, forward_on_rows, stable_order  # noqa: E402
from autograd.replay.factor import Inputs, Rows, grid, grid_and_alike, span  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from w1_data import make_moons  # noqa: E402
from w1_demo import demo_loss  # noqa: E402


def structured(a, b, kinds, bases=None):
    """Index rows over an a × b grid (a row of the grid after the other): each row depends on
    the grid's row ("row"), its column ("column"), both ("full") or neither ("same")."""
    rows = []
    for kind, base in zip(kinds, bases or [0] * len(kinds)):
        i, j = np.meshgrid(np.arange(a), np.arange(b), indexing="ij")
        picked = {"row": i, "column": j, "full": i * b + j, "same": 0 * i}[kind]
        rows.append((base + 7 * picked).ravel())
    return np.array(rows, dtype=np.intp)


kinds = st.lists(st.sampled_from(["row", "column", "full", "same"]), min_size=1, max_size=9)


@st.composite
def index_rows(draw):
    a, b, ks = draw(st.integers(1, 12)), draw(st.integers(1, 12)), draw(kinds)
    return structured(
        a, b, ks, draw(st.lists(st.integers(0, 50), min_size=len(ks), max_size=len(ks)))
    )


def spread(M, shape):
    """Rows(M, shape) read from X, broadcast back to one plain row each."""
    X = np.arange(2000, dtype=float) * 0.5 - 3.0
    reader = Rows(M, shape)
    read = reader.read(X)
    return np.array([np.broadcast_to(read[k][i], shape).ravel() for k, i in reader.where]), X[M]


@settings(max_examples=200, deadline=None)
@given(index_rows())
def test_rows_laid_out_as_a_grid_read_what_a_plain_gather_reads(M):
    shape, order = grid(M)
    if order is not None:
        assert sorted(order.tolist()) == list(range(M.shape[1]))
        M = M[:, order]
    got, want = spread(M, shape)
    assert (got == want).all()


@settings(max_examples=300, deadline=None)
@given(index_rows(), st.permutations(range(9)))
def test_a_reader_given_the_grids_findings_is_the_reader_that_looks_for_itself(M, shuffle):
    # (the plan hands grid_and_alike's rows to Rows rather than have it compare every number
    # again; in the grid's column order, with the longer side innermost, they must be Rows' own)
    M = M[:, [k for k in shuffle if k < M.shape[1]] + list(range(9, M.shape[1]))]
    shape, order, alike = grid_and_alike(M)
    assert (shape, order if order is None else order.tolist()) == (
        grid(M)[0],
        None if grid(M)[1] is None else grid(M)[1].tolist(),
    )
    M = M if order is None else M[:, order]
    given_, own = Rows(M, shape, alike), Rows(M, shape)
    assert given_.where == own.where
    assert [(k if type(k) is slice else k.tolist(), v) for k, v in given_.kinds] == [
        (k if type(k) is slice else k.tolist(), v) for k, v in own.kinds
    ]


@settings(max_examples=200, deadline=None)
@given(index_rows(), st.data())
def test_inputs_slices_are_the_plain_arrays_slices(M, data):
    shape, order = grid(M)
    M = M if order is None else M[:, order]
    X = np.arange(2000, dtype=float) * 0.25
    reader = Rows(M, shape)
    inputs = Inputs(reader, reader.read(X))
    plain = X[M].reshape(len(M), *shape)
    start = data.draw(st.integers(0, len(M)))
    stop = data.draw(st.integers(start, len(M)))
    step = data.draw(st.integers(1, 3))
    got = inputs[start:stop:step]
    want = plain[start:stop:step]
    assert (np.broadcast_to(got, want.shape) == want).all()
    assert all((np.broadcast_to(x, shape) == p).all() for x, p in zip(inputs, plain))


def test_a_grid_puts_its_longer_side_innermost():
    M = structured(100, 16, ["row", "column"])  # 100 points × 16 neurons
    (a, b), order = grid(M)
    assert (a, b) == (16, 100) and order is not None
    assert [kind for _, kind in Rows(M[:, order], (a, b)).kinds] == [(1, 1, 100), (1, 16, 1)]


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), kinds, kinds, st.data())
def test_a_pulls_contributions_are_the_plain_products_whatever_its_rows_are(a, b, ks, ls, data):
    # rows of every kind, in any order: kinds that come back after others are written by
    # index, not by slice
    n = min(len(ks), len(ls))
    bases = st.lists(st.integers(0, 50), min_size=n, max_size=n)
    senders = structured(a, b, ks[:n], data.draw(bases))
    sources = structured(a, b, ls[:n], data.draw(bases))
    pull = _Pull(np.arange(a * b), senders, sources, grid(np.concatenate([senders, sources])))
    rng = np.random.default_rng(len(ks) + 7 * len(ls))
    G, D = rng.normal(size=2000), rng.normal(size=2000)
    out = np.empty((n, *pull.shape))
    pull.contributions(G, D, out)
    order = pull.targets  # the targets, as the pull laid them out
    want = G[senders[:, order]] * D[sources[:, order]]
    assert (out.reshape(n, a * b) == want).all()


def bits(xs):
    return [x.hex() for x in np.ravel(xs).tolist()]


magnitudes = st.sampled_from([1e-300, 1e-8, 1.0, 1e3, 1e150])


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 20),
    st.integers(1, 5),
    st.integers(1, 30),
    magnitudes,
    magnitudes,
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_dot_on_weights_by_neuron_and_inputs_by_point_is_dots_float_rule(
    n, neurons, points, wsize, xsize, relu, seed
):
    # The dot's array form sums rounded products with math.fsum's numbers; given a row of
    # weights and a column of inputs it bounds each node's largest product by its neuron's
    # largest |w| times its point's largest |x|: a bound too small would make sums wrong.
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(neurons, n)) * wsize
    Xs = rng.normal(size=(points, n)) * xsize
    if relu:
        Xs = np.maximum(Xs, 0.0)  # zeros, as a relu layer gives
    B = rng.normal(size=neurons) * wsize
    values = np.concatenate([W.ravel(), Xs.ravel(), B])
    w_at, x_at, b_at = 0, W.size, W.size + Xs.size
    nodes = [(k, p) for k in range(neurons) for p in range(points)]
    M = np.array(
        [
            dot_inputs(
                [w_at + k * n + j for j in range(n)], [x_at + p * n + j for j in range(n)], b_at + k
            )
            for k, p in nodes
        ],
        dtype=np.intp,
    ).T
    shape, order = grid(M)
    if order is not None:
        M, nodes = M[:, order], [nodes[i] for i in order.tolist()]
    reader = Rows(M, shape)
    with np.errstate(all="ignore"), pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact, "FEW", 0)  # however few the sums: numpy's way, not fsum's
        got = forward_on_rows(OPS["dot"])(Inputs(reader, reader.read(values)))
    want = [OPS["dot"].forward(*dot_inputs(W[k], Xs[p], B[k])) for k, p in nodes]
    assert bits(np.broadcast_to(got, shape)) == bits(want)


def test_dot_on_a_grid_with_products_at_the_edge_of_the_exact_proof_is_dots_float_rule():
    # The array form also bounds each node's smallest product that is not 0 (its neuron's
    # smallest |w| times its point's smallest |x|), from which it takes the leftovers' sum as
    # exact: one bit too large a bound and sums like these, 15 terms 1 + k·2**-50 and one
    # 2**-44 + 2**-96 (see test_exact), round the wrong way.
    rng = np.random.default_rng(5)
    neurons, points, n = 4, 60, 16
    W = 2.0 ** rng.integers(-1, 2, size=(neurons, n))  # products: the inputs, scaled exactly
    Xs = 1.0 + rng.integers(1, 16, size=(points, n)) * 2.0**-50
    Xs[:, -1] = 2.0**-44 + 2.0**-96
    for row in Xs:
        rng.shuffle(row)
    Xs[:10, 3] = 0.0  # and zeros, which the smallest skips
    M = np.array(
        [
            dot_inputs(
                list(range(k * n, k * n + n)), list(range(W.size + p * n, W.size + p * n + n))
            )
            for k in range(neurons)
            for p in range(points)
        ],
        dtype=np.intp,
    ).T
    shape, order = grid(M)
    assert shape == (neurons, points) and order is None
    reader = Rows(M, shape)
    values = np.concatenate([W.ravel(), Xs.ravel()])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact, "FEW", 0)
        got = forward_on_rows(OPS["dot"])(Inputs(reader, reader.read(values)))
    want = [
        OPS["dot"].forward(*dot_inputs(W[k], Xs[p])) for k in range(neurons) for p in range(points)
    ]
    assert bits(got) == bits(want)


ONE_OR_TWO = [name for name, op in OPS.items() if op.arity in (1, 2) and op.arrays[0] is not None]


@pytest.mark.parametrize("name", ONE_OR_TWO)
def test_an_ops_array_form_on_a_column_and_a_row_is_its_float_rule(name):
    op = OPS[name]
    rng = np.random.default_rng(len(name))
    ranges = op.sample or ((-3.0, 3.0),) * op.arity
    column = rng.uniform(*ranges[0], size=(7, 1))
    args = [column] if op.arity == 1 else [column, rng.uniform(*ranges[1], size=(1, 5))]
    with np.errstate(all="ignore"):
        got = np.broadcast_to(forward_on_rows(op)(args), (7, 5) if op.arity == 2 else (7, 1))
    pairs = np.broadcast_arrays(*args)
    want = []
    for xs in zip(*(p.ravel().tolist() for p in pairs)):
        try:
            want.append(op.forward(*xs))
        except (ArithmeticError, ValueError):
            want.append(math.nan)
    assert bits(got) == bits(want)


def plan_of(step):
    (entry,) = next(iter(step.traces.values()))
    return entry.replay.__self__


def test_an_mlp_layer_is_read_as_weights_by_neuron_and_inputs_by_point():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    X, y = make_moons()
    step = autograd.compile(lambda X, y: demo_loss(model, Value, X, y), backend="numpy")
    step(X, y)
    plan = plan_of(step)
    (layer,) = [b for b in plan.batches if b.columns.shape == (33, 1600)]
    assert layer.shape == (16, 100)  # neurons × points
    assert sorted(kind for _, kind in layer.reader.kinds) == [(16, 1, 100), (17, 16, 1)]
    # the weights' gradients: each contribution a neuron's gradient times a point's input
    assert {(3, 16), (16, 17)} <= {p.shape for p in plan.leaf_pulls}


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 50), st.integers(1, 40), st.integers(1, 3), st.booleans(), st.booleans())
def test_a_run_of_slots_is_read_as_a_slice_and_reads_what_the_index_reads(
    start, length, rows, broken, shuffled
):
    index = np.arange(start, start + length * rows).reshape(rows, length)
    if broken:
        index.reshape(-1)[-1] += 1  # one slot off the run
    if shuffled and index.size > 1:
        index = index.reshape(-1)[::-1].reshape(rows, length)
    X = np.arange(200.0) * 1.5
    at = span(index)
    flat = index.reshape(-1).tolist()
    assert (type(at) is slice) == (flat == list(range(flat[0], flat[0] + len(flat))))
    assert X[at].reshape(index.shape).tolist() == X[index].tolist()


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([7, 2**16, 2**16 + 1, 2**20, 2**33]), st.integers(0, 300), st.data())
def test_stable_order_is_numpys_stable_argsort(top, n, data):
    # (the plan sorts millions of edges by target: 16 bits at a time, numpy's radix sort)
    # (keys below 2**16 and above it, mixed: the plan sorts the first on their own)
    anywhere = st.one_of(st.integers(0, min(top, 2**16) - 1), st.integers(0, top - 1))
    values = data.draw(st.lists(anywhere, min_size=1, max_size=6))
    keys = np.array(data.draw(st.lists(st.sampled_from(values), min_size=n, max_size=n)))
    keys = keys.astype(np.intp)
    assert stable_order(keys, top).tolist() == np.argsort(keys, kind="stable").tolist()
