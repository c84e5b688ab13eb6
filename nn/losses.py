"""Loss functions over Values (or plain numbers), numerically stable, with small graphs.

Each takes predictions and targets — one number, a list, or a batch of lists (a list of
model outputs) — and returns ONE Value to call ``backward()`` on. Sums over many terms are
fused n-ary nodes (``autograd.sum`` / ``autograd.dot``), so a loss over n outputs adds about
n + 2 nodes to the graph, not 3n.

>>> from autograd import Value
>>> p = [Value(0.8), Value(0.1)]
>>> loss = mse(p, [1.0, 0.0])          # ((0.8 - 1)² + (0.1 - 0)²) / 2
>>> round(loss.data, 12)
0.025
>>> loss.backward(); round(p[0].grad, 12)     # (2 / n)(p - t)
-0.2
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import autograd
from autograd import Value, as_float, dot

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge",
    "l2",
    "log_softmax",
    "mse",
    "softmax",
    "sse",
]

Number = Value | float


# --- helpers: the data behind a number, and predictions paired with targets --------------------


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (Value, numbers.Real))


def _data(x: Value | float) -> float:
    return x.data if isinstance(x, Value) else x


def _scalar(x: Any, where: str) -> Value | float:
    """A Value as it is, a real number (Python or numpy) as a float."""
    return x if isinstance(x, Value) else as_float(x, where)


def _items(x: Any, where: str, what: str) -> list[Any]:
    if isinstance(x, (str, bytes, dict)):
        raise TypeError(f"{where}: {what} must be numbers or Values, got {type(x).__name__}")
    try:
        return list(x)
    except TypeError:
        raise TypeError(
            f"{where}: {what} must be a number, a Value or a sequence of them, "
            f"got {type(x).__name__}"
        ) from None


def _pairs(predictions: Any, targets: Any, where: str) -> tuple[list[Number], list[float | Value]]:
    """Predictions and targets flattened side by side; ValueError when their shapes differ."""
    ps: list[Number] = []
    ts: list[Any] = []

    def kind(x: Any, what: str) -> str:
        if _is_scalar(x):
            return "one number"
        n = len(_items(x, where, what))
        return f"{n} value{'' if n == 1 else 's'}"

    def walk(p: Any, t: Any, at: str) -> None:
        if _is_scalar(p) or _is_scalar(t):
            if not (_is_scalar(p) and _is_scalar(t)):
                raise ValueError(
                    f"{where}: predictions{at} is {kind(p, 'predictions')} "
                    f"but targets{at} is {kind(t, 'targets')}"
                )
            ps.append(_scalar(p, where))
            ts.append(_scalar(t, where))
            return
        p_items, t_items = _items(p, where, "predictions"), _items(t, where, "targets")
        if len(p_items) != len(t_items):
            raise ValueError(
                f"{where}: {len(p_items)} predictions{at} but {len(t_items)} targets{at}"
            )
        for i, (pi, ti) in enumerate(zip(p_items, t_items)):
            walk(pi, ti, f"{at}[{i}]")

    walk(predictions, targets, "")
    if not ps:
        raise ValueError(f"{where}: no predictions (empty input)")
    return ps, ts


def _vector(logits: Any, where: str) -> list[Number]:
    """A non-empty flat list of Values/floats."""
    items = _items(logits, where, "logits")
    if not items:
        raise ValueError(f"{where}: no logits (empty input)")
    for x in items:
        if not _is_scalar(x):
            raise TypeError(f"{where}: logits must be numbers or Values, got {type(x).__name__}")
    return [_scalar(x, where) for x in items]


# --- regression ---------------------------------------------------------------------------


def mse(predictions: Any, targets: Any) -> Value:
    """Mean squared error: (1/n) Σ (pᵢ − tᵢ)², over every output of every sample.

    >>> mse(Value(3.0), 1.0).data
    4.0
    """
    ps, ts = _pairs(predictions, targets, "mse")
    d = [p - t for p, t in zip(ps, ts)]
    return dot(d, d) / len(d)  # Σ dᵢ·dᵢ as one node


def sse(predictions: Any, targets: Any) -> Value:
    """Half the sum of squared errors: ½ Σ (pᵢ − tᵢ)², the seeds' error E.

    Its gradient with respect to pᵢ is just (pᵢ − tᵢ) — the ``error`` term the seeds
    backpropagate.

    >>> p = Value(0.7); e = sse(p, 0.5); e.backward()
    >>> round(e.data, 12), round(p.grad, 12)
    (0.02, 0.2)
    """
    ps, ts = _pairs(predictions, targets, "sse")
    d = [p - t for p, t in zip(ps, ts)]
    return 0.5 * dot(d, d)


# --- binary classification ----------------------------------------------------------------

_LOG_FLOOR = -100.0  # PyTorch's BCELoss clamps log p here, so p = 0 gives a finite loss


def _clamped_log(q: Number) -> Number:
    """log q, or the constant -100 where q is so small that log q < -100 (no gradient there)."""
    if _data(q) <= 0.0:
        return _LOG_FLOOR
    out = autograd.log(q)
    return _LOG_FLOOR if _data(out) < _LOG_FLOOR else out


def _check_binary_targets(ts: list[Any], where: str) -> None:
    for t in ts:
        if not 0.0 <= _data(t) <= 1.0:
            raise ValueError(f"{where}: targets must be in [0, 1], got {_data(t)}")


def binary_cross_entropy(probabilities: Any, targets: Any) -> Value:
    """−(1/n) Σ [tᵢ log pᵢ + (1 − tᵢ) log(1 − pᵢ)] for probabilities pᵢ in [0, 1].

    Each log is clamped at −100 (PyTorch's loss value), so p = 0 with t = 0 is fine (its term
    is 0 · (−100)) and a saturated wrong prediction gives a large finite loss — but, being
    constant there, no gradient (PyTorch's backward differs: it divides by max(p(1 − p),
    1e-12)). To train through saturation, output logits and use
    :func:`binary_cross_entropy_with_logits`, which is also more accurate.

    >>> round(binary_cross_entropy([0.9, 0.2], [1, 0]).data, 6)    # −(log 0.9 + log 0.8) / 2
    0.164252
    """
    where = "binary_cross_entropy"
    ps, ts = _pairs(probabilities, targets, where)
    _check_binary_targets(ts, where)
    terms: list[Number] = []
    for p, t in zip(ps, ts):
        if not 0.0 <= _data(p) <= 1.0:
            raise ValueError(
                f"{where}: probability {_data(p)} is outside [0, 1] "
                "(for raw scores use binary_cross_entropy_with_logits)"
            )
        # both terms, whatever t: a weight of 0 gives ±0 (the logs are finite), and the graph
        # does not depend on the targets' numbers (autograd.compile replays it for any)
        terms.append(t * _clamped_log(p))
        terms.append((1.0 - t) * _clamped_log(1.0 - p))
    return -autograd.sum(terms) / len(ps)


def binary_cross_entropy_with_logits(logits: Any, targets: Any) -> Value:
    """Binary cross-entropy of σ(zᵢ), computed from the logits zᵢ without forming σ(zᵢ):

    −[t log σ(z) + (1 − t) log(1 − σ(z))] = softplus(z) − t·z, averaged over n. softplus is
    stable, so this is finite and accurate even at z = ±800; its gradient is σ(z) − t.

    >>> round(binary_cross_entropy_with_logits([800.0, -800.0], [1, 0]).data, 12)
    0.0
    """
    where = "binary_cross_entropy_with_logits"
    zs, ts = _pairs(logits, targets, where)
    _check_binary_targets(ts, where)
    return (autograd.sum([autograd.softplus(z) for z in zs]) - dot(ts, zs)) / len(zs)


def hinge(scores: Any, targets: Any) -> Value:
    """Max-margin loss, micrograd demo's: (1/n) Σ max(0, 1 − tᵢ·sᵢ) with tᵢ = −1 or +1.

    A score on the right side of 0 by at least 1 costs nothing.

    >>> hinge([2.0, 0.5, -0.5], [1, 1, 1]).data     # (0 + 0.5 + 1.5) / 3
    0.6666666666666666
    """
    ss, ts = _pairs(scores, targets, "hinge")
    for t in ts:
        # (one comparison, the same for −1 and +1: compiled, a mini-batch of other labels
        # passes the same guards)
        if abs(_data(t)) != 1.0:
            raise ValueError(
                f"hinge: targets must be -1 or +1, got {_data(t)} (map 0/1 labels with 2*y - 1)"
            )
    losses = [autograd.relu(1.0 - t * s) for s, t in zip(ss, ts)]
    return autograd.sum(losses) / len(losses)


# --- several classes ----------------------------------------------------------------------


def softmax(logits: Any) -> list[Value]:
    """exp(zᵢ) / Σⱼ exp(zⱼ), computed as exp(zᵢ − log Σⱼ exp(zⱼ)) with the fused, stable
    ``autograd.logsumexp``: no exp overflows, and nothing is read from ``.data`` while the graph
    is built (so a compiled step replays it).

    >>> [round(p.data, 8) for p in softmax([2, 4, 5])]        # seed 001's example
    [0.03511903, 0.25949646, 0.70538451]
    >>> [p.data for p in softmax([1000.0, 0.0])]
    [1.0, 0.0]
    """
    zs = _vector(logits, "softmax")
    lse = autograd.logsumexp(zs)
    return [autograd.exp(z - lse) for z in zs]


def log_softmax(logits: Any) -> list[Value]:
    """log softmax(z)ᵢ = zᵢ − log Σⱼ exp(zⱼ): finite even where softmax underflows.

    >>> [round(v.data, 6) for v in log_softmax([1000.0, 0.0])]
    [0.0, -1000.0]
    """
    zs = _vector(logits, "log_softmax")
    lse = autograd.logsumexp(zs)
    return [z - lse for z in zs]


def _cross_entropy_one(logits: Any, target: Any, where: str) -> Value:
    shifted = _vector(logits, where)  # the logits zⱼ
    lse = autograd.logsumexp(shifted)  # log Σ exp(zⱼ), stable
    if isinstance(target, numbers.Integral) and not isinstance(target, bool):
        if not 0 <= target < len(shifted):
            raise ValueError(
                f"{where}: class {target} is out of range for {len(shifted)} logits "
                f"(classes are 0..{len(shifted) - 1})"
            )
        return lse - shifted[int(target)]
    if _is_scalar(target):
        raise TypeError(
            f"{where}: a target must be a class index (int) or a list of class probabilities, "
            f"got {type(target).__name__} {target!r}"
        )
    ts = [
        t if isinstance(t, Value) else as_float(t, where) for t in _items(target, where, "targets")
    ]
    if len(ts) != len(shifted):
        raise ValueError(f"{where}: {len(shifted)} logits but {len(ts)} target probabilities")
    # (checked with Python's arithmetic on their numbers, whose outcome is the same for any
    # valid targets: compiled, a mini-batch of other targets passes the same guards)
    probabilities = [_data(t) for t in ts]
    total = sum(probabilities)
    if not (all(p >= 0.0 for p in probabilities) and abs(total - 1.0) <= 1e-9):
        raise ValueError(
            f"{where}: target probabilities must be >= 0 and sum to 1, got {probabilities} "
            f"(sum {total!r}); normalise them, or give the class index"
        )
    return lse * sum(ts) - dot(ts, shifted)  # Σ tᵢ (lse − zᵢ)


def cross_entropy(logits: Any, targets: Any) -> Value:
    """−Σᵢ tᵢ log softmax(z)ᵢ = log Σⱼ exp(zⱼ) − z_c for a class index c (log-sum-exp, stable).

    ``logits`` is one sample's list of K scores with ``targets`` a class index (0..K−1) or K
    probabilities (one-hot); or a batch — a list of such lists with one target each — whose
    losses are averaged. Take the logits from a linear output layer, not from softmax.

    >>> round(cross_entropy([2.0, 4.0, 5.0], 2).data, 6)              # −log 0.70538451
    0.349012
    >>> cross_entropy([[1000.0, 0.0], [0.0, 1000.0]], [0, 1]).data    # stable at 1000
    0.0
    """
    where = "cross_entropy"
    rows = _items(logits, where, "logits")
    if rows and not _is_scalar(rows[0]):  # a batch of samples
        ts = _items(targets, where, "targets")
        if len(rows) != len(ts):
            raise ValueError(f"{where}: {len(rows)} samples of logits but {len(ts)} targets")
        losses = [_cross_entropy_one(row, t, where) for row, t in zip(rows, ts)]
        return autograd.sum(losses) / len(losses)
    return _cross_entropy_one(rows, targets, where)


# --- regularisation -----------------------------------------------------------------------


def l2(parameters: Iterable[Value] | Any, *, alpha: float = 1.0) -> Value:
    """L2 penalty α Σ pᵢ² over ``parameters`` (a list of Values, or a Module's parameters).

    micrograd's demo adds ``l2(model, alpha=1e-4)``; its gradient is 2αp ("weight decay").

    >>> l2([Value(3.0), Value(-4.0)], alpha=0.5).data
    12.5
    """
    if callable(getattr(parameters, "parameters", None)):
        parameters = parameters.parameters()
    ps = list(parameters)
    for p in ps:
        if not isinstance(p, Value):
            raise TypeError(f"l2: expected Values (parameters), got {type(p).__name__}")
    alpha = as_float(alpha, "l2")
    return alpha * dot(ps, ps)  # Σ pᵢ·pᵢ as one node
