"""The op table: every operation's forward and local derivative, declared once, side by side.

Each row says what an op computes on floats and how its output changes with each input (the
*local* derivative ∂out/∂input). Derivative rules are written with operations that work on
floats *and* on Values, so the same rule serves every mode:

- ``backward()``, ``grad()`` and ``backward_steps()`` pass floats and get numbers;
- ``grad(..., create_graph=True)`` passes the graph's own Value nodes and gets Values, whose
  graph can be differentiated again — that is how grad-of-grad comes for free.

A rule is called as ``rule(*inputs, out=result)`` and always returns a tuple with one local
derivative per input. Inputs that are plain numbers (constants such as the ``2`` in ``x ** 2``)
are stored as floats in the node's parents; their derivative is computed but never used.

>>> OPS["tanh"].derivative(0.5, out=math.tanh(0.5))[0] == 1 - math.tanh(0.5) ** 2
True

Everything else about an op is derived from its row: the function ``autograd.tan`` and the
method ``Value.tan`` call it, the command line and the Hypothesis strategies find it here, and
graphs draw its ``symbol``. Adding an op is one row (plus, if it should be a method, one
``Value`` method).
"""

from __future__ import annotations

import builtins
import functools
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from itertools import chain
from typing import Any

from .mode import anomaly

__all__ = ["OPS", "Op", "call_repr", "dot_inputs", "dot_parts", "dot_value", "run"]


class Op:
    """One row of the op table.

    - ``name`` identifies the op (errors, graphs, ``OPS[name]``); ``symbol`` is how a graph
      shows it, and a Python operator symbol (``+ - * / **``) says it is written as one;
    - ``forward`` maps floats to a float; ``derivative(*inputs, out=...)`` returns the local
      derivatives, written with operations that work on floats and Values alike;
    - ``arity`` is the number of inputs (None: any number); ``constants`` the inputs that are
      always plain numbers, never differentiated (pow's exponent, leaky_relu's slope);
    - ``domain`` says in words where the op is defined (for errors); ``admits(*inputs,
      margin=m)`` says whether inputs lie inside it at least ``m`` from its edge and its
      singularities (None: any finite input); ``kinks`` are the points where the op is not
      differentiable (its rule returns the subgradient PyTorch uses there); ``sample`` gives,
      per input, a range where checks may draw inputs;
    - ``select``: the derivative is 1 or 0, picked by comparing the input (relu). Where it is 0
      the op passes no gradient at all — 0, even for an inf or nan gradient from above, as
      PyTorch's and JAX's relu do; every other op sends (gradient from above) × (local
      derivative), so 0 × inf is nan there as in IEEE arithmetic;
    - ``arrays`` says how a compiled replay (``autograd.compile(..., backend="numpy")``) runs
      the row on numpy arrays, a batch of nodes at a time: ``(forward, derivative)``, each
      ``True`` (the float rule works on arrays as written: the helpers below take arrays, and
      numpy's + − × ÷ round as floats do), a function of its own (which
      tests/test_op_table.py checks against the float rule, bit for bit), or None (the float
      rule is applied to each element: exact, at a Python call per node). Inputs are arrays that
      broadcast against each other (one may be a row and another a column: a weight's numbers
      by neuron, an input's by point). An op with any number of inputs gets them input by
      input, as a 2-D array with an input per row gives them: ``A[j]`` is input j, ``A[i:j:k]``
      several stacked on a first axis; its derivative returns the local derivatives the same
      way. (A rule that only passes inputs through — add's 1,
      mul's and dot's partner, exp's output — is never computed on arrays: the replay reads
      those numbers where the forward pass left them.);
    - ``fast`` is an optional float-only shortcut for the hottest ops: ``fast(g, parents, out)``
      adds ``g × ∂out/∂pᵢ`` to ``pᵢ.grad`` for each input that is not a constant, in input
      order, exactly as the rule would (tests/test_op_table.py checks each against its rule).
      A node whose gradient is 0 and whose output is finite is skipped, so a fast path must
      only send ``g`` times numbers that are finite when ``out`` is.
    """

    custom = False  # True for the op of a micrograd-style node (autograd.custom.Custom)

    __slots__ = (
        "admits",
        "arity",
        "arrays",
        "constants",
        "derivative",
        "domain",
        "fast",
        "forward",
        "kinks",
        "name",
        "sample",
        "select",
        "symbol",
    )

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        derivative: Callable[..., tuple[Any, ...]],
        *,
        symbol: str | None = None,
        arity: int | None = 1,
        domain: str = "all real x",
        admits: Callable[..., bool] | None = None,
        kinks: tuple[float, ...] = (),
        sample: tuple[tuple[float, float], ...] = ((-3.0, 3.0),),
        constants: tuple[int, ...] = (),
        select: bool = False,
        fast: Callable[[float, tuple[Any, ...], float], None] | None = None,
        arrays: tuple[Any, Any] = (None, None),
    ) -> None:
        self.name = name
        self.symbol = symbol or name
        self.forward = forward
        self.derivative = derivative
        self.arity = arity
        self.domain = domain
        self.admits = admits
        self.kinks = kinks
        self.sample = sample
        self.constants = constants
        self.select = select
        self.fast = fast
        self.arrays = arrays

    def __repr__(self) -> str:
        return f"Op({self.name!r})"

    def __reduce__(self) -> Any:
        # A row of the table is pickled by its name (its rules are lambdas); an Op of your own
        # is pickled field by field, which needs its functions to be module-level ones.
        if OPS.get(self.name) is self:
            return (_row, (self.name,))
        return (_op_from_fields, ({k: getattr(self, k) for k in Op.__slots__},))


