"""Arbitrary text given to the command line: never a traceback, never code execution."""

from __future__ import annotations

import contextlib
import io
import sys
import warnings

from hypothesis import given
from hypothesis import strategies as st

from autograd.cli import main

_WATCHED = (
    "exec",
    "os.system",
    "subprocess.Popen",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "socket.connect",
    "shutil.rmtree",
    "os.remove",
)
_seen: list[str] = []
_watching = False


def _audit(event: str, args: tuple) -> None:
    if _watching and event.startswith(_WATCHED):
        _seen.append(event)


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one is idle outside run()


def run(argv: list[str]) -> tuple[int, str, str]:
    global _watching
    out, err = io.StringIO(), io.StringIO()
    _watching = True
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            status = main(argv)
    finally:
        _watching = False
    assert caught == [], [str(w.message) for w in caught]  # a warning is a second line
    return status, out.getvalue(), err.getvalue()


run(["tanh(x) + 1", "x=0.5", "--check", "--order", "2"])  # import everything lazily imported
_seen.clear()

TOKENS = st.sampled_from(
    [
        "x",
        "w",
        "y",
        "1",
        "2.5",
        "1e308",
        "0",
        "+",
        "-",
        "*",
        "/",
        "**",
        "(",
        ")",
        ",",
        ".",
        "tanh",
        "exp",
        "log",
        "sqrt",
        "leaky_relu",
        "abs",
        "__import__",
        "'os'",
        "os",
        "system",
        "__class__",
        "lambda",
        ":",
        "[",
        "]",
        "if",
        "else",
        "eval",
        "open",
        "True",
        "=",
        "@",
        "\\",
        "\x00",
        "#",
        "\n",
        " ",
        "9**9**9",
        "1_000",
        "0x10",
        "1j",
    ]
)


def check(argv: list[str]) -> None:
    status, out, err = run(argv)
    assert status in (0, 2), (status, err)
    assert "Traceback" not in err and "Traceback" not in out
    if status == 2:
        assert out == "" or out.startswith("f = ")  # the value may print before a grad error
        assert len(err.splitlines()) == 1 and err.startswith("python -m autograd: error: ")
    assert _seen == [], _seen


@given(st.text(max_size=200))
def test_arbitrary_text_as_the_expression(text):
    check(["--", text, "x=0.5", "w=-1.5"])


@given(st.lists(TOKENS, max_size=30).map("".join))
def test_token_soup_as_the_expression(text):
    check(["--", text, "x=0.5", "w=-1.5"])


def test_syntax_warnings_stay_off_stderr():  # "1if" makes ast.parse warn
    check(["--", "1if x else 2", "x=1"])


@given(st.lists(st.text(max_size=30), max_size=5))
def test_arbitrary_arguments(argv):
    check(argv)


def test_the_audit_hook_sees_code_execution():  # the check above can fail
    global _watching
    _watching = True
    try:
        eval("1 + 1")  # on purpose: this is what the hook must catch
    finally:
        _watching = False
    assert _seen == ["exec"]
    _seen.clear()
