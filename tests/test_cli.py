"""python -m autograd: good input prints values and gradients; bad input exits 2 in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd.cli import evaluate, main

ROOT = Path(__file__).resolve().parent.parent
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout, from any folder
    return subprocess.run(
        [sys.executable, "-m", "autograd", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env=env,
    )


def numbers(out: str) -> dict[str, float]:
    return {
        line.split("=")[0].strip(): float(line.split("=")[1].split()[0])
        for line in out.splitlines()
        if line.startswith("d")
    }


def test_prints_value_and_gradients():
    out = run_cli("tanh(x*w + b)", "x=0.5", "w=-1.2", "b=0.3")
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout.splitlines()[0] == "f = tanh(x*w + b) = -0.291312612452"
    grads = numbers(out.stdout)
    assert grads["df/dw"] == pytest.approx(0.457568480913)  # x (1 - y²), as in the README
    assert set(grads) == {"df/dx", "df/dw", "df/db"}


def test_check_and_second_order(capsys):
    assert main(["x**3 * exp(-x)", "x=2", "y=1", "--check", "--order", "2"]) == 0
    out = capsys.readouterr().out
    rows = {line.split("=")[0].strip(): line for line in out.splitlines()}
    assert set(rows) == {"f", "df/dx", "df/dy", "d2f/dx dx", "d2f/dx dy", "d2f/dy dy"}
    for name, line in rows.items():
        if name != "f":
            assert "numeric" in line and float(line.split("error")[1]) < 1e-6
    assert numbers(out)["d2f/dx dx"] == pytest.approx(-2 * 2.0 * 2.718281828**-2, rel=1e-6)


def test_numeric_check_outside_the_domain_says_so(capsys):
    assert main(["sqrt(x)", "x=1e-7", "--check"]) == 0
    assert (
        "numeric gradient unavailable: sqrt(-9e-07): outside the domain" in capsys.readouterr().out
    )


@needs_dot
def test_svg_is_written(tmp_path):
    out = run_cli("sigmoid(a*b)", "a=1", "b=-2", "--svg", str(tmp_path / "g.svg"))
    assert out.returncode == 0, out.stderr
    texts = [t.text for t in ET.parse(tmp_path / "g.svg").iter("{http://www.w3.org/2000/svg}text")]
    assert "a" in texts and "σ" in texts and "∂ -2" in texts


def test_help_documents_the_whitelist():
    out = run_cli("--help")
    assert out.returncode == 0
    assert "never run as Python" in out.stdout and "leaky_relu" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["__import__('os').system('touch PWNED')"], "only the engine's functions can be called"),
        (["x.__class__", "x=1"], "attribute access is not allowed"),
        (["x + y", "x=1"], "unknown name 'y'"),
        (["x * w", "x=1"], "unknown name 'w'"),  # a missing value
        (["tanh(x", "x=1"], "not a valid expression"),
        (["x", "x=abc"], "x='abc' is not a number"),
        (["x", "x"], "expected NAME=VALUE"),
        (["log(x)", "x=-1"], "log(-1.0): outside the domain of log"),
        (["x", "x=1", "x=2"], "x is given twice"),
        (["-x", "x=1"], "after '--'"),
        ([], "the following arguments are required: expression"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message, tmp_path):
    out = run_cli(*args, cwd=tmp_path)
    assert out.returncode == 2
    assert out.stdout == "" and message in out.stderr
    assert len(out.stderr.splitlines()) == 1 and "Traceback" not in out.stderr
    assert list(tmp_path.iterdir()) == []  # nothing ran


def test_unwritable_svg_exits_1(tmp_path, capsys):
    assert main(["x * 2", "x=1", "--svg", str(tmp_path / "missing" / "g.svg")]) == 1
    assert "cannot write the graph" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2 * x ** 2", 18.0),
        ("-x + +x", 0.0),
        ("leaky_relu(-x, 0.5)", -1.5),
        ("abs(-x)", 3.0),
        ("(1 + 2) * 3", 9.0),
    ],
)
def test_evaluate_the_whitelist(text, value):
    assert evaluate(text, {"x": 3.0}) == value


def test_float_arithmetic_goes_through_the_op_table():  # not Python's complex power
    with pytest.raises(ValueError, match="outside the domain of"):
        evaluate("(-8) ** (1/3)", {})


def test_a_non_finite_literal_is_refused_like_a_non_finite_value(capsys):
    # "1e400" (inf) was accepted in the expression while x=inf was refused
    assert main(["1e400 * x", "x=1"]) == 2
    assert "too large for a float" in capsys.readouterr().err
    assert main(["x", "x=inf"]) == 2


def test_thousands_of_unary_minus_signs_give_a_message(capsys):  # it was an empty one
    assert main(["--", "-" * 9000 + "x", "x=1"]) == 2
    assert "nested too deeply" in capsys.readouterr().err