def _row(name: str) -> Op:
    """The table's row called ``name``, as an unpickled Op."""
    return OPS[name]


def _op_from_fields(fields: dict[str, Any]) -> Op:
    op = Op.__new__(Op)
    for k, v in fields.items():
        setattr(op, k, v)
    return op


# --- Helpers for rules: they work on floats, on Values and on numpy arrays --------------------
# In plain backward every rule argument is a float; with create_graph it is a Value (or a float
# constant); in a compiled numpy replay, an array holding that input for a batch of nodes. These
# helpers pick the float function, the Value method, or the float function on each element
# (math's own numbers: numpy's exp and tanh differ from math's in the last bit).


def _is_array(x: Any) -> bool:
    kind = type(x)  # numpy's arrays (not a float; not a Value, even while compile traces a
    # step, when a Value takes numpy's ufuncs as any object does)
    return hasattr(kind, "__array_ufunc__") and hasattr(kind, "__array_interface__")


@functools.cache
def _numpy() -> Any:
    import numpy  # only ever reached with numpy arrays in hand

    return numpy


@functools.cache
def _exact() -> Any:
    from . import exact  # (it needs numpy: loaded with the first array)

    return exact


def each(f: Callable[..., float], *xs: Any) -> Any:
    """``f`` applied to the elements of arrays ``xs`` (broadcast together), one by one: an
    array.

    >>> import numpy as np
    >>> each(math.exp, np.array([0.0, 1.0])).tolist() == [1.0, math.exp(1.0)]
    True
    """
    np = _numpy()
    if len(xs) > 1:
        xs = tuple(np.broadcast_arrays(*xs))
    shape = np.shape(xs[0])
    flat = [memoryview(np.ascontiguousarray(x, dtype=float).ravel()) for x in xs]
    return np.fromiter(map(f, *flat), dtype=float, count=len(flat[0])).reshape(shape)


def _exp_on_arrays(x: Any) -> Any:
    """math.exp of each element, bit for bit, at numpy's speed (see autograd.exact.exp)."""
    return _exact().exp(x)


def _on_float_or_value(
    method: str, on_float: Callable[[float], float], on_arrays: Callable[[Any], Any] | None = None
) -> Callable[[Any], Any]:
    def helper(x: Any) -> Any:
        if type(x) is float:
            return on_float(x)
        if _is_array(x):
            return each(on_float, x) if on_arrays is None else on_arrays(x)
        return getattr(x, method)()

    return helper


_log = _on_float_or_value("log", math.log)
_exp = _on_float_or_value("exp", math.exp, _exp_on_arrays)
_sin = _on_float_or_value("sin", math.sin)
_cos = _on_float_or_value("cos", math.cos)


