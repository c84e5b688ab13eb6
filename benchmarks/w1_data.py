"""W1's shared inputs: micrograd's demo problem, made deterministically with the standard library.

Every W1 contender gets the same 100 moons points and the same initial weights, so their
first steps compute the same loss and the same gradients.

Parameters are a flat list in micrograd's ``parameters()`` order: layer by layer, neuron by
neuron, each neuron's weights and then its bias.

>>> X, y = make_moons()
>>> len(X), sorted(set(y))
(100, [-1.0, 1.0])
>>> len(initial_weights())
337
"""

from __future__ import annotations

import math
import random
from itertools import pairwise

__all__ = [
    "ALPHA",
    "LEARNING_RATE",
    "SIZES",
    "initial_weights",
    "make_moons",
    "parameter_count",
    "split_weights",
]

SIZES = (2, 16, 16, 1)  # MLP 2-16-16-1: ReLU hidden layers, linear output
ALPHA = 1e-4  # L2 regularisation strength of micrograd's demo
LEARNING_RATE = 1.0  # micrograd's demo at step 0 (1.0 - 0.9 * k / 100)


def make_moons(
    n: int = 100, noise: float = 0.1, seed: int = 1337
) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles, like sklearn's ``make_moons``; labels are -1.0 and +1.0.

    The first half of the points is the outer moon (label -1), the second the inner one (+1).
    """
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    points: list[list[float]] = []
    labels: list[float] = []
    for i in range(n_outer):
        t = math.pi * i / (n_outer - 1)
        points.append([math.cos(t), math.sin(t)])
        labels.append(-1.0)
    for i in range(n_inner):
        t = math.pi * i / (n_inner - 1)
        points.append([1.0 - math.cos(t), 0.5 - math.sin(t)])
        labels.append(1.0)
    for p in points:
        p[0] += rng.gauss(0.0, noise)
        p[1] += rng.gauss(0.0, noise)
    return points, labels


def parameter_count(sizes: tuple[int, ...] = SIZES) -> int:
    """Number of parameters of an MLP with these layer sizes (337 for 2-16-16-1)."""
    return sum((nin + 1) * nout for nin, nout in pairwise(sizes))


def initial_weights(seed: int = 0, sizes: tuple[int, ...] = SIZES) -> list[float]:
    """micrograd's initialisation, seeded: weights uniform in [-1, 1), biases 0.0."""
    rng = random.Random(seed)
    flat: list[float] = []
    for nin, nout in pairwise(sizes):
        for _ in range(nout):
            flat.extend(rng.uniform(-1.0, 1.0) for _ in range(nin))
            flat.append(0.0)
    return flat


def split_weights(
    flat: list[float], sizes: tuple[int, ...] = SIZES
) -> list[list[tuple[list[float], float]]]:
    """The flat list as layers of neurons, each neuron ``(weights, bias)``."""
    layers = []
    i = 0
    for nin, nout in pairwise(sizes):
        neurons = []
        for _ in range(nout):
            neurons.append((flat[i : i + nin], flat[i + nin]))
            i += nin + 1
        layers.append(neurons)
    if i != len(flat):
        raise ValueError(f"split_weights: expected {i} numbers, got {len(flat)}")
    return layers
