"""Hypothesis strategies for property tests of gradients: random expressions, MLPs, Values.

A property test of your own, in three lines:

>>> from hypothesis import given
>>> from autograd import gradcheck
>>> from autograd.testing import expressions
>>> @given(expressions(max_nodes=6))
... def test_gradients_match_finite_differences(expr):
...     assert gradcheck(expr, expr.leaves)
>>> test_gradients_match_finite_differences()

:func:`expressions` draws DAGs over the op table — shared subexpressions, constants, n-ary
``sum``/``dot``, ``Value ** Value`` — with every op's inputs inside its domain (log of a
positive number, nothing on relu's kink, bounded exponents, no overflow). A drawn
:class:`Expression` prints as Python source, so a shrunk failure can be pasted and rerun::

    import autograd
    from autograd import Value
    x0 = Value(0.5)
    x1 = Value(2.0)
    t2 = x0 * x1
    y = t2.tanh() + autograd.sum([t2, x0, 1.5])

This module needs Hypothesis (``pip install hypothesis``); ``import autograd`` does not load it.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

from . import functions as F
from .ops import OPS, Op, run
from .value import Value, apply

__all__ = ["DEFAULT_EXPONENTS", "RATIONAL_OPS", "Expression", "expressions", "mlps", "values"]

# Ops whose results and derivatives are rational functions of their inputs (with integer
# exponents): exact in fractions.Fraction arithmetic.
RATIONAL_OPS = ("add", "sub", "mul", "div", "neg", "pow", "sum", "dot")

# Exponents drawn for ``x ** c``: integers (any base), halves (positive bases), and 0 and 1.
DEFAULT_EXPONENTS = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)

BOUND = 1e3  # every value in a drawn expression has |value| <= BOUND
MARGIN = 0.1  # how far inputs stay from a singularity: log 0, x / 0, 0 ** -1, 0 ** 0.5
KINK_MARGIN = 0.01  # how far inputs stay from a kink (relu, abs, leaky_relu at 0)
MAX_VPOW_EXPONENT = 3.0  # |y| in x ** y for a Value y

Node = tuple[Op, tuple[Any, ...]]  # an op and its arguments: int = slot number, float = constant


class Expression:
    """A DAG: numbered inputs (``leaves``), then ``nodes`` that apply an op to earlier slots.

    Slot ``i < len(leaves)`` is input ``xi``; slot ``len(leaves) + k`` is node ``k``. A node
    is ``(op, args)`` where each arg is an ``int`` (a slot) or a ``float`` (a constant, such as
    the exponent in ``x ** 2.0``). The last node is the output. Calling the expression on
    Values builds it with the engine's public operations — the same code its repr prints.

    >>> e = Expression((0.5, 2.0), ((OPS["mul"], (0, 1)), (OPS["tanh"], (2,)), (OPS["add"], (3, 0))))
    >>> print(e)
    from autograd import Value
    x0 = Value(0.5)
    x1 = Value(2.0)
    y = (x0 * x1).tanh() + x0
    >>> leaves, y = e.build()
    >>> round(y.data, 6)
    1.261594
    """

    __slots__ = ("leaves", "nodes")

    def __init__(self, leaves: Sequence[float], nodes: Sequence[Node]) -> None:
        self.leaves = tuple(float(x) for x in leaves)
        self.nodes = tuple((op, tuple(args)) for op, args in nodes)
        if not self.nodes:
            raise ValueError("Expression: needs at least one node")

    def __call__(self, xs: Sequence[Value | float]) -> Value:
        """The output, built from ``xs`` (one per leaf) with the engine's public operations."""
        if len(xs) != len(self.leaves):
            raise ValueError(f"Expression: expected {len(self.leaves)} inputs, got {len(xs)}")
        slots: dict[int, Any] = dict(enumerate(xs))
        n = len(self.leaves)
        for k in self.evaluation_order():  # the source's order, so pasted code is the same graph
            op, args = self.nodes[k]
            operands = [slots[a] if type(a) is int else a for a in args]
            slots[n + k] = _spelling(op)[1](*operands)
        return slots[n + len(self.nodes) - 1]

    def evaluation_order(self) -> list[int]:
        """Node numbers in the order the printed source creates them: line by line (a shared
        node, then the output), each line's inlined operands first, left to right. Nodes the
        output does not depend on are left out."""
        n, uses, last = len(self.leaves), self.uses(), len(self.nodes) - 1
        order: list[int] = []
        for line in range(len(self.nodes)):
            if line != last and uses[n + line] < 2:
                continue  # inlined where it is used (or unused)
            stack = [(line, False)]
            while stack:  # post-order walk of the line's inlined operands
                k, operands_done = stack.pop()
                if operands_done:
                    order.append(k)
                    continue
                stack.append((k, True))
                for a in reversed(self.nodes[k][1]):
                    if type(a) is int and a >= n and uses[a] == 1:
                        stack.append((a - n, False))
        return order

    def build(self) -> tuple[list[Value], Value]:
        """Fresh leaves (labelled x0, x1, ...) and the output built from them."""
        leaves = [Value(x, f"x{i}") for i, x in enumerate(self.leaves)]
        return leaves, self(leaves)

    def uses(self) -> list[int]:
        """How many times each slot is an argument (fan-out where > 1)."""
        counts = [0] * (len(self.leaves) + len(self.nodes))
        for _, args in self.nodes:
            for a in args:
                if type(a) is int:
                    counts[a] += 1
        return counts

    @property
    def source(self) -> str:
        """Python source that rebuilds the expression, ending with ``y = ...``."""
        n = len(self.leaves)
        uses = self.uses()
        ops = {op.name for op, _ in self.nodes}
        header = ["import autograd"] if ops & {"sum", "dot"} else []
        header.append("from autograd import Value")
        if any(OPS.get(op.name) is not op for op, _ in self.nodes):
            header.append("from autograd.value import apply  # and your own Op objects")
        lines = [f"x{i} = Value({x!r})" for i, x in enumerate(self.leaves)]
        texts: list[tuple[str, bool]] = [(f"x{i}", True) for i in range(n)]
        for k, (op, args) in enumerate(self.nodes):
            operands = [texts[a] if type(a) is int else _constant(a) for a in args]
            text = _spelling(op)[0](*operands)
            slot = n + k
            if k == len(self.nodes) - 1:
                lines.append(f"y = {text[0]}")
            elif uses[slot] > 1:  # shared: give it a name
                lines.append(f"t{slot} = {text[0]}")
                text = (f"t{slot}", True)
            texts.append(text)
        return "\n".join(header + lines)

    def __repr__(self) -> str:
        return self.source

    def __len__(self) -> int:
        return len(self.nodes)


