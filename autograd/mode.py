"""Grad mode (do ops record the graph?) and anomaly mode, per thread and per asyncio task.

Each mode is a context variable: ``no_grad()`` in one thread or task leaves every other one
recording, and a new thread starts with the defaults (recording on, anomaly mode off).

``grad_enabled()`` is True by default and False inside ``no_grad()``. ``anomaly()`` is None,
or, inside ``autograd.detect_anomaly()``, the object that checks every node made and every
gradient (see :mod:`autograd.anomaly`); the core only calls it, never imports it.

>>> import threading
>>> from autograd import Value, no_grad
>>> seen = []
>>> with no_grad():
...     worker = threading.Thread(target=lambda: seen.append((Value(1.0) * 2).parents != ()))
...     worker.start(); worker.join()
>>> seen                                   # the other thread kept recording
[True]
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any, TypeVar

__all__ = ["anomaly", "enable_grad", "grad_enabled", "is_grad_enabled", "no_grad", "tracer"]

_grad: ContextVar[bool] = ContextVar("autograd.grad_enabled", default=True)
_anomaly: ContextVar[Any] = ContextVar("autograd.anomaly", default=None)
# While ``autograd.compile`` traces a step: its recorder (see autograd.replay.trace), else None.
_tracer: ContextVar[Any] = ContextVar("autograd.tracer", default=None)
# The tokens to undo each mode block entered in this context, innermost last: kept per context,
# never on the (possibly shared) context-manager object.
_undo: ContextVar[tuple[Token[Any], ...]] = ContextVar("autograd.mode_undo", default=())

grad_enabled: Callable[[], bool] = _grad.get
"""``grad_enabled()``: True when ops record the graph in this thread or task."""
anomaly: Callable[[], Any] = _anomaly.get
"""``anomaly()``: the active ``detect_anomaly()`` recorder of this thread or task, or None."""
tracer: Callable[[], Any] = _tracer.get
"""``tracer()``: the recorder of the step ``autograd.compile`` is tracing here, or None."""

F = TypeVar("F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    """True when ops record the graph (outside any ``no_grad()`` block of this thread/task)."""
    return _grad.get()


class Mode:
    """A block that sets one mode: a context manager, or a decorator whose function (plain,
    generator, ``async def`` or async generator) runs its body in that mode — a generator's
    body each time it resumes, not the code that consumes it."""

    _var: ContextVar[Any]

    def _value(self) -> Any:
        """The value the mode has inside the block."""
        raise NotImplementedError

    def __enter__(self) -> None:
        token = self._var.set(self._value())
        _undo.set((*_undo.get(), token))

    def __exit__(self, *exc: Any) -> None:
        *outer, token = _undo.get()
        token.var.reset(token)
        _undo.set(tuple(outer))

    def __call__(self, func: F) -> F:
        mode = type(self)  # a fresh block for every call: nothing shared between threads
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def generator(*args: Any, **kwargs: Any) -> Any:
                inner = func(*args, **kwargs)
                try:
                    with mode():
                        response = inner.send(None)
                    while True:  # the mode holds while the body runs, not while it waits
                        try:
                            request = yield response
                        except GeneratorExit:
                            with mode():
                                inner.close()
                            raise
                        except BaseException as error:
                            with mode():
                                response = inner.throw(error)
                        else:
                            with mode():
                                response = inner.send(request)
                except StopIteration as stop:
                    return stop.value

            return generator  # type: ignore[return-value]
        if inspect.isasyncgenfunction(func):

            @functools.wraps(func)
            async def async_generator(*args: Any, **kwargs: Any) -> Any:
                inner = func(*args, **kwargs)
                try:
                    with mode():
                        response = await inner.asend(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with mode():
                                await inner.aclose()
                            raise
                        except BaseException as error:
                            with mode():
                                response = await inner.athrow(error)
                        else:
                            with mode():
                                response = await inner.asend(request)
                except StopAsyncIteration:
                    return

            return async_generator  # type: ignore[return-value]
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def coroutine(*args: Any, **kwargs: Any) -> Any:
                with mode():
                    return await func(*args, **kwargs)

            return coroutine  # type: ignore[return-value]

        @functools.wraps(func)
        def plain(*args: Any, **kwargs: Any) -> Any:
            with mode():
                return func(*args, **kwargs)

        return plain  # type: ignore[return-value]


class no_grad(Mode):
    """Context manager (or decorator) in which ops record no graph: results are leaves.

    It holds for this thread or asyncio task only; other threads and tasks keep recording.

    >>> from autograd import Value, no_grad
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.parents
    ()
    """

    _var = _grad

    def _value(self) -> bool:
        return False


class enable_grad(Mode):
    """Context manager (or decorator) that records the graph even inside ``no_grad()``."""

    _var = _grad

    def _value(self) -> bool:
        return True
