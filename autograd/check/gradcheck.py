"""gradcheck: analytic gradients against central finite differences, naming the broken rule.

>>> from autograd import Value, gradcheck
>>> gradcheck(lambda xs: (xs[0] * xs[1]).tanh() + xs[0] ** 2, [0.5, -1.5])
True
>>> gradcheck(lambda xs: xs[0].exp().sin() / xs[1], [0.3, 2.0], order=2)   # Hessian too
True

When a gradient disagrees, :class:`GradcheckError` shows a table (input, analytic, numeric,
errors) and then looks for the cause: the first node of the graph whose *local* derivative —
its op's rule, at the inputs recorded in the graph — disagrees with a finite difference of that
op alone. So the message names the broken rule (op, label, inputs), not just the symptom:

>>> from autograd import Op
>>> from autograd import apply
>>> cube = Op("cube", lambda x: x**3, lambda x, out: (2 * x * x,))   # should be 3x²
>>> gradcheck(lambda xs: apply(cube, xs[0]).tanh(), [0.7])
Traceback (most recent call last):
...
autograd.check.gradcheck.GradcheckError: gradcheck: 1 of 1 first derivatives disagree with central finite differences (eps=1e-06, atol=1e-05, rtol=0.001)
at x0 = 0.7
<BLANKLINE>
  derivative  analytic      numeric      abs error  rel error
  ∂f/∂x0      0.8731789948  1.309768492  4.37e-01   3.33e-01   <- differs
<BLANKLINE>
The first node whose local derivative is wrong: cube, made as cube(0.7) from inputs 'x0' = 0.7.
  ∂cube/∂(input 0) = 0.98 by its rule (the derivative of Op('cube')), 1.47 by a finite difference of cube alone.

A finite difference is trusted only if a ten times smaller step agrees with it too, so an
inaccurate one (next to a singularity) does not get a correct rule blamed.

Where the function is not differentiable (relu or abs at 0, or a finite difference that steps
across such a kink) the check says so with a :class:`NotDifferentiableWarning` instead of
failing: no derivative exists there for a finite difference to agree with.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..backprop import grad
from ..mode import enable_grad
from ..ops import OPS, Op, call_repr, run
from ..value import Value, apply
from ..walk import topological_order
from .numeric import step_size

__all__ = ["GradcheckError", "LocalMismatch", "NotDifferentiableWarning", "Row", "gradcheck"]


class NotDifferentiableWarning(UserWarning):
    """gradcheck met a point where the function has no derivative (e.g. relu at 0)."""


@dataclass(frozen=True)
class Row:
    """One line of gradcheck's table: a derivative computed two ways."""

    name: str  # "∂f/∂x0", or "∂²f/∂x0∂x1" for order 2
    analytic: float
    numeric: float
    ok: bool

    def cells(self) -> list[str]:
        err = abs(self.analytic - self.numeric)
        abs_err, rel_err = f"{err:.2e}", f"{err / max(abs(self.numeric), 1e-300):.2e}"
        mark = "" if self.ok else "<- differs"
        return [
            self.name,
            f"{self.analytic:.10g}",
            f"{self.numeric:.10g}",
            abs_err,
            rel_err,
            mark,
        ]


