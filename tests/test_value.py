"""Value: construction, types, repr, identity, micrograd's attribute names."""

from __future__ import annotations

import fractions

import numpy as np
import pytest

from autograd import Value


@pytest.mark.parametrize(
    "data", [3, 2.5, True, np.float64(1.5), np.float32(0.5), np.int64(7), fractions.Fraction(1, 4)]
)
def test_data_accepts_python_and_numpy_reals_as_float(data):
    v = Value(data)
    assert type(v.data) is float and v.data == float(data)
    assert type(v.grad) is float and v.grad == 0.0


@pytest.mark.parametrize(
    "bad", ["1.0", None, 1j, np.complex128(1), [1.0], (1.0,), {}, np.array([1.0])]
)
def test_data_rejects_non_reals_with_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


def test_huge_int_data_raises_overflow_error():
    with pytest.raises(OverflowError, match="too large"):
        Value(10**400)


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


def test_repr_is_micrograds():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2.0, label="x")) == "Value(data=2.0, grad=0.0, label='x')"


def test_values_hash_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a is not b and a != b and len({a, b}) == 2
    assert {a: 1}[a] == 1


def test_numbers_on_either_side():
    v = Value(2.0)
    assert (v + 1).data == 3.0 and (1 + v).data == 3.0
    assert (v - 1).data == 1.0 and (1 - v).data == -1.0
    assert (v * 3).data == 6.0 and (3 * v).data == 6.0
    assert (v / 4).data == 0.5 and (1 / v).data == 0.5
    assert (v**3).data == 8.0 and (2**v).data == 4.0
    assert (-v).data == -2.0 and abs(Value(-2.0)).data == 2.0 and (+v) is v
    assert (v + np.float64(1.0)).data == 3.0


def test_constants_are_stored_as_float_parents_in_expression_order():
    v = Value(2.0)
    assert (1 - v).parents == (1.0, v)
    assert (v**2).parents == (v, 2.0) and type((v**2).parents[1]) is float


@pytest.mark.parametrize("other", ["a", None, [1], 1j])
def test_unsupported_operand_raises_type_error(other):
    with pytest.raises(TypeError):
        Value(1.0) + other
    with pytest.raises(TypeError):
        other * Value(1.0)


def test_micrograd_names_prev_and_op_for_its_draw_dot():
    x = Value(2.0)
    y = x * x + 1
    assert y._op == "+" and Value(1.0)._op == ""
    assert y._prev == {y.parents[0]} and x in y.parents[0]._prev


def test_detach_is_a_leaf_with_same_data():
    x = Value(2.0, label="x")
    d = (x * 3).detach()
    assert d.data == 6.0 and d.op is None and d.parents == ()
    (d * x).backward()
    assert x.grad == 6.0 and d.grad == 2.0
