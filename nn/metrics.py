"""Classification accuracy from model outputs, however the labels are written.

>>> accuracy([0.9, -0.3, 0.2], [1, -1, -1])          # ±1 labels: the sign of the score
0.6666666666666666
>>> accuracy([0.8, 0.3], [1, 0])                      # 0/1 labels: probability above 0.5
1.0
>>> accuracy([[0.1, 2.0, 0.3], [3.0, 0.0, 0.0]], [1, 2])   # several outputs: the argmax
0.5
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from autograd import Value

__all__ = ["accuracy"]


def _number(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _argmax(xs: Sequence[Any]) -> int:
    values = [_number(x) for x in xs]
    return max(range(len(values)), key=values.__getitem__)


def accuracy(
    outputs: Sequence[Any], targets: Sequence[Any], *, threshold: float | None = None
) -> float | None:
    """The fraction of samples classified right, or None when the targets are not labels.

    - Outputs with several entries: the class is the argmax; a target is a class index or a
      one-hot list.
    - One output per sample and targets in {−1, +1}: right when the score has the target's sign
      (threshold 0, micrograd's demo).
    - One output per sample and targets in {0, 1}: right when output > ``threshold`` (default
      0.5, for probabilities; pass 0.0 for logits) matches target == 1.
    - Other targets (regression): None.
    """
    if len(outputs) != len(targets):
        raise ValueError(f"accuracy: {len(outputs)} outputs but {len(targets)} targets")
    if not outputs:
        raise ValueError("accuracy: no outputs")
    if not isinstance(outputs[0], (Value, numbers.Real)):
        right = 0
        for out, t in zip(outputs, targets):
            label = t if isinstance(t, numbers.Integral) else _argmax(t)
            right += _argmax(out) == label
        return right / len(outputs)
    labels = {_number(t) for t in targets}
    if labels <= {-1.0, 1.0} and -1.0 in labels:
        cut, positive = 0.0 if threshold is None else threshold, 1.0
    elif labels <= {0.0, 1.0}:
        cut, positive = 0.5 if threshold is None else threshold, 1.0
    else:
        return None
    right = sum((_number(o) > cut) == (_number(t) == positive) for o, t in zip(outputs, targets))
    return right / len(outputs)
