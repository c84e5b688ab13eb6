"""W1's graph-building contenders: this engine (through nn, as a user writes it) and micrograd."""

from __future__ import annotations

from repo import load_autograd, load_mlp
from w1_data import SIZES
from w1_demo import ValueModel, demo_loss

__all__ = ["CompiledModel", "compiled_contender", "engine_contenders", "micrograd_contender"]


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


class CompiledModel(ValueModel):
    """This engine's W1 step through ``autograd.compile``: the demo loss traced once (on the
    first step, timed as ``compile_seconds``), then replayed; the same numbers as eager."""

    def __init__(self, *args: object, backend: str = "python", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        ag = load_autograd()
        self.compiled = ag.compile(
            lambda X, y: demo_loss(self.model, self.value, X, y, self.sum), backend=backend
        )
        self.compile_seconds: float | None = None
        # the whole data at every step, read once (as the numpy contender converts it once)
        self.bound = self.compiled.bind(self.X, self.y)

    def step(self) -> float:
        import time

        from w1_data import LEARNING_RATE

        self.model.zero_grad()
        start = time.perf_counter()
        loss = self.bound()
        if self.compile_seconds is None:
            self.compile_seconds = time.perf_counter() - start
        for p in self.model.parameters():
            p.data -= LEARNING_RATE * p.grad
        return float(loss.data)

    def loss(self) -> object:  # the graph a trace records: the eager one
        return demo_loss(self.model, self.value, self.X, self.y, self.sum)


def compiled_contender(
    X: list[list[float]],
    y: list[float],
    backend: str = "python",
    sizes: tuple[int, ...] = SIZES,
) -> CompiledModel:
    """This engine, compiled (W5, W6): nn.MLP running micrograd's demo loss through
    autograd.compile."""
    ag = load_autograd()
    mlp = load_mlp()
    nin, *nouts = sizes
    return CompiledModel(
        f"engine compiled ({backend})", mlp(nin, list(nouts)), ag.Value, X, y, backend=backend
    )