def _value_of(x: Any) -> Any:
    """The number a rule argument stands for (a Value's data, or the float or array itself)."""
    return x if type(x) is float or _is_array(x) else x.data


# Each comparison below has a third outcome: nan is neither > 0 nor <= 0, and an op that
# compares its input must give nan for it, never pick a branch (so nan propagates).


def _step(x: Any) -> Any:
    """relu's derivative: 1.0 where x > 0, 0.0 where x <= 0 (0 at the kink, as PyTorch)."""
    v = _value_of(x)
    if _is_array(v):  # heaviside: 1.0 above 0, its second argument at ±0, nan for nan
        return _numpy().heaviside(v, 0.0)
    return 1.0 if v > 0.0 else 0.0 if v <= 0.0 else math.nan


def _slope(x: Any, a: Any) -> Any:
    """leaky_relu's derivative: 1.0 where x > 0, the slope ``a`` where x <= 0."""
    v = _value_of(x)
    if _is_array(v):
        np = _numpy()
        return np.where(v > 0.0, 1.0, np.where(v <= 0.0, a, np.nan))
    return 1.0 if v > 0.0 else a if v <= 0.0 else math.nan


def _sign(x: Any) -> Any:
    """abs's derivative: the sign of x, 0 at the kink (as PyTorch)."""
    v = _value_of(x)
    if _is_array(v):
        np = _numpy()
        return np.where(v > 0.0, 1.0, np.where(v < 0.0, -1.0, np.where(v == 0.0, 0.0, np.nan)))
    return 1.0 if v > 0.0 else -1.0 if v < 0.0 else 0.0 if v == 0.0 else math.nan


def _relu(x: float) -> float:
    return 0.0 if x <= 0.0 else x  # nan is not <= 0: it passes through


def _leaky_relu(x: float, a: float) -> float:
    return a * x if x <= 0.0 else x


def _base_slope(x: Any, y: Any) -> Any:
    """∂(x**y)/∂x = y · x**(y − 1); 0 at 0 ** 0 (as PyTorch), where x**(y − 1) divides by 0."""
    if _value_of(y) == 0.0 and _value_of(x) == 0.0:
        return 0.0
    return y * x ** (y - 1.0)


def _log_of_base(x: Any, y: Any, out: Any) -> Any:
    """∂(x**y)/∂y = x**y · log x, which needs x > 0 (0 when x == 0 and y >= 0, as PyTorch)."""
    base = _value_of(x)
    if base > 0.0 or base != base:  # a nan base gives a nan derivative
        return out * _log(x)
    if base == 0.0 and _value_of(y) >= 0.0:
        return 0.0
    raise ValueError(
        "the derivative with respect to the exponent needs a positive base "
        "(use a plain number as the exponent if it is a constant)"
    )


# --- Forwards that need care -----------------------------------------------------------------


def _sigmoid(x: float) -> float:
    # Two branches so exp never overflows: finite and accurate at ±800.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


_sigmoid_of = _on_float_or_value("sigmoid", _sigmoid)


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow, accurate for large |x|.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _pow(x: float, y: float) -> float:
    # math.pow raises instead of returning a complex number for a negative base; Python's
    # own message and type for 0 ** negative (ZeroDivisionError) is the one users know.
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    return math.pow(x, y)


def _sum(*xs: float) -> float:
    try:
        return math.fsum(xs)
    except OverflowError:  # an intermediate sum overflowed: the exact sum may still be finite
        return float(sum(map(Fraction, xs)))


def _logsumexp(*xs: float) -> float:
    # log Σ e^x = m + log Σ e^(x − m) with m = max x: no exp overflows, and the largest term
    # is 1, so the sum is at least 1 and its log does not underflow.
    if any(x != x for x in xs):
        return math.nan
    m = max(xs)
    if m in (math.inf, -math.inf):
        return m  # +inf dominates; all −inf: e^x = 0 everywhere
    return m + math.log(math.fsum([math.exp(x - m) for x in xs]))


# --- Array forms (see Op.arrays): a batch of nodes at a time, bit for bit as the floats ----


