"""check_formula: a gradient derived by hand, as numpy formulas, against the engine's.

You wrote a forward pass in numpy and derived its gradient by hand. Give both, and the point to
check at:

>>> import numpy as np
>>> from autograd import check_formula
>>> def loss(W, X, T):
...     Y = 1 / (1 + np.exp(-X.dot(W)))
...     return ((Y - T) ** 2).sum() / 2
>>> def formula(W, X, T):
...     Y = 1 / (1 + np.exp(-X.dot(W)))
...     return {"W": X.T.dot((Y - T) * Y * (1 - Y))}
>>> X, T = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([[1.0], [0.0]])
>>> check_formula(loss, formula, {"W": np.array([[0.1], [-0.3]])}, {"X": X, "T": T})
True

``loss`` runs on arrays of Values (see :mod:`autograd.check.arrays`), so the engine computes
the true gradient; ``formula`` runs on the same plain numpy arrays you gave. Both are analytic,
so they must agree to rounding: an entry agrees when |formula − gradient| ≤ atol + rtol · m,
m the largest |gradient| of that parameter (rtol = 1e-9, atol = 1e-12 by default — not
gradcheck's finite-difference tolerance). When an entry does not, :class:`FormulaError` says,
per parameter, whether the shape fits, the worst entries, and the form of the mismatch where
it has a known one — −gradient (an ascent direction), c × gradient (with the likely causes of
c: a learning rate, ½, N samples, K outputs), gradientᵀ (the layout), a wrong shape — then
which parameter nearest the output disagrees (where the derivation first went wrong), and what
the check cannot tell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..value import Value
from .gradcheck import GradcheckError

__all__ = ["ATOL", "RTOL", "FormulaError", "ParameterReport", "check_formula", "true_gradient"]

RTOL = 1e-9
ATOL = 1e-12
WORST = 3  # entries shown per parameter that disagrees

CANNOT_TELL = (
    "What it cannot tell: it checks this one point, so a formula right here but wrong elsewhere "
    "passes; mistakes that cancel at this point, or that multiply a zero (a dead unit, a zero "
    "input), are invisible; of the likely causes it names for a form, it cannot tell which one "
    "it is; and where several layers disagree, it cannot tell whether the lower ones are wrong "
    "of their own or only because of the one above."
)


@dataclass
class ParameterReport:
    """One parameter's verdict: its shape and the formula's, whether they agree, the worst
    entries (index, formula, gradient), the form of the mismatch (None if it has no known
    one; ``factor`` c when formula = c × gradient), and its distance from the output in
    layers (non-affine ops between the loss and it; inf if the loss does not use it)."""

    name: str
    shape: tuple[int, ...]
    formula_shape: tuple[int, ...] | None
    agrees: bool
    worst: list[tuple[tuple[int, ...], float, float]] = field(default_factory=list)
    form: str | None = None
    factor: float | None = None
    depth: float = math.inf

    def describe(self) -> str:
        shape = "×".join(map(str, self.shape)) or "scalar"
        head = f"  {self.name} ({shape}): "
        if self.agrees:
            return head + "agrees"
        lines = [head + "DISAGREES" + (f" — {self.form}" if self.form else "")]
        for index, f, g in self.worst:
            where = f"[{', '.join(map(str, index))}]" if index else "(the value)"
            lines.append(f"      {where}: formula {f!r}, gradient {g!r}")
        return "\n".join(lines)


class FormulaError(GradcheckError):
    """A hand-derived gradient disagrees with the engine's. ``reports`` maps each parameter
    name to its :class:`ParameterReport`; ``first_wrong`` names the disagreeing parameter
    nearest the output (None when every one agrees but the formula's names do not fit)."""

    def __init__(self, message: str, *, reports: dict[str, ParameterReport]) -> None:
        super().__init__(message, rows=[], culprit=None)
        self.reports = reports
        wrong = [r for r in reports.values() if not r.agrees]
        self.first_wrong = min(wrong, key=lambda r: r.depth).name if wrong else None


def check_formula(
    loss: Callable[..., Any],
    formula: Callable[..., Mapping[str, Any]],
    params: Mapping[str, Any],
    data: Mapping[str, Any] | None = None,
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> bool:
    """True if ``formula(**params, **data)`` — a dict of arrays shaped like ``params`` — is the
    gradient of ``loss(**params, **data)`` with respect to ``params``; else raise
    :class:`FormulaError` with the diagnosis. ``data`` is not differentiated. See the module's
    docstring for what ``loss`` may use and for the tolerance.
    """
    np = _numpy()
    params = {name: _array(np, x, f"params[{name!r}]") for name, x in _mapping(params, "params")}
    data = {
        name: _array(np, x, f"data[{name!r}]", number_kinds="biuf")
        for name, x in _mapping(data or {}, "data")
    }
    both = set(params) & set(data)
    if both:
        raise ValueError(f"check_formula: {sorted(both)} are both params and data")
    true, depth = true_gradient(loss, params, data)
    given = formula(
        **{k: v.copy() for k, v in params.items()}, **{k: v.copy() for k, v in data.items()}
    )
    if not isinstance(given, Mapping):
        raise TypeError(
            f"check_formula: formula must return a dict of arrays by parameter name, got "
            f"{type(given).__name__}"
        )
    factors = _factors(data)
    reports = {}
    for name, gradient in true.items():
        report = _diagnose(np, name, gradient, given.get(name), rtol, atol, factors)
        report.depth = depth[name]
        reports[name] = report
    extra = sorted(set(given) - set(params))
    if all(r.agrees for r in reports.values()) and not extra:
        return True
    raise FormulaError(_message(reports, extra, rtol, atol), reports=reports)


def true_gradient(
    loss: Callable[..., Any], params: Mapping[str, Any], data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, float]]:
    """The gradient of ``loss`` by the engine, per parameter (numpy arrays), and each
    parameter's distance from the output (the fewest ops between the loss and its entries)."""
    from ..backprop import grad
    from ..walk import topological_order
    from .arrays import as_data, as_values

    np = _numpy()
    values = {name: as_values(x, name) for name, x in params.items()}
    out = loss(**values, **{name: as_data(x) for name, x in data.items()})
    out = np.asarray(out, dtype=object).reshape(-1) if not isinstance(out, Value) else [out]
    if len(out) != 1:
        raise TypeError(f"check_formula: loss must return one number, got {len(out)} of them")
    root = out[0]
    if not isinstance(root, Value):  # the loss does not depend on the parameters
        root = Value(float(root))
    leaves = [v for x in values.values() for v in x.ravel()]
    found = iter(g.data for g in grad(root, leaves))
    true = {
        name: np.array([next(found) for _ in x.ravel()]).reshape(x.shape)
        for name, x in values.items()
    }
    distance = _distances(root, topological_order([root]))
    depth = {
        name: min((distance.get(v, math.inf) for v in x.ravel()), default=math.inf)
        for name, x in values.items()
    }
    return true, depth


_AFFINE = frozenset(("add", "sub", "neg", "sum", "dot"))


def _distances(root: Value, order: list[Value]) -> dict[Value, float]:
    """Each node's distance from ``root`` in layers: the fewest non-affine ops (a nonlinearity,
    a product of two Values) on a path to it — so a layer's weights and bias are as far from
    the output as each other. Outputs first: ``order`` reversed."""
    distance: dict[Value, float] = {root: 0}
    for node in reversed(order):
        d = distance.get(node)
        if d is None or node.op is None:
            continue
        values = [p for p in node.parents if type(p) is not float]
        affine = node.op.name in _AFFINE or (node.op.name in ("mul", "div") and len(values) < 2)
        step = d if affine else d + 1
        for p in values:
            if distance.get(p, math.inf) > step:
                distance[p] = step
    return distance


# --- the diagnosis ---------------------------------------------------------------------------


def _diagnose(
    np: Any, name: str, gradient: Any, given: Any, rtol: float, atol: float, factors: list[Any]
) -> ParameterReport:
    shape = gradient.shape
    if given is None:
        return ParameterReport(
            name, shape, None, False, form="the formula gives no gradient for it"
        )
    try:
        f = np.asarray(given, dtype=float)
    except (TypeError, ValueError):
        return ParameterReport(
            name,
            shape,
            None,
            False,
            form=f"the formula's value is not numbers ({type(given).__name__})",
        )
    scale = float(np.max(np.abs(gradient))) if gradient.size else 0.0
    tol = atol + rtol * scale

    def close(a: Any, b: Any) -> bool:
        return bool(np.all(np.abs(a - b) <= tol))

    report = ParameterReport(name, shape, f.shape, False)
    if f.shape != shape:
        report.form = _shape_form(np, f, gradient, close)
        return report
    if close(f, gradient):
        report.agrees = True
        return report
    errors = np.abs(f - gradient).ravel()
    for k in np.argsort(-errors, kind="stable")[:WORST]:
        index = np.unravel_index(int(k), shape) if shape else ()
        report.worst.append((tuple(int(i) for i in index), float(f[index]), float(gradient[index])))
    report.form, report.factor = _value_form(np, f, gradient, close, rtol, factors)
    return report


def _shape_form(np: Any, f: Any, gradient: Any, close: Callable[[Any, Any], bool]) -> str:
    mine, theirs = (
        "×".join(map(str, f.shape)) or "scalar",
        "×".join(map(str, gradient.shape)) or "scalar",
    )
    if gradient.ndim == 2 and f.shape == gradient.T.shape:
        same = " and it is gradientᵀ" if close(f.T, gradient) else ""
        return (
            f"the wrong shape: {mine}, the transpose of the parameter's {theirs}{same} — the "
            "layout W x (outputs × inputs) versus x W (inputs × outputs)"
        )
    if f.size == gradient.size:
        same = (
            "; its numbers are the gradient's" if close(f.reshape(gradient.shape), gradient) else ""
        )
        return f"the wrong shape: {mine} where the parameter is {theirs}{same}"
    return f"the wrong shape: {mine} where the parameter is {theirs}"


def _value_form(
    np: Any,
    f: Any,
    gradient: Any,
    close: Callable[[Any, Any], bool],
    rtol: float,
    factors: list[Any],
) -> tuple[str | None, float | None]:
    if gradient.ndim == 2 and gradient.shape[0] == gradient.shape[1] and close(f, gradient.T):
        return "formula = gradientᵀ: the layout W x (outputs × inputs) versus x W", None
    norm = float(np.sum(gradient * gradient))
    if norm > 0.0:
        c = float(np.sum(f * gradient)) / norm
        if c != 0.0 and np.all(
            np.abs(f - c * gradient) <= rtol * max(1.0, abs(c)) * np.max(np.abs(gradient)) + 1e-300
        ):
            return _factor_form(c, factors), c
    if not np.any(np.abs(f) > 0.0):
        return "the formula is all zeros", None
    return None, None


def _factor_form(c: float, factors: list[Any]) -> str:
    if math.isclose(c, -1.0, rel_tol=1e-9):
        return (
            "formula = −gradient: an ascent direction (the gradient of the loss's negative, "
            "e.g. a log-likelihood that is maximised), or an update written W += lr·d"
        )
    size = abs(c)
    causes = [text for value, text in factors if math.isclose(size, value, rel_tol=1e-9)]
    causes.append(f"a learning rate of {size:g} folded in (the formula is the step, lr × gradient)")
    sign = "−" if c < 0 else ""
    flipped = ", and its sign is flipped (an ascent direction)" if c < 0 else ""
    return f"formula = {sign}{size:.10g} × gradient{flipped}; likely: " + "; or ".join(causes)


def _factors(data: Mapping[str, Any]) -> list[tuple[float, str]]:
    """Constant factors a formula is often off by, with what each would mean."""
    factors: list[tuple[float, str]] = [
        (0.5, "½: the formula is for ½Σ(·)² while the loss is Σ(·)² (or the other way round)"),
        (2.0, "2: the loss is ½Σ(·)² and the formula left out its ½ (or counted it twice)"),
    ]
    rows = {x.shape[0] for x in data.values() if getattr(x, "ndim", 0) >= 1}
    n = rows.pop() if len(rows) == 1 else None
    if n and n > 1:
        factors += [
            (n, f"N = {n} samples: the formula sums over the samples, the loss takes their mean"),
            (1 / n, f"1/N, N = {n} samples: the formula takes the mean, the loss sums"),
        ]
    for name, x in data.items():
        if getattr(x, "ndim", 0) == 2 and x.shape[1] > 1:
            k = x.shape[1]
            factors += [
                (k, f"K = {k}, the columns of {name} (outputs): a sum over them versus a mean"),
                (1 / k, f"1/K, K = {k}, the columns of {name}: a mean over outputs versus a sum"),
            ]
            if n and n > 1:
                factors += [
                    (
                        k * n,
                        f"K·N = {k}·{n}: the loss is a mean over samples and outputs "
                        "(e.g. mean(·)²/2), the formula a sum over both",
                    ),
                    (1 / (k * n), f"1/(K·N), K·N = {k}·{n}: a mean over both versus a sum"),
                ]
    return factors


def _message(
    reports: dict[str, ParameterReport], extra: list[str], rtol: float, atol: float
) -> str:
    ordered = sorted(reports.values(), key=lambda r: (r.depth, r.name))
    wrong = [r for r in ordered if not r.agrees]
    lines = [
        f"check_formula: {len(wrong)} of {len(ordered)} parameters disagree with the gradient "
        f"of the loss (|formula − gradient| <= {atol:g} + {rtol:g} × the largest |gradient|); "
        "nearest the output first:",
        "",
        *[r.describe() for r in ordered],
        "",
    ]
    if extra:
        lines.append(f"The formula also returns {extra}, which are not parameters.")
    if wrong:
        agree = [r.name for r in ordered if r.agrees]
        c = wrong[0].factor
        same = c is not None and all(
            r.factor is not None and math.isclose(r.factor, c, rel_tol=1e-9) for r in wrong
        )
        nearest = [r.name for r in wrong if r.depth == wrong[0].depth]
        names = " and ".join(nearest)
        if len(wrong) > 1 and same:
            lines.append(
                f"Where: every parameter that disagrees is off by the same factor "
                f"({c:.10g}): a convention of the whole derivation (its loss, its "
                "sign, a step size), not a slip in one layer."
            )
        else:
            lines.append(
                f"Where: {names} {'is' if len(nearest) == 1 else 'are'} nearest the output of "
                "the parameters that disagree. An error propagates toward the input (each "
                "layer's derivative is built from the one above it), so the derivation first "
                f"went wrong at {names}: fix {'it' if len(nearest) == 1 else 'them'} first, "
                "and the ones below may follow."
                + (f" These agree: {', '.join(agree)}." if agree else "")
            )
    lines.append(CANNOT_TELL)
    return "\n".join(lines)


# --- inputs ----------------------------------------------------------------------------------


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise ImportError(
            "check_formula needs numpy (the formulas are numpy arrays): pip install numpy"
        ) from None
    return numpy


def _mapping(x: Any, what: str) -> list[tuple[str, Any]]:
    if not isinstance(x, Mapping):
        raise TypeError(
            f"check_formula: {what} must be a dict of arrays by name, got {type(x).__name__}"
        )
    for name in x:
        if not (isinstance(name, str) and name.isidentifier()):
            raise ValueError(
                f"check_formula: {what} names must be identifiers (keywords of loss), got {name!r}"
            )
    return list(x.items())


def _array(np: Any, x: Any, what: str, number_kinds: str = "biuf") -> Any:
    try:
        array = np.asarray(x)
    except (TypeError, ValueError) as e:
        raise TypeError(f"check_formula: {what} is not an array of numbers ({e})") from None
    if array.dtype.kind not in number_kinds:
        raise TypeError(f"check_formula: {what} is not an array of numbers (dtype {array.dtype})")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"check_formula: {what} holds nan or inf")
    return array.astype(float) if what.startswith("params") else array
