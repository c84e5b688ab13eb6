"""numpy arrays of Values: a user's numpy forward, run on the engine to get the true gradient.

:func:`autograd.check_formula` hands the user's ``loss`` its parameters as arrays of Values and
its data as arrays of floats, both of the class :class:`ValueArray`, so that the user's own
numpy — ``X.dot(W)``, ``@``, ``np.exp``, ``.sum(axis=1, keepdims=True)``, broadcasting, ``.T``,
``np.maximum(0, z)`` — builds a graph with the engine's fused nodes:

- a matrix product (``@``, ``.dot``, ``np.dot``) makes one ``dot`` node per output entry (an
  n×k by k×m product: n·m nodes of k terms, through :func:`autograd.linear`);
- a sum (``.sum``, ``np.sum``, ``.mean``) makes one ``sum`` node per output entry;
- ``np.exp``, ``np.log``, ``np.tanh``, ``np.sqrt``, ... apply the op table's functions;
- ``np.maximum(0, z)`` is ``relu(z)``; ``.max`` picks the largest entry (a softmax's shift);
- a comparison (``z > 0``) is refused: it has no derivative — write ``np.maximum(0, z)``.

Arithmetic and indexing are numpy's own, on object arrays. Needs numpy.

>>> import numpy as np
>>> from autograd import Value
>>> W = as_values(np.array([[1.0, 2.0], [3.0, 4.0]]), "W")
>>> X = as_data(np.array([[1.0, 1.0]]))
>>> Z = X.dot(W)                     # one dot node per entry
>>> [z.data for z in Z.ravel()], Z[0, 0].op.name
([4.0, 6.0], 'dot')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as F
from ..mode import tracer
from ..value import Value

__all__ = ["ValueArray", "as_data", "as_values"]


def as_values(array: Any, name: str) -> ValueArray:
    """A leaf Value for every entry of ``array``, labelled ``name[i, j]``."""
    array = np.asarray(array, dtype=float)
    out = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        out[index] = Value(float(array[index]), f"{name}[{', '.join(map(str, index))}]")
    return out.view(ValueArray)


def as_data(array: Any) -> ValueArray:
    """``array`` (numbers, not differentiated), so that its ``.dot`` and ``@`` build fused nodes
    when they meet Values."""
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"check_formula: data must be arrays of numbers, got dtype {array.dtype}")
    return array.view(ValueArray)


def _plain(x: Any) -> Any:
    return x.view(np.ndarray) if isinstance(x, np.ndarray) else x


def _has_values(*arrays: Any) -> bool:
    return any(isinstance(a, np.ndarray) and a.dtype == object for a in arrays) or any(
        isinstance(a, Value) for a in arrays
    )


def _wrap(result: Any) -> Any:
    """numpy's result as a ValueArray (a 0-d one as the Value or number it holds)."""
    if isinstance(result, np.ndarray):
        return result[()] if result.ndim == 0 else result.view(ValueArray)
    return result


_FUNCTIONS = {
    np.exp: F.exp,
    np.log: F.log,
    np.sqrt: F.sqrt,
    np.tanh: F.tanh,
    np.sin: F.sin,
    np.cos: F.cos,
    np.tan: F.tan,
    np.absolute: abs,
}
_COMPARISONS = {np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal}


class ValueArray(np.ndarray):
    """A numpy array of Values (or of data) whose products, sums and functions build the
    engine's nodes. See the module's docstring."""

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        args = [_plain(x) for x in inputs]
        if "out" in kwargs:
            raise TypeError(f"check_formula: {ufunc.__name__}(..., out=...) cannot build a graph")
        if not _has_values(*args):  # data only: numpy as usual
            return _wrap(getattr(ufunc, method)(*args, **kwargs))
        if method == "reduce" and ufunc is np.add:
            return _reduce(args[0], F.sum, **kwargs)
        if method == "reduce" and ufunc in (np.maximum, np.fmax):
            return _reduce(args[0], _largest, **kwargs)
        if method != "__call__":
            raise TypeError(
                f"check_formula: np.{ufunc.__name__}.{method} on Values is not supported"
            )
        if ufunc is np.matmul:
            return _matmul(*args)
        if ufunc in _COMPARISONS:
            raise TypeError(
                f"check_formula: np.{ufunc.__name__} compares Values, and a comparison has no "
                "derivative; for ReLU write np.maximum(0, z) (not z * (z > 0))"
            )
        if ufunc in (np.maximum, np.fmax, np.minimum, np.fmin):
            return _wrap(_extremum(ufunc, *args))
        if ufunc in _FUNCTIONS:
            return _wrap(np.frompyfunc(_FUNCTIONS[ufunc], 1, 1)(*args))
        if ufunc.nin == 2 and ufunc.__name__ in _ARITHMETIC:
            return _wrap(ufunc(*args, dtype=object))
        if ufunc in (np.negative, np.positive, np.square, np.reciprocal):
            return _wrap(ufunc(*args, dtype=object))
        raise TypeError(
            f"check_formula: np.{ufunc.__name__} on Values is not supported; write it with "
            "+ - * / **, @, np.exp, np.log, np.tanh, np.sqrt, np.maximum(0, z) and sums"
        )

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func is np.dot:
            return _matmul(*(_plain(a) for a in args))
        if func in (np.sum, np.mean, np.max, np.amax):
            name = {np.sum: "sum", np.mean: "mean", np.max: "max", np.amax: "max"}[func]
            return getattr(args[0], name)(*args[1:], **kwargs)
        if not _has_values(*args, *kwargs.values()):
            return _wrap(func(*(_plain(a) for a in args), **kwargs))
        return _wrap(super().__array_function__(func, types, args, kwargs))

    def dot(self, other: Any) -> Any:  # type: ignore[override]
        return _matmul(_plain(self), _plain(other))

    def sum(
        self,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        keepdims: bool = False,
        **kw: Any,
    ) -> Any:  # type: ignore[override]
        if not _has_values(_plain(self)):
            return _wrap(_plain(self).sum(axis=axis, keepdims=keepdims))
        return _reduce(_plain(self), F.sum, axis=axis, keepdims=keepdims)

    def mean(
        self,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        keepdims: bool = False,
        **kw: Any,
    ) -> Any:  # type: ignore[override]
        total = self.sum(axis=axis, keepdims=keepdims)
        count = self.size // max(1, np.size(total))
        return total / count

    def max(self, axis: Any = None, out: Any = None, keepdims: bool = False, **kw: Any) -> Any:  # type: ignore[override]
        if not _has_values(_plain(self)):
            return _wrap(_plain(self).max(axis=axis, keepdims=keepdims))
        return _reduce(_plain(self), _largest, axis=axis, keepdims=keepdims)


