"""autograd.exact.fsum_rows: math.fsum's numbers for every row, at numpy's speed — the sums
the numpy replay uses for dot and sum nodes, so they must be fsum's to the last bit."""

from __future__ import annotations

import math
import platform
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")

from autograd import exact  # noqa: E402
from autograd.exact import fsum_rows  # noqa: E402


@pytest.fixture(autouse=True)
def vectorised(monkeypatch):
    """Small matrices too go the vectorised way here (in use, fsum sums them row by row)."""
    monkeypatch.setattr(exact, "FEW", 0)


def fsums(P):
    return [math.fsum(row) for row in P.tolist()]


def same(got, want):
    return [x.hex() for x in got.tolist()] == [x.hex() for x in want]


# Floats of every size, zeros of both signs, and numbers that make ties: sums of a few dyadic
# numbers land exactly halfway between two floats, where rounding to even must be fsum's.
finite = st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda x: abs(x) < 1e300)
dyadic = st.builds(lambda k, e: k * 2.0**e, st.integers(-(2**53), 2**53), st.integers(-60, 60))
element = st.one_of(finite, dyadic, st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0**-1074, 1e-310]))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 40).flatmap(
        lambda n: st.lists(st.lists(element, min_size=n, max_size=n), min_size=1, max_size=12)
    )
)
def test_every_row_is_fsums_to_the_last_bit(rows):
    P = np.array(rows, dtype=float)
    assert same(fsum_rows(P), fsums(P))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 16, 33, 64, 101])
def test_random_rows_of_every_kind(n):
    rng = np.random.default_rng(n)
    m = 3000
    kinds = [
        rng.normal(size=(m, n)),
        rng.normal(size=(m, n)) * 10.0 ** rng.integers(-30, 30, size=(m, n)),  # any sizes
        rng.normal(size=(m, n)) * np.maximum(rng.normal(size=(m, n)), 0.0),  # relu: zeros
        rng.integers(-4, 5, size=(m, n)) * 0.25,  # exact sums, ties, zero sums
        rng.normal(size=(m, n)) * 1e-310,  # subnormal
        rng.normal(size=(m, n)) * 1e300 / n,  # large
    ]
    cancel = rng.normal(size=(m, n))
    cancel[:, -1] = -cancel[:, :-1].sum(axis=1) + rng.normal(size=m) * 1e-14  # near-total cancel
    kinds.append(cancel)
    negative_zeros = rng.normal(size=(m, n))
    negative_zeros[rng.random(size=(m, n)) < 0.5] = -0.0
    kinds.append(negative_zeros)
    for P in kinds:
        P = np.asarray(P, dtype=float)
        assert same(fsum_rows(P), fsums(P))


def test_a_sum_that_overflows_raises_as_fsum_does():
    P = np.array([[1e308, 1e308, -1e308], [1.0, 2.0, 3.0]])
    with pytest.raises(OverflowError):
        math.fsum(P[0].tolist())
    with pytest.raises(OverflowError):
        fsum_rows(P)


@pytest.mark.parametrize("n", [3, 4, 6])
def test_a_short_row_whose_partial_sums_overflow_raises_as_fsum_does(n):
    # fsum raises "intermediate overflow" although the exact sum is finite; adding in order
    # with the errors kept gave a finite number, and dot's exact fallback another one
    big = sys.float_info.max
    row = [-(big - 2.0**971), 2.0**970, big] + [2.0**918] * (n - 3)
    with pytest.raises(OverflowError):
        math.fsum(row)
    P = np.array([row] + [[0.5] * n] * 599)
    with pytest.raises(OverflowError):
        fsum_rows(P)


def test_ties_are_settled_by_adding_the_errors_exactly_not_by_asking_fsum(monkeypatch):
    # Three numbers whose exact sum lies halfway between two floats: the first bound cannot
    # tell, the exact second pass can; fsum itself is asked only for zero sums.
    asked, fsum = [], math.fsum
    monkeypatch.setattr(exact.math, "fsum", lambda row: asked.append(row) or fsum(row))
    row = [1.0, 2.0**-53, 2.0**-80]
    tie = [1.0, 2.0**-53, 0.0]
    P = np.array([row, tie, [0.5, -0.5, 0.0]] * 100)
    got = fsum_rows(P)
    assert len(asked) == 100
    assert same(got, fsums(P))  # the rows that sum to zero, whose sign fsum decides


