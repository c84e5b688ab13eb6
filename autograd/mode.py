"""Grad mode (do ops record the graph?) and the anomaly hook, as plain state.

``grad_enabled`` is True by default and False inside ``no_grad()``. ``anomaly`` is None, or,
inside ``autograd.detect_anomaly()``, the object that checks every node made and every
gradient (see :mod:`autograd.anomaly`); the core only calls it, never imports it.
"""

from __future__ import annotations

from contextlib import ContextDecorator
from typing import Any

__all__ = ["enable_grad", "is_grad_enabled", "no_grad"]

grad_enabled: bool = True
anomaly: Any = None


def is_grad_enabled() -> bool:
    """True when ops record the graph (outside any ``no_grad()`` block)."""
    return grad_enabled


class _GradMode(ContextDecorator):
    _setting: bool

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> None:
        global grad_enabled
        self._saved.append(grad_enabled)
        grad_enabled = self._setting

    def __exit__(self, *exc: Any) -> None:
        global grad_enabled
        grad_enabled = self._saved.pop()


class no_grad(_GradMode):
    """Context manager (or decorator) in which ops record no graph: results are leaves.

    >>> from autograd import Value, no_grad
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.parents
    ()
    """

    _setting = False


class enable_grad(_GradMode):
    """Context manager (or decorator) that records the graph even inside ``no_grad()``."""

    _setting = True