@dataclass(frozen=True)
class LocalMismatch:
    """A node whose op's rule disagrees with a finite difference of that op alone.

    ``index`` is the input the derivative is taken with respect to; for ``order == 2`` the
    rule was differentiated again (with ``create_graph``) with respect to input ``wrt``. With
    ``fast`` the rule is right but the op's float fast path (``Op.fast``, which ``backward``
    and ``grad`` use) sends ``rule`` where its rule gives ``numeric``.
    """

    node: Value
    op: Op
    index: int
    rule: float
    numeric: float
    order: int = 1
    wrt: int | None = None
    fast: bool = False

    def describe(self) -> str:
        label = f" (label {self.node.label!r})" if self.node.label else ""
        inputs = ", ".join(_input_repr(p) for p in self.node.parents)
        where = (
            f"OPS[{self.op.name!r}].derivative"
            if OPS.get(self.op.name) is self.op
            else (f"the derivative of {self.op!r}")
        )
        if self.fast:
            return (
                f"The first node whose op's fast path is wrong: {self.op.name}{label}, made as "
                f"{call_repr(self.op, self.node.parents)} from inputs {inputs}.\n"
                f"  Its fast path (Op.fast) sends {self.rule:.10g} to input {self.index} for "
                f"each 1 from above; its rule ({where}) says {self.numeric:.10g}."
            )
        if self.order == 1:
            what = f"∂{self.op.name}/∂(input {self.index})"
            return (
                f"The first node whose local derivative is wrong: {self.op.name}{label}, made as "
                f"{call_repr(self.op, self.node.parents)} from inputs {inputs}.\n"
                f"  {what} = {self.rule:.10g} by its rule ({where}), "
                f"{self.numeric:.10g} by a finite difference of {self.op.name} alone."
            )
        what = f"∂²{self.op.name}/∂(input {self.index})∂(input {self.wrt})"
        return (
            f"The first node whose rule has a wrong derivative: {self.op.name}{label}, made as "
            f"{call_repr(self.op, self.node.parents)} from inputs {inputs}.\n"
            f"  {what} = {self.rule:.10g} by differentiating its rule ({where}) with "
            f"create_graph, {self.numeric:.10g} by a finite difference of the rule on floats.\n"
            "  A rule must be written with operations that work on Values too (not on .data)."
        )


class GradcheckError(AssertionError):
    """Analytic and numeric derivatives disagree.

    ``rows`` is the table (every input, :class:`Row`); ``culprit`` the first node whose own
    rule is wrong (:class:`LocalMismatch`), or None when every op's rule agrees at its inputs
    (then the error is in how the derivatives were combined, or f is not smooth there).
    """

    def __init__(self, message: str, *, rows: list[Row], culprit: LocalMismatch | None) -> None:
        super().__init__(message)
        self.rows = rows
        self.culprit = culprit


def gradcheck(
    f: Callable[[list[Value]], Any],
    inputs: Sequence[Value | float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    order: int = 1,
) -> bool:
    """Check ``f``'s gradients at ``inputs`` against central finite differences; True if they agree.

    ``f`` maps a list of Values to a Value. It is called on fresh leaf Values (labelled as the
    given Values are, else ``x0, x1, ...``), so the caller's Values are never touched; Values
    ``f`` closes over (a model's weights) are held fixed. A derivative passes when
    ``|analytic − numeric| <= atol + rtol·|numeric|``; steps are ``eps·max(1, |x|)``, in double
    precision. ``order=2`` also checks every second derivative (gradients of gradients, built
    with ``create_graph``) against finite differences of the first ones.

    Raises :class:`GradcheckError` (an AssertionError) with the table and the broken rule.

    >>> from autograd import Value
    >>> gradcheck(lambda xs: xs[0].relu() * xs[1], [Value(2.0, label="a"), 3.0])
    True
    """
    if order not in (1, 2):
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order!r}")
    xs, names = _points(inputs)
    checker = _Checker(f, names, eps=eps, atol=atol, rtol=rtol)
    checker.check(xs, order=1)
    if order == 2:
        checker.check(xs, order=2)
    return True


def _points(inputs: Sequence[Value | float]) -> tuple[list[float], list[str]]:
    if isinstance(inputs, (Value, numbers.Real)):
        inputs = [inputs]
    xs, names = [], []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            xs.append(x.data)
            names.append(x.label or f"x{i}")
        elif isinstance(x, numbers.Real) and not isinstance(x, bool):
            xs.append(float(x))
            names.append(f"x{i}")
        else:
            raise TypeError(f"gradcheck: inputs must be Values or numbers, got {type(x).__name__}")
    if not xs:
        raise ValueError("gradcheck: no inputs to check")
    for name, x in zip(names, xs):
        if not math.isfinite(x):
            raise ValueError(
                f"gradcheck: input {name} is {x}; finite differences need finite inputs"
            )
    return xs, names


def _point(names: list[str], xs: list[float]) -> str:
    return ", ".join(f"{name} = {x!r}" for name, x in zip(names, xs))


