"""The layout is the architecture: a small core that loads nothing else, tools loaded on first
use, no import cycles, and nn built on the engine's public API only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import autograd

ROOT = Path(__file__).resolve().parent.parent
CORE = {"autograd", "autograd.backprop", "autograd.functions", "autograd.mode"}
CORE |= {"autograd.custom", "autograd.ops", "autograd.value", "autograd.walk"}
# Modules of autograd that nn (and users) may import besides the package itself.
PUBLIC_MODULES = {"autograd.files", "autograd.functions", "autograd.testing"}


def _loaded_after(code: str) -> set[str]:
    check = (
        f"import sys\n{code}\nprint(' '.join(m for m in sys.modules if m.startswith('autograd')))"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_autograd_loads_the_core_only():
    assert _loaded_after("import autograd\nx = autograd.Value(1.0); (x * x).backward()") == CORE


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("draw_dot", "autograd.viz"),
        ("gradcheck", "autograd.check"),
        ("backward_steps", "autograd.steps"),
        ("detect_anomaly", "autograd.anomaly"),
    ],
)
def test_a_tool_loads_on_first_use(name, module):
    assert module in _loaded_after(f"import autograd\nautograd.{name}") - CORE


def test_the_lazy_names_are_the_tools_own():
    from autograd import anomaly, check, steps, viz

    assert autograd.draw_dot is viz.draw_dot and autograd.gradcheck is check.gradcheck
    assert autograd.backward_steps is steps.backward_steps
    assert autograd.detect_anomaly is anomaly.detect_anomaly
    assert set(autograd.__all__) <= set(dir(autograd))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        autograd.nope  # noqa: B018


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in the file (a lazy import is an edge too)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            if node.module:
                found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}  # `from . import mode`
    return found


MODULES = {_module_name(p): p for p in sorted((ROOT / "autograd").rglob("*.py"))}


def test_autograd_has_no_import_cycles():
    graph = {
        name: {m for m in _imports(path) if m in MODULES and m != name and m != "autograd"}
        for name, path in MODULES.items()
        if name != "autograd"  # the package's own __init__ re-exports; nothing imports it back
    }
    back_to_package = [
        n for n, p in MODULES.items() if n != "autograd" and "autograd" in _imports(p)
    ]
    assert back_to_package == []
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path, name))
        if name in done:
            return
        for nxt in sorted(graph.get(name, ())):
            visit(nxt, (*path, name))
        done.add(name)

    for name in graph:
        visit(name, ())


def test_autograd_never_imports_nn():
    for name, path in MODULES.items():
        assert not {m for m in _imports(path) if m == "nn" or m.startswith("nn.")}, name


def test_nn_uses_only_the_engines_public_api():
    for path in sorted((ROOT / "nn").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd"):
                if node.module == "autograd":
                    names = {a.name for a in node.names} - {"functions"}
                    assert names <= set(autograd.__all__) | {"sum", "compile"}, (path.name, names)
                else:
                    assert node.module in PUBLIC_MODULES, (path.name, node.module)
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "autograd"
            ):
                assert not node.attr.startswith("_"), (path.name, node.attr)
                assert node.attr in set(autograd.__all__) | {"sum", "compile"}, (
                    path.name,
                    node.attr,
                )
