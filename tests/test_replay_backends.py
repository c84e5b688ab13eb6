"""autograd.compile's two backends on the corners of the replay contract: small grids, a loss
that is a leaf, signed zeros in gradients eager never touches, and gradients eager computes
(and checks for overflow) although no parameter reads them. Each test runs the step eagerly
and compiled, on fresh parameters, and compares every number bit for bit, or the error."""

from __future__ import annotations

import pytest

from autograd import Value
from autograd import functions as F

np = pytest.importorskip("numpy")

from eager_oracle import eagerly, side_by_side  # noqa: E402

from autograd.replay.factor import grid  # noqa: E402

BACKENDS = pytest.mark.parametrize("backend", ["python", "numpy"])


def assert_as_eager(make, calls, backend, replayed):
    """``make()`` gives (parameters, fn), fresh; every call of ``calls`` gives the same, eagerly
    and compiled, and the compiled step replays ``replayed`` of them (None: any)."""
    step = side_by_side(make, calls, backend)
    if replayed is not None:
        assert step.counts["replayed"] == replayed


# --- 1. small grids (factor.grid) ---------------------------------------------------------------


def test_grid_of_a_matrix_whose_votes_fit_no_row_is_no_grid():
    # a run of 2 votes for width 2, but as a 2 × 2 grid the row depends on both sides
    M = np.array([[0, 0, 1, 2]], dtype=np.intp)
    assert grid(M) == ((1, 4), None)


@BACKENDS
@pytest.mark.parametrize("neurons", [1, 2, 3])
@pytest.mark.parametrize("inputs", [1, 2, 3])
@pytest.mark.parametrize("bias", [False, True])
def test_small_layers_of_dots_replay_bit_for_bit(backend, neurons, inputs, bias):
    def make():
        W = [[Value(0.5 - 0.375 * i + 0.25 * j) for j in range(inputs)] for i in range(neurons)]
        b = [Value(0.1 * (-1) ** i) for i in range(neurons)]

        def fn(x):
            rows = zip(W, b) if bias else ((row, None) for row in W)
            return F.sum([F.dot(row, x, bb).relu() for row, bb in rows])

        return [w for row in W for w in row] + (b if bias else []), fn

    calls = [
        ([1.0, 2.0, -0.5][:inputs],),
        ([-1.5, 0.25, 3.0][:inputs],),
        ([0.0, -0.0, 1e-3][:inputs],),
    ]
    assert_as_eager(make, calls, backend, replayed=2)


# --- 2. a loss that is a leaf -------------------------------------------------------------------


@BACKENDS
@pytest.mark.parametrize("kind", ["parameter", "constant", "copy", "parameter and more"])
@pytest.mark.parametrize("start", [0.0, -0.0, 0.5])
def test_a_loss_that_is_a_leaf_replays_as_eager(backend, kind, start):
    def make():
        w = Value(1.5)
        w.grad = start
        fn = {
            "parameter": lambda x: w,  # its .grad gets the seed 1.0 added
            "constant": lambda x: Value(3.0),
            "copy": lambda x: Value(x),
            "parameter and more": lambda x: (w, w * x),
        }[kind]
        return [w], fn

    assert_as_eager(make, [(1.0,), (2.0,), (-3.0,)], backend, replayed=2)


# --- 3. and 4. signed zeros ---------------------------------------------------------------------


@BACKENDS
@pytest.mark.parametrize("op", ["tanh", "sub", "neg", "two tanh"])
def test_a_negative_zero_gradient_stays_where_only_a_returned_value_reaches(backend, op):
    # The loss does not reach w: eager's walk never runs w's consumers (tanh, sub and neg
    # have no fast path to skip them), and w.grad stays −0.0.
    def make():
        v, w, u = Value(3.0), Value(2.0), Value(-1.0)
        w.grad = u.grad = -0.0
        extra = {
            "tanh": lambda: (w.tanh(),),
            "sub": lambda: (w - 1.0,),
            "neg": lambda: (-w,),
            "two tanh": lambda: (w.tanh(), u.tanh()),  # consecutive: one run of tanh
        }[op]
        return [v, w, u], lambda x: (v * x, *extra())

    assert_as_eager(make, [(1.0,), (2.0,), (-0.5,)], backend, replayed=2)


