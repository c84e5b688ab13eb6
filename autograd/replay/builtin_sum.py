"""Python's own ``sum()`` while a step is traced: the number eager gets, on any Python.

From Python 3.12, ``sum()`` adds floats with compensation (Neumaier's): ``sum([0.1] * 10)`` is
1.0, not the 0.9999999999999999 that adding them one after the other gives. It does so for
floats only — Values it adds with their ``+``. So a float argument that is a Value while the
step is traced would be summed otherwise than eagerly, where it is a float. While a trace
runs, ``builtins.sum`` is :func:`traced_sum`, which gives what eager gets:

- float arguments (and Python's arithmetic on them: *float-like* Values) summed with floats are
  one node, :data:`autograd.ops.PYTHON_SUM`, whose forward is ``sum()`` itself on their numbers — at every
  replay too; what follows the first term that is not a float is added one by one, as
  ``sum()`` does then;
- numbers read from ``.data`` (Probes) are summed as ``sum()`` sums their numbers: a node
  too, where they are floats, so that comparing the sum is a guard on its outcome;
- a mix whose eager arithmetic a node cannot stand for (an int before or among the float
  arguments, Probes with them) makes the step run eagerly, with a warning;
- anything else is ``sum()``'s own business, unchanged, in any thread.

``math.sumprod`` (3.12) adds its products in extended precision: on float arguments it makes
the step run eagerly.
"""

from __future__ import annotations

import builtins
import math
import threading
from collections.abc import Iterable
from typing import Any

from ..ops import PYTHON_SUM, python_sum
from ..value import Value, _record
from .probe import Probe, _needs
from .recorder import _get, _recorder

__all__ = ["install", "traced_sum"]

_SUM = builtins.sum  # Python's own, whatever the hooks do

_REFUSED = (
    "it calls {name}() on float arguments mixed with {what}, which Python adds otherwise "
    "when they are floats than a trace can; use autograd.sum, or floats throughout"
)


def traced_sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    """``sum(iterable, start)`` as eager computes it (see the module's docstring)."""
    recorder = _recorder.get()
    if recorder is None or recorder.closed:
        return _SUM(iterable, start)
    items = list(iterable)
    probes = any(isinstance(x, Probe) for x in (start, *items))
    if not any(_is_float_value(recorder, x) for x in (start, *items)):
        if not probes:
            return _SUM(items, start)
        if any(isinstance(x, Value) for x in (start, *items)):
            recorder.refused = _REFUSED.format(name="sum", what="Values")
            return _SUM(items, start)
        # numbers read from .data: eager's sum of their numbers — a node, where they are the
        # nodes' floats (and floats), so that comparing it guards its outcome
        number = _SUM(list(map(_number, items)), _number(start))
        if type(start) is int and start == 0 and all(map(_read_float, items)):
            return recorder.derive(PYTHON_SUM, (0.0, *map(_node, items)), number)
        return Probe(number, tuple(n for x in (start, *items) for n in _needs(x)), recorder)
    if probes:
        recorder.refused = _REFUSED.format(name="sum", what="numbers read from .data")
        return _SUM(items, start)
    # Eagerly, sum() adds from start on, in one of three loops: ints (while start and the
    # items are ints), then floats (once the total is a float: compensated from Python 3.12,
    # taking ints in too), then any objects, by their own +.
    floats = [_is_float(recorder, x) for x in items]
    if type(start) is int and start == 0:
        if not items or not floats[0]:
            if items and type(items[0]) in (int, bool):
                recorder.refused = _REFUSED.format(name="sum", what="ints")
            return _SUM(items, start)  # (an object first: one by one)
        first: Any = 0.0  # (0 + x, then the others: as from 0.0)
    elif _is_float(recorder, start):
        first = start
    elif type(start) in (int, bool):
        recorder.refused = _REFUSED.format(name="sum", what="ints")
        return _SUM(items, start)
    else:  # a Value or another object to start: one by one, by their own +
        return _SUM(items, start)
    run = next((k for k, is_float in enumerate(floats) if not is_float), len(items))
    if run < len(items) and type(items[run]) in (int, bool):  # (taken into the floats' loop)
        recorder.refused = _REFUSED.format(name="sum", what="ints")
        return _SUM(items, start)
    inputs = (first, *items[:run])
    total: Any = _record(PYTHON_SUM, inputs, python_sum(*map(_number, inputs)))
    for x in items[run:]:  # what ends the floats' loop, and all after it: one by one
        total = total + x
    return total


def _is_float(recorder: Any, x: Any) -> bool:
    """Whether ``x`` is a float when the step runs eagerly: a float, or a float-like Value
    standing for one (not numpy's float64, which sum() adds as any object)."""
    return type(x) is float or _is_float_value(recorder, x)


def _is_float_value(recorder: Any, x: Any) -> bool:
    """Whether ``x`` is a float-like Value standing for a float."""
    return isinstance(x, Value) and recorder.float_like(x) and recorder.float_kind(x) is float


def _read_float(x: Any) -> bool:
    """Whether ``x`` is a float, or a Probe of a node's float (a read, or arithmetic on reads)."""
    if isinstance(x, Probe):
        return x.node is not None and type(x.number) is float
    return type(x) is float


def _node(x: Any) -> Any:
    return x.node if isinstance(x, Probe) else x


def _number(x: Any) -> Any:
    """The number ``x`` is eagerly: a Probe's, a Value's own (not a Probe of it), or ``x``."""
    if isinstance(x, Probe):
        return x.number
    return _get(x) if isinstance(x, Value) else x


def _traced_sumprod(p: Iterable[Any], q: Iterable[Any], /) -> Any:
    recorder = _recorder.get()
    p, q = list(p), list(q)
    floats = recorder is not None and not recorder.closed
    if floats and any(_is_float_value(recorder, x) for x in (*p, *q)):
        recorder.refused = (
            "it calls math.sumprod() on float arguments, which Python adds in extended "
            "precision as floats; use autograd.dot"
        )
    return _SUMPROD(p, q)


_SUMPROD = getattr(math, "sumprod", None)
_saved: list[tuple[Any, str, Any]] = []
_installed = 0  # traces running, in any thread
_lock = threading.Lock()


def install(on: bool) -> None:
    """Put :func:`traced_sum` (and the sumprod check) in place while any trace runs, and
    what was there back when the last one ends."""
    global _installed
    with _lock:
        was = bool(_installed)
        _installed += 1 if on else -1
        if bool(_installed) == was:
            return
        if _installed:
            _saved.append((builtins, "sum", builtins.sum))
            builtins.sum = traced_sum
            if _SUMPROD is not None:
                _saved.append((math, "sumprod", math.sumprod))
                math.sumprod = _traced_sumprod
        while not _installed and _saved:
            module, name, original = _saved.pop()
            setattr(module, name, original)