def _relu_on_arrays(x: Any) -> Any:
    return _numpy().where(x <= 0.0, 0.0, x)


def _leaky_relu_on_arrays(x: Any, a: Any) -> Any:
    return _numpy().where(x <= 0.0, a * x, x)


def _sqrt_on_arrays(x: Any) -> Any:
    return _numpy().sqrt(x)  # IEEE square roots are correctly rounded: math.sqrt's numbers


def _sigmoid_on_arrays(x: Any) -> Any:
    # _sigmoid's two branches at once: e = exp(−|x|), then 1/(1 + e) or e/(1 + e)
    np = _numpy()
    e = _exp_on_arrays(-np.abs(x))
    return np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _logsumexp_rows(A: Any) -> Any:
    # _logsumexp over the inputs: m + log fsum(exp(x − m)), m the largest
    np = _numpy()
    X = A[0 : len(A)]
    # the largest: an input at a time for a few (numpy's max over a short axis is slow)
    m = functools.reduce(np.maximum, X) if len(X) <= 16 else X.max(axis=0)
    return m + each(math.log, _fsum_down(_exp_on_arrays(X - m)))


def _sum_rows(A: Any) -> Any:
    return _fsum_down(A[0 : len(A)])


def _dot_rows(A: Any) -> Any:
    # the inputs are (w1, x1, ..., wn, xn[, b]): fsum of the rounded products, then + b
    np = _numpy()
    pairs = len(A) & ~1
    W, X = A[0:pairs:2], A[1:pairs:2]
    products = W * X
    largest = smallest = None  # (up to SHORT terms fsum_rows adds in order: needs no bounds)
    if len(W) > _exact().SHORT and (W.shape != products.shape or X.shape != products.shape):
        # a weight per neuron (or one for all) and an input per point: each node's products
        # are at most its neuron's largest |w| times its point's largest |x| (to within
        # rounding, which the sum's room covers), and those that are not 0 at least the
        # product of the smallest (rounding is monotone) — found on the few numbers
        W, X = np.abs(W), np.abs(X)
        largest = _flat(np, W.max(axis=0) * X.max(axis=0), products.shape[1:])
        smallest = _flat(np, _least(W) * _least(X), products.shape[1:])
    total = _fsum_down(products, largest, smallest)
    return total + A[pairs] if len(A) & 1 else total


def _least(M: Any) -> Any:
    """The smallest number of M (non-negative) down its first axis that is not 0 (inf: none)."""
    return M.min(axis=0, where=M > 0.0, initial=math.inf)


def _flat(np: Any, M: Any, shape: tuple[int, ...]) -> Any:
    """M broadcast to ``shape``, flat."""
    return M.reshape(-1) if M.shape == shape else np.broadcast_to(M, shape).ravel()


def _fsum_down(X: Any, largest: Any = None, smallest: Any = None) -> Any:
    """math.fsum down the first axis of X: a sum per element of the others."""
    rows = X.reshape(len(X), math.prod(X.shape[1:])).T
    return _exact().fsum_rows(rows, largest, smallest).reshape(X.shape[1:])


def _logsumexp_derivative_rows(A: Any, out: Any) -> Any:
    return _exp(A[0 : len(A)] - out)


def _pow_admits(x: float, c: float, *, margin: float) -> bool:
    if c != int(c):
        return x >= margin  # a fractional power needs a positive base
    return c >= 0.0 or abs(x) >= margin  # a negative one stays away from 0


# --- dot: the layout of its inputs, known here only ------------------------------------------
# A dot node's inputs are its pairs, then its bias if it has one: (w1, x1, ..., wn, xn[, b]).
# The walk sends gradients in input order, so the pairs are also the order backward visits.


def dot_inputs(ws: Sequence[Any], xs: Sequence[Any], bias: Any = None) -> tuple[Any, ...]:
    """The inputs of ``dot`` for Σ wᵢ·xᵢ (+ bias), as its node holds them: (w1, x1, w2, x2,
    ..., wn, xn[, bias]).

    >>> dot_inputs(["w1", "w2"], ["x1", "x2"], "b")
    ('w1', 'x1', 'w2', 'x2', 'b')
    """
    inputs: list[Any] = [None] * (2 * len(ws))
    inputs[0::2] = ws
    inputs[1::2] = xs
    if bias is not None:
        inputs.append(bias)
    return tuple(inputs)


