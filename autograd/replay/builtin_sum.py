"""Python's own ``sum()`` while a step is traced: the number eager gets, on any Python.

From Python 3.12, ``sum()`` adds floats with compensation (Neumaier's): ``sum([0.1] * 10)`` is
1.0, not the 0.9999999999999999 that adding them one after the other gives. It does so for
floats only — Values it adds with their ``+``. So a float argument that is a Value while the
step is traced would be summed otherwise than eagerly, where it is a float. While a trace
runs, ``builtins.sum`` is :func:`traced_sum`, which runs sum()'s own loops — ints, then floats,
then anything by its ``+`` — on each item as it comes, with the type it has eagerly:

- float arguments (and Python's arithmetic on them: *float-like* Values) in the loop of floats
  are one node, :data:`autograd.ops.PYTHON_SUM`, whose forward is ``sum()`` itself on their
  numbers — at every replay too;
- numbers read from ``.data`` (Probes) there are summed as ``sum()`` sums their numbers: a
  node too, where they are reads (or arithmetic on reads), so that comparing the sum is a
  guard on its outcome;
- a loop of floats whose arithmetic a node cannot stand for (float arguments with ints, or
  with Probes) makes the step run eagerly, with a warning;
- anything else is added as ``sum()`` adds it; in other threads, ``sum()`` is itself.

``math.sumprod`` (3.12) adds its products in extended precision: on float arguments it makes
the step run eagerly.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable
from typing import Any

from ..mode import tracer
from ..ops import PYTHON_SUM, python_sum
from ..value import Value, _record
from .probe import Probe, _needs

__all__ = ["swap", "traced_sum"]

_SUM = builtins.sum  # Python's own, whatever the hooks do

_REFUSED = (
    "it calls {name}() on float arguments mixed with {what}, which Python adds otherwise when "
    "the arguments are floats, as a trace cannot follow; use autograd.sum, or floats throughout"
)


def traced_sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    """``sum(iterable, start)`` as eager computes it (see the module's docstring): sum()'s own
    three loops, each item taken as it comes (a generator's Values are made in eager's order),
    with each item's type what it is eagerly."""
    recorder = tracer()
    if recorder is None or recorder.closed:
        return _SUM(iterable, start)
    items = iter(iterable)
    result = start
    if _kind(recorder, result) is int:  # ints, while the sum fits a C long
        for item in items:
            fits = (
                _kind(recorder, item) in (int, bool)
                and _fits(_number(item))
                and _fits(_number(result) + _number(item))
            )
            result = result + item
            if not fits:
                break
        else:
            return result
    if _kind(recorder, result) is float:  # floats (compensated from 3.12), ints taken in
        run = [result]
        for item in items:
            kind = _kind(recorder, item)
            if kind is float or (kind in (int, bool) and _fits(_number(item))):
                run.append(item)
                continue
            result = _float_sum(recorder, run) + item
            break
        else:
            return _float_sum(recorder, run)
    for item in items:  # anything else: one by one, by its +
        result = result + item
    return result


def _float_sum(recorder: Any, run: list[Any]) -> Any:
    """What sum()'s loop of floats gives for ``run`` (the total so far, then the items)."""
    numbers = list(map(_number, run))
    total = python_sum(*numbers)  # (the node's forward, on the numbers eager has)
    values = [x for x in run if isinstance(x, Value)]
    probes = [x for x in run if isinstance(x, Probe)]
    if not values and not probes:
        return total
    ints = any(type(x) is not float for x in numbers)
    if values and (probes or ints):
        recorder.refused = _REFUSED.format(
            name="sum", what="numbers read from .data" if probes else "ints"
        )
        return total
    if values:
        return _record(PYTHON_SUM, tuple(run), total)
    if not ints and all(x.node is not None for x in probes):
        return recorder.derive(PYTHON_SUM, tuple(map(_node, run)), total)
    return Probe(total, tuple(n for x in probes for n in _needs(x)), recorder)


def _kind(recorder: Any, x: Any) -> type:
    """The type of ``x`` when the step runs eagerly: a Probe's number's, a float-like Value's
    number's (float, or numpy's float64), else its own."""
    if isinstance(x, Probe):
        return type(x.number)
    if isinstance(x, Value) and recorder.float_like(x):
        return recorder.float_kind(x)  # type: ignore[no-any-return]
    return type(x)


def _fits(n: Any) -> bool:
    """Whether sum() holds ``n`` as a C long (it adds ints so while they fit)."""
    return type(n) in (int, bool) and -(2**63) <= n < 2**63


def _node(x: Any) -> Any:
    return x.node if isinstance(x, Probe) else x


def _number(x: Any) -> Any:
    """The number ``x`` is eagerly: a Probe's, a Value's own (not a Probe of it), or ``x``."""
    if isinstance(x, Probe):
        return x.number
    return x.data if isinstance(x, Value) else x  # (read by the engine: the number itself)


def _traced_sumprod(p: Iterable[Any], q: Iterable[Any], /) -> Any:
    recorder = tracer()
    p, q = list(p), list(q)
    floats = recorder is not None and not recorder.closed
    if floats and any(isinstance(x, Value) and _kind(recorder, x) is float for x in (*p, *q)):
        recorder.refused = (
            "it calls math.sumprod() on float arguments, which Python adds in extended "
            "precision as floats; use autograd.dot"
        )
    return _SUMPROD(p, q)


_SUMPROD = getattr(math, "sumprod", None)
_saved: list[tuple[Any, str, Any]] = []


def swap(on: bool) -> None:
    """Put :func:`traced_sum` (and the sumprod check) in place, or what was there back (the
    recorder's hooks call it as the first trace starts and the last one ends)."""
    if on:
        _saved.append((builtins, "sum", builtins.sum))
        builtins.sum = traced_sum
        if _SUMPROD is not None:
            _saved.append((math, "sumprod", math.sumprod))
            math.sumprod = _traced_sumprod
    while not on and _saved:
        module, name, original = _saved.pop()
        setattr(module, name, original)
