"""autograd.compile: a replayed step gives what the eager step gives, bit for bit, or runs
eagerly — never a wrong number."""

from __future__ import annotations

import math
import random
import sys
import warnings
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value
from autograd.replay import NOT_REPLAYED
from autograd.replay import python as python_backend
from autograd.replay.loops import INLINE_FORWARD
from autograd.testing import expressions
from nn.testing import mlps

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from w1_data import initial_weights, make_moons
from w1_demo import ValueModel, demo_loss

BACKEND = {"name": "numpy"}


@pytest.fixture(scope="module", params=["numpy", "python"], autouse=True)
def backend(request):
    """Every test here runs with both backends: they have one meaning, eager's."""
    BACKEND["name"] = request.param
    yield request.param
    BACKEND["name"] = "numpy"


def compile(fn, **options):  # noqa: A001 - autograd.compile, with this run's backend
    return autograd.compile(fn, backend=BACKEND["name"], **options)


def bits(values):
    return [(v.data.hex(), v.grad.hex()) for v in values]


def sgd(params, lr=0.1):
    for p in params:
        p.data -= lr * p.grad
        p.grad = 0.0


# --- bit for bit -----------------------------------------------------------------------------------


def test_micrograds_demo_step_replays_bit_for_bit_over_many_steps():
    X, y = make_moons()
    models = [ValueModel(n, nn.MLP(2, [16, 16, 1]), Value, X, y) for n in ("eager", "compiled")]
    for m in models:
        m.load(initial_weights())
    eager, compiled = (m.model for m in models)
    step = compile(lambda X, y: demo_loss(compiled, Value, X, y))
    for k in range(100):
        lr = 1.0 - 0.9 * k / 100
        loss = demo_loss(eager, Value, X, y)
        loss.backward()
        replayed = step(X, y)
        assert replayed.data == loss.data, k
        assert bits(compiled.parameters()) == bits(eager.parameters()), k
        sgd(eager.parameters(), lr)
        sgd(compiled.parameters(), lr)
    assert step.counts == {"traced": 1, "replayed": 99, "eager": 0}


def _start_grads(rng, params):
    for p in params:  # accumulation into what is there: 0, −0.0, anything
        p.grad = rng.choice([0.0, -0.0, 0.5, -1.25])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=expressions(max_leaves=4, max_nodes=12), seed=st.integers(0, 2**16))
def test_random_graphs_replay_bit_for_bit(expr, seed):
    rng = random.Random(seed)
    n = len(expr.leaves)
    # leaves alternate between parameters (Values made outside) and inputs (floats fed in)
    is_param = [k % 2 == 0 for k in range(n)]
    eager_params = [Value(x) for x, p in zip(expr.leaves, is_param) if p]
    compiled_params = [Value(x) for x, p in zip(expr.leaves, is_param) if p]

    def build(params, inputs):  # inputs as Values, as eager makes them (fn gets floats)
        it_p, it_i = iter(params), iter(Value(x) for x in inputs)
        xs = [next(it_p) if p else next(it_i) for p in is_param]
        return expr(xs)

    step = compile(lambda inputs: build(compiled_params, inputs))
    inputs = [x for x, p in zip(expr.leaves, is_param) if not p]
    for k in range(4):
        _start_grads(random.Random(seed + k), eager_params)
        _start_grads(random.Random(seed + k), compiled_params)
        try:
            loss = build(eager_params, inputs)
            loss.backward()
        except (ArithmeticError, ValueError) as error:
            with pytest.raises(type(error)):
                step(inputs)
            return
        replayed = step(inputs)
        assert replayed.data.hex() == loss.data.hex() or (
            math.isnan(loss.data) and math.isnan(replayed.data)
        )
        assert bits(compiled_params) == bits(eager_params)
        for a, b in zip(eager_params, compiled_params):  # a small step changes the numbers
            a.data = b.data = a.data + 0.01 * (rng.random() - 0.5)
        inputs = [x + 0.01 * (rng.random() - 0.5) for x in inputs]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=mlps(
        nin=(1, 3),
        depth=(1, 3),
        width=(1, 5),
        nout=1,
        output_activations=("linear", "tanh", "sigmoid"),
    ),
    seed=st.integers(0, 2**16),
)
def test_mlp_training_runs_replay_bit_for_bit(model, seed):
    rng = random.Random(seed)
    twin = nn.MLP.from_matrices(
        [W for W in model.weight_matrices()],
        model.bias_vectors(),
        activation=model.layers[0].activation if len(model.layers) > 1 else "relu",
        output_activation=model.layers[-1].activation,
    )
    X = [[rng.uniform(-2, 2) for _ in range(model.nin)] for _ in range(6)]
    y = [rng.uniform(-1, 1) for _ in range(6)]
    _trains_alike(model, twin, X, y, steps=30, lr=0.05)