# --- how each op is written and called ------------------------------------------------------

Text = tuple[str, bool]  # source text, and whether it needs no parentheses as an operand


def _constant(c: float) -> Text:
    text = repr(c)
    return text, not text.startswith("-")


def _operand(t: Text) -> str:
    return t[0] if t[1] else f"({t[0]})"


def _infix(symbol: str) -> Callable[..., Text]:
    return lambda a, b: (f"{_operand(a)} {symbol} {_operand(b)}", False)


def _method(name: str) -> Callable[..., Text]:
    return lambda a, *rest: (f"{_operand(a)}.{name}({', '.join(r[0] for r in rest)})", True)


def _list(items: Sequence[Text]) -> str:
    return "[" + ", ".join(t[0] for t in items) + "]"


def _sum_text(*xs: Text) -> Text:
    return f"autograd.sum({_list(xs)})", True


def _dot_text(*a: Text) -> Text:
    n = len(a) // 2
    bias = f", {a[-1][0]}" if len(a) % 2 else ""
    return f"autograd.dot({_list(a[:n])}, {_list(a[n : 2 * n])}{bias})", True


def _dot_call(*a: Any) -> Value:
    n = len(a) // 2
    return F.dot(a[:n], a[n : 2 * n], a[-1] if len(a) % 2 else None)


