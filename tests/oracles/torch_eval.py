"""PyTorch in double precision: the same DAG, its gradient and Hessian by torch.autograd.

Used by tests that ran ``pytest.importorskip("torch")``; importing it without PyTorch (as
``--doctest-modules`` does) is fine, calling it is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - PyTorch is an optional test oracle
    torch = None
else:
    torch.set_num_threads(1)  # scalar graphs: threads only add overhead

__all__ = ["NAMES", "derivatives"]

# The ops this oracle has a rule for (tests/test_new_op.py checks it against the op table).
_OWN = ("add", "sub", "mul", "div", "neg", "pow", "vpow", "leaky_relu", "softplus", "sum", "dot")
_OWN += ("logsumexp",)
_FUNCTIONS = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "sin", "cos", "tan")
NAMES = frozenset(_OWN + _FUNCTIONS)


def _t(x: Any) -> torch.Tensor:
    return x if isinstance(x, torch.Tensor) else torch.tensor(float(x), dtype=torch.float64)


def _softplus(z: torch.Tensor) -> torch.Tensor:
    """log(1 + e^z) with finite derivatives of every order at any z.

    torch.logaddexp(z, 0) gives a nan second derivative at z = -780, and F.softplus an inf
    value at +780; so each side is evaluated where it is safe (the other side's input is
    replaced by 0, so no nan reaches the masked branch of torch.where):
    z <= 0: softplus(z); z > 0: z + softplus(-z).
    """
    zero = torch.zeros((), dtype=torch.float64)
    neg = F.softplus(torch.where(z <= 0, z, zero), threshold=1e308)
    pos = z + F.softplus(torch.where(z > 0, -z, zero), threshold=1e308)
    return torch.where(z <= 0, neg, pos)


def _op(name: str, a: list[Any]) -> torch.Tensor:
    if name == "add":
        return a[0] + a[1]
    if name == "sub":
        return a[0] - a[1]
    if name == "mul":
        return a[0] * a[1]
    if name == "div":
        return a[0] / a[1]
    if name == "neg":
        return -a[0]
    if name == "pow":  # x ** c, c a constant
        return a[0] ** a[1]
    if name == "vpow":
        # x ** y with both differentiable, as exp(y · log x): torch.pow's backward masks
        # ∂/∂x to 0 where y == 0 (pytorch/pytorch#8945), so its ∂²/∂x∂y there is 0 instead of
        # 1/x and its Hessian is not even symmetric (cf. pytorch/pytorch#89757).
        return torch.exp(_t(a[1]) * torch.log(_t(a[0])))
    if name == "leaky_relu":
        return F.leaky_relu(a[0], negative_slope=float(a[1]))
    if name == "softplus":
        return _softplus(_t(a[0]))
    if name == "sum":
        return torch.stack([_t(x) for x in a]).sum()
    if name == "logsumexp":
        return torch.logsumexp(torch.stack([_t(x) for x in a]), dim=0)
    if name == "dot":  # (w1, x1, ..., wn, xn[, bias])
        n = len(a) // 2
        total = (
            torch.stack([_t(w) for w in a[0 : 2 * n : 2]])
            * torch.stack([_t(x) for x in a[1 : 2 * n : 2]])
        ).sum()
        return total + a[-1] if len(a) % 2 else total
    if name not in _FUNCTIONS:
        raise ValueError(f"torch oracle: unknown op {name!r}")
    return getattr(torch, name)(a[0])  # torch.exp, torch.log, ...: the same names


def derivatives(
    leaves: Sequence[float], nodes: Sequence[tuple[str, tuple[Any, ...]]]
) -> tuple[float, list[float], list[list[float]]]:
    """The value, the gradient and the Hessian (by differentiating the gradient again)."""
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in leaves]
    slots: list[Any] = list(xs)
    for name, args in nodes:
        slots.append(_op(name, [slots[a] if type(a) is int else a for a in args]))
    out = slots[-1]
    firsts = torch.autograd.grad(out, xs, create_graph=True, allow_unused=True)
    gradient = [0.0 if g is None else g.item() for g in firsts]
    hessian = []
    for g in firsts:
        if g is None or not g.requires_grad:
            hessian.append([0.0] * len(xs))
            continue
        row = torch.autograd.grad(g, xs, retain_graph=True, allow_unused=True)
        hessian.append([0.0 if h is None else h.item() for h in row])
    return out.item(), gradient, hessian
