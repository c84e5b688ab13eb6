"""Anomaly provenance: find the first op whose forward or backward makes a nan or an inf.

Off by default and free when off. Inside ``with detect_anomaly():`` every op notes the user's
line that made it; the first op whose forward gives nan/inf (from nan/inf inputs: finite inputs
already raise), or whose backward sends a nan/inf gradient to one of its inputs, raises
:class:`AnomalyError` naming the op, its inputs with their labels, and that line.

>>> from autograd import Value, detect_anomaly
>>> x = Value(float("inf"), label="x")
>>> with detect_anomaly():
...     y = x - x
Traceback (most recent call last):
...
autograd.anomaly.AnomalyError: forward of sub made nan: inf - inf
  inputs: 'x' = inf, 'x' = inf
  made at ...

``draw_dot(err.node, anomaly=err)`` draws the graph with that node marked.

"The user's line" is the innermost frame outside library code. A package is library code when
its top-level module sets ``__autograd_library__ = True`` (autograd and nn do); set it in a
package of your own built on autograd to have its frames skipped too.
"""

from __future__ import annotations

import linecache
import math
import os
import sys
from typing import Any

from . import mode
from .ops import Op, call_repr
from .value import Value

__all__ = ["AnomalyError", "detect_anomaly"]


class AnomalyError(FloatingPointError):
    """The first nan/inf found inside :func:`detect_anomaly`.

    ``phase`` is "forward" or "backward". ``node`` is the op's result: in forward the new
    nan/inf node (not yet part of any graph you hold), in backward the node whose rule sent
    the nan/inf. ``parent`` is the input (one of ``node.parents``) whose gradient became nan/inf
    (backward only). ``site`` is the user's line that made ``node`` ("file.py:12 in f:
    y = x - x"), or None if it was made outside ``detect_anomaly()``.
    """

    def __init__(
        self, message: str, *, phase: str, node: Value, parent: Value | None, site: str | None
    ) -> None:
        super().__init__(message)
        self.phase = phase
        self.node = node
        self.parent = parent
        self.site = site


class detect_anomaly(mode.Mode):
    """Context manager (or decorator): raise :class:`AnomalyError` at the first nan/inf.

    Put the forward *and* ``backward()`` inside the block. While it is active, every node made
    is remembered with its creation line (the memory is freed when the block ends), so use it to
    debug, not to train.

    >>> from autograd import Value, detect_anomaly
    >>> x = Value(1e-200, label="x")
    >>> with detect_anomaly():
    ...     y = (x * 1e200) * 1e300        # finite: 1e300
    ...     y.backward()                   # dy/dx = 1e500 is not
    Traceback (most recent call last):
    ...
    autograd.anomaly.AnomalyError: backward of mul sent an inf gradient to its input 'x': ...
    """

    _var = mode._anomaly

    def _value(self) -> _Recorder:
        return mode.anomaly() or _Recorder()  # nested blocks share one recorder


class _Recorder:
    """What the core calls in anomaly mode (never otherwise): ``created`` for each node
    recorded, ``forward`` for a nan/inf result, ``backward`` for a nan/inf gradient."""

    __slots__ = ("sites",)

    def __init__(self) -> None:
        self.sites: dict[Value, tuple[str, int, str]] = {}

    def created(self, node: Value) -> None:
        """Called by ``apply`` for each node recorded: note the user's line, check the data."""
        self.sites[node] = _user_frame()
        if not math.isfinite(node.data):
            raise self._forward_error(node.op, node.parents, node.data, node)

    def forward(self, op: Op, inputs: tuple[float, ...], out: float) -> None:
        """Called by ``ops.run`` for a nan/inf result. When a node is about to be recorded,
        ``created`` raises with it (and the inputs' labels); otherwise raise here."""
        if not mode.grad_enabled():
            raise self._forward_error(op, inputs, out, None)

    def _forward_error(
        self, op: Any, inputs: tuple[Any, ...], out: float, node: Value | None
    ) -> AnomalyError:
        if node is None:  # not recorded (no_grad): no labels, but the op and line are known
            site = _describe_site(_user_frame())
            shown = ", ".join(map(repr, inputs)) + " (unlabelled: the graph is not recorded)"
            node = Value(out)
        else:
            site = _describe_site(self.sites.get(node))
            shown = _describe_inputs(inputs)
        message = (
            f"forward of {op.name} made {out}: {call_repr(op, inputs)}\n"
            f"  inputs: {shown}\n"
            f"  made at {site or 'an unknown line'}"
        )
        return AnomalyError(message, phase="forward", node=node, parent=None, site=site)

    def backward(self, order: list[Value], gradient: dict[Value, float]) -> None:
        """Called by the walk when a gradient is nan/inf (``gradient``: every node's, as a
        number): raise, naming the op whose rule sent the first one (in backward order)."""
        raise _backward_error(order, gradient, self.sites)


