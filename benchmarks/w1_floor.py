"""W1's floor for any scalar engine: the demo step in plain Python floats, backward by hand.

No graph and no object per operation: what a competent engineer writes when the network is
fixed. Per point: forward, and the gradients of each layer's pre-activations; then each
weight's gradient as one inner product over the points (``sum(map(mul, ...))``), the L2 term
and SGD. (Accumulating the weight gradients point by point in explicit loops instead measured
the same here, ~2.8 ms.)
"""

from __future__ import annotations

from operator import mul

from w1_data import ALPHA, LEARNING_RATE, SIZES, split_weights

__all__ = ["FloatFloor"]


class FloatFloor:
    """The demo step by hand. Weights are kept per layer as rows (one per neuron) and biases."""

    name = "plain floats, hand backward"

    def __init__(
        self, X: list[list[float]], y: list[float], sizes: tuple[int, ...] = SIZES
    ) -> None:
        if len(sizes) != 4 or sizes[-1] != 1:
            raise ValueError("FloatFloor: two hidden layers and one output neuron")
        self.sizes = sizes
        self.X = X
        self.y = y
        self.W: list[list[list[float]]] = []
        self.B: list[list[float]] = []
        self.dW: list[list[list[float]]] = []
        self.dB: list[list[float]] = []

    def load(self, flat: list[float]) -> None:
        """Set the weights from a flat list in micrograd's order."""
        layers = split_weights(flat, self.sizes)
        self.W = [[list(w) for w, _ in layer] for layer in layers]
        self.B = [[b for _, b in layer] for layer in layers]

    def weights(self) -> list[float]:
        """The weights, flat, in micrograd's order."""
        return _flatten(self.W, self.B)

    def gradients(self) -> list[float]:
        """The gradients of the last step, flat, in micrograd's order."""
        return _flatten(self.dW, self.dB)

    def step(self) -> float:
        """One training step; returns the loss."""
        (W1, W2, W3), (B1, B2, B3) = self.W, self.B
        w3, b3 = W3[0], B3[0]
        W2T = list(zip(*W2))  # columns of W2: g1 = W2ᵀ g2
        inv_n = 1.0 / len(self.X)
        data_loss = 0.0
        # Per point: forward, then the per-point gradients of each layer's pre-activations
        # (only for points with a positive margin: relu(margin) = 0 sends no gradient).
        xs, h1s, h2s, g1s, g2s, gs = [], [], [], [], [], []
        for x, yi in zip(self.X, self.y):
            h1 = [max(sum(map(mul, w, x)) + b, 0.0) for w, b in zip(W1, B1)]
            h2 = [max(sum(map(mul, w, h1)) + b, 0.0) for w, b in zip(W2, B2)]
            margin = 1.0 - yi * (sum(map(mul, w3, h2)) + b3)
            if margin <= 0.0:
                continue
            data_loss += margin
            g = -yi * inv_n  # d loss / d score
            g2 = [g * w if h > 0.0 else 0.0 for w, h in zip(w3, h2)]
            g1 = [sum(map(mul, g2, col)) if h > 0.0 else 0.0 for col, h in zip(W2T, h1)]
            xs.append(x)
            h1s.append(h1)
            h2s.append(h2)
            g1s.append(g1)
            g2s.append(g2)
            gs.append(g)
        # Weight gradients: sums over points of outer products, one inner product per weight.
        x_cols, h1_cols, h2_cols = list(zip(*xs)), list(zip(*h1s)), list(zip(*h2s))
        g1_cols, g2_cols = list(zip(*g1s)), list(zip(*g2s))
        self.dW = [
            [[sum(map(mul, gk, c)) for c in x_cols] for gk in g1_cols],
            [[sum(map(mul, gk, c)) for c in h1_cols] for gk in g2_cols],
            [[sum(map(mul, gs, c)) for c in h2_cols]],
        ]
        self.dB = [[sum(gk) for gk in g1_cols], [sum(gk) for gk in g2_cols], [sum(gs)]]
        if not gs:  # every margin satisfied: only the L2 term has a gradient
            self.dW = [[[0.0] * len(w) for w in Wl] for Wl in self.W]
            self.dB = [[0.0] * len(Bl) for Bl in self.B]
        # L2 term ALPHA · Σ p² (gradient 2·ALPHA·p), then SGD.
        reg = 0.0
        two_alpha = 2.0 * ALPHA
        lr = LEARNING_RATE
        for Wl, Bl, dWl, dBl in zip(self.W, self.B, self.dW, self.dB):
            for w, dw in zip(Wl, dWl):
                reg += sum(map(mul, w, w))
                dw[:] = [d + two_alpha * p for d, p in zip(dw, w)]
                w[:] = [p - lr * d for p, d in zip(w, dw)]
            reg += sum(map(mul, Bl, Bl))
            dBl[:] = [d + two_alpha * b for d, b in zip(dBl, Bl)]
            Bl[:] = [b - lr * d for b, d in zip(Bl, dBl)]
        return data_loss * inv_n + ALPHA * reg


def _flatten(W: list[list[list[float]]], B: list[list[float]]) -> list[float]:
    flat: list[float] = []
    for Wl, Bl in zip(W, B):
        for w, b in zip(Wl, Bl):
            flat.extend(w)
            flat.append(b)
    return flat
