"""Hypothesis strategies for networks: random :class:`nn.MLP` models that print as source.

For expressions and Values, see :mod:`autograd.testing`. Needs Hypothesis
(``pip install hypothesis``); ``import nn`` does not load it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from .layers import MLP

__all__ = ["DrawnMLP", "mlps"]


class DrawnMLP(MLP):
    """An :class:`nn.MLP` drawn by :func:`mlps`; its repr is the source that rebuilds it."""

    source = ""

    def __repr__(self) -> str:
        return self.source


Size = int | tuple[int, int] | st.SearchStrategy[int]  # n, a range (lo, hi), or a strategy


def _size(x: Size) -> st.SearchStrategy[int]:
    if isinstance(x, st.SearchStrategy):
        return x
    if isinstance(x, tuple):
        return st.integers(*x)
    return st.just(x)


@st.composite
def _mlps(
    draw: Any,
    nin: st.SearchStrategy[int],
    depth: st.SearchStrategy[int],
    width: st.SearchStrategy[int],
    nout: st.SearchStrategy[int],
    activations: Sequence[str],
    output_activations: Sequence[str],
    weights: st.SearchStrategy[float],
) -> Any:
    sizes = [draw(nin)] + [draw(width) for _ in range(draw(depth) - 1)] + [draw(nout)]
    matrices = [
        [[float(draw(weights)) for _ in range(n_in)] for _ in range(n_out)]
        for n_in, n_out in itertools.pairwise(sizes)
    ]
    biases = [[float(draw(weights)) for _ in range(n_out)] for n_out in sizes[1:]]
    activation = draw(st.sampled_from(list(activations)))
    output = draw(st.sampled_from(list(output_activations)))
    model = DrawnMLP.from_matrices(
        matrices, biases, activation=activation, output_activation=output
    )
    model.source = (
        f"import nn\nmodel = nn.MLP.from_matrices({matrices!r}, {biases!r}, "
        f"activation={activation!r}, output_activation={output!r})"
    )
    return model


def mlps(
    *,
    nin: Size = (1, 3),
    depth: Size = (1, 3),
    width: Size = (1, 4),
    nout: Size = (1, 3),
    activations: Sequence[str] = ("relu", "tanh", "sigmoid", "linear"),
    output_activations: Sequence[str] = ("linear", "sigmoid", "tanh", "relu", "softmax"),
    weights: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[Any]:
    """Random :class:`nn.MLP` networks: ``nin`` inputs, ``depth`` layers (the hidden ones
    ``width`` wide), ``nout`` outputs, a hidden activation and an output activation drawn from
    the lists, weights and biases from ``weights`` (default: floats in [-2, 2]).

    Each size may be an int, an inclusive range ``(lo, hi)`` or a strategy. The drawn model's
    repr is the source that rebuilds it (``nn.MLP.from_matrices(...)``).

    >>> from hypothesis import find
    >>> model = find(mlps(nin=2, depth=2, width=3), lambda m: True)
    >>> [W.shape for W in model.weight_matrices()]
    [(3, 2), (1, 3)]
    """
    if weights is None:
        weights = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
    return _mlps(
        _size(nin),
        _size(depth),
        _size(width),
        _size(nout),
        activations,
        output_activations,
        weights,
    )