def dot_parts(inputs: Sequence[Any]) -> tuple[tuple[Any, ...], tuple[Any, ...], Any]:
    """``(ws, xs, bias)`` of a dot node's inputs (``bias`` is None when it has none).

    >>> dot_parts(("w1", "x1", "w2", "x2", "b"))
    (('w1', 'w2'), ('x1', 'x2'), 'b')
    """
    pairs = len(inputs) & ~1
    return (
        tuple(inputs[0:pairs:2]),
        tuple(inputs[1:pairs:2]),
        inputs[-1] if len(inputs) & 1 else None,
    )


def dot_value(ws: Iterable[float], xs: Iterable[float], bias: float | None = None) -> float:
    """Σ wᵢ·xᵢ (+ bias) on floats: dot's forward. The sum is exact then rounded once (fsum),
    so it does not depend on the order of the terms.

    >>> dot_value([0.5, -1.0], [2.0, 3.0], 0.25)
    -1.75
    """
    total = math.fsum(map(operator.mul, ws, xs))
    return total if bias is None else total + bias


def _dot(*a: float) -> float:
    # a[0::2] ends with the bias when there is one; map stops at the shorter a[1::2].
    bias = a[-1] if len(a) & 1 else None
    try:
        out = dot_value(a[0::2], a[1::2], bias)
    except (OverflowError, ValueError):  # inf - inf among the rounded products
        out = math.nan
    if out - out != 0.0 and all(map(math.isfinite, a)):
        # A product overflowed although the exact sum may be finite: sum it exactly.
        exact = sum(map(operator.mul, map(Fraction, a[0::2]), map(Fraction, a[1::2])))
        out = float(exact if bias is None else exact + Fraction(bias))
    return out


def _dot_derivative(*a: Any, out: Any) -> tuple[Any, ...]:
    # ∂/∂wᵢ = xᵢ and ∂/∂xᵢ = wᵢ: each pair swapped; ∂/∂bias = 1.
    swapped = tuple(chain.from_iterable(zip(a[1::2], a[0::2])))
    return (*swapped, 1.0) if len(a) & 1 else swapped


# --- Fast paths: the float rules of the hottest ops, adding straight into .grad ---------------
# Each sends exactly what its row's rule gives, in input order (tests/test_op_table.py checks).


def _add_fast(g: float, parents: tuple[Any, ...], out: float) -> None:
    for p in parents:  # ∂/∂pᵢ = 1
        if type(p) is not float:
            p.grad += g


def _mul_fast(g: float, parents: tuple[Any, ...], out: float) -> None:
    x, y = parents  # ∂/∂x = y, ∂/∂y = x
    if type(x) is not float:
        x.grad += g * (y if type(y) is float else y.data)
    if type(y) is not float:
        y.grad += g * (x if type(x) is float else x.data)


def _relu_fast(g: float, parents: tuple[Any, ...], out: float) -> None:
    if out > 0.0:  # passes g where on, nothing where off (select)
        parents[0].grad += g
    elif out != out:  # relu(nan) is nan, and so is its derivative
        parents[0].grad += g * out


def _dot_fast(g: float, parents: tuple[Any, ...], out: float) -> None:
    pairs = iter(parents)
    for w, x in zip(pairs, pairs):  # (w1, x1), (w2, x2), ...: ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ
        if type(w) is float:
            if type(x) is not float:
                x.grad += g * w
        elif type(x) is float:  # a network's inputs are constants
            w.grad += g * x
        else:
            w.grad += g * x.data
            x.grad += g * w.data
    if len(parents) & 1 and type(parents[-1]) is not float:
        parents[-1].grad += g


_POW_DOMAIN = "x >= 0, or x < 0 with an integer exponent (else the result would be complex)"
_TWO = ((-3.0, 3.0), (-3.0, 3.0))
_AS_WRITTEN = (True, True)  # forward and rule work on arrays as written (see Op.arrays)
_RULE = (None, True)  # the forward on each element (math's own function), the rule as written

