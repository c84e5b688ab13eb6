"""Central finite differences: the numeric oracle that gradient checks compare against.

>>> import math
>>> d, = numeric_grad(lambda xs: math.sin(xs[0]), [0.3])
>>> abs(d - math.cos(0.3)) < 1e-9
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["numeric_grad", "step_size"]


def step_size(x: float, eps: float) -> float:
    """The step for x: ``eps`` scaled by |x| when |x| > 1, so it stays above rounding noise."""
    return eps * max(1.0, abs(x))


def numeric_grad(
    f: Callable[[list[float]], float], xs: Sequence[float], *, eps: float = 1e-6
) -> list[float]:
    """(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for each coordinate i, in double precision."""
    xs = [float(x) for x in xs]
    out = []
    for i, x in enumerate(xs):
        h = step_size(x, eps)
        up, down = list(xs), list(xs)
        up[i], down[i] = x + h, x - h
        out.append((f(up) - f(down)) / (up[i] - down[i]))
    return out