def _trains_alike(model, twin, X, y, steps, lr, starts=None):
    """Train ``model`` eagerly and ``twin`` compiled on mse, side by side: every step's loss
    and gradients are the same bit for bit, and a run that diverges raises eager's error.
    ``starts``: a random.Random giving the parameters' gradients before each step (else the
    previous step's, accumulated). Returns the compiled step (None: training diverged)."""
    step = compile(lambda X, y: nn.mse([twin(x) for x in X], y))
    for _ in range(steps):
        if starts is not None:
            for a, b in zip(model.parameters(), twin.parameters()):
                a.grad = b.grad = starts.choice([0.0, 0.25, -1.5])
        try:
            loss = nn.mse([model(x) for x in X], y)
            loss.backward()
        except (ArithmeticError, ValueError) as error:  # training diverged: the same error
            with pytest.raises(type(error)):
                step(X, y)
            return None
        assert step(X, y).data.hex() == loss.data.hex()
        assert bits(twin.parameters()) == bits(model.parameters())
        sgd(model.parameters(), lr)
        sgd(twin.parameters(), lr)
    return step


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(widths=st.lists(st.integers(8, 11), min_size=2, max_size=3), seed=st.integers(0, 2**16))
def test_wide_relu_mlps_whose_hidden_units_turn_on_and_off_replay_bit_for_bit(widths, seed):
    # Hidden layers of 8 neurons or more, two or three: a unit's gradient is one sum over the
    # next hidden layer's neurons, which the python backend's loop adds up only where the unit
    # is on.
    rng = random.Random(seed)
    sizes = [2, *widths, 1]
    W = [[[rng.uniform(-1, 1) for _ in range(a)] for _ in range(b)] for a, b in pairwise(sizes)]
    B = [[rng.uniform(-0.5, 0.5) for _ in range(b)] for b in sizes[1:]]
    model, twin = (nn.MLP.from_matrices(W, B, output_activation="linear") for _ in range(2))
    X = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(8)]
    y = [rng.choice([-1.0, 1.0]) for _ in X]
    step = _trains_alike(model, twin, X, y, steps=12, lr=0.01, starts=rng)
    assert step is None or step.counts["replayed"] == 11


def test_tanh_sigmoid_exp_log_and_sixteen_term_dots_replay_bit_for_bit():
    rng = random.Random(3)
    ws = [Value(rng.uniform(-1, 1)) for _ in range(16)]
    twins = [Value(w.data) for w in ws]

    def loss(ws, xs):
        z = autograd.dot(ws, xs, bias=0.1)
        return (z.tanh() + z.sigmoid() + (z * z + 1.0).log() + (0.1 * z).exp()) * 0.5

    step = compile(lambda xs: loss(twins, xs))
    for _ in range(120):
        xs = [rng.uniform(-1, 1) for _ in range(16)]
        eager = loss(ws, [Value(x) for x in xs])
        eager.backward()
        assert step(xs).data == eager.data and bits(twins) == bits(ws)
        sgd(ws, 0.01)
        sgd(twins, 0.01)


