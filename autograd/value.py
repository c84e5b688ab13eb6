"""Value: one float, the op that made it, and the inputs it was made from.

>>> x = Value(3.0, label="x")
>>> y = (x + x) * x          # fan-out: x is used three times
>>> y.backward()
>>> y.data, x.grad
(18.0, 12.0)
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from .custom import Custom
from .mode import anomaly, grad_enabled, tracer
from .ops import OPS, Op, run
from .walk import backpropagate, topological_order, walk

__all__ = ["Value", "apply", "as_float"]


class Value:
    """A scalar node of a computation graph.

    ``data`` is the float it holds, ``grad`` the derivative of the last ``backward()`` root
    with respect to it (0.0 until then), ``label`` a name for graphs and messages. A Value made
    by an op also records ``op`` (a row of :data:`autograd.OPS`) and ``parents``, the ordered
    tuple of its inputs: Values, or plain floats for constants (the ``2`` in ``x ** 2``).

    Values hash and compare by identity, so they can be dict keys and set members. Like floats
    and tuples they cannot be weakly referenced: the slot would cost every node 8 bytes and a
    10⁶-op chain ~5 % of its time; keep the Values themselves (in a dict or a list) instead. A
    Value pickles with its whole graph (its ops by their names in the table), without recursion
    however deep the graph; the leaves keep their identity within one pickle, and interior
    nodes shared by two Values pickled together are rebuilt once for each.

    >>> a = Value(2.0, label="a")
    >>> b = a ** 2 + 1
    >>> b
    Value(data=5.0, grad=0.0)
    >>> b.backward(); a.grad
    4.0
    """

    # ``_seq`` numbers Values in creation order: inputs are always made before the node that
    # uses them, so sorting by it is a topological order (see autograd.walk.topological_order).
    __slots__ = ("_seq", "data", "grad", "label", "op", "parents")

    data: float
    grad: float
    label: str
    op: Op | None
    parents: tuple[Any, ...]

    def __init__(self, data: Any, _children: Any = (), _op: str = "", label: str = "") -> None:
        if isinstance(_children, str):  # Value(x, "x"): a label, this library's short form
            if label:
                raise TypeError("Value: got a label twice (the second argument and label=)")
            _children, label = (), _children
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        if not isinstance(_op, str):
            raise TypeError(f"Value: _op must be a str, got {type(_op).__name__}")
        self._seq = _next_seq()  # (first: compile's tracer tells new Values by it)
        if isinstance(data, Value) and tracer() is not None:
            data = tracer().copy(self, data)  # Value(an input): fed that input at each replay
        self.data = as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self.op = None
        self.parents = ()
        if _children or _op:  # micrograd's Value(data, (self, other), '+'): a node of yours
            self.parents = _children_of(_children)
            self.op = Custom(self, _op)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"

    # --- arithmetic: a Value with a Value or a plain number, on either side ---------------

    def __add__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else _apply(_ADD, self, other)

    def __radd__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else _apply(_ADD, other, self)

    def __sub__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else _apply(_SUB, self, other)

    def __rsub__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else _apply(_SUB, other, self)

    def __mul__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else _apply(_MUL, self, other)

    def __rmul__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else _apply(_MUL, other, self)

    def __truediv__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else _apply(_DIV, self, other)

    def __rtruediv__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else _apply(_DIV, other, self)

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _apply(_VPOW, self, other)
        other = _operand(other)
        return NotImplemented if other is None else _apply(_POW, self, other)

    def __rpow__(self, other: Any) -> Value:
        other = _operand(other)
        return NotImplemented if other is None else _apply(_VPOW, other, self)

    def __neg__(self) -> Value:
        return _unary(_NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _unary(_ABS, self)

    # --- functions ----------------------------------------------------------------------

    def exp(self) -> Value:
        """e ** self. OverflowError above ~709.78."""
        return _unary(_EXP, self)

    def log(self) -> Value:
        """Natural logarithm. ValueError for data <= 0."""
        return _unary(_LOG, self)

    def sqrt(self) -> Value:
        """Square root. ValueError for data < 0."""
        return _unary(_SQRT, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _unary(_TANH, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e ** -self), finite and accurate for any input."""
        return _unary(_SIGMOID, self)

    def relu(self) -> Value:
        """max(self, 0); its derivative at 0 is taken as 0 (as in PyTorch)."""
        return _unary(_RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """self where positive, else ``slope * self``."""
        return _apply(_LEAKY_RELU, self, as_float(slope, "leaky_relu"))

    def softplus(self) -> Value:
        """log(1 + e ** self), finite and accurate for any input."""
        return _unary(_SOFTPLUS, self)

    def sin(self) -> Value:
        """Sine (radians)."""
        return _unary(_SIN, self)

    def cos(self) -> Value:
        """Cosine (radians)."""
        return _unary(_COS, self)

    def tan(self) -> Value:
        """Tangent (radians); its poles are at π/2 + kπ."""
        return _unary(_TAN, self)

    # --- graph --------------------------------------------------------------------------

    def backward(self, gradient: float = 1.0) -> None:
        """Fill ``.grad`` of every Value this one depends on with d self / d that Value.

        Leaves (Values not made by an op) *accumulate*: call ``zero_grad`` between steps.
        Interior Values get this call's gradient. The walk is iterative (no recursion limit).
        """
        backpropagate(self, as_float(gradient, "backward"))

    def __reduce__(self) -> Any:
        if tracer() is not None:  # compile is tracing: a copy's number would be fixed
            tracer().refused = "it copies or pickles a Value while building the graph"
        if self.op is None:
            return (_leaf, (self.data, self.grad, self.label))
        return (_graph, (_flatten(self),))

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from the graph."""
        out = Value(self.data, self.label)
        if tracer() is not None:  # compile is tracing: at each replay, a copy of this number
            tracer().detach(out, self)
        return out

    # --- micrograd's names, so its notebooks, its draw_dot and its lecture run unchanged --------

    @property
    def _prev(self) -> set[Value]:
        """The Values this one was made from, as a set (micrograd's)."""
        return {p for p in self.parents if type(p) is not float}

    @property
    def _op(self) -> str:
        """How micrograd names the op that made this Value: '+', '*', '**2', 'ReLU', 'tanh'."""
        op = self.op
        if op is None:
            return ""
        if op is _POW:  # micrograd writes the constant exponent in: x ** 2 is '**2'
            c = self.parents[1]
            return f"**{int(c) if c.is_integer() else c!r}"
        return op.symbol

    @property
    def _backward(self) -> Callable[[], None]:
        """This node's step of backward, micrograd's way: ``node._backward()`` adds
        ``node.grad × ∂node/∂input`` to each input's ``.grad`` by its op's rule — that node's
        step only, accumulating (called twice, it adds twice). Made when asked: no node stores a
        closure, except one you assign (see :mod:`autograd.custom`).

        >>> x = Value(3.0); y = x * x
        >>> y.grad = 1.0; y._backward(); x.grad
        6.0
        """
        if tracer() is not None:  # compile is tracing: the step runs eagerly instead
            tracer().refused = "it runs a node's _backward() while building the graph"
        op = self.op
        if op is None:
            return _nothing
        if op.custom:
            return op.closure  # type: ignore[attr-defined, no-any-return]
        return functools.partial(walk, [self])

    @_backward.setter
    def _backward(self, closure: Callable[[], None]) -> None:
        if not callable(closure):
            raise TypeError(f"_backward must be a function, got {type(closure).__name__}")
        if self.op is None:
            return  # a leaf has no inputs: its step sends nothing, whatever it is given
        if not self.op.custom:
            raise TypeError(
                f"this Value was made by the engine's {self.op.name!r}, whose backward step is "
                "its rule in autograd.OPS; to write your own, make the node micrograd's way, "
                "Value(data, (inputs...), 'name'), and assign its _backward"
            )
        self.op.closure = closure  # type: ignore[attr-defined]


def _nothing() -> None:
    """A leaf's backward step: it has no inputs to send anything to."""


def _children_of(children: Any) -> tuple[Value, ...]:
    """micrograd's ``_children`` (a tuple, list or set of Values) as ordered parents: a set in
    the order its Values were made, so the graph does not depend on hashing."""
    if isinstance(children, (set, frozenset)):
        children = sorted(children, key=_creation)
    elif not isinstance(children, (tuple, list)):
        raise TypeError(
            f"Value: _children must be a tuple, list or set of Values, got {type(children).__name__}"
        )
    for c in children:
        if not isinstance(c, Value):
            raise TypeError(f"Value: _children must be Values, got {type(c).__name__}")
    return tuple(children)


def as_float(x: Any, where: str) -> float:
    """``x`` as a float if it is a real number (Python or numpy), else TypeError naming
    ``where``: how a number becomes the float a Value holds. OverflowError for a number too
    large for a float (never a silent inf).

    >>> as_float(3, "lr"), as_float("3", "lr")
    Traceback (most recent call last):
    ...
    TypeError: lr: expected a real number (int, float or numpy real), got str
    """
    if type(x) is float:
        return x
    if isinstance(x, numbers.Real):
        try:
            f = float(x)
        except OverflowError:
            f = math.inf
        if f in (math.inf, -math.inf) and x != f:  # numpy.longdouble(1e4000) rounds to inf
            raise OverflowError(f"{where}: {_shown(x)} is too large for a float")
        return f
    raise TypeError(
        f"{where}: expected a real number (int, float or numpy real), got {type(x).__name__}"
    )


def _shown(x: Any) -> str:
    """``repr(x)``, or, for an int too long to print, how long it is."""
    try:
        return repr(x)
    except ValueError:  # ints of more than sys.get_int_max_str_digits() digits
        return f"an integer of about {int(x.bit_length() * math.log10(2))} digits"


def _operand(x: Any) -> Value | float | None:
    """A Value as it is, a real number as a float constant, anything else None."""
    if type(x) is float or isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real):
        return as_float(x, "Value arithmetic")
    return None


_new = object.__new__
_creation = attrgetter("_seq")
_next_seq = itertools.count().__next__


# --- pickling: a graph as a flat list, so no recursion follows its depth ----------------------


def replayed(data: float, grad: float) -> Value:
    """A new leaf holding a replayed number and gradient (``autograd.compile``'s results),
    made as ``_record`` makes nodes: the checks of ``Value()`` are for numbers from outside."""
    out = _new(Value)
    out._seq = _next_seq()
    out.data = data
    out.grad = grad
    out.label = ""
    out.op = None
    out.parents = ()
    return out


def _leaf(data: float, grad: float, label: str) -> Value:
    """An unpickled leaf: a new Value, numbered now (so it sorts before what is built on it)."""
    leaf = Value(data, label)
    leaf.grad = grad
    return leaf


def _flatten(root: Value) -> list[tuple[Any, ...]]:
    """The interior nodes ``root`` depends on, inputs first, as (data, grad, label, op, inputs):
    an input is a leaf Value (pickled as itself), a float constant, or the int position of an
    interior node earlier in the list."""
    position: dict[Value, int] = {}
    flat = []
    for node in topological_order([root]):
        if node.op is not None:
            inputs = tuple(position.get(p, p) if type(p) is not float else p for p in node.parents)
            position[node] = len(flat)
            flat.append((node.data, node.grad, node.label, node.op, inputs))
    return flat


def _graph(flat: list[tuple[Any, ...]]) -> Value:
    """The last node of a flattened graph, rebuilt with fresh creation numbers, inputs first."""
    nodes: list[Value] = []
    for data, grad, label, op, inputs in flat:
        node = _new(Value)
        node._seq = _next_seq()
        node.data, node.grad, node.label, node.op = data, grad, label, op
        node.parents = tuple(nodes[p] if type(p) is int else p for p in inputs)
        nodes.append(node)
    return nodes[-1]


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


def _apply(op: Op, *inputs: Value | float) -> Value:
    """Run ``op`` on Values and float constants and record the result: the operators' path,
    with no checks (they pass Values and floats only)."""
    return _record(op, inputs, run(op, data_of(inputs)))


def _unary(op: Op, x: Value) -> Value:
    """:func:`_apply` for one Value input: the methods' path."""
    return _record(op, (x,), run(op, (x.data,)))


def _record(op: Op, inputs: tuple[Value | float, ...], data: float) -> Value:
    """A new Value holding ``data``, made by ``op`` from ``inputs`` — recorded in the graph
    unless grad mode is off (then a leaf)."""
    out = _new(Value)
    out._seq = _next_seq()
    out.data = data
    out.grad = 0.0
    out.label = ""
    if grad_enabled():
        out.op = op
        out.parents = inputs
        if anomaly() is not None:  # detect_anomaly(): note where it was made, check it
            anomaly().created(out)
    else:
        out.op = None
        out.parents = ()
        if tracer() is not None:  # compile is tracing: a leaf that copies the op's result
            tracer().detached(out, op, inputs)
    return out


def apply(op: Op | str, *inputs: Any) -> Any:
    """Apply an op of the table (by name or row) or an :class:`~autograd.Op` of your own to
    Values and numbers: a new node in the graph, or, when no input is a Value, the float the
    op gives (with the same errors).

    >>> x = Value(0.5)
    >>> apply("tan", x)
    Value(data=0.5463024898437905, grad=0.0)
    >>> apply("tan", 0.5)
    0.5463024898437905
    """
    if isinstance(op, str):
        if op not in OPS:
            raise ValueError(f"apply: unknown op {op!r}; the table has {', '.join(OPS)}")
        op = OPS[op]
    elif not isinstance(op, Op):
        raise TypeError(f"apply: expected an Op or an op's name, got {type(op).__name__}")
    if op.arity is not None and len(inputs) != op.arity:
        raise TypeError(f"{op.name} takes {op.arity} input(s), got {len(inputs)}")
    args: list[Value | float] = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            if i in op.constants:
                raise TypeError(
                    f"{op.name}: input {i} is a constant of the op (it is not differentiated), "
                    "so it must be a plain number, not a Value"
                )
            args.append(x)
        else:
            args.append(as_float(x, op.name))
    if not any(type(x) is not float for x in args):
        return run(op, tuple(args))
    return _apply(op, *args)


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
_SIN, _COS, _TAN = OPS["sin"], OPS["cos"], OPS["tan"]
