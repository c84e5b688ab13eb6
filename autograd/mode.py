"""Whether ops record the graph: on by default, off inside ``no_grad()``."""

from __future__ import annotations

from contextlib import ContextDecorator
from typing import Any

__all__ = ["enable_grad", "is_grad_enabled", "no_grad"]

# True or False; inside ``detect_anomaly()`` the recorder (truthy) instead of True, so that
# ``apply`` tests ``enabled is True`` once, as before, and anomaly mode costs nothing when off.
enabled: Any = True
anomaly: Any = None  # the active ``detect_anomaly()`` recorder, else None


def is_grad_enabled() -> bool:
    """True when ops record the graph (outside any ``no_grad()`` block)."""
    return bool(enabled)


class _GradMode(ContextDecorator):
    _setting: bool

    def __init__(self) -> None:
        self._saved: list[Any] = []

    def __enter__(self) -> None:
        global enabled
        self._saved.append(enabled)
        enabled = self._setting and (anomaly or True)  # keep recording for detect_anomaly

    def __exit__(self, *exc: Any) -> None:
        global enabled
        enabled = self._saved.pop()


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
