"""scalar-autograd: a scalar reverse-mode automatic-differentiation engine.

A :class:`Value` holds one float and records the graph of operations that made it;
``backward()`` applies the chain rule through that graph, and :func:`grad` returns
gradients that can themselves be differentiated.

>>> from autograd import Value, grad
>>> x = Value(3.0, label="x")
>>> y = x * x.tanh() + 2 ** x
>>> dy, = grad(y, [x], create_graph=True)
>>> d2y, = grad(dy, [x])

Every op's forward and derivative live side by side in one table, :data:`OPS`.

``import autograd`` loads the core only: the op table, Value, the reverse walk, grad mode and
the functions. The tools built on it load on first use: drawing (``draw_dot``, ``render``,
``write_step_frames``: :mod:`autograd.viz`), checking (``gradcheck``, ``check_formula``:
:mod:`autograd.check`),
``backward_steps`` (:mod:`autograd.steps`), ``detect_anomaly`` (:mod:`autograd.anomaly`),
the Hypothesis strategies (:mod:`autograd.testing`), ``compile`` (:mod:`autograd.replay`)
and the command line (``python -m autograd``).
"""

from __future__ import annotations

import importlib
from typing import Any

from .backprop import backward, grad
from .functions import (
    cos,
    dot,
    exp,
    leaky_relu,
    linear,
    log,
    logsumexp,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    tan,
    tanh,
)
from .functions import sum as sum  # noqa: A004 - autograd.sum, like torch.sum
from .mode import enable_grad, is_grad_enabled, no_grad
from .ops import OPS, Op
from .value import Value, apply, as_float
from .walk import topological_order

# Frames of this package are library code, not the user's line (see autograd.anomaly).
__autograd_library__ = True

# The tools: loaded on first use (PEP 562), name -> module.
_TOOLS = {
    "AnomalyError": "anomaly",
    "detect_anomaly": "anomaly",
    "FormulaError": "check",
    "GradcheckError": "check",
    "check_formula": "check",
    "gradcheck": "check",
    "Step": "steps",
    "compile": "replay",
    "backward_steps": "steps",
    "draw_dot": "viz",
    "render": "viz",
    "write_step_frames": "viz",
}


def __getattr__(name: str) -> Any:
    if name in _TOOLS:
        value = getattr(importlib.import_module(f".{_TOOLS[name]}", __name__), name)
        globals()[name] = value  # found once; later lookups are plain attribute reads
        return value
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TOOLS))


# ``sum`` and ``compile`` are left out on purpose: ``from autograd import *`` must not shadow
# the builtins of those names.
__all__ = [
    "OPS",
    "AnomalyError",
    "FormulaError",
    "GradcheckError",
    "Op",
    "Step",
    "Value",
    "apply",
    "as_float",
    "backward",
    "backward_steps",
    "check_formula",
    "cos",
    "detect_anomaly",
    "dot",
    "draw_dot",
    "enable_grad",
    "exp",
    "grad",
    "gradcheck",
    "is_grad_enabled",
    "leaky_relu",
    "linear",
    "log",
    "logsumexp",
    "no_grad",
    "relu",
    "render",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "tan",
    "tanh",
    "topological_order",
    "write_step_frames",
]

__version__ = "0.1.0"
