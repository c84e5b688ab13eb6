"""Timing with the standard library: alternate two contenders in one process, take medians.

A sample is ``gc.collect()``, then ``number`` calls, each after an untimed ``setup()`` (so each
call can start from the same state) and each timed with ``time.perf_counter``. Nothing is
disabled: the garbage collector runs during the timed calls as it would for a user.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Paired", "alternate", "calibrate", "sample"]


def sample(
    fn: Callable[[], object], number: int = 1, setup: Callable[[], object] | None = None
) -> float:
    """Mean seconds per call of ``fn`` over ``number`` calls, each after an untimed ``setup()``."""
    gc.collect()
    total = 0.0
    clock = time.perf_counter
    for _ in range(number):
        if setup is not None:
            setup()
        start = clock()
        fn()
        total += clock() - start
    return total / number


def calibrate(
    fn: Callable[[], object],
    setup: Callable[[], object] | None = None,
    target: float = 0.1,
    most: int = 1000,
) -> int:
    """How many calls make a sample of about ``target`` seconds (at least 1, at most ``most``).

    The first call warms caches up and is not used.
    """
    sample(fn, 1, setup)
    per_call = min(sample(fn, 1, setup) for _ in range(3))
    return max(1, min(most, round(target / max(per_call, 1e-9))))


@dataclass
class Paired:
    """Times (seconds per call) of two contenders sampled A B A B ..., and each pair's ratio."""

    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        """b / a for each pair."""
        return [tb / ta for ta, tb in zip(self.a, self.b)]

    @property
    def ratio(self) -> float:
        """Median over pairs of b / a."""
        return statistics.median(self.ratios)


def alternate(
    a: Callable[[], object],
    b: Callable[[], object],
    pairs: int,
    *,
    setup_a: Callable[[], object] | None = None,
    setup_b: Callable[[], object] | None = None,
    number_a: int = 1,
    number_b: int = 1,
) -> Paired:
    """Sample A then B, ``pairs`` times, in this process."""
    result = Paired()
    for _ in range(pairs):
        result.a.append(sample(a, number_a, setup_a))
        result.b.append(sample(b, number_b, setup_b))
    return result