# fmt: off
OPS: dict[str, Op] = {op.name: op for op in (
    # name        forward on floats      local derivative(s), with ops that work on floats or Values
    Op("add",     operator.add,          lambda x, y, out: (1.0, 1.0),               symbol="+", arity=2, sample=_TWO, fast=_add_fast,
       arrays=_AS_WRITTEN),
    Op("sub",     operator.sub,          lambda x, y, out: (1.0, -1.0),              symbol="-", arity=2, sample=_TWO, arrays=_AS_WRITTEN),
    Op("mul",     operator.mul,          lambda x, y, out: (y, x),                   symbol="*", arity=2, sample=_TWO, fast=_mul_fast,
       arrays=_AS_WRITTEN),
    Op("div",     operator.truediv,      lambda x, y, out: (1.0 / y, -out / y),      symbol="/", arity=2, domain="y != 0",
       admits=lambda x, y, *, margin: abs(y) >= margin, sample=((-3, 3), (0.5, 3)), arrays=_AS_WRITTEN),
    Op("neg",     operator.neg,          lambda x, out: (-1.0,),                     symbol="-", arrays=_AS_WRITTEN),
    # x ** c for a constant c: the exponent is a plain number, never differentiated.
    Op("pow",     _pow,                  lambda x, c, out: (c * x ** (c - 1.0) if c else 0.0, 0.0), symbol="**", arity=2,
       domain=_POW_DOMAIN, admits=_pow_admits, sample=((0.2, 3), (-2.5, 2.5)), constants=(1,)),
    # x ** y with y a Value (or a number ** Value): both inputs may be differentiated.
    Op("vpow",    _pow,                  lambda x, y, out: (_base_slope(x, y), _log_of_base(x, y, out)), symbol="**", arity=2,
       domain=_POW_DOMAIN, admits=lambda x, y, *, margin: x >= margin and abs(y) <= 3.0, sample=((0.2, 3), (-2.5, 2.5))),
    Op("exp",     math.exp,              lambda x, out: (out,),                      sample=((-5, 5),),
       arrays=(_exp_on_arrays, True)),
    Op("log",     math.log,              lambda x, out: (1.0 / x,),                  domain="x > 0",
       admits=lambda x, *, margin: x >= margin, sample=((0.05, 10),), arrays=_RULE),
    Op("sqrt",    math.sqrt,             lambda x, out: (0.5 / out,),                domain="x >= 0",
       admits=lambda x, *, margin: x >= margin, sample=((0.05, 10),), arrays=(_sqrt_on_arrays, True)),
    Op("tanh",    math.tanh,             lambda x, out: (1.0 - out * out,),          arrays=_RULE),
    Op("sigmoid", _sigmoid,              lambda x, out: (out * (1.0 - out),),        symbol="σ", sample=((-6, 6),),
       arrays=(_sigmoid_on_arrays, True)),
    Op("softplus", _softplus,            lambda x, out: (_sigmoid_of(x),),            sample=((-6, 6),), arrays=_RULE),
    Op("relu",    _relu,                 lambda x, out: (_step(x),),                 symbol="ReLU", kinks=(0.0,), select=True,
       fast=_relu_fast, arrays=(_relu_on_arrays, True)),
    # leaky_relu(x, slope): the slope is a constant input.
    Op("leaky_relu", _leaky_relu,        lambda x, a, out: (_slope(x, a), 0.0),
       arity=2, kinks=(0.0,), sample=((-3, 3), (0.01, 0.5)), constants=(1,),
       arrays=(_leaky_relu_on_arrays, True)),
    Op("abs",     abs,                   lambda x, out: (_sign(x),),                 kinks=(0.0,), arrays=_AS_WRITTEN),
    Op("sin",     math.sin,              lambda x, out: (_cos(x),),                  arrays=_RULE),
    Op("cos",     math.cos,              lambda x, out: (-_sin(x),),                 arrays=_RULE),
    # tan has poles at π/2 + kπ, where cos x = 0: inputs are drawn away from them.
    Op("tan",     math.tan,              lambda x, out: (1.0 + out * out,),          domain="x != π/2 + kπ",
       admits=lambda x, *, margin: abs(math.cos(x)) >= margin, sample=((-1.2, 1.2),), arrays=_RULE),
    # Fused n-ary nodes: one node, n parents.
    Op("sum",     _sum,                  lambda *xs, out: (1.0,) * len(xs),          symbol="Σ", arity=None, fast=_add_fast,
       arrays=(_sum_rows, None)),
    Op("dot",     _dot,                  _dot_derivative,                            symbol="w·x+b", arity=None, fast=_dot_fast,
       arrays=(_dot_rows, None)),
    # log Σ e^xᵢ, stable at any size: ∂/∂xᵢ = e^(xᵢ − out), the softmax.
    Op("logsumexp", _logsumexp,          lambda *xs, out: tuple(_exp(x - out) for x in xs), symbol="logΣexp", arity=None,
       arrays=(_logsumexp_rows, _logsumexp_derivative_rows)),
)}
# fmt: on