def _input_repr(p: Value | float) -> str:
    if type(p) is float:
        return f"{p!r} (constant)"
    return f"{p.label!r} = {p.data!r}" if p.label else repr(p.data)


def _kink_sides(out: Value) -> tuple[tuple[str, ...], tuple[float, ...], list[str]]:
    """The graph's shape (op names), which side of its kink every kinked op's input is on,
    and how each kinked node is written. Two points whose sides differ straddle a kink."""
    shape, sides, where = [], [], []
    for node in topological_order([out]):
        op = node.op
        if op is None:
            continue
        shape.append(op.name)
        if op.kinks:
            for i, p in enumerate(node.parents):
                if type(p) is not float and i not in op.constants:
                    for k in op.kinks:
                        sides.append(math.copysign(1.0, p.data - k) if p.data != k else 0.0)
                        where.append(call_repr(op, node.parents))
    return tuple(shape), tuple(sides), where


class _Checker:
    def __init__(self, f: Callable[[list[Value]], Any], names: list[str], **tolerances: float):
        self.f, self.names = f, names
        self.eps, self.atol, self.rtol = tolerances["eps"], tolerances["atol"], tolerances["rtol"]

    def close(self, analytic: float, numeric: float) -> bool:
        return abs(analytic - numeric) <= self.atol + self.rtol * abs(numeric)

    def build(self, xs: Sequence[float]) -> tuple[list[Value], Value]:
        leaves = [Value(x, name) for x, name in zip(xs, self.names)]
        with enable_grad():
            out = self.f(leaves)
        if isinstance(out, Value):
            return leaves, out
        if isinstance(out, numbers.Real) and not isinstance(out, bool):
            return leaves, Value(float(out))  # a constant: every derivative is 0
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")

    def derivatives(self, leaves: list[Value], out: Value, order: int) -> list[float]:
        """f's gradient (order 1), or its Hessian flattened row by row (order 2)."""
        if order == 1:
            return [g.data for g in grad(out, leaves)]
        firsts = grad(out, leaves, create_graph=True)
        return [h.data for g in firsts for h in grad(g, leaves)]

    def check(self, xs: list[float], *, order: int) -> None:
        leaves, out = self.build(xs)
        analytic = self.derivatives(leaves, out, order)
        # Finite differences of the order-(n-1) derivatives give the order-n ones.
        kinked = _kink_sides(out)[2]
        numeric, straddled = self.differences(xs, order - 1, kinked, self.eps)
        n = len(xs)
        rows = []
        for k, a in enumerate(analytic):
            i, j = divmod(k, n) if order == 2 else (0, k)
            name = f"∂²f/∂{self.names[i]}∂{self.names[j]}" if order == 2 else f"∂f/∂{self.names[j]}"
            rows.append(Row(name, a, numeric[j][i], self.close(a, numeric[j][i])))
        if all(row.ok for row in rows):
            return
        # A finite difference that changes when the step shrinks was not accurate: a row
        # fails only if it also disagrees with a ten times smaller step.
        finer, _ = self.differences(xs, order - 1, kinked, self.eps / 10)
        for k, row in enumerate(rows):
            i, j = divmod(k, n) if order == 2 else (0, k)
            if not row.ok and self.close(row.analytic, finer[j][i]):
                rows[k] = Row(row.name, row.analytic, finer[j][i], True)
        wrong = [k for k, row in enumerate(rows) if not row.ok]
        if not wrong:
            return
        culprit = self.first_wrong_rule(leaves, out, order)
        smooth = [k for k in wrong if straddled[k % n if order == 2 else k] is None]
        if culprit is None and not smooth:
            kinks = sorted({straddled[k % n if order == 2 else k] for k in wrong})
            warnings.warn(
                NotDifferentiableWarning(
                    f"gradcheck: f is not differentiable at {_point(self.names, xs)}, so "
                    f"{', '.join(rows[k].name for k in wrong)} could not be checked — "
                    f"{'; '.join(k for k in kinks if k)} (the rule returns a subgradient there)"
                ),
                stacklevel=3,
            )
            return
        raise GradcheckError(self.message(xs, rows, culprit, order), rows=rows, culprit=culprit)

    def differences(
        self, xs: list[float], order: int, kinked: list[str], eps: float
    ) -> tuple[list[list[float]], list[str | None]]:
        """Central differences of ``derivatives(order)`` (order 0: f itself) in each input,
        and, per input, a description of the kink its step straddles (None if none).
        ``kinked`` says how each kinked node of f's graph at ``xs`` is written."""

        def evaluate(point: list[float]) -> tuple[list[float], Any]:
            leaves, out = self.build(point)
            values = [out.data] if order == 0 else self.derivatives(leaves, out, order)
            return values, _kink_sides(out)

        columns: list[list[float]] = []
        straddled: list[str | None] = []
        for j, x in enumerate(xs):
            sides = _two_sides(evaluate, xs, j, eps)
            if sides is None:
                raise ValueError(
                    f"gradcheck: f cannot be evaluated on both sides of {self.names[j]} = {x!r} "
                    "(the edge of its domain?); check it at a point inside the domain"
                )
            (x_up, (up, kinks_up)), (x_down, (down, kinks_down)) = sides
            columns.append([(u - d) / (x_up - x_down) for u, d in zip(up, down)])
            straddled.append(_straddle(kinks_up, kinks_down, kinked))
        return columns, straddled

    def first_wrong_rule(self, leaves: list[Value], out: Value, order: int) -> LocalMismatch | None:
        """The first node (inputs first) that depends on an input and whose op's rule
        disagrees with a finite difference of the op alone at the node's recorded inputs."""
        depends: set[Value] = set(leaves)
        for node in topological_order([out]):
            if node.op is None:
                continue
            free = [
                i
                for i, p in enumerate(node.parents)
                if type(p) is not float and p in depends and i not in node.op.constants
            ]
            if not free:
                continue
            depends.add(node)
            found = self.local_check(node, free, order)
            if found is not None:
                return found
        return None

    def local_check(self, node: Value, free: list[int], order: int) -> LocalMismatch | None:
        op, data = node.op, [p if type(p) is float else p.data for p in node.parents]
        assert op is not None
        free = [
            i
            for i in free
            if not any(abs(data[i] - k) <= step_size(data[i], self.eps) for k in op.kinks)
        ]

        def rule(point: Sequence[float]) -> tuple[Any, ...]:
            return op.derivative(*point, out=run(op, tuple(point)))

        if order == 1:
            try:
                locals_ = rule(data)
            except (ArithmeticError, ValueError):
                return None
            for i in free:
                numeric = self.disagreement(float(locals_[i]), lambda p: run(op, tuple(p)), data, i)
                if numeric is not None:
                    return LocalMismatch(node, op, i, float(locals_[i]), numeric)
            return self.fast_check(node, free, data, locals_)
        # Order 2: differentiate the rule on Values (create_graph) and compare with finite
        # differences of the rule on floats.
        for i in free:
            local_leaves = [Value(d) for d in data]
            args = [
                d if type(p) is float or k in op.constants else local_leaves[k]
                for k, (p, d) in enumerate(zip(node.parents, data))
            ]
            try:
                with enable_grad():
                    (g,) = grad(apply(op, *args), [local_leaves[i]], create_graph=True)
                seconds = grad(g, local_leaves)
            except (ArithmeticError, ValueError):
                continue
            for j in free:
                numeric = self.disagreement(
                    seconds[j].data, lambda p, i=i: float(rule(p)[i]), data, j
                )
                if numeric is not None:
                    return LocalMismatch(node, op, i, seconds[j].data, numeric, order=2, wrt=j)
        return None

    def fast_check(
        self, node: Value, free: list[int], data: list[float], locals_: tuple[Any, ...]
    ) -> LocalMismatch | None:
        """Whether the op's fast path (if it has one) sends, for a gradient of 1 from above,
        what its rule's local derivatives say: each input a stand-in of its own."""
        op = node.op
        if op is None or op.fast is None:
            return None
        stand_ins = [d if type(p) is float else Value(d) for p, d in zip(node.parents, data)]
        op.fast(1.0, tuple(stand_ins), node.data)
        for i in free:
            sent, expected = stand_ins[i].grad, float(locals_[i])
            if op.select and expected == 0.0:
                expected = 0.0  # a select op passes nothing where its derivative is 0
            if not self.close(sent, expected):
                return LocalMismatch(node, op, i, sent, expected, fast=True)
        return None

    def disagreement(
        self, analytic: float, fun: Callable[[list[float]], float], xs: list[float], i: int
    ) -> float | None:
        """The finite difference of ``fun`` in input i if ``analytic`` disagrees with it at
        both the step and a ten times smaller one (so the difference is not just inaccurate);
        None if they agree or fun cannot be evaluated around xs."""
        numeric = _partial(fun, xs, i, self.eps)
        if numeric is None or self.close(analytic, numeric):
            return None
        finer = _partial(fun, xs, i, self.eps / 10)
        return None if finer is None or self.close(analytic, finer) else numeric

    def message(
        self, xs: list[float], rows: list[Row], culprit: LocalMismatch | None, order: int
    ) -> str:
        wrong = sum(not row.ok for row in rows)
        what = "first derivatives" if order == 1 else "second derivatives"
        lines = [
            f"gradcheck: {wrong} of {len(rows)} {what} disagree with central finite differences "
            f"(eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g})",
            f"at {_point(self.names, xs)}",
            "",
            *_table(rows),
            "",
        ]
        if culprit is not None:
            lines.append(culprit.describe())
        else:
            lines.append(
                "Every op's local derivative agrees with a finite difference of that op at its "
                "inputs, so the error is in how they were combined (the backward walk), or f "
                "is not smooth here (a Python branch on .data?), or the finite difference is "
                "inaccurate at this point (try another eps)."
            )
        return "\n".join(lines)


