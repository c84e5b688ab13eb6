"""autograd.compile against eager where the step adds float arguments with Python's sum().

From Python 3.12, sum() adds floats with compensation — ``sum([0.1] * 10)`` is 1.0, not the
0.9999999999999999 of adding them one by one — and Values by their ``+``. A float argument is
a Value while the step is traced and a float eagerly, so a trace that let sum() add it as a
Value replayed another number than eager's. On older Pythons, the tests put an emulation of
3.12's sum() in its place (and in the engine's copies of it), so they check the same thing on
any Python.
"""

from __future__ import annotations

import builtins
import math
import sys

import pytest
from eager_oracle import side_by_side

import autograd
import autograd.ops
from autograd import Value
from autograd.replay import builtin_sum

np = pytest.importorskip("numpy")


def sum_312(iterable, /, start=0):
    """CPython 3.12's sum(): ints exactly while all are ints, then floats with Neumaier's
    compensation (taking ints in), then anything else by its +."""
    it = iter(iterable)
    result = start
    if type(result) is int:
        for item in it:
            if type(item) in (int, bool):
                result += item
                continue
            result = result + item
            break
        else:
            return result
    if type(result) is float:
        f, c = result, 0.0
        for item in it:
            if type(item) is float:
                t = f + item
                c += (f - t) + item if abs(f) >= abs(item) else (item - t) + f
                f = t
                continue
            if isinstance(item, int) and abs(item) < 2**63:
                f += float(item)
                continue
            if c and math.isfinite(c):
                f += c
            result = f + item
            break
        else:
            if c and math.isfinite(c):
                f += c
            return f
    for item in it:
        result = result + item
    return result


@pytest.fixture(autouse=True)
def compensated(monkeypatch):
    """Python 3.12's sum(): the real one, or the emulation in its place (and the engine's)."""
    if sys.version_info < (3, 12):
        monkeypatch.setattr(builtins, "sum", sum_312)
        monkeypatch.setattr(autograd.ops, "_BUILTIN_SUM", sum_312)
        monkeypatch.setattr(builtin_sum, "_SUM", sum_312)
    assert sum([0.1] * 10) == 1.0  # (one after the other: 0.9999999999999999)


@pytest.fixture(params=["numpy", "python"])
def backend(request):
    return request.param


TENTHS = [0.1] * 10
CALLS = [(TENTHS,), ([0.7, 0.1, 0.2, 1e16, 1.0, -1e16],), ([1.0, 2.0, 3.0],), (TENTHS,)]


def weighted(total):
    """A step whose loss is w · total(xs), with its one parameter w."""

    def make():
        w = Value(0.5)
        return [w], lambda xs: w * total(xs, w)

    return make


@pytest.mark.parametrize(
    "total",
    [
        lambda xs, w: sum(xs),
        lambda xs, w: sum(x * x for x in xs),
        lambda xs, w: sum(xs, 0.25),
        lambda xs, w: sum(xs, -0.0) + sum([-0.0, -0.0]),
        lambda xs, w: sum([*xs, w, *xs]),  # floats, then Values' + from w on
        lambda xs, w: sum([w, *xs]),  # a Value first: + throughout
        lambda xs, w: sum([0.5, *xs]) * sum(xs[:2]),
    ],
    ids=["floats", "float-like", "float start", "-0.0", "then a value", "value first", "mixed"],
)
def test_sum_of_float_arguments_is_pythons_own_sum_of_floats(backend, total):
    side_by_side(weighted(total), CALLS, backend)


def test_sum_of_numpy_float64_arguments_adds_them_one_by_one(backend):
    def make():
        w = Value(0.5)
        return [w], lambda xs: w * sum(xs)  # numpy's float64 is not a float to sum()

    side_by_side(make, [(np.array(TENTHS),), (np.array([1e16, 1.0, -1e16]),)], backend)


def test_sum_of_ints_then_float_arguments_adds_as_sum_does(backend):
    side_by_side(weighted(lambda xs, w: sum([1, 2, *xs])), CALLS, backend)


def test_sum_of_float_arguments_with_ints_among_them_runs_the_step_eagerly(backend):
    side_by_side(weighted(lambda xs, w: sum([*xs, 1, *xs])), CALLS, backend, warns="with ints")


def test_sum_of_a_generator_of_values_makes_them_in_eagers_order():
    w = Value(2.0)
    made = []

    def fn(xs):
        total = sum(w * x for x in xs)  # each product, then its addition: as eagerly
        nodes = sorted(autograd.topological_order([total]), key=lambda node: node._seq)
        made.extend(node.op.name for node in nodes if node.op)
        return total

    autograd.compile(fn)([1.0, 2.0, 3.0])
    assert made == ["mul", "add", "mul", "add", "mul", "add"]


def test_a_decision_on_a_sum_of_reads_sees_pythons_sum_of_their_floats(backend):
    def make():
        w = Value(1.0)

        def fn(xs):
            parts = [w * x for x in xs]
            total = sum(p.data for p in parts)  # eagerly 1.0 for ten 0.1s
            return w * 2.0 if total >= 1.0 else w * 3.0

        return [w], fn

    side_by_side(make, [(TENTHS,), ([0.1] * 9,), (TENTHS,)], backend)


@pytest.mark.skipif(not hasattr(math, "sumprod"), reason="math.sumprod is new in Python 3.12")
def test_sumprod_of_float_arguments_runs_the_step_eagerly(backend):
    def make():
        w = Value(0.5)
        return [w], lambda xs: w * math.sumprod(xs, xs)

    side_by_side(make, CALLS, backend, warns="math.sumprod")


def test_sum_is_pythons_own_again_after_a_trace():
    before = builtins.sum
    step = autograd.compile(lambda x: Value(1.0) * sum([x, x, x]))
    step(0.1)
    assert builtins.sum is before
