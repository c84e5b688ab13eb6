"""Optimizers: turn each parameter's ``.grad`` into a step on its ``.data``.

The learning rate is a number or a function of the step index k = 0, 1, 2, ... — micrograd's
demo decays it with ``lr=lambda k: 1.0 - 0.9 * k / 100``.

>>> from autograd import Value
>>> w = Value(2.0)
>>> opt = SGD([w], lr=0.1)
>>> (w * w).backward()          # d(w²)/dw = 4
>>> opt.step(); w.data
1.6
>>> opt.zero_grad(); w.grad
0.0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from autograd import Value, as_float

__all__ = ["SGD", "Adam", "Optimizer"]

LearningRate = float | Callable[[int], float]


class Optimizer:
    """What every optimizer shares: the parameters, the learning rate, the step count.

    ``params`` is a list of Values or a Module (its ``parameters()``); ``steps`` counts the
    calls to :meth:`step` so far.
    """

    def __init__(self, params: Iterable[Value] | Any, lr: LearningRate) -> None:
        where = type(self).__name__
        if callable(getattr(params, "parameters", None)):
            params = params.parameters()
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError(f"{where}: got an empty list of parameters")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"{where}: parameters must be Values, got {type(p).__name__}")
        if not callable(lr):
            lr = _check_lr(lr, where)
        self.lr = lr
        self.steps = 0

    def learning_rate(self) -> float:
        """The learning rate the next :meth:`step` uses (``lr(steps)`` if lr is a function)."""
        if callable(self.lr):
            return _check_lr(self.lr(self.steps), f"{type(self).__name__}: lr({self.steps})")
        return self.lr

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its gradient."""
        raise NotImplementedError

    def __repr__(self) -> str:
        lr = "schedule" if callable(self.lr) else repr(self.lr)
        return f"{type(self).__name__}({len(self.params)} parameters, lr={lr}, steps={self.steps})"


def _check_lr(lr: Any, where: str) -> float:
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"{where}: learning rate must be a number, got {type(lr).__name__}")
    lr = float(lr)
    if not (math.isfinite(lr) and lr >= 0.0):
        raise ValueError(f"{where}: learning rate must be finite and >= 0, got {lr}")
    return lr


def _check_fraction(x: Any, name: str, where: str) -> float:
    x = as_float(x, where)
    if not 0.0 <= x < 1.0:
        raise ValueError(f"{where}: {name} must be in [0, 1), got {x}")
    return x


def _check_size(x: Any, name: str, where: str, *, positive: bool = False) -> float:
    """A finite number >= 0 (> 0 with ``positive``): weight_decay, eps."""
    x = as_float(x, where)
    if not (math.isfinite(x) and (x > 0.0 if positive else x >= 0.0)):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{where}: {name} must be a finite number {bound}, got {x}")
    return x


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``:

    g = ∇p + weight_decay·p;  with momentum μ: v = μ·v + g (v = g on the first step), step by v;
    p ← p − lr·v. With the defaults this is micrograd's ``p.data -= lr * p.grad``.
    """

    def __init__(
        self,
        params: Iterable[Value] | Any,
        lr: LearningRate,
        *,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = _check_fraction(momentum, "momentum", "SGD")
        self.weight_decay = _check_size(weight_decay, "weight_decay", "SGD")
        self.velocity: list[float] | None = None

    def step(self) -> None:
        lr, mu, wd = self.learning_rate(), self.momentum, self.weight_decay
        if mu and self.velocity is None:
            self.velocity = [0.0] * len(self.params)
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            if mu:
                v = g if self.steps == 0 else mu * self.velocity[i] + g  # type: ignore[index]
                self.velocity[i] = v  # type: ignore[index]
                g = v
            p.data -= lr * g
        self.steps += 1


class Adam(Optimizer):
    """Adam (Kingma & Ba), as ``torch.optim.Adam``: with g = ∇p + weight_decay·p and t = step,

    m = β₁m + (1 − β₁)g;  v = β₂v + (1 − β₂)g²;  p ← p − lr · m̂ / (√v̂ + eps),
    where m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ) undo the zero start of m and v.
    """

    def __init__(
        self,
        params: Iterable[Value] | Any,
        lr: LearningRate = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _check_fraction(betas[0], "beta1", "Adam"),
            _check_fraction(betas[1], "beta2", "Adam"),
        )
        # eps > 0: it keeps the step finite where a gradient has been 0 all along (0 / 0)
        self.eps = _check_size(eps, "eps", "Adam", positive=True)
        self.weight_decay = _check_size(weight_decay, "weight_decay", "Adam")
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        lr, (b1, b2), eps, wd = self.learning_rate(), self.betas, self.eps, self.weight_decay
        t = self.steps + 1
        correction1, correction2 = 1.0 - b1**t, 1.0 - b2**t
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * g
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * g * g
            m_hat, v_hat = self.m[i] / correction1, self.v[i] / correction2
            p.data -= lr * m_hat / (math.sqrt(v_hat) + eps)
        self.steps += 1
