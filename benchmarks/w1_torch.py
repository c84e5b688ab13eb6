"""W1 with PyTorch, batched (float64, autograd): only when torch is installed (``TORCH=1``)."""

from __future__ import annotations

from typing import Any

from w1_data import ALPHA, LEARNING_RATE, split_weights

__all__ = ["TorchBatched", "make_torch"]


class TorchBatched:
    """The demo step as a user of PyTorch writes it for the whole batch."""

    name = "torch batched"

    def __init__(self, torch: Any, X: list[list[float]], y: list[float]) -> None:
        self.torch = torch
        self.X = torch.tensor(X, dtype=torch.float64)
        self.y = torch.tensor(y, dtype=torch.float64)
        self.params: list[tuple[Any, Any]] = []

    def load(self, flat: list[float]) -> None:
        """Set the weights from a flat list in micrograd's order."""
        t = self.torch
        self.params = [
            (
                t.tensor([w for w, _ in layer], dtype=t.float64, requires_grad=True),
                t.tensor([b for _, b in layer], dtype=t.float64, requires_grad=True),
            )
            for layer in split_weights(flat)
        ]

    def _flat(self, grads: bool) -> list[float]:
        t = self.torch
        parts = []
        for W, B in self.params:
            w, b = (W.grad, B.grad) if grads else (W, B)
            parts.append(t.cat([w, b[:, None]], dim=1).reshape(-1))
        return t.cat(parts).tolist()

    def weights(self) -> list[float]:
        """The weights, flat, in micrograd's order."""
        return self._flat(grads=False)

    def gradients(self) -> list[float]:
        """The gradients of the last step, flat, in micrograd's order."""
        return self._flat(grads=True)

    def step(self) -> float:
        """One training step; returns the loss."""
        t = self.torch
        (W1, B1), (W2, B2), (W3, B3) = self.params
        h = t.relu(self.X @ W1.T + B1)
        h = t.relu(h @ W2.T + B2)
        score = (h @ W3.T + B3)[:, 0]
        data_loss = t.relu(1.0 - self.y * score).mean()
        reg = sum((W * W).sum() + (B * B).sum() for W, B in self.params)
        loss = data_loss + ALPHA * reg
        for W, B in self.params:
            W.grad = None
            B.grad = None
        loss.backward()
        with t.no_grad():
            for W, B in self.params:
                W -= LEARNING_RATE * W.grad
                B -= LEARNING_RATE * B.grad
        return float(loss.item())


def make_torch(X: list[list[float]], y: list[float]) -> TorchBatched | None:
    """The torch contender, or None when torch is not installed.

    Torch gets one thread: the matrices are tiny (100 x 16), and on a shared 2-core machine a
    second thread only adds noise (a busy neighbour once made steps 100x slower).
    """
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return TorchBatched(torch, X, y)