_ARITHMETIC = {"add", "subtract", "multiply", "true_divide", "divide", "power", "float_power"}


def _matmul(a: Any, b: Any) -> Any:
    """a @ b with one fused dot node per entry (numpy's rules for 1-D and 2-D operands)."""
    a, b = np.asarray(a), np.asarray(b)
    if not _has_values(a, b):
        return _wrap(a @ b)
    if a.ndim > 2 or b.ndim > 2 or a.ndim == 0 or b.ndim == 0:
        raise TypeError(
            f"check_formula: matrix products of {a.ndim}-D and {b.ndim}-D arrays of Values are "
            "not supported (1-D and 2-D are)"
        )
    matrix_a, matrix_b = np.atleast_2d(a), b if b.ndim == 2 else b[:, None]
    if matrix_a.shape[1] != matrix_b.shape[0]:
        raise ValueError(
            f"check_formula: matmul: shapes {a.shape} and {b.shape} do not fit "
            f"({matrix_a.shape[1]} != {matrix_b.shape[0]})"
        )
    columns = [list(column) for column in matrix_b.T]  # one weight row per output column
    out = np.empty((matrix_a.shape[0], matrix_b.shape[1]), dtype=object)
    for i, row in enumerate(matrix_a):
        out[i, :] = F.linear(columns, list(row))
    if a.ndim == 1:
        out = out[0]
    if b.ndim == 1:
        out = out[..., 0]
    return _wrap(out)


def _reduce(array: Any, combine: Any, axis: Any = None, keepdims: bool = False, **_: Any) -> Any:
    """``combine`` (a fused sum, or the largest) over ``axis``, one node per output entry."""
    array = np.asarray(array, dtype=object)
    axes = tuple(range(array.ndim)) if axis is None else _axes(axis, array.ndim)
    kept = [d for d in range(array.ndim) if d not in axes]
    moved = np.moveaxis(array, kept, range(len(kept))).reshape(*[array.shape[d] for d in kept], -1)
    out = np.empty(moved.shape[:-1], dtype=object)
    for index in np.ndindex(out.shape):
        out[index] = combine(list(moved[index]))
    if keepdims:
        out = out.reshape([1 if d in axes else array.shape[d] for d in range(array.ndim)])
    return _wrap(out)


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim for a in axes)


def _largest(items: list[Any]) -> Any:
    """The entry with the largest value (its gradient flows to that entry, as in PyTorch).
    While ``autograd.compile`` traces a step, the comparisons are its guards."""
    recorder = tracer()
    if recorder is not None:
        return max(items, key=lambda v: recorder.probe(v, v.data) if isinstance(v, Value) else v)
    return max(items, key=lambda v: v.data if isinstance(v, Value) else v)


def _extremum(ufunc: Any, a: Any, b: Any) -> Any:
    """np.maximum(a, b) (np.minimum) elementwise: relu(a − b) + b, so np.maximum(0, z) is
    relu(z) exactly."""
    sign = 1.0 if ufunc in (np.maximum, np.fmax) else -1.0

    def pick(x: Any, y: Any) -> Any:
        if not isinstance(x, Value) and not isinstance(y, Value):
            return max(x, y) if sign > 0 else min(x, y)
        if not isinstance(x, Value) and x == 0.0:
            return F.relu(y) if sign > 0 else -F.relu(-y)
        if not isinstance(y, Value) and y == 0.0:
            return F.relu(x) if sign > 0 else -F.relu(-x)
        return F.relu(sign * (x - y)) * sign + y

    return np.frompyfunc(pick, 2, 1)(a, b)