# Not a row of the table: the node a traced step's sum() of float arguments makes (see
# autograd.replay.builtin_sum). Python's sum() adds floats with compensation from 3.12, so it
# is its own op: the forward is sum() itself, and ∂/∂ each input is 1, as for Σ.


_BUILTIN_SUM = builtins.sum  # (a trace puts its own in builtins while it runs)


def python_sum(start: float, *xs: float) -> float:
    """``sum(xs, start)``, Python's own (floats: compensated from Python 3.12)."""
    return _BUILTIN_SUM(xs, start)


PYTHON_SUM = Op(
    "python_sum", python_sum, lambda *xs, out: (1.0,) * len(xs), symbol="sum()", arity=None
)


# --- Running a forward with errors that name the op ---------------------------------------


_INFIX = {"+", "-", "*", "/", "**"}


def call_repr(op: Op, inputs: tuple[Any, ...], limit: int = 6) -> str:
    """How an op applied to its inputs is written in messages: ``log(-1.0)``, ``1.0 / 0.0``."""
    shown = [repr(x if type(x) is float else x.data) for x in inputs[:limit]]
    if len(inputs) > limit:
        shown.append(f"... {len(inputs) - limit} more")
    if op.symbol in _INFIX and len(shown) == 2:  # neg shares "-" but has one input: neg(x)
        x, y = (f"({s})" if s.startswith("-") else s for s in shown)
        return f"{x} {op.symbol} {y}"
    return f"{op.name}({', '.join(shown)})"


def run(op: Op, inputs: tuple[float, ...]) -> float:
    """Apply ``op.forward`` to floats, raising errors of the type ``math`` would raise.

    ValueError outside the domain, ZeroDivisionError for division by zero (and 0 ** -1),
    OverflowError when finite inputs give a result too large for a float; each message names
    the op and its inputs. Non-finite inputs (inf, nan) propagate as IEEE arithmetic says:
    ``sin(inf)`` and ``inf - inf`` are nan (inside ``autograd.detect_anomaly()`` a nan/inf
    result is an error naming the op).

    >>> run(OPS["log"], (-1.0,))
    Traceback (most recent call last):
    ...
    ValueError: log(-1.0): outside the domain of log, which is x > 0
    """
    try:
        out = op.forward(*inputs)
    except ZeroDivisionError as e:
        raise ZeroDivisionError(f"{call_repr(op, inputs)}: {e}") from None
    except OverflowError:
        raise OverflowError(f"{call_repr(op, inputs)}: result too large for a float") from None
    except ValueError:
        if all(map(math.isfinite, inputs)):
            raise ValueError(
                f"{call_repr(op, inputs)}: outside the domain of {op.symbol}, which is {op.domain}"
            ) from None
        out = math.nan  # IEEE: an invalid operation on inf or nan gives nan
    if not math.isfinite(out):
        if all(map(math.isfinite, inputs)):
            raise OverflowError(f"{call_repr(op, inputs)}: result too large for a float")
        recorder = anomaly()
        if recorder is not None:  # detect_anomaly(): nan/inf from nan/inf inputs is an error
            recorder.forward(op, inputs, out)
    return out
