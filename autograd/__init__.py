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
"""

from .anomaly import AnomalyError, detect_anomaly
from .backprop import backward, grad, topological_order
from .functions import cos, dot, exp, leaky_relu, log, relu, sigmoid, sin, softplus, sqrt, tanh
from .functions import sum as sum  # noqa: A004 - autograd.sum, like torch.sum
from .gradcheck import GradcheckError, gradcheck
from .mode import enable_grad, is_grad_enabled, no_grad
from .ops import OPS, Op
from .steps import Step, backward_steps, write_step_frames
from .value import Value
from .viz import draw_dot, render

# ``sum`` is left out on purpose: ``from autograd import *`` must not shadow builtins.sum.
__all__ = [
    "OPS",
    "AnomalyError",
    "GradcheckError",
    "Op",
    "Step",
    "Value",
    "backward",
    "backward_steps",
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
    "log",
    "no_grad",
    "relu",
    "render",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "tanh",
    "topological_order",
    "write_step_frames",
]

__version__ = "0.1.0"
