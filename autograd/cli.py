"""``python -m autograd``: evaluate an expression, print its value and gradients.

The expression is parsed with :mod:`ast` and only a whitelist is evaluated: numbers, the names
given values on the command line, ``+ - * / **``, unary ``-`` and ``+``, and calls to the ops
of the table that are called by name (every row of :data:`autograd.OPS` that is not an
operator or n-ary). It is never passed to ``eval``. Bad input exits with status 2 and one
line on stderr.

>>> main(["tanh(x*w + b)", "x=0.5", "w=-1.2", "b=0.3"])
f = tanh(x*w + b) = -0.291312612452
df/dx = -1.09816435419
df/dw = 0.457568480913
df/db = 0.915136961827
0
"""

from __future__ import annotations

import argparse
import ast
import inspect
import io
import math
import operator
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from contextlib import nullcontext, redirect_stdout
from typing import Any, NoReturn

from . import functions as F
from .backprop import grad
from .check.numeric import numeric_grad
from .ops import OPS, Op, run
from .value import Value, apply

__all__ = ["evaluate", "functions", "main"]

_OPERATORS = {"+", "-", "*", "/", "**"}  # ops written as operators, not called by name


def functions() -> dict[str, tuple[Callable[..., Any], int, int]]:
    """name: (function, fewest, most arguments) for every op of the table called by name:
    its wrapper in :mod:`autograd.functions` (whose defaults count, as leaky_relu's slope),
    else the op applied to all its inputs.

    >>> name, (function, fewest, most) = "leaky_relu", functions()["leaky_relu"]
    >>> fewest, most
    (1, 2)
    """
    found: dict[str, tuple[Callable[..., Any], int, int]] = {}
    for name, op in OPS.items():
        if op.arity is None or op.symbol in _OPERATORS:
            continue
        wrapper = getattr(F, name, None)
        if callable(wrapper):
            parameters = inspect.signature(wrapper).parameters.values()
            required = sum(p.default is inspect.Parameter.empty for p in parameters)
            found[name] = (wrapper, required, len(parameters))
        else:
            found[name] = (_applying(op), op.arity, op.arity)
    return found


def _applying(op: Op) -> Callable[..., Any]:
    return lambda *args: apply(op, *args)


_BINARY = {
    ast.Add: ("add", operator.add),
    ast.Sub: ("sub", operator.sub),
    ast.Mult: ("mul", operator.mul),
    ast.Div: ("div", operator.truediv),
    ast.Pow: ("pow", operator.pow),
}
_NOT_ALLOWED = {
    ast.Attribute: "attribute access",
    ast.Subscript: "indexing",
    ast.Lambda: "lambda",
    ast.Compare: "comparison",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.Starred: "*",
    ast.NamedExpr: ":=",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.JoinedStr: "an f-string",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Not: "not",
}
_MAX_LENGTH = 10_000


class InputError(ValueError):
    """Bad command-line input: reported as one line, exit status 2."""


def evaluate(text: str, variables: dict[str, Any]) -> Any:
    """The value of expression ``text`` with ``variables`` (floats or Values) substituted.

    Only the whitelist is evaluated; anything else raises InputError. Arithmetic between plain
    numbers goes through the op table too (so ``(-8) ** (1/3)`` is a ValueError, not complex).

    >>> evaluate("2 * x ** 2", {"x": 3.0})
    18.0
    >>> evaluate("__import__('os')", {})
    Traceback (most recent call last):
    ...
    autograd.cli.InputError: unknown function '__import__' (allowed: abs, cos, exp, ...)
    """
    if len(text) > _MAX_LENGTH:
        raise InputError(f"the expression is longer than {_MAX_LENGTH} characters")
    try:
        with warnings.catch_warnings():  # "1if x else 2" warns on stderr: not one line
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise InputError(f"not a valid expression: {e.msg}") from None
    except (MemoryError, RecursionError):  # thousands of nested brackets or signs
        raise InputError("the expression is nested too deeply") from None
    except ValueError as e:  # null bytes
        raise InputError(f"not a valid expression: {e}") from None
    try:
        return _evaluate(tree.body, variables)
    except RecursionError:
        raise InputError("the expression is nested too deeply") from None


