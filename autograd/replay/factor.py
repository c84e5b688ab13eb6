"""Gathers laid out as outer products: an MLP's batches read a few numbers many times.

The numpy backend reads a batch's numbers with index arrays: a row per input position (or per
contribution), a column per node. In a network's batches most rows have a shape: in the
layer of neuron × point dots, input ``w_j``'s row depends only on the neuron and ``x_j``'s only
on the point. Laid out as a grid (``a × b`` nodes), such a row is read as ``a`` numbers (an
``(a, 1)`` column) or ``b`` numbers (a ``(1, b)`` row), and numpy's broadcasting multiplies
them out: 16 + 100 reads instead of 1,600. Only where numbers are read changes; every
operation, and its order, is the same.

:func:`grid` finds the layout (and a reordering of the columns, so that the longer side is the
fast axis in memory); :class:`Rows` gathers the rows so laid out; :class:`Inputs` hands a
batch's inputs to the op table's array forms as they take them, input by input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Inputs", "Rows", "grid", "grid_and_alike", "span"]

CANDIDATES = 3  # grid widths tried, the most suggested first
INNER = 8  # the shortest long side of a grid: along fewer, broadcasting is slower than reading


def grid(M: Any) -> tuple[tuple[int, int], Any]:
    """``((a, b), order)``: the grid of ``M``'s columns (``order`` lists them row after row of
    the grid, or is None for their own order) in which the most rows of M (an integer array,
    rows × columns) depend on the grid's row only or on its column only; ``((1, n), None)``
    when none does.

    >>> i, j = np.divmod(np.arange(24), 2)  # a 12 × 2 grid: row i, column j
    >>> M = np.array([10 + i, 100 + j])  # one row by the grid's row, one by its column
    >>> (a, b), order = grid(M)  # laid out 2 × 12 instead: the longer side innermost
    >>> (a, b), M[:, order][:, :3].tolist()
    ((2, 12), [[10, 11, 12], [100, 100, 100]])
    """
    return grid_and_alike(M)[:2]  # type: ignore[return-value]


def grid_and_alike(M: Any) -> tuple[tuple[int, int], Any, Any]:
    """:func:`grid`'s ``((a, b), order)``, and which of M's rows, so laid out, stay the same
    along the grid's rows and which down its columns — ``(along rows, down columns)``, as
    :class:`Rows` would find them (it is given them: no second look at every number) — or
    None for no grid."""
    rows, n = M.shape
    plain = (1, n), None, None
    if rows == 0 or n < 4:
        return plain
    # A row that depends on the grid's row starts with a run of b equal numbers; one that
    # depends on its column returns to its first number after b.
    runs = (M[:, :1] != M).argmax(axis=1)
    returns = (M[:, 1:] == M[:, :1]).argmax(axis=1) + 1
    votes = np.concatenate([runs, returns])
    votes = votes[(votes >= 2) & (votes <= n // 2) & (n % np.maximum(votes, 1) == 0)]
    if not votes.size:
        return plain
    widths, counts = np.unique(votes, return_counts=True)
    best, shaped, alike = (1, n), 0, None  # (a vote counts no row the grid fits: none may)
    for b in widths[np.argsort(-counts, kind="stable")][:CANDIDATES].tolist():
        R = M.reshape(rows, n // b, b)
        along, down = _alike(R, 2), _alike(R, 1)
        found = int((along | down).sum())
        if found > shaped:
            best, shaped, alike = (n // b, b), found, (along, down)
            if found == rows:  # every row fits: no other width does better
                break
    a, b = best
    if a == 1 or max(a, b) < INNER or alike is None:
        return plain
    if a > b:  # the longer side innermost: numpy's loops run along it (a row along the
        # grid's rows was one down its columns)
        return (b, a), np.arange(n).reshape(a, b).T.ravel(), (alike[1], alike[0])
    return best, None, alike


def _alike(R: Any, axis: int) -> Any:
    """Which rows of R (rows × a × b) stay the same along ``axis`` (1: down the grid's
    columns, 2: along its rows)."""
    return (np.take(R, [0], axis=axis) == R).all(axis=(1, 2))


def span(index: Any) -> Any:
    """``index`` (integers) as a slice where it is a run of consecutive numbers — reading a
    slice is a view, not a copy — else itself.

    >>> span(np.array([[3, 4], [5, 6]])), span(np.array([3, 5]))
    (slice(3, 7, None), array([3, 5]))
    """
    flat = index.reshape(-1)
    if flat.size and flat[-1] - flat[0] == flat.size - 1 and (np.diff(flat) == 1).all():
        return slice(int(flat[0]), int(flat[-1]) + 1)
    return index


class Rows:
    """The rows of an index array ``M`` (rows × ``a·b`` columns, in grid order), each read as
    an ``(a, 1)``, ``(1, b)`` or ``(a, b)`` array: ``Rows(M, (a, b)).read(X)`` gives, for each
    kind, the numbers of its rows at once (one gather a kind — a slice, where the slots run
    on), and ``where[r]`` says which kind and which of them row r is."""

    __slots__ = ("kinds", "stacks", "where")

    def __init__(self, M: Any, shape: tuple[int, int], alike: Any = None) -> None:
        rows = len(M)
        a, b = shape
        R = M.reshape(rows, a, b)
        # the same along the grid's rows (the shorter side: a row that is one number throughout
        # is read as a column of a numbers, not a row of b), or down its columns
        # (``alike``: grid_and_alike's, where it was found)
        by_row, down = (_alike(R, 2), _alike(R, 1)) if alike is None else alike
        by_column = down & ~by_row
        full = ~(by_column | by_row)
        self.stacks: dict[tuple[Any, Any, Any], Any] = {}  # slices of rows: stacked(), kept
        self.kinds: list[tuple[Any, tuple[int, ...]]] = []
        self.where: list[tuple[int, int]] = [(0, 0)] * rows
        for mask, index, view in (
            (by_column, R[:, 0, :], (1, b)),
            (by_row, R[:, :, 0], (a, 1)),
            (full, R.reshape(rows, a * b), (a, b)),
        ):
            at = np.flatnonzero(mask)
            if not at.size:
                continue
            if at.size == rows:  # all of them (a view, where M already is one)
                at = slice(None)
            for i, r in enumerate(range(rows) if type(at) is slice else at.tolist()):
                self.where[r] = (len(self.kinds), i)
            index = np.ascontiguousarray(index[at], dtype=np.intp)  # (numpy's quickest)
            self.kinds.append((span(index), (len(index), *view)))

    def stacked(self, rows: slice) -> tuple[int, slice] | None:
        """``(kind, at)`` where ``rows`` were read together, as ``read(X)[kind][at]``; None
        where they were not (they are then stacked anew)."""
        picked = self.where[rows]
        if not picked:
            return None
        kind, first = picked[0]
        step = picked[1][1] - first if len(picked) > 1 else 1
        if step > 0 and picked == [(kind, first + step * t) for t in range(len(picked))]:
            return kind, slice(first, first + step * len(picked), step)
        return None

    def read(self, X: Any) -> list[Any]:
        """Each kind's rows of numbers from X, shaped to broadcast over the grid."""
        return [X[index].reshape(view) for index, view in self.kinds]