def test_seed_000s_sigmoid_and_softmax_network_trains_bit_for_bit():
    # sigmoids and a softmax cross-entropy: exp and log everywhere (the numpy replay's exps go
    # through numpy's complex exp, which must be math.exp's to the last bit)
    X, labels = nn.datasets.gaussian_clouds(20, seed=4)
    X, labels = (X * 3.0).tolist(), labels.tolist()  # (spread out: exps of larger numbers)

    def network():
        return nn.MLP(2, [3, 3], activation="sigmoid", output_activation="linear", seed=5)

    model, twin = network(), network()
    step = compile(lambda X, t: nn.cross_entropy([twin(x) for x in X], t) * len(X))
    for _ in range(40):
        loss = nn.cross_entropy([model(x) for x in X], labels) * len(X)
        loss.backward()
        assert step(X, labels).data.hex() == loss.data.hex()
        assert bits(twin.parameters()) == bits(model.parameters())
        sgd(model.parameters(), 0.02)
        sgd(twin.parameters(), 0.02)
    assert step.counts["traced"] == 1 and step.counts["replayed"] == 39


# --- inputs, parameters, constants, results ----------------------------------------------------------


def test_a_new_batch_of_the_same_shape_does_not_trace_again():
    w = Value(0.5)
    step = compile(lambda xs: autograd.sum([w * x for x in xs]))
    step([1.0, 2.0])
    step([3.0, 4.0])
    assert step.counts["traced"] == 1 and w.grad == 3.0 + 7.0
    step([1.0, 2.0, 3.0])  # another shape: traced again
    assert step.counts["traced"] == 2


def test_a_bound_step_reads_its_arguments_once_and_is_the_step(monkeypatch):
    from autograd import replay

    reads = []
    flatten = replay._flatten
    monkeypatch.setattr(replay, "_flatten", lambda *a: reads.append(1) or flatten(*a))
    model = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    twin = nn.MLP(2, [3, 1], activation="tanh", seed=1)
    X, y = [[0.5, -1.0], [0.25, 2.0], [1.5, 0.5]], [1.0, -1.0, 1.0]
    epoch = compile(lambda X, y: nn.mse([model(x) for x in X], y)).bind(X, y)
    step = compile(lambda X, y: nn.mse([twin(x) for x in X], y))
    for _ in range(4):
        assert epoch().data.hex() == step(X, y).data.hex()
        assert bits(model.parameters()) == bits(twin.parameters())
        sgd(model.parameters())
        sgd(twin.parameters())
    assert len(reads) == 1 + 4  # bind's one read, and the step's four
    with autograd.no_grad():  # eager, as the step itself
        assert epoch().data == step(X, y).data


def test_rows_of_other_lengths_are_another_shape():
    # [[a, b], [c]] and [[a], [b, c]] hold three numbers each, but build different graphs
    w = Value(0.5)
    step = compile(
        lambda rows: autograd.sum([w * autograd.sum(row) * (k + 1) for k, row in enumerate(rows)])
    )
    for rows in (
        [[1.0, 2.0], [3.0]],
        [[1.0], [2.0, 3.0]],
        [[4.0, 5.0], [6.0]],
        [[1.0, 1.0], [2.0, 2.0]],
    ):
        w.grad = 0.0
        got = step(rows)
        want = sum(0.5 * sum(row) * (k + 1) for k, row in enumerate(rows))
        assert got.data == want and w.grad == sum(sum(row) * (k + 1) for k, row in enumerate(rows))
    assert step.counts == {"traced": 3, "replayed": 1, "eager": 0}


def test_ints_are_static_arguments():
    w = Value(2.0)
    step = compile(lambda k, x: w**k * x)
    assert step(2, 3.0).data == 12.0 and step(3, 3.0).data == 24.0
    assert step.counts["traced"] == 2


