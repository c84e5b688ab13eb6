"""The core imports nothing optional; the package metadata says what the issue says."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


OPTIONAL = ("graphviz", "numpy", "hypothesis", "torch", "tqdm", "matplotlib")


@pytest.mark.parametrize(
    ("code", "must_not_import"),
    [
        pytest.param(  # the core: Value and backward need the standard library only
            "import autograd\nx = autograd.Value(1.0); (x * x).backward()",
            (*OPTIONAL, "nn"),
            id="autograd",
        ),
        pytest.param(  # gradcheck is for users' tests, but must not need Hypothesis
            "import autograd\nautograd.gradcheck(lambda xs: xs[0].tanh(), [0.5])",
            ("hypothesis",),
            id="gradcheck",
        ),
        pytest.param(  # nn trains without numpy; numpy is only for the seeds' matrices
            "import nn\nm = nn.MLP(2, [3, 1], seed=0); m([1.0, 2.0]).backward()",
            ("numpy", "tqdm", "torch", "matplotlib"),
            id="nn",
        ),
    ],
)
def test_import_pulls_in_nothing_optional(code, must_not_import):
    check = (
        f"import sys\n{code}\nprint(','.join(m for m in {must_not_import!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
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