_SPELLINGS: dict[str, tuple[Callable[..., Text], Callable[..., Any]]] = {
    "add": (_infix("+"), operator.add),
    "sub": (_infix("-"), operator.sub),
    "mul": (_infix("*"), operator.mul),
    "div": (_infix("/"), operator.truediv),
    "pow": (_infix("**"), operator.pow),
    "vpow": (_infix("**"), operator.pow),
    "neg": (lambda a: (f"-{_operand(a)}", False), operator.neg),
    "abs": (lambda a: (f"abs({a[0]})", True), abs),
    "leaky_relu": (_method("leaky_relu"), Value.leaky_relu),
    "sum": (_sum_text, lambda *xs: F.sum(xs)),
    "dot": (_dot_text, _dot_call),
}
for _name in ("exp", "log", "sqrt", "tanh", "sigmoid", "softplus", "relu", "sin", "cos"):
    _SPELLINGS[_name] = (_method(_name), getattr(Value, _name))


def _spelling(op: Op) -> tuple[Callable[..., Text], Callable[..., Any]]:
    """How ``op`` is written in source and called; an op outside the table goes through apply."""
    if OPS.get(op.name) is op:
        return _SPELLINGS[op.name]

    def text(*a: Text) -> Text:
        return f"apply({op.name}, {', '.join(t[0] for t in a)})", True

    return text, lambda *a: apply(op, *a)


# --- drawing expressions ---------------------------------------------------------------------


def _admissible(op: Op, position: int, x: float, constants: dict[int, float]) -> bool:
    """May ``x`` be input ``position`` of ``op`` (whose constant inputs are ``constants``)?

    Inside the op's domain, away from its singularities and kinks, with bounded exponents.
    An op outside the table is fed only from its declared sampling ranges.
    """
    if position not in op.constants and any(abs(x - k) < KINK_MARGIN for k in op.kinks):
        return False
    name = op.name if OPS.get(op.name) is op else None
    if name in ("log", "sqrt"):
        return x >= MARGIN
    if name == "div" and position == 1:
        return abs(x) >= MARGIN
    if name == "pow" and position == 0:
        c = constants[1]
        if c != int(c):
            return x >= MARGIN  # a fractional power needs a positive base
        return c >= 0 or abs(x) >= MARGIN
    if name == "vpow":
        return x >= MARGIN if position == 0 else abs(x) <= MAX_VPOW_EXPONENT
    if name is None:
        lo, hi = op.sample[min(position, len(op.sample) - 1)]
        return lo <= x <= hi
    return True


def _ops(ops: Sequence[str | Op] | None) -> list[Op]:
    if ops is None:
        return list(OPS.values())
    out = []
    for op in ops:
        if isinstance(op, Op):
            out.append(op)
        elif op in OPS:
            out.append(OPS[op])
        else:
            raise ValueError(f"expressions: unknown op {op!r}; valid names are {', '.join(OPS)}")
    if not out:
        raise ValueError("expressions: ops must name at least one op")
    return out


_CONSTANT = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


def _draw_node(
    draw: Any, op: Op, values: list[float], uses: list[int], reuse: bool, exponents: Any
) -> tuple[tuple[Any, ...], float] | None:
    """Arguments for ``op`` drawn from the slots (or constants), and the result; None if the
    slots hold nothing ``op`` can take."""
    name = op.name if OPS.get(op.name) is op else None
    if op.arity is not None:
        arity = op.arity
    elif name == "dot":
        pairs = draw(st.integers(1, 3))
        arity = 2 * pairs + draw(st.integers(0, 1))
    else:
        arity = draw(st.integers(1, 4))
    # Ops a plain number may feed. Only x ** y's base: a number exponent would make it pow.
    may_be_constant = name in ("add", "sub", "mul", "div", "sum", "dot")
    constants: dict[int, float] = {}
    for position in op.constants:  # drawn first: pow's base depends on its exponent
        if name == "pow":
            constants[position] = float(draw(exponents))
        elif name == "leaky_relu":
            constants[position] = draw(st.floats(0.0, 1.0))
        else:
            lo, hi = op.sample[min(position, len(op.sample) - 1)]
            constants[position] = draw(st.floats(lo, hi))
    args: list[Any] = []
    data: list[float] = []
    taken: set[int] = set()
    for position in range(arity):
        if position in constants:
            args.append(constants[position])
            data.append(constants[position])
            continue
        last_chance = position == arity - 1 and not any(type(a) is int for a in args)
        constant_ok = may_be_constant or (name == "vpow" and position == 0)
        if constant_ok and not last_chance and draw(st.integers(0, 4)) == 4:
            c = draw(_CONSTANT)
            if _admissible(op, position, c, constants):
                args.append(c)
                data.append(c)
                continue
        fresh = [s for s, u in enumerate(uses) if u == 0 and s not in taken]
        pool = fresh if not reuse or (fresh and draw(st.integers(0, 3)) != 3) else range(len(uses))
        candidates = [s for s in pool if _admissible(op, position, values[s], constants)]
        if not candidates:
            return None
        s = draw(st.sampled_from(candidates[::-1]))  # newest first: shrinks towards chains
        taken.add(s)
        args.append(s)
        data.append(values[s])
    try:
        result = run(op, tuple(data))
    except (ArithmeticError, ValueError):
        return None
    if not abs(result) <= BOUND:
        return None
    return tuple(args), result


