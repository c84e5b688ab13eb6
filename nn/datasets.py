"""Small 2-D data sets from micrograd's demo and the seed documents, as numpy arrays.

Each returns ``(X, y)``: X of shape (n, 2) floats, y of shape (n,) integer labels. Random ones
take ``seed`` and draw from ``numpy.random.RandomState(seed)`` — the generator that
``np.random.seed(seed)`` sets — so they give the same numbers as the code they come from:
``make_moons(100, noise=0.1, seed=1337)`` is the data of micrograd's demo notebook
(scikit-learn's ``make_moons`` after ``np.random.seed(1337)``), without needing scikit-learn.

>>> X, y = logic_gate("xor")
>>> X.tolist(), y.tolist()
([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["GATES", "gaussian_clouds", "logic_gate", "make_moons"]


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise ImportError("nn.datasets needs numpy: pip install numpy") from None
    return numpy


def _count(n: Any, where: str, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{where}: {what} must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{where}: {what} must be >= 1, got {n}")
    return int(n)


def make_moons(
    n: int = 100, *, noise: float = 0.0, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, labels 0 (upper moon) and 1 (lower moon).

    scikit-learn's algorithm, step for step: ⌊n/2⌋ points on the upper arc and the rest on the
    lower one, evenly spaced; shuffled; then Gaussian noise of standard deviation ``noise``.

    >>> X, y = make_moons(100, noise=0.1, seed=1337)
    >>> X.shape, y.shape, int(y.sum())
    ((100, 2), (100,), 50)
    """
    np = _numpy()
    n = _count(n, "make_moons", "n")
    if noise < 0:
        raise ValueError(f"make_moons: noise must be >= 0, got {noise}")
    rng = np.random.RandomState(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack(
        [
            np.append(np.cos(t_out), 1 - np.cos(t_in)),
            np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5),
        ]
    ).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    order = np.arange(n)
    rng.shuffle(order)  # as sklearn.utils.shuffle, from the same generator
    X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


SEED_000_CENTERS = ((0.0, -2.0), (2.0, 2.0), (-2.0, 2.0))


def gaussian_clouds(
    n_per_class: int = 500,
    *,
    centers: Sequence[tuple[float, float]] = SEED_000_CENTERS,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Seed 000's data: one cloud of unit-variance Gaussian points per centre, labels 0, 1, 2...

    Drawn as the seed does, ``randn(n, 2) + centre`` cloud by cloud, then stacked in order.

    >>> X, y = gaussian_clouds(500, seed=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((1500, 2), [0, 1, 2])
    """
    np = _numpy()
    n_per_class = _count(n_per_class, "gaussian_clouds", "n_per_class")
    centers = [tuple(c) for c in centers]
    if not centers or any(len(c) != 2 for c in centers):
        raise ValueError(f"gaussian_clouds: centers must be (x, y) pairs, got {centers!r}")
    rng = np.random.RandomState(seed)
    X = np.vstack([rng.randn(n_per_class, 2) + np.array(c, dtype=float) for c in centers])
    y = np.repeat(np.arange(len(centers)), n_per_class)
    return X, y


# Truth tables of two-input gates, in the input order (0,0), (0,1), (1,0), (1,1).
GATES: dict[str, tuple[int, int, int, int]] = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
    "xnor": (1, 0, 0, 1),
}


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Seed 004's tables: X = [[0,0],[0,1],[1,0],[1,1]] and the gate's outputs as y.

    >>> logic_gate("and")[1].tolist()
    [0, 0, 0, 1]
    """
    np = _numpy()
    key = name.lower() if isinstance(name, str) else name
    if key not in GATES:
        names = ", ".join(repr(g) for g in GATES)
        raise ValueError(f"logic_gate: unknown gate {name!r}; valid gates are {names}")
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array(GATES[key], dtype=np.intp)
