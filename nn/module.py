"""Module: the base class of everything with parameters.

A Module finds its parameters the way PyTorch does, by looking at its attributes: a
:class:`~autograd.Value`, a list of Values, another Module or a list of Modules stored on
``self`` is part of the model (attributes starting with ``_`` are private and skipped).

>>> from autograd import Value
>>> class Line(Module):
...     def __init__(self):
...         self.w = Value(2.0)
...         self.b = Value(0.5)
...     def forward(self, x):
...         return self.w * x + self.b
>>> line = Line()
>>> line(3.0).data
6.5
>>> [name for name, _ in line.named_parameters()]
['w', 'b']
>>> line.state_dict()
{'w': 2.0, 'b': 0.5}
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from itertools import chain, repeat
from operator import is_
from typing import Any

from autograd import Value

__all__ = ["Module", "StateDict"]

# A state dict maps each parameter name to a number (a scalar parameter such as a bias) or to a
# list of numbers (a vector parameter such as a neuron's weights).
StateDict = dict[str, float | list[float]]

_Entry = tuple[str, Value | list[Value]]
_PLAIN = frozenset({str, int, float, bool, type(None)})  # attribute types that hold no parameter


class Module:
    """Base class of neurons, layers and models: parameters, gradients, saving and loading.

    Subclasses define ``forward(x)`` (or ``__call__``, as micrograd's do) and keep their
    parameters in attributes.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """What the module computes; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__}: define forward(...) to call it")

    # --- parameters --------------------------------------------------------------------------

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, Value) for every parameter, in a stable order: attribute order, depth first.

        A list of Values ``w`` gives ``w.0``, ``w.1``, ...; a submodule's parameters are
        prefixed with its attribute name (``layers.0.neurons.2.b``). A Value reachable twice
        (tied weights) is listed once.
        """
        out: list[tuple[str, Value]] = []
        seen: set[int] = set()
        for name, entry in self._entries():
            items = (
                [(name, entry)]
                if isinstance(entry, Value)
                else [(f"{name}.{i}", p) for i, p in enumerate(entry)]
            )
            for item_name, p in items:
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((item_name, p))
        return out

    def parameters(self) -> list[Value]:
        """Every parameter (a Value), in the order of :meth:`named_parameters`.

        A training loop asks for them at every step, so the list is kept, with what the walk
        read to find it — every module's attributes, every list's items — and the model is
        walked again only when any of those changed (for an MLP, a third of a walk's time).
        """
        found = self.__dict__.get("_parameters_found")  # (a shallow copy's: its original's)
        if found is None or found.modules[0] is not self or not found.unchanged():
            found = _Found(self)
            self.__dict__["_parameters_found"] = found
            found.names, found.objects = found.read()  # (once stored: it is an attribute)
        return list(found.values)

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0 (``backward`` accumulates into leaves)."""
        for p in self.parameters():
            p.grad = 0.0

    def _entries(self) -> list[_Entry]:
        """(name, Value or list of Values) for each parameter attribute, depth first."""
        out: list[_Entry] = []
        self._collect(out, "", {}, [])
        return out

    def _collect(
        self, out: list[Any], prefix: str | None, visited: dict[int, Module], walked: list[Any]
    ) -> None:
        """:meth:`_entries` into ``out`` — or, with ``prefix`` None, the bare Values: a
        training loop asks for the parameters at every step, and needs no names. ``visited``
        gets the modules walked, ``walked`` the lists and tuples."""
        if id(self) in visited:
            return
        visited[id(self)] = self
        named = prefix is not None
        for attr, value in vars(self).items():
            cls = type(value)
            if cls in _PLAIN or attr[:1] == "_":  # (a str, a number: no parameter in it)
                continue
            name = prefix + attr if named else None
            if cls is Value or isinstance(value, Value):
                out.append((name, value) if named else value)
            elif isinstance(value, Module):
                value._collect(out, name + "." if named else None, visited, walked)
            elif cls is list or isinstance(value, (list, tuple)):
                walked.append(value)
                if value and all(map(isinstance, value, repeat(Value))):
                    if named:
                        out.append((name, list(value)))
                    else:
                        out.extend(value)
                    continue
                for i, item in enumerate(value):
                    if isinstance(item, Value):
                        out.append((f"{name}.{i}", item) if named else item)
                    elif isinstance(item, Module):
                        item._collect(out, f"{name}.{i}." if named else None, visited, walked)

    # --- state -------------------------------------------------------------------------------

    def state_dict(self) -> StateDict:
        """The parameters' numbers by name: a float per scalar, a list per vector of Values.

        Plain data (JSON-ready); changing it does not change the model.
        """
        return {
            name: entry.data if isinstance(entry, Value) else [p.data for p in entry]
            for name, entry in self._entries()
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set the parameters from ``state`` (as made by :meth:`state_dict`).

        Everything is checked first — every name present, no unknown names, every shape right,
        every number a finite float (no nan, no inf, no int too large for a float) — so on any
        problem a ValueError lists them all and the model is untouched.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to numbers, got {type(state).__name__}"
            )
        entries = dict(self._entries())
        problems = _check_state(entries, state)
        if problems:
            shown = problems[:8] + (
                [f"... and {len(problems) - 8} more"] if len(problems) > 8 else []
            )
            raise ValueError(
                f"load_state_dict: the state does not fit this {type(self).__name__}: "
                + "; ".join(shown)
            )
        for name, entry in entries.items():  # every number converts: checked above
            if isinstance(entry, Value):
                entry.data = float(state[name])
            else:
                for p, x in zip(entry, state[name]):
                    p.data = float(x)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters to ``path`` as JSON, atomically (see :func:`nn.checkpoint.save`)."""
        from .checkpoint import save

        save(self, path)

    def load(self, path: str | os.PathLike[str]) -> Module:
        """Read parameters saved by :meth:`save` into this model (checked first) and return it."""
        from .checkpoint import load

        load(self, path)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.parameters())} parameters)"