def _prune(leaves: list[float], nodes: list[Node]) -> Expression:
    """Drop nodes the output does not depend on, renumbering the slots."""
    n = len(leaves)
    live = {n + len(nodes) - 1}
    for k in range(len(nodes) - 1, -1, -1):
        if n + k in live:
            live.update(a for a in nodes[k][1] if type(a) is int)
    renumber = {s: s for s in range(n)}
    kept: list[Node] = []
    for k, (op, args) in enumerate(nodes):
        if n + k in live:
            renumber[n + k] = n + len(kept)
            kept.append((op, tuple(renumber[a] if type(a) is int else a for a in args)))
    return Expression(leaves, kept)


@st.composite
def _expressions(
    draw: Any,
    ops: list[Op],
    max_leaves: int,
    max_nodes: int,
    reuse: bool,
    leaves: st.SearchStrategy[float],
    exponents: st.SearchStrategy[float],
) -> Expression:
    xs = [float(draw(leaves)) for _ in range(draw(st.integers(1, max_leaves)))]
    values = list(xs)
    uses = [0] * len(xs)
    nodes: list[Node] = []
    for _ in range(draw(st.integers(1, max_nodes))):
        first = draw(st.integers(0, len(ops) - 1))
        for attempt in range(len(ops)):  # the drawn op, else the next one that fits
            op = ops[(first + attempt) % len(ops)]
            made = _draw_node(draw, op, values, uses, reuse, exponents)
            if made is not None:
                args, result = made
                nodes.append((op, args))
                for a in args:
                    if type(a) is int:
                        uses[a] += 1
                values.append(result)
                uses.append(0)
                break
    if not nodes:
        reject()  # no op could take these leaves (e.g. ops=["log"] with negative leaves)
    return _prune(xs, nodes)


def expressions(
    ops: Sequence[str | Op] | None = None,
    *,
    max_leaves: int = 3,
    max_nodes: int = 8,
    reuse: bool = True,
    leaves: st.SearchStrategy[float] | None = None,
    exponents: Sequence[float] | st.SearchStrategy[float] = DEFAULT_EXPONENTS,
) -> st.SearchStrategy[Expression]:
    """Random expression DAGs over ``ops`` (names or :class:`~autograd.Op` objects; default:
    the whole op table), with 1..``max_leaves`` inputs and up to ``max_nodes`` ops.

    ``reuse=True`` lets a node or input feed several ops (fan-out, shared subexpressions);
    ``reuse=False`` draws trees. Inputs come from ``leaves`` (default: floats in [-3, 3]);
    ``x ** c`` takes its constant exponent ``c`` from ``exponents``. Every op's inputs are in its
    domain, at least ``MARGIN`` from a singularity and ``KINK_MARGIN`` from a kink, and every
    value is at most ``BOUND`` in size. An op of your own (not in the table) is fed inputs
    from its ``sample`` ranges.

    >>> from hypothesis import find
    >>> e = find(expressions(["log"]), lambda e: True)
    >>> e.nodes[0][0].name, e.leaves[0] >= MARGIN
    ('log', True)
    """
    chosen = _ops(ops)
    if max_leaves < 1 or max_nodes < 1:
        raise ValueError("expressions: max_leaves and max_nodes must be at least 1")
    if leaves is None:
        leaves = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)
    if not isinstance(exponents, st.SearchStrategy):
        exponents = st.sampled_from([float(c) for c in exponents])
    return _expressions(chosen, max_leaves, max_nodes, reuse, leaves, exponents)


