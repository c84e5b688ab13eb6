"""How a neuron's initial weights are drawn, and where the random numbers come from.

An initialiser is ``init(rng, nin, nout) -> float``: one weight of a neuron with ``nin``
inputs in a layer of ``nout`` neurons. Biases start at 0.0.

>>> import random
>>> INITS["uniform"](random.Random(0), 2, 16)       # micrograd's: uniform in [-1, 1)
0.6888437030500962
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["INITS", "Init", "RandomSource", "check_init", "resolve_rng"]


class RandomSource(Protocol):
    """What weights are drawn from: a ``random.Random``, or the ``random`` module itself."""

    def uniform(self, a: float, b: float) -> float: ...
    def gauss(self, mu: float, sigma: float) -> float: ...


Init = Callable[[RandomSource, int, int], float]


def uniform(rng: RandomSource, nin: int, nout: int) -> float:
    """U[-1, 1): micrograd's choice, and seed 004's ``2 * random - 1``."""
    return rng.uniform(-1.0, 1.0)


def xavier(rng: RandomSource, nin: int, nout: int) -> float:
    """Glorot/Xavier uniform: U[-a, a) with a = √(6 / (nin + nout)); keeps tanh/sigmoid layers
    from saturating."""
    a = math.sqrt(6.0 / (nin + nout))
    return rng.uniform(-a, a)


def he(rng: RandomSource, nin: int, nout: int) -> float:
    """He/Kaiming normal: N(0, 2 / nin); keeps ReLU activations at a steady scale."""
    return rng.gauss(0.0, math.sqrt(2.0 / nin))


INITS: dict[str, Init] = {"uniform": uniform, "xavier": xavier, "he": he}


def check_init(init: str | Init, where: str) -> Init:
    """The initialiser ``init`` names (or ``init`` itself if callable), else a clear error."""
    if callable(init):
        return init
    if isinstance(init, str) and init in INITS:
        return INITS[init]
    names = ", ".join(repr(n) for n in INITS)
    if isinstance(init, str):
        raise ValueError(f"{where}: unknown init {init!r}; valid names are {names}, or a callable")
    raise TypeError(
        f"{where}: init must be one of {names} or a callable(rng, nin, nout), "
        f"got {type(init).__name__}"
    )


def resolve_rng(rng: Any, seed: Any, where: str) -> RandomSource:
    """The random source to draw from: ``rng``, or ``random.Random(seed)``, or — when neither is
    given — the ``random`` module's global state, as micrograd does (so ``random.seed(1337)``
    before building a model gives micrograd's weights)."""
    if rng is not None and seed is not None:
        raise ValueError(f"{where}: pass rng or seed, not both")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"{where}: seed must be an int, got {type(seed).__name__}")
        return random.Random(seed)
    if rng is None:
        return random  # type: ignore[return-value]
    if not callable(getattr(rng, "uniform", None)):
        raise TypeError(
            f"{where}: rng must be a random.Random (or have .uniform), got {type(rng).__name__}"
        )
    return rng  # type: ignore[no-any-return]