def _backward_error(
    order: list[Value], gradient: dict[Value, float], sites: dict[Value, Any]
) -> AnomalyError:
    # The first node in backward order whose gradient is nan/inf: every consumer of it comes
    # earlier in that order and has a finite gradient, so one of their rules is to blame.
    walk = order[::-1]
    bad = next(i for i, node in enumerate(walk) if not math.isfinite(gradient[node]))
    target = walk[bad]
    consumers = [n for n in walk[:bad] if n.op is not None and target in n.parents]
    if not consumers:  # only the root has no consumer
        message = f"backward: the gradient passed to backward() is {gradient[target]}"
        return AnomalyError(message, phase="backward", node=target, parent=target, site=None)
    culprit, detail = _first_bad_contribution(consumers, target, gradient)
    kind = "a nan" if math.isnan(gradient[target]) else "an inf"
    site = _describe_site(sites.get(culprit))
    already = "" if math.isfinite(culprit.data) else " (its own data is already nan/inf)"
    message = (
        f"backward of {culprit.op.name} sent {kind} gradient to its input {_name(target)}: "
        f"{detail}\n"
        f"  at {call_repr(culprit.op, culprit.parents)}{already}\n"
        f"  inputs: {_describe_inputs(culprit.parents)}\n"
        f"  made at {site or 'an unknown line (made outside detect_anomaly())'}"
    )
    return AnomalyError(message, phase="backward", node=culprit, parent=target, site=site)


def _first_bad_contribution(
    consumers: list[Value], target: Value, gradient: dict[Value, float]
) -> tuple[Value, str]:
    """The consumer whose rule sent ``target`` a nan/inf, and upstream × local in words."""
    for node in consumers:
        upstream = gradient[node]
        local = node.op.derivative(
            *[p if type(p) is float else p.data for p in node.parents], out=node.data
        )
        for p, d in zip(node.parents, local):
            if p is target and not math.isfinite(upstream * _number(d)):
                return node, f"upstream gradient {upstream} × local derivative {_number(d)}"
    return consumers[-1], (
        f"no single contribution is nan/inf: their sum overflowed, or {_name(target)}'s .grad "
        "was already nan/inf before this backward (leaves accumulate: reset them to 0.0)"
    )


def _number(x: Any) -> float:
    return x if type(x) is float else float(x.data if isinstance(x, Value) else x)


def _name(node: Value) -> str:
    return repr(node.label) if node.label else f"Value({node.data})"


def _describe_inputs(inputs: tuple[Any, ...]) -> str:
    shown = []
    for x in inputs:
        if isinstance(x, Value):
            shown.append(f"{x.label!r} = {x.data}" if x.label else f"unlabelled {x.data}")
        else:
            shown.append(f"constant {x}")
    return ", ".join(shown)


def _user_frame() -> tuple[str, int, str]:
    """(file, line, function) of the innermost frame outside library code."""
    frame = sys._getframe(1)
    while frame.f_back is not None and _is_library(frame.f_globals):
        frame = frame.f_back
    return frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name


def _is_library(module_globals: dict[str, Any]) -> bool:
    """Whether a frame's module belongs to a package marked ``__autograd_library__``."""
    package = str(module_globals.get("__name__", "")).partition(".")[0]
    return getattr(sys.modules.get(package), "__autograd_library__", False) is True


def _describe_site(site: tuple[str, int, str] | None) -> str | None:
    if site is None:
        return None
    filename, line, function = site
    source = linecache.getline(filename, line).strip()
    try:
        shown = os.path.relpath(filename)
    except ValueError:  # another drive (Windows)
        shown = filename
    if shown.startswith(".."):
        shown = filename
    return f"{shown}:{line} in {function}" + (f": {source}" if source else "")
