"""Saving a model's parameters to a JSON file and loading them back.

The file holds ``{"format": "scalar-autograd/nn", "version": 1, "model": <class name>,
"parameters": <state dict>}``. Floats are written with ``repr``, so loading gives back exactly
the same numbers. Writing goes through :mod:`autograd.files`: the JSON goes to a temporary
file in the same folder that then replaces ``path`` in one step (keeping its permissions, and
writing a symbolic link's file), so a crash never leaves half a file behind.

>>> import tempfile, os
>>> from nn import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> save(model, path)
>>> other = MLP(2, [3, 1], seed=1)
>>> load(other, path)
>>> other.state_dict() == model.state_dict()
True
"""

from __future__ import annotations

import json
import math
import os
from typing import TYPE_CHECKING, Any

from autograd.files import atomic_write

if TYPE_CHECKING:
    from .module import Module

__all__ = ["FORMAT", "load", "save"]

FORMAT = "scalar-autograd/nn"
VERSION = 1


def save(module: Module, path: str | os.PathLike[str]) -> None:
    """Write ``module``'s parameters to ``path`` as JSON, atomically (temp file + rename).

    ValueError if a parameter is not finite (JSON has no NaN or infinity); the file is then
    not touched.
    """
    state = module.state_dict()
    for name, value in state.items():
        for x in value if isinstance(value, list) else [value]:
            if not math.isfinite(x):
                raise ValueError(f"save: parameter {name!r} is {x}, which JSON cannot store")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": type(module).__name__,
        "parameters": state,
    }
    atomic_write(path, json.dumps(document, indent=1, allow_nan=False).encode("utf-8"))


def load(module: Module, path: str | os.PathLike[str]) -> None:
    """Read parameters written by :func:`save` into ``module``.

    The file is parsed and checked in full before any parameter changes: a truncated or
    foreign file, text that is not UTF-8, JSON nested too deeply, or numbers that :func:`save`
    would not write (NaN, Infinity, 1e999, an int too large for a float), or names and shapes
    that do not fit ``module``, raise ValueError saying what is wrong and where, and ``module``
    is left as it was.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"load: {path} is not a model file saved by nn (not UTF-8 text: byte {e.start})"
        ) from None
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(
            f"load: {path} is not valid JSON ({e.msg} at line {e.lineno}, column {e.colno}); "
            "is the file truncated?"
        ) from None
    except RecursionError:
        raise ValueError(
            f"load: {path} is not a model file saved by nn (nested too deeply)"
        ) from None
    except ValueError as e:  # an int of more digits than Python converts
        raise ValueError(f"load: {path} is not a model file saved by nn ({e})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"load: {path} is not a model file saved by nn (no format {FORMAT!r})")
    if document.get("version") != VERSION:
        raise ValueError(
            f"load: {path} has format version {document.get('version')!r}; "
            f"this nn reads version {VERSION}"
        )
    parameters = document.get("parameters")
    if not isinstance(parameters, dict):
        raise ValueError(f"load: {path} has no 'parameters' mapping")
    try:
        module.load_state_dict(parameters)
    except ValueError as e:
        saved = document.get("model", "?")
        raise ValueError(f"load: {path} (saved from a {saved}): {e}") from None