def test_empty_and_single_columns():
    assert fsum_rows(np.zeros((3, 0))).tolist() == [0.0, 0.0, 0.0]
    P = np.array([[-0.0], [2.5], [-1e-320]])
    assert same(fsum_rows(P), fsums(P))


def test_a_few_rows_are_summed_by_fsum_itself(monkeypatch):
    monkeypatch.setattr(exact, "FEW", 3500)
    P = np.array([[1.0, 2.0**-53, 2.0**-80], [-0.0, -0.0, -0.0]] * 10)
    assert same(fsum_rows(P), fsums(P))


def near_ties_after_cancellation(rng, rows):
    """Rows of big terms that nearly cancel, 1.5, and small ones that put the exact sum within
    2⁻⁷⁵…2⁻¹¹⁰ of the midpoint between 1.5 and the next float."""
    from fractions import Fraction

    midpoint = Fraction(3, 2) + Fraction(2) ** -53
    out = []
    for _ in range(rows):
        big = [
            rng.uniform(1, 2) * 2.0 ** rng.randint(30, 50) * rng.choice([1, -1]) for _ in range(3)
        ]
        big += [-b * rng.uniform(0.999, 1.001) for b in big]
        off = Fraction(rng.choice([1, -1]) * rng.randint(1, 2**20), 2 ** rng.randint(75, 110))
        need = midpoint + off - Fraction(3, 2) - sum(map(Fraction, big))
        hi = float(need)
        lo = float(need - Fraction(hi))
        row = [1.5, *big, hi, lo, float(need - Fraction(hi) - Fraction(lo))]
        rng.shuffle(row)
        out.append(row)
    return out


def test_near_ties_after_cancellation_are_fsums():
    # Big terms that cancel leave rounding errors far larger than the sum's last bit; adding
    # those errors up leaves errors of their own, which a tie's second check once bounded by
    # n·u times their size (the first check's bound, for another error): these two rows came
    # out one ulp off. Where adding the errors leaves any error, fsum now decides.
    import random

    rows = [
        [
            7338482543.518563,
            -7340576538.806984,
            55156957208249.2,
            -51580970753181.57,
            1.5,
            51549776490781.12,
            7.192593920089998e-24,
            67326093150.0853,
            -9.53674316295228e-07,
            -55193086945003.55,
        ],
        [
            -1.788364484339646e-21,
            -666906438698.938,
            -1233740015576827.0,
            1.5,
            802672841459930.5,
            1234498845397554.5,
            -4903442552.316553,
            4905280368.004494,
            4.768371582042414e-05,
            -802764766679774.8,
        ],
    ]
    rows += near_ties_after_cancellation(random.Random(2), 20000)
    P = np.array(rows)
    assert same(fsum_rows(P), fsums(P))


def test_a_bound_on_each_rows_largest_term_gives_the_same_sums():
    # (the dot's array form passes one: its neuron's largest |w| times its point's largest |x|)
    rng = np.random.default_rng(3)
    P = rng.normal(size=(3000, 16)) * 10.0 ** rng.integers(-5, 5, size=(3000, 16))
    largest = np.abs(P).max(axis=1)
    for room in (1.0, 3.0, 1e6):
        assert same(fsum_rows(P, largest * room), fsums(P))


def _smallest_nonzero(P):
    A = np.abs(P)
    return A.min(axis=1, where=A > 0.0, initial=math.inf)


