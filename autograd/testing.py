"""Hypothesis strategies for property tests of gradients: random expressions and Values.

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

Everything about an op comes from its row of :data:`autograd.OPS`: how it is written (an
operator for ``+ - * / **``, else a ``Value`` method, else ``autograd.apply``), which inputs
may be plain numbers, and where its inputs may lie (``admits``, ``kinks``, ``sample``).
:func:`network_arrays` draws parameter and data arrays for a network's shapes, to check a
hand-derived formula with :func:`autograd.check_formula`; random networks are drawn by
``nn.testing.mlps``.

This module needs Hypothesis (``pip install hypothesis``); ``import autograd`` does not load it.
"""

from __future__ import annotations

import builtins
import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

from . import functions as F
from .ops import OPS, Op, dot_parts, run
from .value import Value, apply

__all__ = [
    "DEFAULT_EXPONENTS",
    "RATIONAL_OPS",
    "Arrays",
    "Expression",
    "expressions",
    "network_arrays",
    "values",
]

# Ops whose results and derivatives are rational functions of their inputs (with integer
# exponents): exact in fractions.Fraction arithmetic.
RATIONAL_OPS = ("add", "sub", "mul", "div", "neg", "pow", "sum", "dot")

# Exponents drawn for ``x ** c``: integers (any base), halves (positive bases), and 0 and 1.
DEFAULT_EXPONENTS = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)

