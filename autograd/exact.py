"""math's numbers at numpy's speed: correctly rounded sums of many rows at once (``fsum_rows``,
``math.fsum``'s numbers) and ``math.exp`` of every element of an array (``exp``).

``fsum_rows(P)`` returns, for every row of the 2-D float array ``P``, exactly what
``math.fsum(row)`` returns — the exact sum of the row, rounded once. Eager ``sum`` and ``dot``
nodes are computed with ``math.fsum``, so a replay that sums rows with it gives eager's numbers
bit for bit; calling ``fsum`` row by row would cost a Python call per row.

How. Short rows (up to ``SHORT`` terms) are added in order with every addition's error kept
(TwoSum), then the errors the same way: where the errors' own errors are all 0, ``s + c`` is
the exact sum and ``fl(s + c)`` rounds it once, ties and all. Longer rows are split (as in
Rump, Ogita and Oishi's AccSum): with σ a power of two well above the row's sum of magnitudes,
``q = (σ + t) − σ`` rounds each term to a multiple of σ·2⁻⁵³, exactly, and the ``q`` add up
exactly in any order; what is left, ``t − q``, is exact too and tiny, and its float sum ``c``
is off by a known bound. ``r = fl(Σq + c)`` is the correctly rounded sum unless the exact sum
lies within that bound of a midpoint between two floats — mostly ties, a few in a hundred
rows, where ``r`` is right if ``c`` is exact, which the leftovers' lowest bits can show.
The rest — a zero result, whose sign ``fsum`` decides, an overflow, sums not proven — are
summed with ``math.fsum`` itself.

``exp(x)`` is numpy's complex exp of ``x + 0i``: C99's ``cexp`` of a real argument is the C
library's ``exp`` of it (times cos 0 = 1), and ``math.exp`` calls that same ``exp`` — in glibc
and musl, and in FreeBSD's msun, whose ``cexp`` numpy carries where the platform has none —
about five times quicker than ``math.exp`` a Python call an element. Above 709, glibc's
``cexp`` scales its argument (rounding twice): those elements, and nan, are ``math.exp``'s
own. The first call checks the route against ``math.exp`` on 30,000 numbers; where any
differs (another C library, another numpy), every element is ``math.exp``'s.

Needs numpy, imported when first called: the engine itself does not depend on it.

>>> import numpy as np
>>> P = np.array([[1e16, 1.0, -1e16], [0.1, 0.2, 0.3]])
>>> fsum_rows(P).tolist() == [math.fsum(row) for row in P.tolist()]
True
"""

from __future__ import annotations

import functools
import math
from typing import Any

__all__ = ["FEW", "exp", "fsum_rows"]

FEW = 2000  # rows × (terms + 8) below which math.fsum is asked row by row (it is quicker)
SHORT = 6  # terms up to which the rows are added in order (_short_sums), not split
_EXPONENT = 0x7FF0000000000000  # a float64's exponent bits
_MANTISSA = 0x000FFFFFFFFFFFFF  # and its mantissa's, after the implicit leading 1
_IMPLICIT = 0x0010000000000000


def fsum_rows(P: Any, largest: Any = None, smallest: Any = None) -> Any:
    """``math.fsum`` of each row of the 2-D float array ``P``, as a 1-D array. ``largest``,
    if given, is at least each row's largest magnitude (else it is found); ``smallest``, if
    given, at most the smallest magnitude of its terms that are not 0 (it proves most sums
    at once; see :func:`_split_sums`)."""
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
                if n <= SHORT:
                    r[lo : lo + chunk] = _short_sums(np, T[:, lo : lo + chunk])
                else:
                    at = slice(lo, lo + chunk)
                    r[at] = _split_sums(
                        np,
                        T[:, at],
                        None if largest is None else largest[at],
                        None if smallest is None else smallest[at],
                    )
    # fsum itself for a zero sum (it picks the zero's sign), an overflow or inf or nan, and
    # the sums marked nan as not proven
    ask = np.flatnonzero((r == 0.0) | ~np.isfinite(r))
    if ask.size:
        r[ask] = [math.fsum(row) for row in P[ask].tolist()]
    return r


def exp(x: Any) -> Any:
    """``math.exp`` of each element of the float array ``x``, bit for bit: an array shaped
    like ``x``. Raises OverflowError where ``math.exp`` does (an element above 709.78).

    >>> import numpy as np
    >>> exp(np.array([0.0, -1.0, 2.5])).tolist() == [1.0, math.exp(-1.0), math.exp(2.5)]
    True
    """
    import numpy as np

    x = np.asarray(x, dtype=float)
    if not _complex_exp_is_maths():
        return np.fromiter(map(math.exp, x.ravel().tolist()), float, x.size).reshape(x.shape)
    z = x.astype(np.complex128, order="C")
    odd = np.flatnonzero(~(x <= _CEXP_EXACT))  # (nan too)
    if odd.size:
        z.ravel()[odd] = 0.0
    np.exp(z, out=z)
    r = z.real.copy()
    if odd.size:
        r.ravel()[odd] = [math.exp(v) for v in x.ravel()[odd].tolist()]
    return r


# up to which glibc's cexp(x + 0i) is exp(x) · 1: it scales x above int(1023 · ln 2)
_CEXP_EXACT = 709.0


