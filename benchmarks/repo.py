"""Importing the engine of the tree these benchmarks live in.

The checkout's folder goes first on ``sys.path``, so the benchmarks always measure this tree's
``autograd`` and ``nn``, whatever else is installed (a stale editable install, HIPS autograd,
which shares the name) and even with a Python that has no package installed at all.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["ROOT", "load_autograd", "load_mlp"]

ROOT = Path(__file__).resolve().parent.parent


def load_autograd() -> ModuleType:
    """This tree's ``autograd`` package."""
    if sys.path[:1] != [str(ROOT)]:
        sys.path.insert(0, str(ROOT))
    import autograd

    if Path(autograd.__file__ or "").resolve().parent != ROOT / "autograd":
        raise ImportError(f"imported {autograd.__file__}, not {ROOT / 'autograd'}")
    return autograd


def load_mlp() -> Any:
    """This tree's ``nn.MLP``."""
    load_autograd()
    from nn import MLP

    return MLP