def test_what_is_not_a_value_is_not_replayed_and_says_so():
    w = Value(1.0)

    def step(x):
        loss = (w * x - 1.0) ** 2
        return loss, w * x, loss.data * 100  # a number computed from .data after the loss

    compiled = compile(step)
    compiled(2.0)
    loss, score, percent = compiled(3.0)
    assert (loss.data, score.data) == (4.0, 3.0) and percent is NOT_REPLAYED
    assert "not replayed" in repr(percent) and compiled.counts["traced"] == 1


def test_reading_data_after_the_loss_is_built_is_no_guard():
    # micrograd's demo reads each score's .data for its accuracy after building the loss
    w = Value(0.3)

    def step(xs):
        scores = [w * x for x in xs]
        loss = autograd.sum([(1 - s).relu() for s in scores])
        accuracy = sum(s.data > 0 for s in scores) / len(scores)
        return loss, accuracy

    compiled = compile(step)
    for sign in (1.0, -1.0, 1.0):
        compiled([sign, 2 * sign])
    assert compiled.counts == {"traced": 1, "replayed": 2, "eager": 0}


# --- guards: a branch on .data is traced again, never replayed wrong ---------------------------------


def branchy(w, x):
    z = w * x
    return z.exp() if z.data > 0 else z * z  # the branch chooses the op


def test_a_branch_on_data_is_guarded_and_each_branch_replays_right():
    w, twin = Value(1.0), Value(1.0)
    step = compile(lambda x: branchy(twin, x))
    for x in (0.5, -0.5, 0.7, -0.2, 0.1, -0.9):
        eager = branchy(w, Value(x))
        eager.backward()
        assert step(x).data == eager.data and twin.grad == w.grad
    assert step.counts["traced"] == 2  # one trace a branch, then replays


