"""The op table: every operation's forward and local derivative, declared once, side by side.

Each entry says what an op computes on floats and how its output changes with each input
(the *local* derivative ∂out/∂input). Derivative rules are written with operations that work
on floats *and* on Values, so the same rule serves every mode:

- plain backward passes floats and gets numbers;
- ``grad(..., create_graph=True)`` passes the graph's own Value nodes and gets Values, whose
  graph can be differentiated again — that is how grad-of-grad comes for free.

A rule is called as ``rule(*inputs, out=result)`` and always returns a tuple with one local
derivative per input. Inputs that are plain numbers (constants such as the ``2`` in ``x ** 2``)
are stored as floats in the node's parents; their derivative is computed but never used.

>>> OPS["tanh"].derivative(0.5, out=math.tanh(0.5))[0] == 1 - math.tanh(0.5) ** 2
True
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from . import mode

__all__ = ["OPS", "Op", "call_repr", "run"]


class Op:
    """One row of the op table.

    ``name`` identifies the op (errors, graphs); ``symbol`` is how a graph shows it;
    ``forward`` maps floats to a float; ``derivative(*inputs, out=...)`` returns the local
    derivatives; ``arity`` is the number of inputs (None: any number); ``domain`` says, for
    error messages, where the op is defined; ``kinks`` are the points where the op is not
    differentiable (its rule returns the subgradient PyTorch uses there); ``sample`` gives,
    per input, a range where checks may draw inputs (inside the domain, no overflow);
    ``constants`` lists the inputs that are always plain numbers (pow's exponent).
    """

    __slots__ = (
        "arity",
        "constants",
        "derivative",
        "domain",
        "forward",
        "kinks",
        "name",
        "sample",
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
        kinks: tuple[float, ...] = (),
        sample: tuple[tuple[float, float], ...] = ((-3.0, 3.0),),
        constants: tuple[int, ...] = (),
    ) -> None:
        self.name = name
        self.symbol = symbol or name
        self.forward = forward
        self.derivative = derivative
        self.arity = arity
        self.domain = domain
        self.kinks = kinks
        self.sample = sample
        self.constants = constants

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# --- Helpers for rules: they work on floats and on Values ------------------------------------
# In plain backward every rule argument is a float; with create_graph it is a Value (or a float
# constant). These helpers pick the float function or the Value method accordingly.


def _on_float_or_value(method: str, on_float: Callable[[float], float]) -> Callable[[Any], Any]:
    return lambda x: on_float(x) if type(x) is float else getattr(x, method)()


_log = _on_float_or_value("log", math.log)
_sin = _on_float_or_value("sin", math.sin)
_cos = _on_float_or_value("cos", math.cos)


def _value_of(x: Any) -> float:
    """The number a rule argument stands for (a Value's data, or the float itself)."""
    return x if type(x) is float else x.data


def _step(x: Any) -> float:
    """1.0 where x > 0, else 0.0 — relu's derivative (0 at the kink, as PyTorch)."""
    return 1.0 if _value_of(x) > 0.0 else 0.0


def _sign(x: Any) -> float:
    """abs's derivative: the sign of x, 0 at the kink (as PyTorch)."""
    v = _value_of(x)
    return 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)


def _log_of_base(x: Any, y: Any, out: Any) -> Any:
    """∂(x**y)/∂y = x**y · log x, which needs x > 0 (0 when x == 0 and y > 0, as PyTorch)."""
    base = _value_of(x)
    if base > 0.0:
        return out * _log(x)
    if base == 0.0 and _value_of(y) > 0.0:
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
    return math.fsum(xs)


def _dot(*a: float) -> float:
    # Inputs are laid out as (w1..wn, x1..xn) or (w1..wn, x1..xn, bias).
    n = len(a) // 2
    total = math.fsum(map(operator.mul, a[:n], a[n : 2 * n]))
    return total + a[-1] if len(a) % 2 else total


def _dot_derivative(*a: Any, out: Any) -> tuple[Any, ...]:
    n = len(a) // 2
    return a[n : 2 * n] + a[:n] + ((1.0,) if len(a) % 2 else ())


_POW_DOMAIN = "x >= 0, or x < 0 with an integer exponent (else the result would be complex)"

# fmt: off
OPS: dict[str, Op] = {op.name: op for op in (
    # name        forward on floats      local derivative(s), with ops that work on floats or Values
    Op("add",     operator.add,          lambda x, y, out: (1.0, 1.0),               symbol="+", arity=2, sample=((-3, 3), (-3, 3))),
    Op("sub",     operator.sub,          lambda x, y, out: (1.0, -1.0),              symbol="-", arity=2, sample=((-3, 3), (-3, 3))),
    Op("mul",     operator.mul,          lambda x, y, out: (y, x),                   symbol="*", arity=2, sample=((-3, 3), (-3, 3))),
    Op("div",     operator.truediv,      lambda x, y, out: (1.0 / y, -out / y),      symbol="/", arity=2, domain="y != 0", sample=((-3, 3), (0.5, 3))),
    Op("neg",     operator.neg,          lambda x, out: (-1.0,),                     symbol="-"),
    # x ** c for a constant c: the exponent is a plain number, never differentiated.
    Op("pow",     _pow,                  lambda x, c, out: (c * x ** (c - 1.0) if c else 0.0, 0.0), symbol="**", arity=2,
       domain=_POW_DOMAIN, sample=((0.2, 3), (-2.5, 2.5)), constants=(1,)),
    # x ** y with y a Value (or a number ** Value): both inputs may be differentiated.
    Op("vpow",    _pow,                  lambda x, y, out: (y * x ** (y - 1.0), _log_of_base(x, y, out)), symbol="**", arity=2,
       domain=_POW_DOMAIN, sample=((0.2, 3), (-2.5, 2.5))),
    Op("exp",     math.exp,              lambda x, out: (out,),                      sample=((-5, 5),)),
    Op("log",     math.log,              lambda x, out: (1.0 / x,),                  domain="x > 0", sample=((0.05, 10),)),
    Op("sqrt",    math.sqrt,             lambda x, out: (0.5 / out,),                domain="x >= 0", sample=((0.05, 10),)),
    Op("tanh",    math.tanh,             lambda x, out: (1.0 - out * out,)),
    Op("sigmoid", _sigmoid,              lambda x, out: (out * (1.0 - out),),        symbol="σ", sample=((-6, 6),)),
    Op("softplus", _softplus,            lambda x, out: (_sigmoid_of(x),),            sample=((-6, 6),)),
    Op("relu",    lambda x: x if x > 0.0 else 0.0, lambda x, out: (_step(x),),       symbol="ReLU", kinks=(0.0,)),
    # leaky_relu(x, slope): the slope is a constant input.
    Op("leaky_relu", lambda x, a: x if x > 0.0 else a * x,
                                         lambda x, a, out: (1.0 if _value_of(x) > 0.0 else a, 0.0),
       arity=2, kinks=(0.0,), sample=((-3, 3), (0.01, 0.5)), constants=(1,)),
    Op("abs",     abs,                   lambda x, out: (_sign(x),),                 kinks=(0.0,)),
    Op("sin",     math.sin,              lambda x, out: (_cos(x),)),
    Op("cos",     math.cos,              lambda x, out: (-_sin(x),)),
    # Fused n-ary nodes: one node, n parents.
    Op("sum",     _sum,                  lambda *xs, out: (1.0,) * len(xs),          symbol="Σ", arity=None),
    Op("dot",     _dot,                  _dot_derivative,                            symbol="w·x+b", arity=None),
)}
# fmt: on


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
    OverflowError when a finite input gives a result too large for a float; each message names
    the op and its inputs. Non-finite inputs (inf, nan) propagate as IEEE arithmetic says
    (inside ``autograd.detect_anomaly()`` a nan/inf result is an error).

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
        raise ValueError(
            f"{call_repr(op, inputs)}: outside the domain of {op.symbol}, which is {op.domain}"
        ) from None
    if not math.isfinite(out):
        if all(map(math.isfinite, inputs)):
            raise OverflowError(f"{call_repr(op, inputs)}: result too large for a float")
        if mode.anomaly is not None:  # detect_anomaly(): nan/inf from nan/inf inputs is an error
            mode.anomaly.forward(op, inputs, out)
    return out