class _Found:
    """A module's parameters, and what its walk read to find them: the modules walked (their
    attributes' names and values) and the lists and tuples walked (their items). The
    parameters are the same while all of these are — the values and items the same objects
    (compared by identity: ``==`` could call an object's own ``__eq__``)."""

    __slots__ = ("modules", "names", "objects", "sequences", "values")

    def __init__(self, root: Module) -> None:
        found: list[Value] = []
        visited: dict[int, Module] = {}
        self.sequences: list[Any] = []
        root._collect(found, None, visited, self.sequences)
        self.values = list(dict.fromkeys(found))  # each once (Values hash by identity)
        self.modules = list(visited.values())
        self.names: list[str] = []
        self.objects: list[Any] = []

    def read(self) -> tuple[list[str], list[Any]]:
        """The attributes' names, and their values with the sequences' items, as they are."""
        dicts = list(map(vars, self.modules))
        return [*chain.from_iterable(dicts)], [
            *chain.from_iterable(map(dict.values, dicts)),
            *chain.from_iterable(self.sequences),
        ]

    def unchanged(self) -> bool:
        """Whether the walk would read what it read."""
        names, objects = self.read()
        return (
            names == self.names  # (strings: equal is as good as the same)
            and len(objects) == len(self.objects)
            and all(map(is_, objects, self.objects))
        )


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _bad_number(x: Any) -> str | None:
    """Why ``x`` cannot be a parameter's value (None: it can): not a number, or not finite."""
    if not _is_number(x):
        return f"a {type(x).__name__}"
    try:
        f = float(x)
    except OverflowError:
        return "a number too large for a float"
    if not math.isfinite(f):
        return f"{f}"
    return None


def _shape(entry: Value | list[Value]) -> str:
    return "a number" if isinstance(entry, Value) else f"a list of {len(entry)} numbers"


def _describe(x: Any) -> str:
    if _is_number(x):
        return "a number"
    if isinstance(x, (list, tuple)):
        return f"a list of {len(x)} items"
    return f"a {type(x).__name__}"


def _check_state(entries: dict[str, Value | list[Value]], state: Mapping[str, Any]) -> list[str]:
    """Every way ``state`` fails to fit ``entries``, as readable phrases (empty: it fits)."""
    problems = [f"missing {name!r}" for name in entries if name not in state]
    problems += [f"unexpected {name!r}" for name in state if name not in entries]
    for name, entry in entries.items():
        if name not in state:
            continue
        x = state[name]
        if isinstance(entry, Value):
            fits = _is_number(x)
            numbers_ = [(name, x)]
        else:
            fits = isinstance(x, (list, tuple)) and len(x) == len(entry)
            numbers_ = [(f"{name}[{i}]", v) for i, v in enumerate(x)] if fits else []
        if not fits:
            problems.append(f"{name!r} should be {_shape(entry)}, got {_describe(x)}")
        for where, v in numbers_:
            bad = _bad_number(v)
            if bad is not None:
                problems.append(f"{where} should be a finite number, got {bad}")
    return problems
