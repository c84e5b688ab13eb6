"""autograd.compile against eager, where the step's Python does more than build a graph: what
it reads, sets, detaches, calls and returns. Each test is a case that once replayed a wrong
number (or raised where eager does not); each runs on both backends, compiled beside eager,
and compares every number bit for bit."""

from __future__ import annotations

import copy
import dataclasses
import math
import pickle
import threading
from collections import namedtuple
from decimal import Decimal
from fractions import Fraction

import pytest
from eager_oracle import eagerly, side_by_side

import autograd
import nn
from autograd import Value, no_grad
from autograd.replay import NOT_REPLAYED

np = pytest.importorskip("numpy")


@pytest.fixture(params=["numpy", "python"])
def backend(request):
    return request.param


# --- reads of .data: every use is a guard, wherever it is made ----------------------------------


def test_a_choice_of_the_returned_value_made_after_the_last_node_is_guarded(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            a, b = w * x, w + x
            return a if a.data > 0 else b  # read after b, the last node: chooses the result

        return [w], fn

    step = side_by_side(make, [(2.0,), (-2.0,), (3.0,), (-3.0,)], backend)
    assert step.counts["traced"] == 2


def test_comparisons_only_added_up_into_a_returned_accuracy_are_no_guard(backend):
    # micrograd's demo: [(yi > 0) == (score.data > 0) ...], summed, returned, never used
    w, ys = Value(0.3), [1.0, -1.0]

    def fn(xs):
        scores = [w * x for x in xs]
        loss = autograd.sum([(1 - y * s).relu() for y, s in zip(ys, scores)])
        accuracy = [(y > 0) == (s.data > 0) for y, s in zip(ys, scores)]
        return loss, sum(accuracy) / len(accuracy)

    step = autograd.compile(fn, backend=backend)
    for sign in (1.0, -1.0, 1.0, -1.0):
        _, accuracy = step([sign, 2 * sign])
    assert step.counts == {"traced": 1, "replayed": 3, "eager": 0}
    assert accuracy is NOT_REPLAYED


def test_a_returned_number_computed_from_data_is_a_float_on_the_traced_call(backend):
    w = Value(0.5)
    step = autograd.compile(lambda x: (w * x, (w * x).data * 2), backend=backend)
    _, doubled = step(3.0)
    assert type(doubled) is float and doubled == 3.0


def test_formatting_a_read_is_a_guard_on_its_number(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            z = w * x
            return z.exp() if f"{z.data:.0f}" == "1" else z * z  # the text chooses the op

        return [w], fn

    side_by_side(make, [(1.0,), (2.0,), (1.0,), (3.0,)], backend)


def test_a_read_is_a_float_to_isinstance_while_tracing(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            z = w * x
            return z.exp() if isinstance(z.data, float) else z * z

        return [w], fn

    side_by_side(make, [(1.0,), (2.0,)], backend)


def test_the_type_of_a_number_computed_from_a_read_is_a_guard(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            z = w * x
            return z * 2 if isinstance(z.data**0.5, complex) else z * 3  # complex for z < 0

        return [w], fn

    side_by_side(make, [(1.0,), (-1.0,), (2.0,)], backend)


def test_a_read_works_where_a_float_does_while_tracing(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            z = w * x
            assert np.isfinite(z.data) and not z.data.is_integer() and z.data.hex()
            return z * z

        return [w], fn

    side_by_side(make, [(1.5,), (2.5,)], backend)


def test_valuearray_max_guards_the_comparisons_that_chose_the_largest(backend):
    from autograd.check.arrays import as_values

    def make():
        W = as_values(np.array([1.0, 2.0]), "W")
        return list(np.asarray(W).ravel()), lambda x: (W * x).max() * 1.0

    step = side_by_side(make, [(1.0,), (-1.0,), (2.0,), (-2.0,)], backend)
    assert step.counts["traced"] == 2


# --- what the step does besides building: set, detach, no_grad, backward -----------------------


def test_zero_grad_inside_the_step_is_done_at_every_replay(backend):
    def make():
        model = nn.MLP(2, [3, 1], seed=1)

        def fn(x):
            model.zero_grad()
            return (model(x) - 1.0) ** 2

        return model.parameters(), fn

    step = side_by_side(make, [([0.5, -1.0],), ([1.5, 2.0],), ([-0.5, 0.25],)], backend)
    assert step.counts["replayed"] == 2


def test_reading_a_parameters_grad_inside_the_step_runs_it_eagerly(backend):
    def make():
        w = Value(1.0)
        return [w], lambda x: (w * x) ** 2 * (w.grad + 1.0)

    step = side_by_side(make, [(1.0,), (2.0,), (3.0,)], backend, warns="reads a parameter's .grad")
    assert step.counts["eager"] == 3


def test_backward_inside_the_step_runs_it_eagerly_and_once(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            loss = (w * x) ** 2
            loss.backward()  # so the step's own backward doubles the gradient, as eager's
            return loss

        return [w], fn

    side_by_side(make, [(1.0,), (2.0,)], backend, warns="calls backward()")


def test_grad_inside_the_step_runs_it_eagerly(backend):
    def make():
        w = Value(2.0)

        def fn(x):
            y = (w * x) ** 2
            (g,) = autograd.grad(y, [w])  # numbers: they would be fixed at the trace
            return y + g * w

        return [w], fn

    side_by_side(make, [(1.0,), (3.0,)], backend, warns="takes grad()")


def test_detach_inside_the_step_copies_its_number_at_every_replay(backend):
    def make():
        w = Value(1.0)
        return [w], lambda x: (w * x - (w * x).detach() * 0.5) ** 2

    step = side_by_side(make, [(1.0,), (3.0,), (5.0,)], backend)
    assert step.counts["replayed"] == 2


def test_ops_inside_no_grad_in_the_step_are_computed_at_every_replay(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            with no_grad():
                target = w * x * 0.5  # a leaf, but its number changes with w and x
            return (w * x - target) ** 2

        return [w], fn

    step = side_by_side(make, [(1.0,), (3.0,), (5.0,)], backend)
    assert step.counts["replayed"] == 2


def test_a_step_refused_for_assigning_data_assigns_it_once(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            w.data = w.data * 0.5
            return (w * x) ** 2

        return [w], fn

    side_by_side(make, [(1.0,), (2.0,)], backend, warns="assigns a Value's .data")


def test_a_compiled_step_inside_a_traced_step_runs_eagerly(backend):
    def make():
        w = Value(1.0)
        inner = autograd.compile(lambda x: w * x, backend=backend)
        inner(1.0), inner(1.0)  # traced and replayed: a replay inside would make a constant
        w.grad = 0.0
        return [w], lambda x: (inner(x) - 1.0) ** 2

    # eagerly, the inner step's backward runs inside the outer step's: so it does here
    side_by_side(make, [(2.0,), (3.0,), (4.0,)], backend, warns="calls backward()")


def test_a_value_made_by_an_op_before_the_call_runs_the_step_eagerly(backend):
    def make():
        w = Value(1.0)
        h = w * 2.0  # its number is fixed; a replay would compute it from today's w

        def fn(x):
            return (h * x) ** 2

        return [w], fn

    def steps():
        (params, fn), (twins, twin_fn) = make(), make()
        return params, fn, twins, autograd.compile(twin_fn, backend=backend)

    params, fn, twins, step = steps()
    with pytest.warns(RuntimeWarning, match="made by mul before the call"):
        for x in (1.0, 2.0):
            fn(x).backward()
            step(x)
            params[0].data += 1.0  # the optimizer moves w; h keeps its number
            twins[0].data += 1.0
            assert twins[0].grad == params[0].grad


def test_a_graph_built_in_another_thread_runs_the_step_eagerly(backend):
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(2)

    def make():
        w = Value(0.5)

        def term(x):
            z = w * x
            return z.exp() if z.data > 0 else z * z  # read where the tracer cannot see it

        return [w], lambda xs: autograd.sum(list(pool.map(term, xs)))

    try:
        side_by_side(make, [([1.0, 2.0],), ([-1.0, -2.0],)], backend, warns="another thread")
    finally:
        pool.shutdown()


def test_while_a_step_is_traced_other_threads_make_the_engines_values():
    # A trace swaps in its own node-making paths (recorder.py) for as long as any trace runs,
    # in any thread: outside the tracing context they must make exactly the engine's Values.
    from autograd.replay import recorder

    def build():
        w, x = Value(0.5, "w"), Value(-1.5, "x")
        with no_grad():
            off = (w * x).tanh()  # grad mode off: a leaf
        made = [w * x, (w * x).tanh(), w + 2.0, -x, autograd.dot([w, x], [x, 3.0])]
        made += [*autograd.linear([[w, x], [x, w]], [1.0, x], [w, None]), off, x.relu()]
        return made

    def slots(v):
        parents = tuple(p if type(p) is float else p.data for p in v.parents)
        return (v.data.hex(), v.grad, v.label, v.op, parents, type(v.data), type(v.grad))

    expected = [slots(v) for v in build()]
    recorder._hook(True)  # as while another thread traces a step
    try:
        assert autograd.value._record is not recorder._ENGINE_SAVED[0]  # (the stand-ins run)
        found = [slots(v) for v in build()]
    finally:
        recorder._hook(False)
    assert found == expected
    assert autograd.value._record is recorder._ENGINE_SAVED[0]  # and are gone after


# --- errors are eager's ------------------------------------------------------------------------


def test_an_error_in_a_node_the_loss_does_not_use_is_eagers(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            (w * x).log()  # made, never used: eager still computes it, and may raise
            return w * x

        return [w], fn

    step = side_by_side(make, [(2.0,), (-2.0,), (3.0,)], backend)
    assert step.counts == {"traced": 1, "replayed": 1, "eager": 1}


def test_value_of_a_value_raises_as_eagerly_unless_it_is_an_input(backend):
    def make():
        w = Value(1.5)
        return [w], lambda x: Value(w * x) * w  # eager: Value(a Value) is a TypeError

    side_by_side(make, [(2.0,), (3.0,)], backend)

    def make_copy():
        w = Value(1.5)
        return [w], lambda x: Value(x * 2.0) * w  # eager: x * 2.0 is a float

    step = side_by_side(make_copy, [(2.0,), (3.0,)], backend)
    assert step.counts["replayed"] == 1


@pytest.mark.parametrize(
    ("loss", "weights", "xs"),
    [
        # the input's gradient overflows (eagerly, the input is a float: it has none)
        (lambda w, x: w[0] * x + w[1] * x, [1e308, 1e308], [0.5, 0.25]),
        # √ at 0: its derivative divides by zero (eagerly, x**0.5 is a float)
        (lambda w, x: w[0] * x**0.5, [2.0], [0.0, 4.0]),
        # eagerly a constant power (pow); traced, a power by a Value (vpow): needs w > 0
        (lambda w, x: w[0] ** x, [-3.0], [2.0, 3.0]),
    ],
    ids=["input-gradient-overflows", "sqrt-of-an-input-at-0", "power-by-an-input"],
)
def test_a_trace_that_fails_only_because_its_inputs_are_values_runs_eagerly(
    backend, loss, weights, xs
):
    def make():
        w = [Value(v) for v in weights]
        return w, lambda x: loss(w, x)

    step = side_by_side(make, [(x,) for x in xs], backend, warns="it does not")
    assert step.eager_only


def test_numpy_reductions_on_an_array_argument_run_the_step_eagerly(backend):
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal(1000),) for _ in range(2)]
    for reduce in (lambda X: X.sum(), lambda X: X.mean(), lambda X: X @ X, np.exp):

        def make(reduce=reduce):
            w = Value(1.0)
            return [w], lambda X: w * autograd.sum(list(np.atleast_1d(reduce(X))))

        side_by_side(make, batches, backend, warns="on an array argument")


def test_elementwise_arithmetic_on_an_array_argument_is_replayed(backend):
    rng = np.random.default_rng(1)

    def make():
        w = Value(0.5)
        return [w], lambda X: autograd.sum(list((X * 2.0 - 1.0) / 3.0 * w))

    step = side_by_side(make, [(rng.standard_normal(6),) for _ in range(3)], backend)
    assert step.counts["replayed"] == 2


# --- arguments and results -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Config:
    scale: float


def test_static_arguments_are_compared_by_value_not_by_address(backend):
    def make():
        w = Value(1.0)
        return [w], lambda x, cfg: w * x * cfg.scale

    calls = [(1.0, Config(2.0)), (1.0, Config(3.0)), (1.0, Config(5.0)), (1.0, Config(2.0))]
    step = side_by_side(make, calls, backend)
    assert step.counts["traced"] == 3


def test_a_dicts_numbers_are_inputs(backend):
    def make():
        w = Value(1.0)
        return [w], lambda x, cfg: w * x * cfg["scale"]

    calls = [(1.0, {"scale": 2.0}), (1.0, {"scale": 3.0}), (2.0, {"scale": -1.0})]
    step = side_by_side(make, calls, backend)
    assert step.counts == {"traced": 1, "replayed": 2, "eager": 0}


def test_an_unhashable_argument_runs_the_call_eagerly_with_one_warning(backend):
    class Box:
        __hash__ = None

        def __init__(self, scale):
            self.scale = scale

    def make():
        w = Value(1.0)
        return [w], lambda x, box: w * x * box.scale

    calls = [(1.0, Box(2.0)), (1.0, Box(3.0))]
    side_by_side(make, calls, backend, warns="neither numbers nor hashable")


def test_keyword_arguments_are_arguments(backend):
    def make():
        w = Value(1.0)
        return [w], lambda x, scale=1.0: (w * x * scale) ** 2

    (twins, twin_fn), (params, fn) = make(), make()
    step = autograd.compile(twin_fn, backend=backend)
    for x, scale in ((1.0, 2.0), (2.0, 3.0), (1.5, -1.0)):
        want = eagerly(fn)(x, scale=scale)
        assert step(x, scale=scale).data.hex() == want.data.hex()
        assert twins[0].grad.hex() == params[0].grad.hex()
    assert step.counts == {"traced": 1, "replayed": 2, "eager": 0}


def test_a_namedtuple_result_is_returned_as_one(backend):
    Result = namedtuple("Result", "loss aux")

    def make():
        w = Value(2.0)
        return [w], lambda x: Result((w * x) ** 2, w * x)

    side_by_side(make, [(1.0,), (2.0,)], backend)
    w = Value(2.0)
    step = autograd.compile(lambda x: Result(w * x, 0), backend=backend)
    step(1.0)
    assert type(step(2.0)) is Result


# --- float arguments act as floats while traced --------------------------------------------------


def test_a_branch_on_a_float_arguments_value_is_guarded(backend):
    # hand-written binary cross-entropy: the label picks the term (== on a Value: identity)
    def make():
        w = Value(0.3)

        def fn(x, y):
            p = (w * x).sigmoid()
            return -p.log() if y == 1 else -(1 - p).log()

        return [w], fn

    calls = [(1.0, 1.0), (2.0, 0.0), (0.5, 1.0), (1.5, 0.0)]
    step = side_by_side(make, calls, backend)
    assert step.counts == {"traced": 2, "replayed": 2, "eager": 0}


def test_printing_a_float_argument_shows_the_float_and_is_a_guard(backend):
    def make():
        w = Value(1.0)
        return [w], lambda x: w * 2.0 if f"{x:.1f}" == "1.0" and str(x) == "1.0" else w * 3.0

    side_by_side(make, [(1.0,), (2.0,), (1.0,)], backend)


@pytest.mark.parametrize(
    ("use", "refused"),
    [
        (lambda x: setattr(x, "grad", 0.0) or x, "sets the .grad of a Value it made"),
        (lambda x: x.detach(), "calls .detach() on a float argument"),
    ],
    ids=["grad", "detach"],
)
def test_a_float_argument_used_as_a_value_raises_as_eagerly(backend, use, refused):
    def make():
        w = Value(1.0)
        return [w], lambda x: w * use(x)  # eagerly x is a float: AttributeError

    side_by_side(make, [(1.0,), (2.0,)], backend, warns=refused)


@pytest.mark.parametrize(
    "constant",
    [2**60 + 1, Fraction(1, 3), np.float32(0.1), 0.25],
    ids=["big-int", "fraction", "float32", "float"],
)
def test_a_comparison_with_a_number_is_made_by_that_numbers_rules(backend, constant):
    def make():
        w = Value(1.0)

        def fn(x):
            z = w * x
            return z * 2 if z.data < constant else z * 3

        return [w], fn

    calls = [(2.0**61,), (2.0**60,), (1.0,), (1 / 3,), (0.1,), (0.25,), (0.2,)]
    side_by_side(make, calls, backend)


def test_a_displayed_value_is_a_guard_on_its_number(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            z = w * x
            return z * 2 if str(z).startswith("Value(data=-") else z * 3

        return [w], fn

    side_by_side(make, [(1.0,), (-2.0,), (3.0,)], backend)


# --- more that the step's Python may do ---------------------------------------------------------


def test_traces_that_set_different_gradients_are_not_merged(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            z = w * x
            if z.data > 0:
                w.grad = 0.0
            return z

        return [w], fn

    side_by_side(make, [(1.0,), (-3.0,), (2.0,), (-1.0,)], backend)


def test_an_int_gradient_the_step_sets_stays_an_int(backend):
    def make():
        w, unused = Value(1.0), Value(0.0)

        def fn(x):
            unused.grad = 2**53 + 1
            return w * x

        return [w, unused], fn

    side_by_side(make, [(1.0,), (2.0,)], backend)


def test_setting_the_gradient_of_a_value_made_in_the_step_runs_it_eagerly(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            c = Value(3.0)
            c.grad = 5.0  # eagerly, backward accumulates onto it
            return w * c * x, c

        return [w], fn

    side_by_side(make, [(1.0,), (2.0,)], backend, warns="sets the .grad of a Value it made")


@pytest.mark.parametrize(
    "copy", [copy.copy, copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))]
)
def test_copying_a_value_in_the_step_runs_it_eagerly(backend, copy):
    def make():
        w = Value(1.0)
        return [w], lambda x: copy(w * x) + w

    side_by_side(make, [(2.0,), (3.0,)], backend, warns="copies or pickles")


def test_a_nodes_backward_closure_called_in_the_step_runs_it_eagerly(backend):
    def make():
        w = Value(1.0)

        def fn(x):
            z = w * x
            z._backward()  # micrograd's: adds z.grad × x to w.grad now
            return z * 2

        return [w], fn

    side_by_side(make, [(2.0,), (-1.5,)], backend, warns="_backward()")


@pytest.mark.parametrize("dtype", ["float32", "float16", "longdouble"])
def test_an_array_of_other_floats_is_static_and_computes_in_its_own_precision(backend, dtype):
    def make():
        w = Value(1.0)
        return [w], lambda X: autograd.sum([w * t for t in (X * 0.1).ravel().tolist()])

    batches = [(np.array(b, dtype=dtype),) for b in ([0.3, 0.8], [0.9, -0.5], [0.3, 0.8])]
    step = side_by_side(make, batches, backend)
    assert step.counts == {"traced": 2, "replayed": 1, "eager": 0}


def test_static_arguments_that_are_equal_but_print_differently_are_other_shapes(backend):
    def make():
        w = Value(1.0)
        return [w], lambda x, cfg: w * cfg.scale

    side_by_side(make, [(1.0, Config(0.0)), (1.0, Config(-0.0))], backend)


def test_binary_cross_entropy_builds_one_graph_whatever_the_targets(backend):
    def make():
        model = nn.MLP(2, [4, 1], seed=3)

        def fn(X, t):
            return nn.binary_cross_entropy([model(x).sigmoid() for x in X], t)

        return model.parameters(), fn

    X = [[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]]
    calls = [(X, [1.0, 0.0, 1.0]), (X, [0.0, 0.0, 1.0]), (X, [1.0, 1.0, 0.0])]
    step = side_by_side(make, calls, backend)
    assert step.counts == {"traced": 1, "replayed": 2, "eager": 0}


# --- third audit: float arguments as floats, the hooks, arguments ---------------------------------


@pytest.mark.parametrize(
    "body",
    [
        lambda w, x, y: w * {1.0: 2.0}.get(x, 5.0),  # a float hashes as itself
        lambda w, x, y: w * 2.0 if x in {0.0, 1.0} else w * 3.0,
        lambda w, x, y: w * len({x, y}),
        lambda w, x, y: w * 2.0 if x == 1 + 0j else w * 3.0,  # compared by complex's rules
        lambda w, x, y: w * 2.0 if x == Decimal(1) else w * 3.0,
        lambda w, x, y: w * 2.0 if (w * x).data == 0.7 + 0j else w * 3.0,
        # eagerly Values (autograd.sum of floats), so == is identity there too
        lambda w, x, y: w * 2.0 if autograd.sum([x, y]) == 2.0 else w * 3.0,
        lambda w, x, y: w * 2.0 if nn.losses.mse(x, 1.0) == 0.0 else w * 3.0,
    ],
    ids=["dict-key", "set-member", "set-size", "complex", "decimal", "read-vs-complex",
         "autograd-sum-is-a-value", "mse-is-a-value"],
)  # fmt: skip
def test_a_float_argument_hashes_and_compares_as_eagerly(backend, body):
    def make():
        w = Value(0.7)
        return [w], lambda x, y: body(w, x, y)

    side_by_side(make, [(1.0, 1.0), (2.0, 1.0), (1.0, 1.0), (0.0, 2.0)], backend)


def test_arithmetic_on_a_float_argument_inside_no_grad_is_a_float(backend):
    def make():
        w = Value(0.7)

        def fn(x):
            with no_grad():
                c = x * 2.0  # eagerly a float
            return w * 2.0 if c == 2.0 else w * 3.0

        return [w], fn

    side_by_side(make, [(1.0,), (0.0,), (1.0,)], backend)


def test_formatting_a_value_in_the_step_is_a_guard(backend):
    def make():
        w = Value(0.7)

        def fn(x):
            z = w * x
            return z * 2.0 if "data=0.7," in f"{z}" else z * 3.0

        return [w], fn

    side_by_side(make, [(1.0,), (2.0,), (1.0,)], backend)


def test_numpys_function_of_a_float_argument_runs_the_step_eagerly(backend):
    def make():
        w = Value(0.7)
        return [w], lambda x: w * np.exp(x)  # numpy's exp is not math's on ~4 % of inputs

    side_by_side(make, [(-2.1816215560029617,), (1.0,)], backend, warns="numpy's exp")


def test_a_number_computed_from_float_arguments_alone_is_returned_as_a_float(backend):
    def make():
        w = Value(0.7)
        return [w], lambda x: (w * x, x * 2.0, x)

    step = side_by_side(make, [(1.0,), (2.0,)], backend)
    _, doubled, x = step(3.0)
    assert (type(doubled), doubled, type(x), x) == (float, 6.0, float, 3.0)

    def make_loss():
        return [], lambda x: x * 2.0  # eagerly a float: no backward()

    side_by_side(make_loss, [(1.0,), (2.0,)], backend, warns="float arguments alone")


@pytest.mark.parametrize(
    "calls",
    [
        [({0.0: "a"},), ({-0.0: "a"},)],  # keys == but not alike
        [({2: "a"},), ({2.0: "a"},)],
    ],
    ids=["signed-zero-keys", "int-and-float-keys"],
)
def test_a_dicts_keys_are_part_of_the_shape_by_type_and_repr(backend, calls):
    def make():
        w = Value(0.7)
        return [w], lambda d: w * next(iter(d))

    side_by_side(make, calls, backend)


class Scaled(dict):
    def __getitem__(self, key):
        return 2.0 * dict.__getitem__(self, key)


class Listed(list):
    scale = 1.0


def test_subclasses_of_dict_and_list_are_not_rebuilt_as_plain_ones(backend):
    def make():
        w = Value(0.7)
        return [w], lambda d: w * d["a"]

    side_by_side(make, [(Scaled(a=1.5),), (Scaled(a=2.5),)], backend, warns="nor hashable")
    scaled = Listed([2.0])
    scaled.scale = 3.0

    def make_list():
        w = Value(0.7)
        return [w], lambda v: w * v[0] * v.scale

    side_by_side(make_list, [(scaled,)], backend, warns="nor hashable")


def test_a_bound_call_with_an_unhashable_argument_runs_eagerly(backend):
    w = Value(0.7)
    step = autograd.compile(lambda s, x: w * x * len(s), backend=backend)
    with pytest.warns(RuntimeWarning, match="nor hashable"):
        assert step.bind({1, 2}, 1.5)().data == 0.7 * 1.5 * 2


def test_other_threads_see_value_as_it_is_while_a_step_is_traced(backend):
    import typing

    seen: dict[str, object] = {}
    tracing, done = threading.Event(), threading.Event()

    def other():
        tracing.wait()
        v, u = Value(1.0), Value(1.0)
        for name, use in (("float", float), ("int", int), ("index", lambda v: [0][v])):
            try:
                use(v)
            except TypeError as e:
                seen[name] = str(e)
        seen["eq"], seen["bool"] = v == u, bool(Value(0.0))
        seen["supports float"] = isinstance(v, typing.SupportsFloat)
        seen["exp"] = np.exp(v).data
        done.set()

    w = Value(0.7)

    def fn(x):
        tracing.set()
        done.wait(5)
        return w * x

    thread = threading.Thread(target=other)
    thread.start()
    autograd.compile(fn, backend=backend)(1.0)
    thread.join()
    assert seen == {
        "float": "float() argument must be a string or a real number, not 'Value'",
        "int": "int() argument must be a string, a bytes-like object or a real number, not 'Value'",
        "index": "list indices must be integers or slices, not Value",
        "eq": False,
        "bool": True,
        "supports float": False,
        "exp": math.exp(1.0),
    }


def test_value_is_as_it_was_after_a_trace(backend):
    before = {k: v for k, v in vars(Value).items()}
    w = Value(0.7)
    step = autograd.compile(lambda x: w * x if x == 1.0 else w, backend=backend)
    step(1.0), step(2.0)
    assert vars(Value) == before
    assert Value(1.0) != Value(1.0) and hash(w) == object.__hash__(w) and bool(Value(0.0))


def test_a_numpy_float64_computed_from_arguments_comes_back_as_one(backend):
    w = Value(0.5)
    step = autograd.compile(
        lambda a, s, x: (w * a[0], a[1], a[1] * 2.0, s, x * 2.0), backend=backend
    )
    for _ in range(2):  # traced, then replayed
        _, *numbers = step(np.array([1.0, 3.0]), np.float64(4.0), 1.5)
        assert [(type(n).__name__, n) for n in numbers] == [
            ("float64", 3.0),
            ("float64", 6.0),
            ("float64", 4.0),
            ("float", 3.0),
        ]
