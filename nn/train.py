"""fit: the training loop every demo writes by hand, with a history and a progress bar.

Each step does what micrograd's demo does: forward the batch, compute the loss, zero the
gradients (the optimizer's parameters', as PyTorch's loop does), backward, optimizer step. The loss and accuracy recorded for an epoch are measured
on the outputs computed during that epoch, before each step's update (as the demo prints them).

>>> from nn import MLP, SGD, datasets, sse
>>> X, y = datasets.logic_gate("and")
>>> model = MLP(2, [1], output_activation="sigmoid", seed=0)
>>> history = fit(model, X, y, loss=sse, optimizer=SGD(model, lr=1.0), epochs=300, progress=False)
>>> history.accuracy[-1], history.loss[-1] < history.loss[0]
(1.0, True)
"""

from __future__ import annotations

import math
import numbers
import random
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd import Value

from .losses import binary_cross_entropy_with_logits
from .metrics import accuracy as default_accuracy
from .optim import Optimizer

__all__ = ["History", "fit"]

# A bar appears only once a run has lasted this long (seconds): short runs stay quiet.
PROGRESS_DELAY = 1.0


@dataclass
class History:
    """What :func:`fit` measured, one entry per epoch: the mean training loss and the training
    accuracy (None when the targets are not class labels)."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(0 epochs)"
        text = f"History({len(self.loss)} epochs, loss {self.loss[0]:.4g} -> {self.loss[-1]:.4g}"
        last = self.accuracy[-1]
        return text + (f", accuracy {last:.1%})" if last is not None else ")")


def _plain(x: Any) -> Any:
    """Data as Python numbers and lists (numpy arrays and scalars converted, Values kept)."""
    if hasattr(x, "tolist") and not isinstance(x, Value):
        return x.tolist()
    if isinstance(x, (Value, numbers.Integral)):
        return x
    if isinstance(x, numbers.Real):
        return float(x)
    return [_plain(v) for v in x]


def _output_data(out: Any) -> Any:
    """An output's numbers, so the epoch's accuracy does not keep its graph alive."""
    if isinstance(out, Value):
        return out.data
    if isinstance(out, (list, tuple)):
        return [_output_data(o) for o in out]
    return out


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _progress_bar(epochs: int, progress: bool, desc: str) -> Any:
    if not progress or not _is_terminal(sys.stderr):
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        warnings.warn("fit: install tqdm for a progress bar (pip install tqdm)", stacklevel=3)
        return None
    return tqdm(total=epochs, desc=desc, unit="epoch", delay=PROGRESS_DELAY, file=sys.stderr)


def fit(
    model: Callable[[Any], Any],
    X: Any,
    y: Any,
    *,
    loss: Callable[[list[Any], list[Any]], Value],
    optimizer: Optimizer,
    epochs: int,
    batch_size: int | None = None,
    progress: bool = True,
    seed: int | None = None,
    accuracy: Callable[[list[Any], list[Any]], float | None] | str | None = "auto",
    desc: str = "fit",
    compile: bool = False,  # noqa: A002 - as autograd.compile
) -> History:
    """Train ``model`` on inputs ``X`` and targets ``y``; return the :class:`History`.

    ``loss(outputs, targets)`` gets a batch's model outputs and targets and returns a Value
    (any function of :mod:`nn.losses`, or your own, e.g. ``hinge(o, t) + l2(model, alpha=1e-4)``).
    ``batch_size=None`` trains on all of X at each step (one step per epoch); otherwise the
    samples are shuffled every epoch with ``random.Random(seed)``. ``accuracy`` is "auto"
    (:func:`nn.metrics.accuracy`; threshold 0 when ``loss`` is
    ``binary_cross_entropy_with_logits``), a function ``(outputs, targets) -> float``, or None.
    A tqdm progress bar labelled ``desc``, with loss and accuracy, shows on runs longer than a
    second when stderr is a terminal and ``progress`` is true.

    ``compile=True`` runs each step through :func:`autograd.compile`: the first step of each
    batch shape is traced, the others replayed — the same numbers, bit for bit, faster; without
    mini-batches, X and y are read once for all epochs (the compiled step's ``bind``). (Integer
    targets, class indices, are static to a compiled step: mini-batches of changing labels trace
    again, and after a few run eagerly; as one-hot float targets, any mini-batch replays.)
    """
    rows, targets = _plain(X), _plain(y)
    if not isinstance(rows, list) or not isinstance(targets, list):
        raise TypeError("fit: X and y must be sequences of samples")
    if len(rows) != len(targets):
        raise ValueError(f"fit: X has {len(rows)} samples but y has {len(targets)}")
    if not rows:
        raise ValueError("fit: no samples")
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
    n = len(rows)
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, numbers.Integral)
        or batch_size < 1
    ):
        raise ValueError(f"fit: batch_size must be None or an int >= 1, got {batch_size!r}")
    size = n if batch_size is None else min(int(batch_size), n)
    measure = _accuracy_function(accuracy, loss)
    order = list(range(n))
    shuffle = random.Random(seed).shuffle if batch_size is not None else None
    step = _compiled_step(model, loss, outputs=measure is not None) if compile else None
    whole = step.bind(rows, targets) if step is not None and size == n and shuffle is None else None
    history = History()
    bar = _progress_bar(int(epochs), progress, str(desc))
    try:
        for epoch in range(int(epochs)):
            if shuffle is not None:
                shuffle(order)
            outputs: list[Any] = [None] * n
            total = 0.0
            for start in range(0, n, size):
                batch = order[start : start + size]
                if step is None:
                    outs = [model(rows[i]) for i in batch]
                    value = loss(outs, [targets[i] for i in batch])
                    _check_loss(value, epoch)
                    optimizer.zero_grad()
                    value.backward()
                else:  # the compiled step does forward and backward
                    optimizer.zero_grad()
                    if whole is not None:  # the whole data, in order, each epoch: read once
                        value, outs = whole()
                    else:
                        value, outs = step([rows[i] for i in batch], [targets[i] for i in batch])
                    _check_loss(value, epoch)
                optimizer.step()
                total += value.data * len(batch)
                if measure is not None:  # the outputs' numbers, for the accuracy
                    for i, out in zip(batch, outs):
                        outputs[i] = _output_data(out)
            history.loss.append(total / n)
            history.accuracy.append(measure(outputs, targets) if measure else None)
            if bar is not None:
                postfix = {"loss": f"{history.loss[-1]:.4g}"}
                if history.accuracy[-1] is not None:
                    postfix["acc"] = f"{history.accuracy[-1]:.1%}"
                bar.set_postfix(postfix, refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return history


def _check_loss(value: Any, epoch: int) -> None:
    if not isinstance(value, Value):
        raise TypeError(f"fit: loss must return a Value, got {type(value).__name__}")
    if not math.isfinite(value.data):
        raise FloatingPointError(
            f"fit: the loss is {value.data} at epoch {epoch}; try a smaller learning rate"
        )


def _compiled_step(
    model: Callable[[Any], Any], loss: Callable[..., Value], *, outputs: bool
) -> Any:
    """forward + loss as one compiled step, returning the loss and the outputs (an empty list
    when they are not wanted: a replay then makes no Value for them)."""
    from autograd import compile as compile_step

    def forward(rows: list[Any], targets: list[Any]) -> tuple[Value, list[Any]]:
        outs = [model(row) for row in rows]
        value = loss(outs, targets)
        if not isinstance(value, Value):
            raise TypeError(f"fit: loss must return a Value, got {type(value).__name__}")
        return value, outs if outputs else []

    return compile_step(forward)


def _accuracy_function(
    accuracy: Callable[[list[Any], list[Any]], float | None] | str | None,
    loss: Callable[..., Value],
) -> Callable[[Sequence[Any], Sequence[Any]], float | None] | None:
    if accuracy is None or callable(accuracy):
        return accuracy
    if accuracy != "auto":
        raise ValueError(f"fit: accuracy must be 'auto', a function or None, got {accuracy!r}")
    threshold = 0.0 if loss is binary_cross_entropy_with_logits else None
    return lambda outputs, targets: default_accuracy(outputs, targets, threshold=threshold)
