"""The core imports nothing optional; the package metadata says what the issue says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_core_import_pulls_in_nothing_optional():
    code = (
        "import sys, autograd\n"
        "x = autograd.Value(1.0); (x * x).backward()\n"
        "bad = [m for m in ('graphviz', 'numpy', 'hypothesis', 'nn', 'torch', 'tqdm',"
        " 'matplotlib') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_pyproject_declares_the_package():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = meta["project"]
    assert project["name"] == "scalar-autograd"
    assert project["requires-python"] == ">=3.10"
    assert set(meta["tool"]["setuptools"]["packages"]) == {"autograd", "nn"}
    assert {"pytest", "hypothesis", "numpy"} <= {
        r.split(">")[0].split("=")[0] for r in project["optional-dependencies"]["test"]
    }
    assert not any(r.startswith(("torch", "micrograd")) for r in project["dependencies"])
    assert (ROOT / "autograd" / "py.typed").exists()