@functools.cache
def _complex_exp_is_maths() -> bool:
    """Whether numpy's complex exp of x + 0i is ``math.exp(x)`` on a spread of numbers: all
    sizes up to 709, the subnormal results below −708, zeros, tiny numbers and −inf."""
    import numpy as np

    rng = np.random.default_rng(20261130)
    x = np.concatenate(
        [
            rng.uniform(-746.0, _CEXP_EXACT, 10_000),
            rng.uniform(-40.0, 40.0, 10_000),
            rng.uniform(-1.0, 1.0, 5_000),
            rng.normal(0.0, 1e-9, 4_000),
            rng.uniform(-746.0, -708.0, 1_000),
            [0.0, -0.0, 5e-324, -5e-324, -math.inf, _CEXP_EXACT, -745.13, -708.4, 1e-300],
        ]
    )
    with np.errstate(all="ignore"):
        got = np.exp(x.astype(np.complex128)).real
    want = np.array([math.exp(v) for v in x.tolist()])
    return bool((got.view(np.int64) == want.view(np.int64)).all())


def _split_sums(np: Any, T: Any, largest: Any, smallest: Any = None) -> Any:
    """Each column's exact sum, rounded once (T: a row a term, a column a sum; ``largest``:
    at least each column's largest magnitude, or None; ``smallest``: at most the smallest
    magnitude of its terms other than 0, or None); nan where that is not proven."""
    n = len(T)
    if largest is None:
        largest = np.abs(T).max(axis=0)
    power = _power(np, largest)  # 2**k <= largest < 2**(k+1)
    # σ >= 4n·largest > 2·Σ|t|; each q = fl(σ + t) − σ is then exact (Sterbenz), a multiple of
    # σ·2**-53 below σ in size, and so is every partial sum of them: Σq is exact in any order
    sigma = power * float(2 ** math.ceil(math.log2(8 * n)))
    Q = T + sigma
    Q -= sigma
    whole = np.add.reduce(Q, axis=0)  # (what Q.sum does, without its Python wrapper)
    np.subtract(T, Q, out=Q)  # the rest, t − q: exact, a rounding error, |t − q| <= σ·2**-53
    rest = np.add.reduce(Q, axis=0)  # off by <= n·u·Σ|t − q| <= n²·σ·2**-106 (twice: room)
    r = whole + rest
    normal = power >= 2.0**-960  # far from the subnormals: σ·2**-53 is a float
    if smallest is not None:
        # Each t − q is a multiple of ulp(t): t is, and q is a multiple of ulp(σ/2) (σ + t is
        # a float of at least σ/2), a larger power of two. So all of them are multiples of
        # μ >= ulp(smallest) >= 2**-52·power(smallest), and none is above σ·2**-53 in size.
        # Where n·σ·2**-53 <= 2**53·μ, every partial sum of them is a multiple of μ below
        # 2**53·μ: a float. Then rest is their exact sum, and r rounds the exact sum once.
        exact = (n * sigma <= _power(np, smallest) * 2.0**54) & normal
        if exact.all():
            return r
    proven = _nearest(np, r, whole, rest, sigma * (n * n * 2.0**-105)) & normal
    if smallest is not None:
        proven |= exact
    rows = np.flatnonzero(~proven)
    if rows.size * (n + 8) < FEW // 2:  # a few: math.fsum is quicker than the check below
        r[rows] = np.nan
    elif rows.size:  # mostly ties, where r is right if rest is exactly Σ(t − q)
        left = Q[:, rows]
        tied = _adds_exactly(np, left, np.abs(left).sum(axis=0)) & normal[rows]
        r[rows[~tied]] = np.nan
    return r


def _power(np: Any, x: Any) -> Any:
    """|x| rounded down to a power of two, from its exponent bits (0 for 0 and subnormals)."""
    return (x.view(np.int64) & _EXPONENT).view(np.float64)


def _adds_exactly(np: Any, E: Any, size: Any) -> Any:
    """Where any float sum of each column of E is exact, whatever the order of its additions:
    every number in the column is a whole multiple of q, the smallest of their lowest set bits,
    so every partial sum is one too, and none is larger than ``size`` (Σ|E|, rounded: given a
    margin); below 2**53·q all such multiples are floats."""
    power = _power(np, E)  # |e| rounded down to 2**k (0: subnormal)
    mantissa = (E.view(np.int64) & _MANTISSA) | _IMPLICIT  # |e| = mantissa · 2**(k − 52)
    lowest = power * (mantissa & -mantissa).astype(np.float64) * 2.0**-52  # e's lowest bit
    lowest[E == 0.0] = np.inf  # a zero is a multiple of anything
    q = lowest.min(axis=0)  # (0 where a number is subnormal: no proof)
    return size * (1.0 + 2.0**-40) < q * 2.0**53


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
    # fsum raises OverflowError ("intermediate overflow") where one of its partial sums does,
    # even when the exact sum is finite (and ops' dot then sums the exact products instead):
    # below 2**1020 each, no sum of up to 6 terms reaches 2**1023, so none can
    r[np.abs(T).max(axis=0) >= 2.0**1020] = np.nan
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


def _nearest(np: Any, r: Any, s: Any, c: Any, bound: Any) -> Any:
    """Where ``r = fl(s + c)`` is surely the float nearest the exact sum ``s + Σ e``, given
    ``c``, a float sum of the numbers ``e`` that is off by at most ``bound``."""
    virtual = r - s
    last = (s - (r - virtual)) + (c - virtual)  # s + c == r + last exactly
    # r is right when |last| plus what c missed is less than half the gap from r to its
    # neighbours: half an ulp, or a quarter of one below a power of two (and nothing for a
    # subnormal r: no power, no room). The margin covers the slack's own rounding.
    slack = (np.abs(last) + bound) * (1.0 + 2.0**-40)
    power = _power(np, r)  # |r| rounded down to 2**k
    half_gap = power * 2.0**-53
    half_gap = np.where(np.abs(r) == power, 0.5 * half_gap, half_gap)
    return slack < half_gap
