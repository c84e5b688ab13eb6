"""Correctly rounded sums of many rows at once: ``math.fsum``'s numbers at numpy's speed.

``fsum_rows(P)`` returns, for every row of the 2-D float array ``P``, exactly what
``math.fsum(row)`` returns — the exact sum of the row, rounded once. Eager ``sum`` and ``dot``
nodes are computed with ``math.fsum``, so a replay that sums rows with it gives eager's numbers
bit for bit; calling ``fsum`` row by row would cost a Python call per row.

How: a cascade of error-free additions (TwoSum) gives, per row, a float ``s`` and errors ``e``
with ``Σ row = s + Σ e`` exactly; ``r = fl(s + fl(Σ e))`` is then the correctly rounded sum
unless the exact sum lies within a tiny, computable bound of the midpoint between two floats.
Each row's bound is checked; the rows that are not *certified* (ties, a zero result, whose sign
``fsum`` decides, or an overflow) are summed with ``math.fsum`` itself. On random data every
row but about one in 10⁴ is certified.

Needs numpy, imported when first called: the engine itself does not depend on it.

>>> import numpy as np
>>> P = np.array([[1e16, 1.0, -1e16], [0.1, 0.2, 0.3]])
>>> fsum_rows(P).tolist() == [math.fsum(row) for row in P.tolist()]
True
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["FEW", "fsum_rows"]

FEW = 3500  # rows × (terms + 8) below which math.fsum is asked row by row (it is quicker)
_U = 2.0**-53  # the unit roundoff of float64
_EXPONENT = 0x7FF0000000000000  # a float64's exponent bits


def fsum_rows(P: Any) -> Any:
    """``math.fsum`` of each row of the 2-D float array ``P``, as a 1-D array."""
    import numpy as np

    m, n = P.shape
    if m * (n + 8) < FEW:  # a few sums: fsum itself is quicker than numpy's overheads
        return np.array([math.fsum(row) for row in P.tolist()]).reshape(m)
    if n <= 2:  # one addition at most: rounded once, as fsum rounds (but for a zero's sign)
        r = P[:, 0] + P[:, 1] if n == 2 else P[:, 0] + 0.0 if n else np.zeros(m)
    else:
        r = np.empty(m)
        T = P.T if P.T.flags.c_contiguous else np.ascontiguousarray(P.T)  # a row a term
        chunk = max(256, 2**18 // n)  # sums at a time, so the temporaries stay in cache
        with np.errstate(all="ignore"):
            for lo in range(0, m, chunk):
                r[lo : lo + chunk] = _rounded_sums(np, T[:, lo : lo + chunk])
    zero = np.flatnonzero(r == 0.0)  # fsum picks the sign of a zero sum: ask it
    if zero.size:
        r[zero] = [math.fsum(row) for row in P[zero].tolist()]
    return r


def _rounded_sums(np: Any, T: Any) -> Any:
    """Each column's exact sum, rounded once (T: a row a term, a column a sum)."""
    n = T.shape[0]
    s, E = _distil(np, T)  # each column's sum is s + Σ E, exactly
    errors = E.sum(axis=0)
    r = s + errors
    certified = _nearest(np, r, s, errors, np.abs(E).sum(axis=0), n)
    rows = np.flatnonzero(~certified)
    if rows.size:  # mostly ties: add the errors exactly, then check again
        s2, E2 = _distil(np, E[:, rows])  # Σ E = s2 + Σ E2, exactly
        r2 = s[rows] + s2
        sure = _nearest(np, r2, s[rows], s2, np.abs(E2).sum(axis=0), n)
        r[rows[sure]] = r2[sure]
        rows = rows[~sure]
        if rows.size:
            r[rows] = [math.fsum(column) for column in T[:, rows].T.tolist()]
    return r


def _distil(np: Any, T: Any) -> tuple[Any, Any]:
    """``(s, E)`` with ``T.sum(axis=0) == s + E.sum(axis=0)`` exactly: the rows of ``T`` added
    pairwise (TwoSum), every addition's rounding error kept as a row of ``E``."""
    levels = []
    while len(T) > 1:
        half = len(T) // 2
        a, b = T[0 : 2 * half : 2], T[1 : 2 * half : 2]
        t = a + b
        virtual = t - a
        e = t - virtual
        np.subtract(a, e, out=e)
        np.subtract(b, virtual, out=virtual)
        e += virtual  # a + b == t + e exactly
        levels.append(e)
        T = t if len(T) % 2 == 0 else np.concatenate([t, T[-1:]])  # the odd one waits
    E = np.concatenate(levels) if len(levels) > 1 else levels[0] if levels else T[:0]
    return T[0], E


def _nearest(np: Any, r: Any, s: Any, c: Any, size: Any, n: int) -> Any:
    """Where ``r = fl(s + c)`` is surely the float nearest the exact sum ``s + Σ e``, given
    ``c``, the float sum of at most ``n`` errors ``e``, and ``size = Σ |e|`` (0: no errors, so
    ``c`` is exact and so is r, ties and all)."""
    virtual = r - s
    last = (s - (r - virtual)) + (c - virtual)  # s + c == r + last exactly
    # |Σ e − c| <= n·u·Σ|e| (twice that, with room to spare for size's own rounding; where
    # that underflows, Σ e − c, a multiple of the smallest float, is 0). r is right when
    # |last| plus that is less than half the gap from r to its neighbours: half an ulp, or a
    # quarter of one below a power of two (and nothing for a subnormal r: no power, no room).
    slack = (np.abs(last) + size * (2.0 * n * _U)) * (1.0 + 2.0**-40)
    power = (r.view(np.int64) & _EXPONENT).view(np.float64)  # |r| rounded down to 2**k
    half_gap = power * 2.0**-53
    half_gap = np.where(np.abs(r) == power, 0.5 * half_gap, half_gap)
    return (slack < half_gap) | (size == 0.0)
