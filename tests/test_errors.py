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
