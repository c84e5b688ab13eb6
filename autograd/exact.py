"""Correctly rounded sums of many rows at once: ``math.fsum``'s numbers at numpy's speed.

``fsum_rows(P)`` returns, for every row of the 2-D float array ``P``, exactly what
``math.fsum(row)`` returns — the exact sum of the row, rounded once. Eager ``sum`` and ``dot``
nodes are computed with ``math.fsum``, so a replay that sums rows with it gives eager's numbers
bit for bit; calling ``fsum`` row by row would cost a Python call per row.

How: error-free additions (TwoSum) give, per row, a float ``s`` and errors ``e`` with
``Σ row = s + Σ e`` exactly. Adding the errors the same way gives ``c`` and errors of their own:
where those are all 0, ``s + c`` is the exact sum and ``fl(s + c)`` rounds it once, ties and
all. Short rows (up to ``SHORT`` terms) are added in order, and that is the whole story. Longer
rows are added pairwise, and ``r = fl(s + fl(Σ e))`` is checked against a bound on its error:
it is the correctly rounded sum unless the exact sum lies within that bound of a midpoint
between two floats — mostly ties, a few in a hundred rows, whose errors are then added exactly.
The rest — a zero result, whose sign ``fsum`` decides, an overflow, errors that do not add up
exactly (terms of very different sizes) — are summed with ``math.fsum`` itself.

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
SHORT = 6  # terms up to which the rows are added in order (_short_sums), not pairwise
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
        sums = _short_sums if n <= SHORT else _rounded_sums
        with np.errstate(all="ignore"):
            for lo in range(0, m, chunk):
                r[lo : lo + chunk] = sums(np, T[:, lo : lo + chunk])
    # fsum itself for a zero sum (it picks the zero's sign), an overflow or inf or nan, and
    # the sums marked nan as not proven
    ask = np.flatnonzero((r == 0.0) | ~np.isfinite(r))
    if ask.size:
        r[ask] = [math.fsum(row) for row in P[ask].tolist()]
    return r


def _rounded_sums(np: Any, T: Any) -> Any:
    """Each column's exact sum, rounded once (T: a row a term, a column a sum); nan where
    that is not proven."""
    n = T.shape[0]
    s, E = _distil(np, T)  # each column's sum is s + Σ E, exactly
    errors = E.sum(axis=0)
    r = s + errors
    # errors, a float sum of Σ E, is off by at most n·u·Σ|E| (twice that, for room; where
    # that underflows, Σ E − errors, a multiple of the smallest float, is 0)
    size = np.abs(E).sum(axis=0)
    certified = _nearest(np, r, s, errors, size * (2.0 * n * _U), size == 0.0)
    rows = np.flatnonzero(~certified)
    if rows.size:  # mostly ties: add the errors exactly
        s2, E2 = _distil(np, E[:, rows])  # Σ E = s2 + Σ E2, exactly
        r2 = s[rows] + s2  # where Σ E2 is 0, s + s2 is the exact sum: r2 rounds it once
        r[rows] = np.where((E2 != 0.0).any(axis=0), np.nan, r2)
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


def _short_sums(np: Any, T: Any) -> Any:
    """Each column's exact sum, rounded once, for a few terms (T: a row a term): the terms added
    in order with every addition's error kept, then the errors added the same way. Where the
    errors' sum ``c`` came out exact, ``s + c`` is the exact sum and ``r = fl(s + c)`` rounds it
    once: fsum's number, ties and all. The other sums (rare: terms of very different sizes) are
    nan: not proven."""
    s, errors = _cascade(T)
    c, rest = _cascade(errors)  # Σ errors == c + Σ rest, exactly
    r = s + c
    for e in rest:
        r[e != 0.0] = np.nan
    return r


def _cascade(terms: Any) -> tuple[Any, list[Any]]:
    """``(s, errors)`` with ``Σ terms == s + Σ errors`` exactly: the terms added one after the
    other (TwoSum), every addition's rounding error kept."""
    s, errors = terms[0], []
    for x in terms[1:]:
        t = s + x
        virtual = t - s
        errors.append((s - (t - virtual)) + (x - virtual))  # s + x == t + error exactly
        s = t
    return s, errors


def _nearest(np: Any, r: Any, s: Any, c: Any, bound: Any, exact: Any) -> Any:
    """Where ``r = fl(s + c)`` is surely the float nearest the exact sum ``s + Σ e``, given
    ``c``, a float sum of the errors ``e`` that is off by at most ``bound``, and ``exact``, where
    it is not off at all (so r rounds the exact sum, ties and all)."""
    virtual = r - s
    last = (s - (r - virtual)) + (c - virtual)  # s + c == r + last exactly
    # r is right when |last| plus what c missed is less than half the gap from r to its
    # neighbours: half an ulp, or a quarter of one below a power of two (and nothing for a
    # subnormal r: no power, no room). The margin covers the slack's own rounding.
    slack = (np.abs(last) + bound) * (1.0 + 2.0**-40)
    power = (r.view(np.int64) & _EXPONENT).view(np.float64)  # |r| rounded down to 2**k
    half_gap = power * 2.0**-53
    half_gap = np.where(np.abs(r) == power, 0.5 * half_gap, half_gap)
    return (slack < half_gap) | exact
