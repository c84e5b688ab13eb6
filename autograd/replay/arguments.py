"""A compiled step's arguments: inputs (floats), parameters (Values) and static values.

Every call is matched to its traces by a key, the *shape* of its arguments, made with the input
floats they hold (``_flatten``): floats alone, in nested lists, tuples and dicts, in numpy
float64 arrays are inputs, fed anew at each call; Values are parameters; anything else is
static, part of the key by value. While a step is traced, ``_rebuild`` gives it its arguments
with every input float replaced by a leaf Value — a float64 array as an array of them that
refuses what numpy would compute otherwise on floats.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from itertools import chain
from typing import Any

from ..mode import tracer
from ..value import Value


def _flatten(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, list[float]]:
    """(the cache key of the arguments' shape, the input floats in order). Run at every call:
    a list of floats is taken whole, at C speed. Keyword arguments come after the others, in
    their order."""
    inputs: list[float] = []
    key = tuple(_shape(a, inputs) for a in args)
    if kwargs:
        key += (tuple(kwargs), *(_shape(a, inputs) for a in kwargs.values()))
    return key, inputs


class _Unhashable(Exception):
    """An argument that is not numbers and cannot be a cache key (its type's name)."""


def _shape(x: Any, inputs: list[float]) -> Any:
    kind = type(x)
    if kind is float:
        inputs.append(x)
        return "f"
    if kind is list or kind is tuple:
        types = list(map(type, x))  # (counting is quicker than a set of the types)
        if x and types.count(float) == len(x):  # a row of numbers
            inputs.extend(x)
            return (kind.__name__, len(x))
        first = types[0] if x else None
        if first in _ROWS and types.count(first) == len(x):
            flat = list(chain.from_iterable(x))
            if list(map(type, flat)).count(float) == len(flat):  # rows of numbers: a batch
                inputs.extend(flat)
                lengths = list(map(len, x))
                same = lengths.count(lengths[0]) == len(lengths)
                return (
                    kind.__name__,
                    first.__name__,
                    len(x),
                    lengths[0] if same else tuple(lengths),
                )
        if first in _STATIC and types.count(first) == len(x):  # class labels: static, as ints
            return ("static", kind.__name__, first.__name__, tuple(x))
        return (kind.__name__, tuple(_shape(item, inputs) for item in x))
    if isinstance(x, Value):
        return ("param", id(x))
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # a namedtuple: rebuilt as one
        return (kind, tuple(_shape(item, inputs) for item in x))
    if kind in _DICTS:  # its values as a list's; its keys, by type and repr, part of the shape
        keys = tuple((type(k), repr(k)) for k in x)
        return (kind, keys, tuple(_shape(item, inputs) for item in x.values()))
    if _is_float_array(x):
        inputs.extend(x.ravel().tolist())
        return ("array", x.shape)
    if isinstance(x, float):  # numpy float scalars and float subclasses
        return _shape(float(x), inputs)
    return _static(x)


_ROWS = {list, tuple}
# dicts whose copy() is of their kind and whose keys and values come in one order (another
# subclass of list, tuple or dict may not be rebuilt as it was: it is static)
_DICTS = {dict, OrderedDict, defaultdict}
_STATIC = {int, str, bool, type(None)}


def _rebuild(
    args: tuple[Any, ...], leaves: list[Value], numpy: set[int] | None = None
) -> tuple[Any, ...]:
    """The arguments with the k-th input float replaced by ``leaves[k]`` (to trace ``fn``);
    ``numpy`` gets the ids of the leaves that stand for numpy floats (arrays' and scalars')."""
    it = iter(leaves)
    numpy = set() if numpy is None else numpy

    def numpy_leaf() -> Value:
        leaf = next(it)
        numpy.add(id(leaf))
        return leaf

    def rebuild(x: Any) -> Any:
        kind = type(x)
        if kind is float:
            return next(it)
        if isinstance(x, Value):
            return x
        if kind is list or kind is tuple:
            return kind([rebuild(item) for item in x])
        if isinstance(x, tuple) and hasattr(x, "_fields"):
            return kind(*[rebuild(item) for item in x])
        if kind in _DICTS:
            rebuilt = x.copy()
            rebuilt.update(zip(x, map(rebuild, x.values())))
            return rebuilt
        if _is_float_array(x):
            return _value_array([numpy_leaf() for _ in range(x.size)], x.shape)
        if isinstance(x, float):  # a subclass: numpy's float64
            return numpy_leaf() if type(x).__module__ == "numpy" else next(it)
        return x

    return tuple(rebuild(a) for a in args)


def _is_float_array(x: Any) -> bool:
    """A numpy float64 array: its numbers are inputs. (Other floats — float32, float16, long
    double — compute in their own precision eagerly, not in a Value's: they are static.)"""
    return (
        type(x).__module__ == "numpy"
        and getattr(x, "dtype", None) is not None
        and x.dtype.kind == "f"
        and x.dtype.itemsize == 8
        and x.ndim > 0
    )


def _value_array(values: list[Value], shape: tuple[int, ...]) -> Any:
    """A float array argument, while tracing: its numbers as input Values, in an array that
    refuses what numpy computes otherwise on floats than on Values (see _Inputs)."""
    import numpy as np

    global _Inputs
    if _Inputs is None:
        _Inputs = _inputs_class(np)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(shape).view(_Inputs)


_Inputs: Any = None


def _inputs_class(np: Any) -> type:
    """An object array of input Values that makes the trace refuse numpy's own arithmetic on
    it — reductions (``X.sum()``, ``X.mean()``: pairwise on floats, one by one on Values),
    products (``X @ w``: BLAS), functions (``np.exp``: numpy's, not math's) — all but the
    elementwise + − × ÷, which round as floats do either way."""
    exact = {np.add, np.subtract, np.multiply, np.true_divide, np.negative, np.positive}
    shapes = {np.reshape, np.transpose, np.ravel, np.squeeze, np.expand_dims, np.swapaxes}
    shapes |= {np.concatenate, np.stack, np.hstack, np.vstack, np.atleast_1d, np.atleast_2d}
    shapes |= {np.copy, np.shape, np.ndim, np.size, np.broadcast_to}

    class _InputArray(np.ndarray):
        def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kw: Any) -> Any:
            if not (method == "__call__" and ufunc in exact):
                _refuse(
                    f"numpy's {ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
                )
            plain = [x.view(np.ndarray) if isinstance(x, _InputArray) else x for x in inputs]
            out = getattr(ufunc, method)(*plain, **kw)
            return out.view(_InputArray) if isinstance(out, np.ndarray) else out

        def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
            if func not in shapes:
                _refuse(f"numpy's {func.__name__}")
            return super().__array_function__(func, types, args, kwargs)

        def dot(self, *args: Any, **kwargs: Any) -> Any:
            _refuse("numpy's dot")
            return self.view(np.ndarray).dot(*args, **kwargs)

    return _InputArray


def _refuse(what: str) -> None:
    recorder = tracer()
    if recorder is not None:
        recorder.refused = (
            f"it computes {what} on an array argument, which, on floats, numpy computes "
            "otherwise than on Values; use autograd's ops on them (autograd.sum, dot), or "
            "compute it outside the step"
        )


def _static(x: Any) -> Any:
    """How a static argument enters the cache key: by value (its type, ``==`` and repr: an
    object that defines no ``==`` is itself, held by the key), by its bytes for a numpy array;
    _Unhashable for anything else."""
    if x is None or isinstance(x, (bool, int, str, bytes)):
        return ("static", type(x).__name__, x)
    if type(x).__module__ == "numpy" and hasattr(x, "tobytes"):
        return (
            "static",
            "array",
            getattr(x, "shape", ()),
            str(getattr(x, "dtype", "")),
            x.tobytes(),
        )
    try:
        hash(x)
    except TypeError:
        raise _Unhashable(type(x).__name__) from None
    return ("static", type(x), x, repr(x))  # (repr: 0.0 and -0.0 are ==, but differ)