def values(
    min_value: float = -3.0, max_value: float = 3.0, *, label: str = ""
) -> st.SearchStrategy[Value]:
    """Leaf Values with finite data in [min_value, max_value].

    >>> from hypothesis import find
    >>> find(values(1.0, 2.0), lambda v: True)
    Value(data=1.0, grad=0.0)
    """
    floats = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    return floats.map(lambda x: Value(x, label))


# --- MLPs ---------------------------------------------------------------------------------


@functools.cache
def _drawn_mlp_class() -> type:
    """nn.MLP, but its repr is the source that rebuilds it (weights and all). Made on first
    use: ``import autograd.testing`` does not import ``nn``."""
    from nn import MLP

    class DrawnMLP(MLP):
        """An :class:`nn.MLP` drawn by :func:`mlps`; its repr is source code."""

        source = ""

        def __repr__(self) -> str:
            return self.source

    return DrawnMLP


Size = int | tuple[int, int] | st.SearchStrategy[int]  # n, a range (lo, hi), or a strategy


def _size(x: Size) -> st.SearchStrategy[int]:
    if isinstance(x, st.SearchStrategy):
        return x
    if isinstance(x, tuple):
        return st.integers(*x)
    return st.just(x)


@st.composite
def _mlps(
    draw: Any,
    nin: st.SearchStrategy[int],
    depth: st.SearchStrategy[int],
    width: st.SearchStrategy[int],
    nout: st.SearchStrategy[int],
    activations: Sequence[str],
    output_activations: Sequence[str],
    weights: st.SearchStrategy[float],
) -> Any:
    sizes = [draw(nin)] + [draw(width) for _ in range(draw(depth) - 1)] + [draw(nout)]
    matrices = [
        [[float(draw(weights)) for _ in range(n_in)] for _ in range(n_out)]
        for n_in, n_out in itertools.pairwise(sizes)
    ]
    biases = [[float(draw(weights)) for _ in range(n_out)] for n_out in sizes[1:]]
    activation = draw(st.sampled_from(list(activations)))
    output = draw(st.sampled_from(list(output_activations)))
    cls = _drawn_mlp_class()
    model = cls.from_matrices(matrices, biases, activation=activation, output_activation=output)
    model.source = (
        f"import nn\nmodel = nn.MLP.from_matrices({matrices!r}, {biases!r}, "
        f"activation={activation!r}, output_activation={output!r})"
    )
    return model


def mlps(
    *,
    nin: Size = (1, 3),
    depth: Size = (1, 3),
    width: Size = (1, 4),
    nout: Size = (1, 3),
    activations: Sequence[str] = ("relu", "tanh", "sigmoid", "linear"),
    output_activations: Sequence[str] = ("linear", "sigmoid", "tanh", "relu", "softmax"),
    weights: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[Any]:
    """Random :class:`nn.MLP` networks: ``nin`` inputs, ``depth`` layers (the hidden ones
    ``width`` wide), ``nout`` outputs, a hidden activation and an output activation drawn from
    the lists, weights and biases from ``weights`` (default: floats in [-2, 2]).

    Each size may be an int, an inclusive range ``(lo, hi)`` or a strategy. The drawn model's
    repr is the source that rebuilds it (``nn.MLP.from_matrices(...)``). Needs the ``nn``
    package (part of this project).

    >>> from hypothesis import find
    >>> model = find(mlps(nin=2, depth=2, width=3), lambda m: True)
    >>> [W.shape for W in model.weight_matrices()]
    [(3, 2), (1, 3)]
    """
    if weights is None:
        weights = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
    return _mlps(
        _size(nin),
        _size(depth),
        _size(width),
        _size(nout),
        activations,
        output_activations,
        weights,
    )
