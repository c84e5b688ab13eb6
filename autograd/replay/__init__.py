"""``autograd.compile``: trace a training step once, replay it with the same numbers, faster.

>>> import nn
>>> from autograd import compile
>>> model = nn.MLP(2, [4, 1], seed=0)
>>> def step(x, y):
...     score = model(x)
...     return (1 - y * score).relu(), score
>>> compiled = compile(step)
>>> loss, score = compiled([0.5, -1.0], 1.0)        # traced: the eager step, recorded
>>> loss, score = compiled([0.2, 0.3], -1.0)        # replayed: no graph is built
>>> model.layers[0].neurons[0].w[0].grad == 0.0     # gradients accumulate, as backward's do
False

``compile(fn)`` returns a function that does what ``out = fn(*args); out.backward()`` does —
the same result and the same ``.grad`` in every parameter, bit for bit — but after the first
call of each shape of arguments it does not run ``fn``: it replays the graph the first call
built, reading the parameters' ``.data`` anew each time — with generated Python (the python
backend) or a batch of nodes at a time in numpy (the numpy backend), whichever suits the graph.
See ``docs/compile.md`` for the design: what is traced, what the guards check, why the replay
equals eager.

- Parameters are the Values ``fn`` uses that were made before the call; an optimizer that
  changes their ``.data`` just works. Floats in ``args`` (alone, in nested lists and tuples,
  or numpy float arrays) are the inputs, fed anew at each call. Ints, strings and other
  objects in ``args`` are static, like JAX's static arguments: another value traces again.
- Constants ``fn`` makes itself (``Value(0.5)``) or reads from data it closes over are fixed
  when it is traced: pass data that changes as arguments.
- ``fn`` returns the loss, or a tuple or list whose first item is the loss; Values in the rest
  are returned with their replayed numbers (and gradients). Other values — say an accuracy
  computed from ``.data`` — are not replayed: they come back as :data:`NOT_REPLAYED`.
- A decision the step's code takes from ``.data`` (``if v.data > 0:``, or printing it) is a
  guard: when its outcome changes, the step is traced again — and if the new trace built the
  same graph from the same reads, that comparison chose nothing and stops being a guard.
  When the graph keeps changing (more than ``max_traces`` traces of one argument shape), the
  step runs eagerly from then on, with one warning that says which line to rewrite (``relu``
  rather than ``if v.data > 0``). Comparisons only added up into a returned accuracy are free.
- A replay that would raise or meet inf or nan runs the step eagerly instead, so errors are
  eager's. Inside ``no_grad()`` or ``detect_anomaly()``, and for steps with micrograd-style
  nodes (``_backward`` closures), that read ``.grad`` or call ``backward()`` inside, the step
  runs eagerly. Its own ``zero_grad()``, ``detach()`` and ``no_grad()`` blocks are replayed.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from ..mode import anomaly, grad_enabled, tracer
from ..value import Value, replayed
from .arguments import _flatten, _rebuild, _Unhashable
from .trace import (
    NOT_REPLAYED,
    AsFloat,
    NotReplayed,
    Trace,
    Untraceable,
    _values,
    made,
    shape_of,
    trace,
)

__all__ = ["NOT_REPLAYED", "Compiled", "NotReplayed", "compile"]

MAX_TRACES = 8  # of one argument shape, before a step runs eagerly for good
BACKENDS = ("numpy", "python")


def compile(  # noqa: A001 - autograd.compile, like torch.compile and jax.jit
    fn: Callable[..., Any], *, backend: str | None = None, max_traces: int = MAX_TRACES
) -> Compiled:
    """``fn`` as a compiled step; see the module's docstring.

    ``backend``: "numpy" (the graph in batches: fast where many nodes do the same thing, as
    a layer's neurons over a batch of points), "python" (generated Python, a subgraph built
    for every point written once as a loop: no dependency, fast on deep narrow graphs), or
    None — numpy where it is installed and the trace's batches carry on average at least
    ``WIDE`` gradients each (the numpy backend's cost is mostly per batch, the python
    backend's per edge), else python.
    """
    if not callable(fn):
        raise TypeError(f"compile: expected a function, got {type(fn).__name__}")
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"compile: backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "numpy" and not _has_numpy():
        raise ImportError("compile: backend='numpy' needs numpy (pip install numpy)")
    if isinstance(max_traces, bool) or not isinstance(max_traces, int) or max_traces < 1:
        raise ValueError(f"compile: max_traces must be an int >= 1, got {max_traces!r}")
    return Compiled(fn, backend, max_traces)


def _has_numpy() -> bool:
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


WIDE = 200  # edges a batch, on average, from which the numpy backend is the faster (measured:
# micrograd's demo on 5 points, ~280 edges a batch, is 1.6x faster in numpy; the lecture's
# 3-4-4-1 MLP on 16 points, 170, is 1.5x faster in python)


class _Entry:
    """One trace of one argument shape: its parameters, its outputs, its replay.

    ``replay(params, inputs)`` returns None (eager would raise or meet inf or nan), False (a
    guard failed) or ``(the parameters' gradients, the outputs' numbers, their gradients)``.
    """

    __slots__ = ("backend", "merged", "outputs", "params", "replay", "resets", "shape")

    def __init__(
        self,
        tr: Trace,
        backend: str | None,
        shape: tuple[bytes, list[Any]] | None = None,
        merged: bool = False,
    ) -> None:
        self.shape, self.merged = shape, merged  # what it built and read (when it read)
        wanted = list(dict.fromkeys(_values(tr.outputs)))  # each Value once
        self.params = list(tr.params)  # in the order the replay reads them
        self.resets = list(tr.resets.items())  # gradients the step itself sets (zero_grad)
        self.outputs = _template(tr.outputs, {v: k for k, v in enumerate(wanted)})
        if backend != "python" and _has_numpy():
            from .batched import Plan

            plan = Plan(tr, wanted)
            if backend == "numpy" or plan.edges >= WIDE * len(plan.batches):
                self.backend, self.replay = "numpy", plan.replay
                return
        from .python import compile_trace

        self.backend, self.replay = "python", compile_trace(tr, wanted)


class Compiled:
    """A compiled step (see :func:`compile`): call it as you would call the step."""

    def __init__(self, fn: Callable[..., Any], backend: str | None, max_traces: int) -> None:
        self.fn, self.backend, self.max_traces = fn, backend, max_traces
        self.traces: dict[Any, list[_Entry]] = {}
        self.eager_only: str | None = None  # why the step runs eagerly for good
        self.counts = {"traced": 0, "replayed": 0, "eager": 0}
        self.warned: set[str] = set()
        functools.update_wrapper(self, fn)

    def __repr__(self) -> str:
        state = (
            f"eager: {self.eager_only}"
            if self.eager_only
            else f"{sum(map(len, self.traces.values()))} traces"
        )
        backend = self.backend or "numpy or python, per trace"
        return f"<compiled {getattr(self.fn, '__name__', 'step')} ({backend}), {state}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._eager_now():
            return self._eager(args, kwargs)
        try:
            key, inputs = _flatten(args, kwargs)
        except _Unhashable as e:
            return self._unmatched(args, kwargs, str(e))
        return self._run(args, kwargs, key, inputs)

    def _unmatched(self, args: tuple[Any, ...], kwargs: dict[str, Any], kind: str) -> Any:
        """A call with an argument that is neither numbers nor hashable: eagerly."""
        self._warn_once(
            f"an argument of type {kind} is neither numbers nor hashable, so the call cannot "
            "be matched to a trace; it runs eagerly"
        )
        return self._eager(args, kwargs)

    def bind(self, *args: Any, **kwargs: Any) -> Callable[[], Any]:
        """``step.bind(*args)()`` is ``step(*args)``, with the arguments read once, now, not
        at every call: for data that stays the same from call to call (as :func:`nn.fit`'s
        whole-data epochs). Do not change the arguments afterwards: replays would not see it.

        >>> from autograd import Value, compile
        >>> w = Value(2.0)
        >>> epoch = compile(lambda xs: sum(w * x for x in xs)).bind([1.0, 3.0])
        >>> epoch().data, w.grad
        (8.0, 4.0)
        >>> epoch().data, w.grad  # replayed
        (8.0, 8.0)
        """
        try:
            key, inputs = _flatten(args, kwargs)
        except _Unhashable as e:
            kind = str(e)
            return lambda: self._unmatched(args, kwargs, kind)

        def call() -> Any:
            if self._eager_now():
                return self._eager(args, kwargs)
            return self._run(args, kwargs, key, inputs)

        return call

    def _eager_now(self) -> bool:
        """Whether this call runs eagerly: for good, inside detect_anomaly() or no_grad(), or
        inside a step being traced (which records the graph this call builds)."""
        return (
            bool(self.eager_only)
            or anomaly() is not None
            or not grad_enabled()
            or tracer() is not None
        )

    def _run(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], key: Any, inputs: list[float]
    ) -> Any:
        entries = self.traces.setdefault(key, [])
        for k, entry in enumerate(entries):
            before = [p.grad for p, _ in entry.resets]
            for p, g in entry.resets:  # the step's own zero_grad()
                p.grad = g
            try:
                found = entry.replay(entry.params, inputs)
            except (ArithmeticError, ValueError):
                found = None
            if found is None or found is False:
                for (p, _), g in zip(entry.resets, before):
                    p.grad = g
            if found is None:  # eager would raise, or meet inf or nan: let it
                return self._eager(args, kwargs)
            if found is False:  # a guard failed: another trace, or a new one
                continue
            if k:
                entries.insert(0, entries.pop(k))
            param_grads, data, grads = found
            for p, g in zip(entry.params, param_grads):
                p.grad = g
            self.counts["replayed"] += 1
            return entry.outputs(list(map(replayed, data, grads)))
        if len(entries) >= self.max_traces:
            self._give_up(
                f"its graph depends on the numbers it reads from .data while building it, and "
                f"changed {len(entries)} times for one shape of arguments. Build the graph from "
                "Values only (relu(x) rather than `if x.data > 0`), and use numbers read from "
                ".data (printing them, too) outside the step"
            )
            return self._eager(args, kwargs)
        try:
            tr = trace(lambda leaves: self._call_on(args, kwargs, leaves), inputs)
        except Untraceable as e:
            self._give_up(str(e))
            return self._eager(args, kwargs)
        except Exception as e:  # eager says whether the step itself raises
            result = self._eager(args, kwargs)  # (raises, if the step does)
            self._give_up(
                f"traced, with Values for its float arguments, it raised "
                f"{type(e).__name__}: {e}; run eagerly, on floats, it does not. Compute with "
                "the arguments through Values only, or outside the step"
            )
            return result
        shape = shape_of(tr) if tr.guards else None
        try:
            if not self._merge(entries, tr, shape):
                entries.insert(0, _Entry(tr, self.backend, shape))
        except Exception as e:  # a bug: the traced call's result is right
            self._give_up(f"its replay could not be built ({type(e).__name__}: {e}; a bug)")
        self.counts["traced"] += 1
        return tr.result

    def _call_on(self, args: tuple[Any, ...], kwargs: dict[str, Any], leaves: list[Value]) -> Any:
        """``fn`` called with the k-th input float of the arguments replaced by ``leaves[k]``."""
        rebuilt = _rebuild((*args, *kwargs.values()), leaves, tracer().numpy_leaves)
        return self.fn(*rebuilt[: len(args)], **dict(zip(kwargs, rebuilt[len(args) :])))

    def _merge(self, entries: list[_Entry], tr: Trace, shape: Any) -> bool:
        """If ``tr`` built the same graph as an earlier trace, with the same reads, and one
        comparison came out the other way, that comparison did not matter (given the others'
        outcomes): the two become one trace without that guard. Only one guard is dropped from
        a trace: the outcomes neither trace saw (two guards turned at once) are not known."""
        if shape is None:
            return False
        digest, reads = shape
        for k, entry in enumerate(entries):
            if entry.merged or entry.shape is None or entry.shape[0] != digest:
                continue
            before = entry.shape[1]
            if len(before) != len(reads):
                continue
            turned = [i for i, (a, b) in enumerate(zip(before, reads)) if a != b]
            # (a pinned number differs in the number, never in the outcome alone)
            if len(turned) == 1 and before[turned[0]][:-1] == reads[turned[0]][:-1]:
                tr.guards = [g for i, g in enumerate(tr.guards) if i != turned[0]]
                entries.pop(k)
                entries.insert(0, _Entry(tr, self.backend, shape, merged=True))
                return True
        return False

    def _eager(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        self.counts["eager"] += 1
        result = self.fn(*args, **kwargs)
        loss = result[0] if isinstance(result, (tuple, list)) else result
        loss.backward()
        return result

    def _warn_once(self, why: str) -> None:
        if why not in self.warned:
            self.warned.add(why)
            warnings.warn(f"compile: {why}", RuntimeWarning, stacklevel=3)

    def _give_up(self, why: str) -> None:
        self.eager_only = why
        warnings.warn(
            f"compile: {getattr(self.fn, '__name__', 'the step')} runs eagerly from now on: {why}.",
            RuntimeWarning,
            stacklevel=3,
        )


# --- results -------------------------------------------------------------------------------------


def _template(outputs: Any, slots: dict[Value, int]) -> Callable[[list[Value]], Any]:
    """A function that builds the step's result from the replayed Values of ``slots``' keys
    (in that order): the same nesting of lists and tuples, and NOT_REPLAYED where it was."""
    if isinstance(outputs, Value):
        return itemgetter(slots[outputs])
    if isinstance(outputs, AsFloat):  # eagerly a float (or numpy's float64): its number
        at, kind = slots[outputs.value], outputs.kind
        return lambda values: kind(values[at].data)
    if isinstance(outputs, (tuple, list)):
        kind = type(outputs)
        if outputs and all(isinstance(x, Value) for x in outputs):  # a row of Values
            at = [slots[x] for x in outputs]
            return lambda values: made(kind, list(map(values.__getitem__, at)))
        parts = [_template(x, slots) for x in outputs]
        return lambda values: made(kind, [part(values) for part in parts])
    return lambda values: outputs  # NOT_REPLAYED