def test_bounds_on_each_rows_largest_and_smallest_terms_give_the_same_sums():
    # (the dot's array form passes both, from its neurons' and points' numbers); the leftovers'
    # sum is taken as exact only where the smallest term's ulp proves it
    rng = np.random.default_rng(4)
    m = 3000
    P = rng.normal(size=(m, 16)) * 10.0 ** rng.integers(-8, 8, size=(m, 16))
    P *= rng.random(size=(m, 16)) > 0.2  # zeros, as off relus give
    # 1.5 + 2**-54 + (2**-54 + 2**-106): just above the midpoint of 1.5 and the next float;
    # the leftovers 2**-54 and 2**-54 + 2**-106 add to a tie, rounded down: then so is r
    edge = np.zeros((8, 16))
    edge[:, :3] = [1.5, 2.0**-54, 2.0**-54 + 2.0**-106]
    edge *= 2.0 ** np.arange(-4, 4)[:, None]
    # at the proof's edge: fifteen terms 1 + k·2**-50 leave leftovers k·2**-50, the sixteenth,
    # 2**-44 + 2**-96, one of 2**-96, which their float sum loses when it is a tie; the proof
    # takes them as exact for a smallest term of 2**-43 or more, one bit above this one
    k = rng.integers(1, 16, size=(400, 15))
    at_edge = np.concatenate([1.0 + k * 2.0**-50, np.full((400, 1), 2.0**-44 + 2.0**-96)], axis=1)
    P = np.concatenate([P, edge, -edge, at_edge])
    largest, smallest = np.abs(P).max(axis=1), _smallest_nonzero(P)
    for room in (1.0, 3.0, 1e6):
        assert same(fsum_rows(P, largest * room, smallest / room), fsums(P))


# --- exp: math.exp of every element, through numpy's complex exp ------------------------------


def maths_exp(x):
    return [math.exp(v) for v in x.tolist()]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(max_value=709.78), min_size=1, max_size=50))
def test_exp_is_maths_exp_to_the_last_bit(xs):
    x = np.array(xs)
    assert same(exact.exp(x), maths_exp(x))


def test_exp_of_many_numbers_of_every_size():
    rng = np.random.default_rng(5)
    x = np.concatenate(
        [
            rng.uniform(-746.0, 709.78, 100_000),
            rng.uniform(-30.0, 30.0, 50_000),
            rng.normal(0.0, 1e-12, 10_000),
            [0.0, -0.0, -math.inf, 5e-324, -5e-324, 709.0, 709.78, -745.13, -708.4, 1.0, -1.0],
        ]
    )
    got = exact.exp(x.reshape(-1, 3))  # any shape: element by element
    assert got.shape == (len(x) // 3, 3)
    assert same(got.ravel(), maths_exp(x))


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the route is checked on glibc")
def test_on_glibc_exp_takes_the_complex_route_and_leaves_above_709_to_math_exp():
    # (a numpy or glibc whose complex exp is not math.exp's would turn the route off, silently:
    # slower, not wrong). glibc's cexp scales an argument above 709 and rounds twice: half of
    # these came out an ulp off before they were handed to math.exp
    assert exact._complex_exp_is_maths()
    x = np.random.default_rng(6).uniform(709.0, 709.78, 2000)
    assert same(exact.exp(x), maths_exp(x))


def test_exp_overflows_and_nans_as_maths_exp_does():
    with pytest.raises(OverflowError):
        math.exp(710.0)
    with pytest.raises(OverflowError):
        exact.exp(np.array([0.0, 710.0]))
    got = exact.exp(np.array([math.nan, math.inf, 1.0]))
    assert math.isnan(got[0]) and got[1:].tolist() == [math.inf, math.e]


def test_a_complex_exp_that_is_not_maths_is_found_and_not_used(monkeypatch):
    # (as another C library's cexp, or a numpy with its own vectorised one, might be)
    real_exp = np.exp

    def off_by_an_ulp_now_and_then(z, *args, **kwargs):
        out = real_exp(z, *args, **kwargs)
        if np.iscomplexobj(out):
            out.real[::97] = np.nextafter(out.real[::97], math.inf)
        return out

    monkeypatch.setattr(np, "exp", off_by_an_ulp_now_and_then)
    assert not exact._complex_exp_is_maths.__wrapped__()
    monkeypatch.setattr(exact, "_complex_exp_is_maths", lambda: False)
    x = np.random.default_rng(7).uniform(-20.0, 20.0, 1000)
    assert same(exact.exp(x), maths_exp(x))
