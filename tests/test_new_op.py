"""An op is one row of the table: everything else finds it there, or a test names what is missing.

The fixture registers a made-up op, ``cube``, as one row (no method, no wrapper); the walk,
``grad(create_graph=True)``, the command line, the Hypothesis strategies, ``draw_dot`` and
``backward_steps`` must all pick it up.
"""

from __future__ import annotations

import builtins
import inspect
import math

import pytest
from hypothesis import HealthCheck, Phase, find, settings
from oracles import dual, torch_eval

import autograd
from autograd import OPS, Op, Value, apply, backward_steps, draw_dot, grad
from autograd import functions as F
from autograd.cli import main
from autograd.testing import expressions

FIND = settings(
    max_examples=3000,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def cube(monkeypatch):
    op = Op(
        "cube", lambda x: x * x * x, lambda x, out: (3.0 * x * x,), symbol="³", sample=((-2, 2),)
    )
    monkeypatch.setitem(OPS, "cube", op)
    return op


def test_the_walk_and_create_graph_use_a_new_row(cube):
    x = Value(2.0)
    y = apply("cube", x)
    y.backward()
    assert (y.data, x.grad) == (8.0, 12.0)
    (d1,) = grad(y, [x], create_graph=True)
    (d2,) = grad(d1, [x])
    assert (d1.data, d2.data) == (12.0, 12.0)  # 3x², 6x


def test_the_command_line_calls_a_new_row_by_name(cube, capsys):
    assert main(["cube(x) + 1", "x=2"]) == 0
    assert "df/dx = 12" in capsys.readouterr().out


def test_expressions_draw_a_new_row_and_print_it_as_pasteable_source(cube):
    expr = find(expressions(), lambda e: any(op is cube for op, _ in e.nodes), settings=FIND)
    assert "autograd.apply('cube', " in expr.source
    namespace: dict = {}
    exec(expr.source, namespace)
    assert namespace["y"].data == expr.build()[1].data


def test_draw_dot_and_backward_steps_show_a_new_row(cube):
    x = Value(0.5, label="x")
    y = apply("cube", x)
    assert "³" in draw_dot(y).source and "∂ 0.75" in draw_dot(y).source
    steps = backward_steps(y)
    assert steps[-1].source.op is cube and steps[-1].after == 0.75


# --- what a row of the real table needs besides itself ---------------------------------------


def _midpoint(op: Op) -> list[float]:
    count = 2 if op.arity is None else op.arity
    return [sum(op.sample[min(i, len(op.sample) - 1)]) / 2 for i in range(count)]


def _missing(name: str) -> list[str]:
    """What op `name` lacks: a way to write it on Values, a function, a sampling domain, and a
    rule in each independent oracle (they keep their own rules on purpose)."""
    op, missing = OPS[name], []
    is_operator = op.symbol in ("+", "-", "*", "/", "**")
    is_builtin = hasattr(Value, f"__{name}__") and hasattr(builtins, name)
    method = getattr(Value, name, None)
    if not (is_operator or is_builtin or callable(method) or op.arity is None):
        missing.append(f"a Value method {name}() (autograd/value.py)")
    if callable(method):
        if not callable(getattr(F, name, None)):
            missing.append(f"a function {name}() in autograd/functions.py")
        elif name not in autograd.__all__:
            missing.append(f"{name} in autograd.__all__ (autograd/__init__.py)")
    if op.arity is not None and len(op.sample) != op.arity:
        missing.append(f"a sampling range for each of its {op.arity} inputs (sample=)")
    if op.domain != "all real x" and op.admits is None:
        missing.append(f"admits= for its domain {op.domain!r}, so checks can stay inside it")
    point = _midpoint(op)
    if op.admits is not None and not op.admits(*point, margin=0.0):
        missing.append(f"sampling ranges inside its domain ({point} is not admitted)")
    args = tuple(x if i in op.constants else i for i, x in enumerate(point))  # slot or constant
    try:
        dual.evaluate([dual.Dual(x) for x in point], [(name, args)])
    except ValueError:
        missing.append("a rule in the dual-number oracle (tests/oracles/dual.py)")
    if name not in torch_eval.NAMES:
        missing.append("a rule in the torch oracle (tests/oracles/torch_eval.py)")
    return missing


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_op_has_a_spelling_a_function_a_domain_and_oracle_rules(name):
    assert _missing(name) == []


def test_a_row_alone_is_told_what_it_lacks(monkeypatch):
    monkeypatch.setitem(OPS, "atan", Op("atan", math.atan, lambda x, out: (1.0 / (1.0 + x * x),)))
    assert _missing("atan") == [
        "a Value method atan() (autograd/value.py)",
        "a rule in the dual-number oracle (tests/oracles/dual.py)",
        "a rule in the torch oracle (tests/oracles/torch_eval.py)",
    ]


def test_the_function_wrappers_take_what_the_methods_take():
    for name in OPS:
        method = getattr(Value, name, None)
        if callable(method):
            method_args = list(inspect.signature(method).parameters)[1:]  # without self
            assert list(inspect.signature(getattr(F, name)).parameters)[1:] == method_args, name
