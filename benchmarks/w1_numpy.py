"""W1 with numpy's matrix formulas: the whole batch at once, backward written by hand."""

from __future__ import annotations

from typing import Any

from w1_data import ALPHA, LEARNING_RATE, SIZES, split_weights

__all__ = ["NumpyBatched", "make_numpy"]


class NumpyBatched:
    """The demo step as three matrix products forward and their transposes backward."""

    name = "numpy matrices"

    def __init__(
        self, np: Any, X: list[list[float]], y: list[float], sizes: tuple[int, ...] = SIZES
    ) -> None:
        self.np = np
        self.sizes = sizes
        self.X = np.array(X, dtype=np.float64)
        self.y = np.array(y, dtype=np.float64)
        self.W: list[Any] = []  # one (nout, nin) matrix per layer, rows are neurons
        self.B: list[Any] = []
        self.dW: list[Any] = []
        self.dB: list[Any] = []

    def load(self, flat: list[float]) -> None:
        """Set the weights from a flat list in micrograd's order."""
        np = self.np
        layers = split_weights(flat, self.sizes)
        self.W = [np.array([w for w, _ in layer], dtype=np.float64) for layer in layers]
        self.B = [np.array([b for _, b in layer], dtype=np.float64) for layer in layers]

    def weights(self) -> list[float]:
        """The weights, flat, in micrograd's order."""
        return _flatten(self.np, self.W, self.B)

    def gradients(self) -> list[float]:
        """The gradients of the last step, flat, in micrograd's order."""
        return _flatten(self.np, self.dW, self.dB)

    def step(self) -> float:
        """One training step; returns the loss."""
        np = self.np
        (W1, W2, W3), (B1, B2, B3) = self.W, self.B
        X, y = self.X, self.y
        z1 = X @ W1.T + B1
        h1 = np.maximum(z1, 0.0)
        z2 = h1 @ W2.T + B2
        h2 = np.maximum(z2, 0.0)
        score = (h2 @ W3.T + B3)[:, 0]
        margin = 1.0 - y * score
        n = len(y)
        reg = sum(float((W * W).sum() + (B * B).sum()) for W, B in zip(self.W, self.B))
        loss = float(np.maximum(margin, 0.0).sum()) / n + ALPHA * reg
        g = np.where(margin > 0.0, -y / n, 0.0)[:, None]  # d loss / d score, (n, 1)
        g2 = (g @ W3) * (z2 > 0.0)
        g1 = (g2 @ W2) * (z1 > 0.0)
        self.dW = [g1.T @ X, g2.T @ h1, g.T @ h2]
        self.dB = [g1.sum(axis=0), g2.sum(axis=0), g.sum(axis=0)]
        for W, B, dW, dB in zip(self.W, self.B, self.dW, self.dB):
            dW += 2.0 * ALPHA * W
            dB += 2.0 * ALPHA * B
            W -= LEARNING_RATE * dW
            B -= LEARNING_RATE * dB
        return loss


def _flatten(np: Any, W: list[Any], B: list[Any]) -> list[float]:
    return np.concatenate([np.hstack([w, b[:, None]]).ravel() for w, b in zip(W, B)]).tolist()


def make_numpy(
    X: list[list[float]], y: list[float], sizes: tuple[int, ...] = SIZES
) -> NumpyBatched | None:
    """The numpy contender, or None when numpy is not installed."""
    try:
        import numpy as np
    except ImportError:
        return None
    return NumpyBatched(np, X, y, sizes)
