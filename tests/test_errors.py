"""Bad input raises the exception type Python's math raises, at the op, naming op and input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value

CASES = [
    # (what the user writes, exception, the words the message must contain)
    (lambda: Value(0.0).log(), ValueError, ["log(0.0)", "x > 0"]),
    (lambda: Value(-1.0).log(), ValueError, ["log(-1.0)"]),
    (lambda: Value(-4.0).sqrt(), ValueError, ["sqrt(-4.0)", "x >= 0"]),
    (lambda: Value(-8.0) ** (1 / 3), ValueError, ["(-8.0) ** 0.333", "integer exponent"]),
    (lambda: Value(-8.0) ** Value(0.5), ValueError, ["(-8.0) ** 0.5"]),
    (lambda: (-8.0) ** Value(0.5), ValueError, ["(-8.0) ** 0.5"]),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, ["0.0 ** (-1.0)", "negative power"]),
    (lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, ["0.0 ** (-2.0)"]),
    (lambda: Value(1.0) / 0, ZeroDivisionError, ["1.0 / 0.0", "division by zero"]),
    (lambda: 1 / Value(0.0), ZeroDivisionError, ["1.0 / 0.0"]),
    (lambda: Value(2.0) / Value(0.0), ZeroDivisionError, ["2.0 / 0.0"]),
    (lambda: Value(1000.0).exp(), OverflowError, ["exp(1000.0)", "too large"]),
    (lambda: Value(1e200) * 1e200, OverflowError, ["1e+200 * 1e+200"]),
    (lambda: Value(1e308) + Value(1e308), OverflowError, ["1e+308 + 1e+308"]),
    (lambda: Value(10.0) ** 400, OverflowError, ["10.0 ** 400.0"]),
    (lambda: Value(1e300) / 1e-300, OverflowError, ["1e+300 / 1e-300"]),
    (lambda: autograd.dot([Value(1e200)], [1e200]), OverflowError, ["dot("]),
    (lambda: autograd.log(0.0), ValueError, ["log(0.0)"]),
    (lambda: autograd.sqrt(-1), ValueError, ["sqrt(-1.0)"]),
]


@pytest.mark.parametrize("make, error, words", CASES)
def test_error_type_follows_math_and_message_names_op_and_input(make, error, words):
    with pytest.raises(error) as info:
        make()
    for w in words:
        assert w in str(info.value)
    assert info.type is error  # exactly math's type, not a subclass of our own


def test_math_raises_the_same_types():  # the reference the table above follows
    for f, error in [
        (lambda: math.log(0.0), ValueError),
        (lambda: math.sqrt(-1.0), ValueError),
        (lambda: math.pow(-8.0, 1 / 3), ValueError),
        (lambda: 0.0**-1, ZeroDivisionError),
        (lambda: 1.0 / 0.0, ZeroDivisionError),
        (lambda: math.exp(1000.0), OverflowError),
    ]:
        with pytest.raises(error):
            f()


def test_error_is_raised_at_the_op_that_caused_it():
    x = Value(2.0)
    y = x * 3  # fine
    with pytest.raises(ValueError, match=r"log\(-6.0\)"):
        (-y).log()


def test_negative_base_integer_exponent_is_real():
    assert (Value(-2.0) ** 3).data == -8.0
    assert (Value(-2.0) ** Value(2.0)).data == 4.0
    assert type((Value(-8.0) ** 2).data) is float


@given(x=st.floats(-50, -0.01), y=st.floats(-3, 3).filter(lambda y: y != int(y)))
def test_never_a_complex_number(x, y):
    with pytest.raises(ValueError):
        Value(x) ** y


# --- backward errors: at the op whose derivative fails, not deep inside ---------------------


def test_infinite_derivative_of_sqrt_at_zero_names_the_op():
    x = Value(0.0)
    y = x.sqrt()
    with pytest.raises(ZeroDivisionError, match=r"cannot differentiate sqrt\(0.0\)"):
        y.backward()


def test_exponent_derivative_with_negative_base_is_an_error_not_nan():
    x, y = Value(-2.0), Value(2.0)
    z = x**y
    assert z.data == 4.0
    with pytest.raises(ValueError, match=r"cannot differentiate \(-2.0\) \*\* 2.0.*positive base"):
        z.backward()
    with pytest.raises(ValueError, match="positive base"):
        autograd.grad(z, [x])


def test_constant_exponent_with_negative_base_differentiates():
    x = Value(-2.0)
    (x**3).backward()
    assert x.grad == 12.0


def test_gradient_overflow_is_reported_not_silent():
    x = Value(1e-200)
    y = 1 / x  # 1e200: finite
    with pytest.raises(OverflowError, match="overflowed"):
        y.backward()  # dy/dx = -1e400


def test_non_finite_inputs_propagate_as_ieee_says():
    # A user's inf/nan is not an overflow of ours: it propagates (detect_anomaly finds it).
    assert math.isnan((Value(math.inf) - math.inf).data)
    assert (Value(math.inf) * 2).data == math.inf


def test_messages_about_a_neg_node_do_not_crash():  # call_repr assumed two operands for "-"
    from autograd.ops import OPS, call_repr

    assert call_repr(OPS["neg"], (1.5,)) == "neg(1.5)"
    with pytest.raises(autograd.AnomalyError, match=r"neg\(nan\)"), autograd.detect_anomaly():
        -Value(math.nan)


# --- one policy for derivatives that are not finite numbers ---------------------------------


def test_zero_to_the_zero_has_zero_derivatives_for_both_inputs():  # as PyTorch
    # It raised "cannot be raised to a negative power", while x ** 0 at 0 gave 0.
    x, y = Value(0.0), Value(0.0)
    z = x**y
    z.backward()
    assert (z.data, x.grad, y.grad) == (1.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("make", "written"),
    [
        (lambda: Value(0.0) ** 0.5, r"0.0 \*\* 0.5"),
        (lambda: Value(0.0) ** Value(0.5), r"0.0 \*\* 0.5"),
        (lambda: Value(0.0).sqrt(), r"sqrt\(0.0\)"),
    ],
)
def test_an_infinite_derivative_is_an_error_that_says_so(make, written):
    # x ** 0.5 at 0 said "0.0 cannot be raised to a negative power": nothing was raised so.
    y = make()
    for differentiate in (y.backward, lambda: autograd.grad(y, list(y.parents[:1]))):
        with pytest.raises(ZeroDivisionError, match=written + ".*infinite or undefined"):
            differentiate()


# --- inf and nan inputs: IEEE results, not misleading domain errors -----------------------


def test_sin_of_inf_is_nan_not_outside_the_domain_of_all_reals():
    assert math.isnan(Value(math.inf).sin().data)
    assert math.isnan(autograd.cos(-math.inf))
    expected = r"forward of sin made nan: sin\(inf\)"
    with pytest.raises(autograd.AnomalyError, match=expected), autograd.detect_anomaly():
        Value(math.inf).sin()


def test_sum_of_inf_and_minus_inf_is_nan():
    assert math.isnan(autograd.sum([Value(math.inf), -math.inf]).data)
    assert math.isnan(autograd.dot([Value(math.inf), 1.0], [1.0, -math.inf]).data)


def test_a_sum_whose_partial_sums_overflow_is_exact_when_the_result_is_finite():
    # fsum raised "intermediate overflow" for a finite result
    assert autograd.sum([Value(1e308), 1e308, -1e308]).data == 1e308
    big = 2.0**600  # big · big overflows, but the two products cancel exactly
    assert autograd.dot([Value(big), 2.0**400], [big, -(2.0**800)]).data == 0.0
    assert autograd.dot([Value(big), 2.0**400], [big, -(2.0**800)], bias=2.0).data == 2.0
    with pytest.raises(OverflowError, match="too large"):
        autograd.sum([Value(1e308), 1e308])


def test_a_number_too_large_for_a_float_is_an_overflow_error_naming_it():
    # 10**5000 raised ValueError from inside the message; longdouble became inf silently
    np = pytest.importorskip("numpy")
    with pytest.raises(OverflowError, match="integer of about 5000 digits is too large"):
        Value(10**5000)
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(np.longdouble("1e4000"))
    assert Value(np.float64("inf")).data == math.inf  # an inf given is kept


# --- pickling and weak references ------------------------------------------------------------


def test_a_graph_pickles_with_its_ops_by_name_and_gives_the_same_gradients():
    # Pickling any non-leaf Value failed on the op table's lambdas.
    import pickle

    x = Value(0.5, label="x")
    w = Value(-1.5, label="w")
    y = (x * w + 1.0).tanh() ** 2 + autograd.dot([x, w], [w, 2.0])
    leaves, copy = pickle.loads(pickle.dumps(([x, w], y)))
    assert copy.op is autograd.OPS["add"] and copy.data == y.data
    copy.backward()
    y.backward()
    assert [v.grad for v in leaves] == [x.grad, w.grad]  # the leaves kept their identity
    assert [v.label for v in leaves] == ["x", "w"]


def test_a_deep_graph_pickles_without_recursion():
    import pickle

    leaf = Value(1.0)
    y = leaf
    for _ in range(20_000):
        y = y * 1.0001
    copy = pickle.loads(pickle.dumps(y))
    z = copy + Value(1.0)  # a node made after unpickling sorts after the unpickled ones
    z.backward()
    deepest = autograd.topological_order([copy])[0]
    assert deepest.grad == pytest.approx(1.0001**20_000)


def test_values_cannot_be_weakly_referenced_by_design():
    # Decided (and documented on Value): no __weakref__ slot, as for floats and tuples; it
    # would cost 8 bytes a node and ~5 % on a 10**6-op chain.
    import weakref

    with pytest.raises(TypeError, match="weak reference"):
        weakref.ref(Value(1.0))
    assert "__weakref__" not in Value.__slots__


def test_grad_with_create_graph_returns_a_value_of_its_own_for_each_input():
    # (x + y) * z: x and y get the same gradient node; they got the same object.
    x, y, z = Value(1.0), Value(2.0), Value(3.0)
    gx, gy = autograd.grad((x + y) * z, [x, y], create_graph=True)
    assert gx is not gy and gx.data == gy.data == 3.0
    (gxz,) = autograd.grad(gx, [z])
    assert gxz.data == 1.0
