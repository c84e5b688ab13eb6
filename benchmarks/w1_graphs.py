"""W1's graph-building contenders: this engine (through nn, as a user writes it) and micrograd."""

from __future__ import annotations

from repo import load_autograd, load_mlp
from w1_data import SIZES
from w1_demo import ValueModel

__all__ = ["engine_contenders", "micrograd_contender"]


def engine_contenders(X: list[list[float]], y: list[float]) -> list[ValueModel]:
    """This engine (``nn.MLP``) running micrograd's demo: with ``builtins.sum`` (the demo
    verbatim) and with ``autograd.sum`` (one node per sum)."""
    ag = load_autograd()
    mlp = load_mlp()
    label = "nn.MLP"
    nin, *nouts = SIZES
    verbatim = ValueModel(f"engine ({label})", mlp(nin, list(nouts)), ag.Value, X, y)
    fused = ValueModel(
        f"engine ({label}, autograd.sum)", mlp(nin, list(nouts)), ag.Value, X, y, sum_=ag.sum
    )
    return [verbatim, fused]


def micrograd_contender(X: list[list[float]], y: list[float]) -> ValueModel | None:
    """micrograd 0.1.0 running its own demo, or None when micrograd is not installed."""
    try:
        from micrograd.engine import Value
        from micrograd.nn import MLP
    except ImportError:
        return None
    nin, *nouts = SIZES
    return ValueModel("micrograd 0.1.0", MLP(nin, list(nouts)), Value, X, y)
