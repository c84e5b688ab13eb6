"""Every public name has a docstring, so ``python -m pydoc autograd`` reads well."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import pytest

import autograd
import nn


@pytest.mark.parametrize("module", [autograd, nn], ids=lambda m: m.__name__)
def test_every_public_name_has_a_docstring(module):
    missing = []
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.ismodule(obj) or callable(obj):
            if not inspect.getdoc(obj):
                missing.append(name)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and callable(member) and not inspect.getdoc(member):
                        missing.append(f"{name}.{attr}")
    assert missing == []


def test_pydoc_renders_the_package():
    out = subprocess.run(
        [sys.executable, "-m", "pydoc", "autograd"], capture_output=True, text=True, check=True
    )
    # (from Python 3.13, pydoc writes a long signature a parameter a line)
    shown = re.sub(r"\(\s+", "(", out.stdout)
    for part in ("class Value", "grad(output:", "create_graph", "draw_dot(root", "gradcheck("):
        assert part in shown