class Inputs:
    """A batch's inputs as the op table's array forms take them: ``inputs[j]`` is input j's
    numbers, ``inputs[i:j:k]`` several inputs stacked on a first axis (a view of what was read
    at once, where it can be), as rows of a 2-D array would give them."""

    __slots__ = ("read", "rows")

    def __init__(self, rows: Rows, read: list[Any]) -> None:
        self.rows, self.read = rows, read

    def __len__(self) -> int:
        return len(self.rows.where)

    def __iter__(self) -> Any:
        read = self.read
        return iter([read[kind][i] for kind, i in self.rows.where])  # (a list: quicker)

    def __getitem__(self, j: Any) -> Any:
        read = self.read
        if not isinstance(j, slice):
            kind, i = self.rows.where[j]
            return read[kind][i]
        where = self.rows.stacks.get((j.start, j.stop, j.step), False)
        if where is False:
            where = self.rows.stacks[j.start, j.stop, j.step] = self.rows.stacked(j)
        if where is not None:
            kind, at = where
            return read[kind][at]
        picked = self.rows.where[j]
        if not picked:
            return np.zeros((0, *np.broadcast_shapes(*(r.shape[1:] for r in read))))
        return np.stack(np.broadcast_arrays(*(read[k][i] for k, i in picked)))