@BACKENDS
def test_a_returned_parameter_reports_its_negative_zero_gradient(backend):
    # sigmoid(w · 1e300) is 1.0 with derivative 0.0: w receives only a zero, and stays −0.0;
    # the returned w is w itself, so its gradient is −0.0 too.
    def make():
        w = Value(2.0)
        w.grad = -0.0
        return [w], lambda x: ((w * x).sigmoid(), w)

    assert_as_eager(make, [(1e300,), (1e300,), (2e300,)], backend, replayed=2)


# --- 5. gradients eager computes although nothing reads them --------------------------------------


def copies(w):
    """Value(x) copies of the inputs: eager computes their gradients (y · 1e300)."""
    return lambda x, y: w * 2.0 + (Value(x) * Value(y)) * 1e300


def constant(w):
    """A constant the step made: its gradient is x · 1e300."""
    return lambda x, y: w * 2.0 + (Value(y) * x) * 1e300


def interior(w):
    """An interior node that leads only to copies: its gradient is y · 1e300."""
    return lambda x, y: w * 2.0 + ((Value(x) * 1e-300) * y) * 1e300


def a_loop_of_copies(w):
    """Copies in a repeated subgraph (the python backend's loops); only the middle point's
    gradient overflows."""
    return lambda xs: F.sum([w * ((Value(x) * Value(y)) * 1e300) for x, y in xs])


def a_loop_of_off_relus(w):
    """An off relu whose gradient overflows: it sends nothing, but eager checks it."""
    return lambda xs: F.sum([((w * x).relu() * y) * 1e300 for x, y in xs])


def a_layer_over_an_off_relu(w):
    """An off relu read by eight neurons of the next layer: its gradient is one sum of eight
    terms g·c, which the python backend's loop computes only where the relu is on (its bound
    Σ|g| · max|c| must send the overflowing point to eager: Σ|g| alone stays finite)."""
    cs = [Value(1e200 * (1.0 + k / 8)) for k in range(8)]
    return lambda xs: F.sum(
        [(F.sum([h * c for c in cs]) * y) * 1e100 for x, y in xs for h in [(w * x).relu()]]
    )


def points(x, y, overflow):
    return ([(x, y)] * 3 + [overflow] + [(x, y)] * 4,)


OVERFLOWS = {
    copies: [(1e-300, 1.0), (1e-320, 1e10), (1e-300, 2.0)],
    constant: [(1e-300, 1.0), (1e10, 1e-320), (1e-300, 2.0)],
    interior: [(1e-300, 1.0), (1e-300, 1e10), (1e-300, 2.0)],
    a_loop_of_copies: [
        points(1e-300, 1.0, (1e-300, 1.0)),
        points(1e-300, 1.0, (1e-320, 1e10)),
        points(1e-300, 2.0, (1e-300, 2.0)),
    ],
    a_loop_of_off_relus: [
        points(-1.0, 1.0, (-1.0, 1.0)),
        points(-1.0, 1.0, (-1.0, 1e10)),
        points(-1.0, 1.0, (-2.0, 2.0)),
    ],
    a_layer_over_an_off_relu: [
        points(-1.0, 1e-10, (-1.0, 1e-10)),
        points(-1.0, 1e-10, (-1.0, 1e8)),
        points(1.0, 1e-10, (-2.0, 2e-10)),
    ],
}


@BACKENDS
@pytest.mark.parametrize("build", list(OVERFLOWS), ids=lambda f: f.__name__)
def test_a_gradient_no_parameter_reads_overflows_as_in_eager(backend, build):
    def make():
        w = Value(1.0)
        return [w], build(w)

    calls = OVERFLOWS[build]
    _, fn = make()
    with pytest.raises(OverflowError):  # (the case does overflow, eagerly)
        eagerly(fn)(*calls[1])
    assert_as_eager(make, calls, backend, replayed=1)


@BACKENDS
def test_the_inputs_own_gradients_are_not_eagers_and_do_not_overflow(backend):
    # Eager gets the inputs as floats: d/dx = y · w overflows but is never computed, and the
    # step returns numbers. The numpy replay does not compute it either; the python backend
    # does (outside its loops) and runs such a step eagerly: the same numbers.
    def make():
        w = Value(1e10)
        return [w], lambda x, y: (w * x) * y

    replayed = 2 if backend == "numpy" else None
    assert_as_eager(make, [(1.0, 1.0), (1e-320, 1e300), (2e-320, -1e300)], backend, replayed)