BOUND = 1e3  # every value in a drawn expression has |value| <= BOUND
MARGIN = 0.1  # how far inputs stay from a singularity or the edge of a domain (Op.admits)
KINK_MARGIN = 0.01  # how far inputs stay from a kink (relu, abs, leaky_relu at 0)

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
        node, then the output), each line's inlined operands first, in the order the source
        writes them (a dot's weights before its inputs). Nodes the output does not depend on
        are left out."""
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
                op, args = self.nodes[k]
                for i in reversed(_written_order(op, len(args))):
                    a = args[i]
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
        written = [_spelling(op)[0](*[("x", True)] * _arity(op)) for op, _ in self.nodes]
        header = ["import autograd"] if any("autograd." in t for t, _ in written) else []
        header.append("from autograd import Value")
        if any(OPS.get(op.name) is not op for op, _ in self.nodes):
            header.append("from autograd import apply  # and your own Op objects")
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


# --- how each op is written and called: derived from its row --------------------------------

Text = tuple[str, bool]  # source text, and whether it needs no parentheses as an operand
Spelling = tuple[Callable[..., Text], Callable[..., Any]]

_BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_BINARY["**"] = operator.pow
_PREFIX = {"-": operator.neg}


def _constant(c: float) -> Text:
    text = repr(c)
    return text, not text.startswith("-")


def _operand(t: Text) -> str:
    return t[0] if t[1] else f"({t[0]})"


def _list(items: Sequence[Text]) -> str:
    return "[" + ", ".join(t[0] for t in items) + "]"


def _arity(op: Op) -> int:
    return 2 if op.arity is None else op.arity


@functools.cache
def _spelling(op: Op) -> Spelling:
    """How ``op`` is written in source, and the call that builds it: an operator for the rows
    whose symbol is one (``x * y``, ``-x``), the builtin for ``abs``, a ``Value`` method
    (``x.tanh()``), ``autograd.sum``/``autograd.dot`` for the n-ary ops, else ``apply``."""
    name = op.name
    if OPS.get(name) is not op:  # an op of the user's own: apply(cube, x)
        return (
            lambda *a: (f"apply({name}, {', '.join(t[0] for t in a)})", True),
            lambda *a: apply(op, *a),
        )
    if op.arity == 2 and op.symbol in _BINARY:
        return (
            lambda a, b: (f"{_operand(a)} {op.symbol} {_operand(b)}", False),
            _BINARY[op.symbol],
        )
    if op.arity == 1 and op.symbol in _PREFIX:
        return lambda a: (f"{op.symbol}{_operand(a)}", False), _PREFIX[op.symbol]
    if hasattr(Value, f"__{name}__") and callable(getattr(builtins, name, None)):
        return lambda a: (f"{name}({a[0]})", True), getattr(builtins, name)
    if callable(getattr(Value, name, None)):
        return (
            lambda a, *rest: (f"{_operand(a)}.{name}({', '.join(r[0] for r in rest)})", True),
            lambda a, *rest: getattr(a, name)(*rest),
        )
    if name == "dot":

        def dot_text(*a: Text) -> Text:
            ws, xs, bias = dot_parts(a)
            return f"autograd.dot({_list(ws)}, {_list(xs)}{f', {bias[0]}' if bias else ''})", True

        return dot_text, lambda *a: F.dot(*dot_parts(a))
    if op.arity is None and callable(getattr(F, name, None)):
        return lambda *a: (f"autograd.{name}({_list(a)})", True), lambda *a: getattr(F, name)(a)
    return (
        lambda *a: (f"autograd.apply({name!r}, {', '.join(t[0] for t in a)})", True),
        lambda *a: apply(op, *a),
    )


@functools.cache
def _written_order(op: Op, arity: int) -> tuple[int, ...]:
    """The input positions in the order the source writes (and Python evaluates) them:
    in order, but a dot's weights come before its inputs, as ``autograd.dot(ws, xs, bias)``."""
    if OPS.get(op.name) is op and op.name == "dot":
        ws, xs, bias = dot_parts(range(arity))
        return (*ws, *xs) if bias is None else (*ws, *xs, bias)
    return tuple(range(arity))


@functools.cache
def _takes_number(op: Op, position: int, arity: int) -> bool:
    """Whether input ``position`` of ``op`` may be a plain number, with a Value elsewhere:
    written that way, does the source still build this op? (``2 * x`` is a mul, but ``x ** 2``
    is pow, not vpow, and ``2.0.tanh()`` is no Value at all.)"""
    if position in op.constants:
        return True
    inputs: list[Any] = [_probe_point(op, arity)[j] for j in range(arity)]
    for j in range(arity):
        if j not in op.constants:
            inputs[j] = Value(inputs[j]) if j != position else inputs[j]
    try:
        built = _spelling(op)[1](*inputs)
    except (TypeError, AttributeError, ArithmeticError, ValueError):
        return False
    return isinstance(built, Value) and built.op is op


def _probe_point(op: Op, arity: int) -> list[float]:
    """Inputs in the middle of the op's sampling ranges."""
    return [sum(op.sample[min(j, len(op.sample) - 1)]) / 2 for j in range(arity)]


# --- drawing expressions ---------------------------------------------------------------------


def _admissible(op: Op, position: int, x: float, known: dict[int, float], arity: int) -> bool:
    """May ``x`` be input ``position`` of ``op``, whose inputs ``known`` are chosen already?

    Away from the op's kinks, and inside its domain with a margin (``op.admits``, asked with
    the inputs not chosen yet in the middle of their sampling ranges). An op outside the
    table that declares no ``admits`` is fed only from its sampling ranges.
    """
    if position not in op.constants and any(abs(x - k) < KINK_MARGIN for k in op.kinks):
        return False
    if op.admits is None:
        if OPS.get(op.name) is op:
            return True
        lo, hi = op.sample[min(position, len(op.sample) - 1)]
        return lo <= x <= hi
    point = _probe_point(op, arity)
    for j, v in known.items():
        point[j] = v
    point[position] = x
    return bool(op.admits(*point, margin=MARGIN))


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
    if op.arity is not None:
        arity = op.arity
    elif op.name == "dot" and OPS.get("dot") is op:
        arity = 2 * draw(st.integers(1, 3)) + draw(st.integers(0, 1))  # pairs, then a bias
    else:
        arity = draw(st.integers(1, 4))
    known: dict[int, float] = {}
    for position in op.constants:  # drawn first: pow's base depends on its exponent
        if op.symbol == "**":
            known[position] = float(draw(exponents))
        else:
            lo, hi = op.sample[min(position, len(op.sample) - 1)]
            known[position] = draw(st.floats(lo, hi))
    args: list[Any] = []
    taken: set[int] = set()
    for position in range(arity):
        if position in op.constants:
            args.append(known[position])
            continue
        later = [j for j in range(position + 1, arity) if j not in op.constants]
        last_chance = not later and not any(type(a) is int for a in args)
        if _takes_number(op, position, arity) and not last_chance and draw(st.integers(0, 4)) == 4:
            c = draw(_CONSTANT)
            if _admissible(op, position, c, known, arity):
                args.append(c)
                known[position] = c
                continue
        fresh = [s for s, u in enumerate(uses) if u == 0 and s not in taken]
        pool = fresh if not reuse or (fresh and draw(st.integers(0, 3)) != 3) else range(len(uses))
        candidates = [s for s in pool if _admissible(op, position, values[s], known, arity)]
        if not candidates:
            return None
        s = draw(st.sampled_from(candidates[::-1]))  # newest first: shrinks towards chains
        taken.add(s)
        args.append(s)
        known[position] = values[s]
    try:
        result = run(op, tuple(known[j] for j in range(arity)))
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
    ``x ** c`` takes its constant exponent ``c`` from ``exponents``, other constant inputs come
    from the op's ``sample`` ranges. Every op's inputs are admitted by its ``admits`` (inside
    its domain, at least ``MARGIN`` from a singularity) and at least ``KINK_MARGIN`` from a
    kink, and every value is at most ``BOUND`` in size. An op of your own that declares no
    ``admits`` is fed inputs from its ``sample`` ranges only.

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


# --- arrays for a network's shapes, for check_formula ------------------------------------------

Shape = str | Sequence[str | int]  # "N D", or ("N", "D"), or (3, "D")


class Arrays:
    """Parameter and data arrays drawn by :func:`network_arrays`: ``params`` and ``data`` are
    dicts of numpy arrays by name. Its repr is numpy source that rebuilds them exactly."""

    __slots__ = ("data", "params", "sizes")

    def __init__(self, params: dict[str, Any], data: dict[str, Any], sizes: dict[str, int]) -> None:
        self.params, self.data, self.sizes = params, data, sizes

    def __repr__(self) -> str:
        def block(name: str, arrays: dict[str, Any]) -> str:
            items = ",\n".join(f"    {k!r}: np.array({v.tolist()!r})" for k, v in arrays.items())
            return f"{name} = {{\n{items},\n}}" if arrays else f"{name} = {{}}"

        sizes = ", ".join(f"{k}={v}" for k, v in self.sizes.items())
        return "\n".join(
            [
                "import numpy as np",
                f"# sizes: {sizes}",
                block("params", self.params),
                block("data", self.data),
            ]
        )


def _dims(shape: Shape) -> tuple[str | int, ...]:
    return tuple(shape.split()) if isinstance(shape, str) else tuple(shape)


def network_arrays(
    params: dict[str, Shape],
    data: dict[str, Shape] | None = None,
    *,
    sizes: dict[str, int | tuple[int, int]] | None = None,
    elements: st.SearchStrategy[float] | None = None,
    one_hot: Sequence[str] = (),
) -> st.SearchStrategy[Arrays]:
    """Parameter and data arrays for a network, with the dimensions they share drawn once: in
    ``{"W1": "D M", "W2": "M K"}`` both use the same M. Each shape is a string of dimension
    names (or a tuple of names and ints); each named dimension is drawn from ``sizes[name]``
    (an int, or an inclusive range; default 1 to 4). Entries come from ``elements`` (default:
    floats in [−2, 2]); the data arrays named in ``one_hot`` are drawn as one-hot rows (targets
    of a softmax). A drawn :class:`Arrays` prints as numpy source — a shrunk failure can be
    pasted and rerun. Needs numpy.

    >>> from hypothesis import find
    >>> case = find(network_arrays({"W1": "D M", "W2": "M K"}, {"X": "N D"}), lambda c: True)
    >>> case.params["W1"].shape[1] == case.params["W2"].shape[0]
    True
    """
    import numpy as np

    data = dict(data or {})
    for name in one_hot:
        if name not in data:
            raise ValueError(f"network_arrays: one_hot names {name!r}, which is not in data")
    shapes = {**{k: _dims(v) for k, v in params.items()}, **{k: _dims(v) for k, v in data.items()}}
    names = list(dict.fromkeys(d for dims in shapes.values() for d in dims if isinstance(d, str)))
    ranges = {name: (1, 4) for name in names}
    for name, size in (sizes or {}).items():
        if name not in ranges:
            raise ValueError(f"network_arrays: sizes names {name!r}, which no shape uses")
        ranges[name] = (size, size) if isinstance(size, int) else size
    floats = elements if elements is not None else st.floats(-2.0, 2.0, allow_nan=False)

    @st.composite
    def draw_arrays(draw: Any) -> Arrays:
        drawn = {name: draw(st.integers(*ranges[name])) for name in names}

        def array(name: str) -> Any:
            shape = tuple(drawn[d] if isinstance(d, str) else d for d in shapes[name])
            if name in one_hot:
                rows = int(np.prod(shape[:-1], dtype=int))
                hot = [draw(st.integers(0, shape[-1] - 1)) for _ in range(rows)]
                return np.eye(shape[-1])[hot].reshape(shape)
            count = int(np.prod(shape, dtype=int))
            return np.array([float(draw(floats)) for _ in range(count)]).reshape(shape)

        return Arrays({k: array(k) for k in params}, {k: array(k) for k in data}, drawn)

    return draw_arrays()
