"""Value: one float, the op that made it, and the inputs it was made from.

>>> x = Value(3.0, label="x")
>>> y = (x + x) * x          # fan-out: x is used three times
>>> y.backward()
>>> y.data, x.grad
(18.0, 12.0)
"""

from __future__ import annotations

import itertools
import numbers
from typing import Any

from . import mode
from .ops import OPS, Op, run

__all__ = ["Value", "apply", "as_float", "data_of", "record"]


class Value:
    """A scalar node of a computation graph.

    ``data`` is the float it holds, ``grad`` the derivative of the last ``backward()`` root
    with respect to it (0.0 until then), ``label`` a name for graphs and messages. A Value made
    by an op also records ``op`` (a row of :data:`autograd.OPS`) and ``parents``, the ordered
    tuple of its inputs: Values, or plain floats for constants (the ``2`` in ``x ** 2``).

    Values hash and compare by identity, so they can be dict keys and set members.

    >>> a = Value(2.0, label="a")
    >>> b = a ** 2 + 1
    >>> b
    Value(data=5.0, grad=0.0)
    >>> b.backward(); a.grad
    4.0
    """

    # ``_seq`` numbers Values in creation order: inputs are always made before the node that
    # uses them, so sorting by it is a topological order (see backprop.topological_order).
    __slots__ = ("_seq", "data", "grad", "label", "op", "parents")

    data: float
    grad: float
    label: str
    op: Op | None
    parents: tuple[Any, ...]

    def __init__(self, data: Any, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.data = as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self.op = None
        self.parents = ()
        self._seq = _next_seq()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"

    # --- arithmetic: a Value with a Value or a plain number, on either side ---------------

    def __add__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else apply(_ADD, self, other)

    def __radd__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else apply(_ADD, other, self)

    def __sub__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else apply(_SUB, self, other)

    def __rsub__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else apply(_SUB, other, self)

    def __mul__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else apply(_MUL, self, other)

    def __rmul__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else apply(_MUL, other, self)

    def __truediv__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else apply(_DIV, self, other)

    def __rtruediv__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else apply(_DIV, other, self)

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return apply(_VPOW, self, other)
        other = _operand(other)
        return NotImplemented if other is None else apply(_POW, self, other)

    def __rpow__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else apply(_VPOW, other, self)

    def __neg__(self) -> Value:
        return apply(_NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return apply(_ABS, self)

    # --- functions ----------------------------------------------------------------------

    def exp(self) -> Value:
        """e ** self. OverflowError above ~709.78."""
        return apply(_EXP, self)

    def log(self) -> Value:
        """Natural logarithm. ValueError for data <= 0."""
        return apply(_LOG, self)

    def sqrt(self) -> Value:
        """Square root. ValueError for data < 0."""
        return apply(_SQRT, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return apply(_TANH, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e ** -self), finite and accurate for any input."""
        return apply(_SIGMOID, self)

    def relu(self) -> Value:
        """max(self, 0); its derivative at 0 is taken as 0 (as in PyTorch)."""
        return apply(_RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """self where positive, else ``slope * self``."""
        return apply(_LEAKY_RELU, self, as_float(slope, "leaky_relu"))

    def softplus(self) -> Value:
        """log(1 + e ** self), finite and accurate for any input."""
        return apply(_SOFTPLUS, self)

    def sin(self) -> Value:
        """Sine (radians)."""
        return apply(_SIN, self)

    def cos(self) -> Value:
        """Cosine (radians)."""
        return apply(_COS, self)

    # --- graph --------------------------------------------------------------------------

    def backward(self, gradient: float = 1.0) -> None:
        """Fill ``.grad`` of every Value this one depends on with d self / d that Value.

        Leaves (Values not made by an op) *accumulate*: call ``zero_grad`` between steps.
        Interior Values get this call's gradient. The walk is iterative (no recursion limit).
        """
        from .backprop import backward

        backward(self, gradient)

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from the graph."""
        return Value(self.data, self.label)

    # micrograd's names, so its draw_dot and notebooks run unchanged.
    @property
    def _prev(self) -> set[Value]:
        return {p for p in self.parents if type(p) is not float}

    @property
    def _op(self) -> str:
        return self.op.symbol if self.op is not None else ""


def as_float(x: Any, where: str) -> float:
    """``x`` as a float if it is a real number (Python or numpy), else TypeError naming ``where``."""
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        try:
            return float(x)
        except OverflowError:
            raise OverflowError(f"{where}: {x!r} is too large for a float") from None
    raise TypeError(
        f"{where}: expected a real number (int, float or numpy real), got {type(x).__name__}"
    )


def _operand(x: Any) -> Value | float | None:
    """A Value as it is, a real number as a float constant, anything else None."""
    if type(x) is float or isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real):
        return as_float(x, "Value arithmetic")
    return None


_new = object.__new__
_next_seq = itertools.count().__next__


def data_of(inputs: tuple[Value | float, ...]) -> tuple[float, ...]:
    """The floats that inputs stand for. Written out for one and two inputs: a comprehension
    costs more than the op itself there."""
    if len(inputs) == 2:
        x, y = inputs
        return (x if type(x) is float else x.data, y if type(y) is float else y.data)
    if len(inputs) == 1:
        x = inputs[0]
        return (x if type(x) is float else x.data,)
    return tuple([x if type(x) is float else x.data for x in inputs])


def apply(op: Op, *inputs: Value | float) -> Value:
    """Run ``op`` on Values and float constants and record the result in the graph.

    Under :func:`autograd.no_grad` the result is a leaf (nothing recorded).
    """
    return record(op, inputs, data_of(inputs))


def record(op: Op, inputs: tuple[Value | float, ...], data: tuple[float, ...]) -> Value:
    """:func:`apply` for a caller that already holds the inputs' floats (``data[i]`` is the
    float ``inputs[i]`` stands for): ``nn.Layer`` reads its inputs' floats once for all its
    neurons. The forward is still ``op``'s own, run by :func:`autograd.ops.run`.

    >>> x = Value(3.0)
    >>> record(OPS["mul"], (x, 2.0), (x.data, 2.0))
    Value(data=6.0, grad=0.0)
    """
    out = _new(Value)
    out.data = run(op, data)
    out.grad = 0.0
    out.label = ""
    out._seq = _next_seq()
    if mode.enabled is True:
        out.op = op
        out.parents = inputs
    elif mode.enabled:  # detect_anomaly(): the recorder notes where the node was made, checks it
        out.op = op
        out.parents = inputs
        mode.enabled.created(out)
    else:
        out.op = None
        out.parents = ()
    return out


_ADD, _SUB, _MUL, _DIV, _NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
_POW, _VPOW, _ABS = OPS["pow"], OPS["vpow"], OPS["abs"]
_EXP, _LOG, _SQRT, _TANH, _SIGMOID = (
    OPS["exp"],
    OPS["log"],
    OPS["sqrt"],
    OPS["tanh"],
    OPS["sigmoid"],
)
_RELU, _LEAKY_RELU, _SOFTPLUS = OPS["relu"], OPS["leaky_relu"], OPS["softplus"]
_SIN, _COS = OPS["sin"], OPS["cos"]