def _evaluate(node: ast.AST, variables: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise InputError(f"only numbers are allowed as constants, got {node.value!r:.40}")
        try:
            value = float(node.value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):  # 1e400, as x=1e400 is refused
            raise InputError("a number in the expression is too large for a float")
        return value
    if isinstance(node, ast.Name):
        if node.id in variables:
            return variables[node.id]
        if node.id in functions():
            raise InputError(f"{node.id} is a function: call it, as in {node.id}(x)")
        raise InputError(f"unknown name {node.id!r}: give it a value, as in {node.id}=1.5")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        x = _evaluate(node.operand, variables)
        if isinstance(node.op, ast.UAdd):
            return x
        return run(OPS["neg"], (x,)) if type(x) is float else -x
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        x, y = _evaluate(node.left, variables), _evaluate(node.right, variables)
        name, on_values = _BINARY[type(node.op)]
        return run(OPS[name], (x, y)) if type(x) is type(y) is float else on_values(x, y)
    if isinstance(node, ast.Call):
        return _call(node, variables)
    kind = type(getattr(node, "op", node))
    raise InputError(f"{_NOT_ALLOWED.get(kind, kind.__name__)} is not allowed in an expression")


def _call(node: ast.Call, variables: dict[str, Any]) -> Any:
    if not isinstance(node.func, ast.Name):
        raise InputError("only the engine's functions can be called, as in tanh(x)")
    name = node.func.id
    known = functions()
    if name not in known:
        raise InputError(f"unknown function {name!r} (allowed: {', '.join(sorted(known))})")
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise InputError(f"{name}() takes plain positional arguments")
    function, low, high = known[name]
    if not low <= len(node.args) <= high:
        count = str(low) if low == high else f"{low} to {high}"
        raise InputError(f"{name}() takes {count} argument(s), got {len(node.args)}")
    args = [_evaluate(a, variables) for a in node.args]
    for i in OPS[name].constants:
        if i < len(args) and not isinstance(args[i], float):
            raise InputError(
                f"{name}'s input {i + 1} must be a number, not an expression of variables"
            )
    return function(*args)


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """``["x=0.5", "w=-1.2"]`` as ``{"x": 0.5, "w": -1.2}``; InputError for anything else."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise InputError(f"expected NAME=VALUE, such as x=0.5, got {item!r:.60}")
        if name in values:
            raise InputError(f"{name} is given twice")
        if name in functions():
            raise InputError(f"{name} is a function name; call the variable something else")
        try:
            value = float(text)
        except ValueError:
            raise InputError(f"{name}={text!r:.40} is not a number") from None
        if not math.isfinite(value):
            raise InputError(f"{name}={text.strip()}: the value must be a finite number")
        values[name] = value
    return values


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, 1 when a file cannot be written,
    2 for bad input)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        values = parse_assignments(args.values)
        # --svg /dev/stdout: stdout carries the SVG alone, the numbers go to stderr
        with redirect_stdout(sys.stderr) if _is_stdout(args.svg) else nullcontext():
            _report(args, values)
    except _HelpShown:
        return 0
    except (InputError, ArithmeticError, ValueError, TypeError) as e:
        print(f"python -m autograd: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError) as e:
        print(f"python -m autograd: cannot write the graph: {_one_line(e)}", file=sys.stderr)
        return 1
    return 0


def _report(args: argparse.Namespace, values: dict[str, float]) -> None:
    names = list(values)
    leaves = {name: Value(v, label=name) for name, v in values.items()}
    f = evaluate(args.expression, leaves)
    shown = " ".join(args.expression.split())
    if not isinstance(f, Value):  # no variable in it: a plain number
        print(f"f = {shown} = {_fmt(f)}")
        return
    f.label = "f"
    print(f"f = {shown} = {_fmt(f.data)}")
    xs = [leaves[n] for n in names]
    first = grad(f, xs, create_graph=args.order == 2)
    rows = [(f"df/d{n}", first[i].data) for i, n in enumerate(names)]
    checks = (
        [_numeric(lambda point: evaluate(args.expression, dict(zip(names, point))), values)]
        if args.check
        else []
    )
    if args.order == 2:
        for i, a in enumerate(names):
            second = grad(first[i], xs)
            rows += [(f"d2f/d{a} d{names[j]}", second[j].data) for j in range(i, len(names))]
            if args.check:
                numeric = _numeric(
                    lambda point, i=i: _first_derivative(args.expression, names, point, i), values
                )
                checks.append(numeric[i:])
    width = max(len(name) for name, _ in rows)
    numeric_column = [n for column in checks for n in column] if args.check else []
    for k, (name, value) in enumerate(rows):
        _print_row(name, width, value, numeric_column[k] if args.check else None)
    if args.svg:
        from .viz import render

        f.backward()
        print(f"graph written to {render(f, args.svg)}")


def _is_stdout(path: str | None) -> bool:
    """Whether ``path`` is this process's standard output (``/dev/stdout``, its tty, ...)."""
    if not path:
        return False
    try:
        here, there = os.fstat(sys.stdout.fileno()), os.stat(path)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _first_derivative(text: str, names: list[str], xs: list[float], i: int) -> float:
    leaves = [Value(x) for x in xs]
    f = evaluate(text, dict(zip(names, leaves)))
    return grad(f, [leaves[i]])[0].data if isinstance(f, Value) else 0.0


def _numeric(f: Callable[[list[float]], Any], values: dict[str, float]) -> list[Any]:
    """Central differences of f, or the reason they could not be taken (per variable)."""
    out: list[Any] = []
    for i, x in enumerate(values.values()):

        def along(xs: list[float], i: int = i) -> float:
            point = list(values.values())
            point[i] = xs[0]
            return float(f(point))

        try:
            out.append(numeric_grad(along, [x])[0])
        except (ArithmeticError, ValueError) as e:
            out.append(f"numeric gradient unavailable: {_one_line(e)}")
    return out


def _print_row(name: str, width: int, value: float, numeric: Any) -> None:
    shown = f"{name:<{width}} = {_fmt(value)}"
    if isinstance(numeric, str):
        shown = f"{shown:<{width + 22}}  ({numeric})"
    elif numeric is not None:
        shown = (
            f"{shown:<{width + 22}}  numeric {_fmt(numeric):<19}  error {abs(value - numeric):.1e}"
        )
    print(shown)


def _fmt(x: float) -> str:
    return format(x, ".12g")


def _one_line(e: BaseException, limit: int = 300) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _HelpShown(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments: -"):
            message += "; an expression that starts with '-' goes after '--'"
        raise InputError(f"{message} (see python -m autograd --help)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            print(message, file=sys.stderr, end="")
        raise _HelpShown


_EPILOG = """\
The expression may use numbers, the variables given as NAME=VALUE, + - * / **,
unary -, parentheses, and the functions
  {functions}
(leaky_relu also takes a slope: leaky_relu(x, 0.1)).
It is parsed and checked against that list, never run as Python.

examples:
  python -m autograd "tanh(x*w + b)" x=0.5 w=-1.2 b=0.3
  python -m autograd "x**3 * exp(-x)" x=2 --check --order 2
  python -m autograd "sigmoid(a*b)" a=1 b=-2 --svg graph.svg
  python -m autograd -- "-x**2" x=3          (an expression starting with '-')

exit status: 0 ok, 2 bad input, 1 the graph could not be written.
"""


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m autograd",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Evaluate an expression with scalar-autograd and print its value and its "
        "derivative\nwith respect to each variable.",
        epilog=_EPILOG.format(functions=", ".join(sorted(functions()))),
    )
    parser.add_argument("expression", help='e.g. "tanh(x*w + b)"')
    parser.add_argument("values", nargs="*", metavar="NAME=VALUE", help="e.g. x=0.5")
    parser.add_argument(
        "--svg",
        metavar="PATH",
        help="draw the computation graph to PATH "
        "(the suffix picks the format: .svg, .png, .pdf; needs Graphviz)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="print the numeric (central-difference) derivative and the error next to each one",
    )
    parser.add_argument(
        "--order", type=int, choices=(1, 2), default=1, help="2: also print the second derivatives"
    )
    return parser