def _table(rows: list[Row]) -> list[str]:
    cells = [["derivative", "analytic", "numeric", "abs error", "rel error", ""]]
    cells += [row.cells() for row in rows]
    widths = [max(len(r[c]) for r in cells) for c in range(len(cells[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]


def _straddle(up: Any, down: Any, kinked: list[str]) -> str | None:
    """How the kink between two evaluations is written, or None if they are on the same side.
    ``kinked`` describes the kinked nodes at the base point (same graph shape)."""
    shape_up, sides_up, where_up = up
    shape_down, sides_down, _ = down
    if shape_up != shape_down:
        return "f's graph differs on the two sides (a Python branch on .data?)"
    for k, (s_up, s_down) in enumerate(zip(sides_up, sides_down)):
        if s_up != s_down:
            return f"{kinked[k] if len(kinked) == len(sides_up) else where_up[k]}: the step crosses its kink"
    return None


def _two_sides(
    fun: Callable[[list[float]], Any], xs: Sequence[float], i: int, eps: float
) -> tuple[tuple[float, Any], tuple[float, Any]] | None:
    """``fun`` at xs ± h along input i, as ((x + h, fun(...)), (x − h, fun(...))).

    Where fun is undefined on a side (the edge of its domain is closer than h), the step
    shrinks tenfold until both sides are defined, and then a hundredfold more, so the edge
    stays far compared with the step. None if fun stays undefined.
    """
    h = step_size(xs[i], eps)
    found = None
    for attempt in range(10):
        sides = []
        for x in (xs[i] + h, xs[i] - h):
            point = list(xs)
            point[i] = x
            try:
                sides.append((point[i], fun(point)))
            except (ArithmeticError, ValueError):
                break
        if len(sides) == 2 and sides[0][0] != sides[1][0]:
            if attempt == 0 or found is not None:
                return sides[0], sides[1]
            found = sides
            h /= 100.0
        elif found is not None:
            return found[0], found[1]
        else:
            h /= 10.0
    return None if found is None else (found[0], found[1])


def _partial(
    fun: Callable[[list[float]], float], xs: Sequence[float], i: int, eps: float
) -> float | None:
    """∂fun/∂xᵢ by a central difference (see :func:`_two_sides`); None if fun is undefined
    around xs."""
    sides = _two_sides(fun, xs, i, eps)
    if sides is None:
        return None
    (x_up, f_up), (x_down, f_down) = sides
    return (f_up - f_down) / (x_up - x_down)
