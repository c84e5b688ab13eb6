"""Checking gradients: ``gradcheck`` against central finite differences, naming the broken rule.

Loaded on first use (``autograd.gradcheck`` loads it); needs the standard library only.
"""

from .gradcheck import GradcheckError, LocalMismatch, NotDifferentiableWarning, Row, gradcheck
from .numeric import numeric_grad, step_size

__all__ = [
    "GradcheckError",
    "LocalMismatch",
    "NotDifferentiableWarning",
    "Row",
    "gradcheck",
    "numeric_grad",
    "step_size",
]