def test_a_guard_that_keeps_changing_falls_back_to_eager_with_one_warning():
    w = Value(1.0)

    def step(x):
        z = w * x
        return z * (z.data * 10 // 1)  # the number itself becomes a constant: a pin

    compiled = compile(step, max_traces=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for k in range(10):
            x = 0.1 * k + 0.05
            got = compiled(x)
            assert got.data == (w * x * (w.data * x * 10 // 1)).data
    assert len(caught) == 1 and "runs eagerly from now on" in str(caught[0].message)
    assert "relu(x) rather than `if x.data > 0`" in str(caught[0].message)
    assert compiled.eager_only


def test_a_comparison_that_chose_nothing_stops_being_a_guard():
    # read while building, but both outcomes build the same graph: after the second trace
    # shows that, the read is dropped and the step replays whatever its outcome
    w, twin = Value(0.5), Value(0.5)

    seen = []

    def step(w, x):
        z = w * x
        seen.append("positive" if z.data > 0 else "not positive")  # chooses nothing built
        return (z - 1.0) ** 2

    compiled = compile(lambda x: step(twin, x))
    for x in (1.0, -1.0, 2.0, -3.0, 0.5, -0.5):
        w.grad = twin.grad = 0.0
        loss = step(w, Value(x))
        loss.backward()
        assert compiled(x).data == loss.data and bits([twin]) == bits([w]), x
    assert compiled.counts == {"traced": 2, "replayed": 4, "eager": 0}
    assert len(next(iter(compiled.traces.values()))) == 1  # one trace, without the guard


def test_reads_that_choose_nothing_do_not_use_up_the_traces():
    # two such reads: four patterns of outcomes, two traces (each without one of the guards);
    # kept apart, the four traces would exceed max_traces=3 and the step would run eagerly
    w, v = Value(0.5), Value(0.5)

    def step(x, y):
        a, b = w * x, v * y
        for z in (a, b):
            _ = "+" if z.data > 0 else "-"  # chooses nothing built
        return (a * b - 1.0) ** 2

    compiled = compile(step, max_traces=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "runs eagerly from now on"
        for x, y in [(1.0, 1.0), (-1.0, 1.0), (1.0, -1.0), (-1.0, -1.0)] * 2:
            compiled(x, y)
    assert compiled.counts == {"traced": 4, "replayed": 4, "eager": 0}
    assert len(next(iter(compiled.traces.values()))) == 2


def _nested(a, b, c, x):
    # reads b only when a > 0: the traces with a <= 0 and with a > 0, b <= 0 build the same
    # square, but they read differently, so neither read may be dropped
    z = a * x
    if a.data > 0:
        return z.exp() if b.data > 0 else z * z
    return z * z


def _either(a, b, c, x):
    # two comparisons turn at once between (a > 0, b > 0) and (a <= 0, b <= 0): both build the
    # square, but (a > 0, b <= 0) builds exp — the square must not be replayed for it
    z = a * x
    return z * z if (a.data > 0) == (b.data > 0) or a.data <= 0 else z.exp()


def _after_a_merge(a, b, c, x):
    # exp only for (a > 0, b <= 0), whatever c: (T, T, T) and (F, T, T) merge into one trace
    # that does not check a; (F, F, T) then differs from it in b alone — but a trace checking
    # neither a nor b would replay the square for (T, F, T), which no trace has seen
    z = a * x
    pa, pb = a.data > 0, b.data > 0
    c.data > 0  # noqa: B015 - read, and chooses nothing
    return z.exp() if pa and not pb else z * z


@pytest.mark.parametrize("build", [_nested, _either, _after_a_merge])
def test_reads_that_chose_what_was_built_stay_guards(build):
    params, twins = [Value(1.0) for _ in range(3)], [Value(1.0) for _ in range(3)]
    compiled = compile(lambda x: build(*twins, x))
    signs = [(1, 1, 1), (-1, 1, 1), (-1, -1, 1), (1, -1, 1), (1, 1, 1), (-1, -1, -1), (1, -1, -1)]
    signs += [(-1, 1, -1), (1, 1, -1)]
    for sign in signs:
        for p, t, sg in zip(params, twins, sign):
            p.data = t.data = 0.5 * sg
            p.grad = t.grad = 0.0
        loss = build(*params, Value(0.3))
        loss.backward()
        assert compiled(0.3).data == loss.data, sign
        assert bits(twins) == bits(params), sign


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), reads=st.integers(1, 3))
def test_random_branchy_steps_replay_right_whatever_their_reads_choose(seed, reads):
    # each step reads the signs of `reads` numbers while building, then builds one of two
    # graphs by a random truth table of those signs (some reads choose nothing); calls with
    # random signs must each give eager's numbers, however traces are kept, merged or dropped
    rng = random.Random(seed)
    table = [rng.random() < 0.5 for _ in range(2**reads)]

    def build(ps, x):
        zs = [p * x for p in ps]
        signs = [z.data > 0 for z in zs]
        key = sum(bit << i for i, bit in enumerate(signs))
        total = autograd.sum(zs)
        return (total * total) if table[key] else (total * 0.5).tanh()

    params = [Value(rng.uniform(0.1, 1.0)) for _ in range(reads)]
    twins = [Value(p.data) for p in params]
    compiled = compile(lambda x: build(twins, x), max_traces=4)
    for _ in range(12):
        for p, t in zip(params, twins):
            p.data = t.data = rng.choice([-1.0, 1.0]) * abs(p.data)
            p.grad = t.grad = 0.0
        x = rng.uniform(0.5, 2.0)
        loss = build(params, Value(x))
        loss.backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a table that keeps choosing runs eagerly: fine
            assert compiled(x).data == loss.data
        assert bits(twins) == bits(params)


# --- errors are eager's -----------------------------------------------------------------------------


def test_a_rule_that_fails_where_no_gradient_is_read_still_raises_as_eager():
    # sqrt's derivative at 0 divides by zero: eager raises though the input's gradient (a
    # copy of an input) is read by nobody, and the replay, which computes none, must too
    w = Value(2.0)

    def build(xs):
        return sum(w * Value(x).sqrt() for x in xs)

    step = compile(build)
    step([1.0, 4.0] * 10)
    with pytest.raises(ZeroDivisionError):
        build([1.0, 0.0] * 10).backward()
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        step([1.0, 0.0] * 10)


def test_a_replay_that_would_fail_raises_eagers_error():
    w = Value(1.0)
    step = compile(lambda x: (w * x).log())
    step(2.0)
    with pytest.raises(ValueError, match=r"log\(-3.0\): outside the domain of log"):
        step(-3.0)
    assert step(4.0).data == math.log(4.0)


def test_inf_and_nan_give_eagers_ieee_numbers():
    w = Value(1.0)
    step = compile(lambda x: w * x - x)
    step(2.0)
    assert math.isnan(step(math.inf).data)
    assert step.counts["eager"] == 1


@pytest.mark.parametrize("where", ["anomaly", "no_grad"])
def test_anomaly_mode_and_no_grad_run_eagerly(where):
    w = Value(1.0)
    step = compile(lambda x: w * x)
    step(1.0)
    block = autograd.detect_anomaly() if where == "anomaly" else autograd.no_grad()
    with block:
        step(2.0)
    assert step.counts["eager"] == 1


def test_a_step_with_a_micrograd_style_node_runs_eagerly():
    w = Value(0.5)

    def my_square(v):
        out = Value(v.data**2, (v,), "sq")

        def _backward():
            v.grad += 2 * v.data * out.grad

        out._backward = _backward
        return out

    step = compile(lambda x: my_square(w * x))
    with pytest.warns(RuntimeWarning, match="micrograd-style node"):
        step(2.0)
    step(3.0)
    assert w.grad == 2 * 1.0 * 2.0 + 2 * 1.5 * 3.0 and step.eager_only


def test_a_step_that_assigns_data_runs_eagerly():
    w = Value(0.5)

    def step(x):
        w.data = 0.5  # changes a parameter while building: not replayable
        return w * x

    compiled = compile(step)
    with pytest.warns(RuntimeWarning, match="assigns a Value's .data"):
        compiled(1.0)
    assert compiled(2.0).data == 1.0


# --- the backend's inline forms are the rows' --------------------------------------------------------


@given(st.floats(allow_nan=True), st.floats(-3, 3), st.floats(-3, 3))
def test_the_backends_relu_step_is_relus_fast_path(x, g, before):
    relu = autograd.OPS["relu"]
    out = relu.forward(x)
    parent = Value(0.0)
    parent.grad = before
    if g != 0.0 or out - out != 0.0:  # as the walk calls it
        relu.fast(g, (parent,), out)
    got = python_backend._relu_step(before, g, x, out)
    assert got.hex() == parent.grad.hex() or (math.isnan(got) and math.isnan(parent.grad))


@given(st.floats(allow_nan=True), st.floats(allow_nan=True))
def test_the_python_backends_inline_forwards_are_the_rows_forwards(x, y):
    for op, form in INLINE_FORWARD.items():
        args = (x, y)[: op.arity]
        got = eval(form.format(*map(repr, args)), {"inf": math.inf, "nan": math.nan})
        want = op.forward(*args)
        assert got.hex() == want.hex() or (math.isnan(got) and math.isnan(want)), op


def test_a_step_that_takes_a_gradient_of_a_gradient_runs_eagerly():
    # relu's derivative built with create_graph is the constant 0 or 1, chosen by the number:
    # a replay with the other sign would give a wrong gradient of the gradient.
    w = Value(1.0)

    def step(x):
        (g,) = autograd.grad((w * x).relu() * w, [w], create_graph=True)
        return g

    compiled = compile(step)
    with pytest.warns(RuntimeWarning, match="create_graph"):
        compiled(2.0)
    assert compiled(-2.0).data == 0.0 and compiled.eager_only


# --- the shapes the numpy backend batches: chains, copies, wide layers, −0.0 ------------------------


class LectureMLP:
    """The lecture's MLP, verbatim in spirit: each neuron is builtins.sum of w·x (a chain of
    additions, one node each) starting from its bias, then tanh."""

    def __init__(self, sizes, seed):
        rng = random.Random(seed)
        self.layers = [
            [
                ([Value(rng.uniform(-1, 1)) for _ in range(a)], Value(rng.uniform(-1, 1)))
                for _ in range(b)
            ]
            for a, b in pairwise(sizes)
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = [sum((wi * xi for wi, xi in zip(w, x)), b).tanh() for w, b in layer]
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]


def test_the_lectures_sum_chains_replay_bit_for_bit_over_many_steps():
    eager, twin = LectureMLP([3, 4, 4, 1], seed=1), LectureMLP([3, 4, 4, 1], seed=1)
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]

    def loss(model, xs, ys):
        return sum((model(x) - y) ** 2 for x, y in zip(xs, ys))

    step = compile(lambda xs, ys: loss(twin, xs, ys))
    for k in range(100):
        expected = loss(eager, xs, ys)
        expected.backward()
        assert step(xs, ys).data == expected.data, k
        assert bits(twin.parameters()) == bits(eager.parameters()), k
        sgd(eager.parameters(), 0.05)
        sgd(twin.parameters(), 0.05)
    assert step.counts["traced"] == 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    expr=expressions(
        ["add", "sub", "mul", "tanh", "sigmoid", "exp", "log", "relu", "sum", "dot", "div"],
        max_leaves=4,
        max_nodes=10,
    ),
    seed=st.integers(0, 2**16),
)
def test_sixteen_copies_of_a_random_graph_into_a_sixteen_term_dot_over_a_hundred_steps(expr, seed):
    # Sixteen points through the same random graph (shared parameters, inputs of their own)
    # into a 16-term dot: the numpy backend batches the copies; 100 steps of SGD, gradients
    # starting at 0, −0.0 or anything.
    rng = random.Random(seed)
    n = len(expr.leaves)
    is_param = [k % 2 == 0 for k in range(n)]
    eager_ps, twin_ps = ([Value(x) for x, p in zip(expr.leaves, is_param) if p] for _ in range(2))
    ws = [rng.uniform(-1, 1) for _ in range(16)]
    eager_ws, twin_ws = ([Value(w) for w in ws] for _ in range(2))
    point = [x for x, p in zip(expr.leaves, is_param) if not p]
    points = [[x + 0.01 * j for x in point] for j in range(16)]

    def build(ps, ws, points):
        outs = []
        for inputs in points:
            it_p, it_i = iter(ps), iter(Value(x) for x in inputs)
            outs.append(expr([next(it_p) if p else next(it_i) for p in is_param]))
        return autograd.dot(ws, outs, bias=0.25).tanh()

    step = compile(lambda points: build(twin_ps, twin_ws, points))
    eager_all, twin_all = eager_ps + eager_ws, twin_ps + twin_ws
    for k in range(100):
        _start_grads(random.Random(seed + k), eager_all)
        _start_grads(random.Random(seed + k), twin_all)
        try:
            loss = build(eager_ps, eager_ws, points)
            loss.backward()
        except (ArithmeticError, ValueError) as error:
            with pytest.raises(type(error)):
                step(points)
            return
        assert step(points).data.hex() == loss.data.hex(), k
        assert bits(twin_all) == bits(eager_all), k
        for a, b in zip(eager_all, twin_all):
            a.data = b.data = a.data - 0.01 * a.grad
    assert step.counts["traced"] == 1


def test_a_gradient_that_starts_at_negative_zero_keeps_its_sign_where_eager_sends_nothing():
    # w·x <= 0: the relu is off and eager adds nothing to w.grad, so −0.0 stays −0.0; adding
    # the 0·x the off relu stands for would make it +0.0 (for x > 0).
    w, twin = Value(-1.0), Value(-1.0)
    step = compile(lambda x: (twin * x).relu() + 1.0)
    step(1.0)
    for x in (1.0, -1.0, 2.0):
        w.grad = twin.grad = -0.0
        ((w * Value(x)).relu() + 1.0).backward()
        step(x)
        assert bits([twin]) == bits([w]), x
    assert math.copysign(1.0, twin.grad) == -1.0  # the last x sent it nothing


def test_a_wide_mlp_replays_bit_for_bit():
    # 2-64-64-1 on 40 points (the benchmark's W6 has 500): 4,417 parameters, 64-term dots
    X, y = make_moons()
    X, y = X[:40], y[:40]
    eager, twin = nn.MLP(2, [64, 64, 1], seed=5), nn.MLP(2, [64, 64, 1], seed=5)
    step = compile(lambda X, y: demo_loss(twin, Value, X, y))
    for k in range(3):
        loss = demo_loss(eager, Value, X, y)
        loss.backward()
        assert step(X, y).data == loss.data
        assert bits(twin.parameters()) == bits(eager.parameters()), k
        sgd(eager.parameters(), 0.5)
        sgd(twin.parameters(), 0.5)


def test_a_compiled_step_keeps_no_node_of_its_trace():
    import gc

    model = nn.MLP(2, [8, 1], seed=0)
    X, y = make_moons()
    step = compile(lambda X, y: demo_loss(model, Value, X[:20], y[:20]))
    gc.collect()
    before = sum(type(o) is Value for o in gc.get_objects())
    step(X, y)
    step(X, y)
    gc.collect()
    after = sum(type(o) is Value for o in gc.get_objects())
    assert after - before <= 1  # the returned loss; the ~700 nodes of the trace are gone


def test_the_numpy_plan_is_a_few_arrays_a_batch_however_many_points():
    # (the python backend's code: tests/test_replay_loops.py)
    pytest.importorskip("numpy")
    sizes = []
    for points in (10, 100):
        model = nn.MLP(2, [16, 16, 1], seed=0)
        X, y = make_moons()
        step = autograd.compile(lambda X, y, m=model: demo_loss(m, Value, X, y), backend="numpy")
        step(X[:points], y[:points])
        (entry,) = next(iter(step.traces.values()))
        plan = entry.replay.__self__
        sizes.append((len(plan.batches), sum(len(b.pulls) for b in plan.batches)))
    assert sizes[0] == sizes[1]


def test_the_default_backend_is_numpy_for_wide_graphs_and_python_for_small_or_deep_narrow_ones():
    pytest.importorskip("numpy")
    w = Value(0.5)

    def deep(x):  # 1,000 nodes one after the other: a batch of one each
        h = Value(x)
        for _ in range(500):
            h = (h * w).tanh() + x
        return h

    X, y = make_moons()
    model, small = nn.MLP(2, [16, 16, 1], seed=0), nn.MLP(3, [4, 4, 1], seed=0)
    wide = autograd.compile(lambda X, y: demo_loss(model, Value, X, y))
    narrow = autograd.compile(deep)
    lecture = autograd.compile(lambda X, Y: sum((small(x) - t) ** 2 for x, t in zip(X, Y)))
    wide(X[:5], y[:5])  # 16-term dots: ~280 gradients a batch, numpy's
    narrow(0.3)
    lecture(
        [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]],
        [1.0, -1.0, -1.0, 1.0],
    )
    assert [e.backend for e in next(iter(wide.traces.values()))] == ["numpy"]
    assert [e.backend for e in next(iter(narrow.traces.values()))] == ["python"]
    assert [e.backend for e in next(iter(lecture.traces.values()))] == ["python"]
    assert "per trace" in repr(wide)
