"""Checking gradients: ``gradcheck`` against central finite differences, naming the broken
rule; ``check_formula``, a hand-derived numpy formula against the engine, with a diagnosis.

Loaded on first use (``autograd.gradcheck`` loads it); gradcheck needs the standard library
only, check_formula numpy (imported when it is called). ``python -m autograd.check FILE.py``
checks a derivation kept in a file.
"""

from .formula import FormulaError, ParameterReport, check_formula
from .gradcheck import GradcheckError, LocalMismatch, NotDifferentiableWarning, Row, gradcheck
from .numeric import numeric_grad, step_size

__all__ = [
    "FormulaError",
    "GradcheckError",
    "LocalMismatch",
    "NotDifferentiableWarning",
    "ParameterReport",
    "Row",
    "check_formula",
    "gradcheck",
    "numeric_grad",
    "step_size",
]
