"""``python -m autograd.check FILE.py``: check a hand-derived gradient kept in a file.

FILE defines ``loss``, ``formula`` and ``params`` (and optionally ``data``), as for
:func:`autograd.check_formula`. The report goes to stdout; the exit status is 0 when the
formula agrees with the gradient, 1 when it does not, 2 when FILE cannot be used.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from .formula import ATOL, RTOL, FormulaError, check_formula

__all__ = ["main"]

_DESCRIPTION = """\
Check a gradient derived by hand against scalar-autograd's.

FILE is a Python file that defines
  loss(**params, **data)     the forward pass in numpy, returning one number
  formula(**params, **data)  your hand-derived gradient: a dict of arrays by parameter name
  params                     a dict of numpy arrays: the point to check at
  data                       (optional) a dict of arrays that are not differentiated

FILE is run as Python — your own code, with your permissions, as `python FILE` would run it
(its `if __name__ == "__main__":` block excepted): run only files you trust.
"""

_EPILOG = f"""\
Both sides are analytic, so the tolerance is tight: |formula − gradient| <= {ATOL:g} + {RTOL:g}
× the largest |gradient| of each parameter (--rtol, --atol to change it).

exit status: 0 the formula agrees, 1 it does not (the report says how and where),
             2 FILE cannot be used.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m autograd.check",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE.py", help="the file with loss, formula, params")
    parser.add_argument("--rtol", type=float, default=RTOL, help=f"relative tolerance ({RTOL:g})")
    parser.add_argument("--atol", type=float, default=ATOL, help=f"absolute tolerance ({ATOL:g})")
    args = parser.parse_args(argv)
    path = Path(args.file)
    try:
        namespace = _run(path)
    except _BadFile as e:
        print(f"python -m autograd.check: {path}: {e}", file=sys.stderr)
        return 2
    try:
        check_formula(
            namespace["loss"],
            namespace["formula"],
            namespace["params"],
            namespace.get("data"),
            rtol=args.rtol,
            atol=args.atol,
        )
    except FormulaError as e:
        print(f"{path}:\n{e}")
        return 1
    except Exception as e:  # the file's loss or formula failed, or gave the wrong things
        print(f"python -m autograd.check: {path}: {_last_line(e)}", file=sys.stderr)
        return 2
    print(f"{path}: the formula agrees with the gradient of the loss, for every parameter")
    return 0


class _BadFile(Exception):
    pass


def _run(path: Path) -> dict[str, object]:
    import runpy

    if not path.is_file():
        raise _BadFile("no such file")
    try:
        namespace = runpy.run_path(str(path), run_name="__autograd_check__")
    except SyntaxError as e:
        raise _BadFile(f"line {e.lineno}: {e.msg}") from None
    except Exception as e:
        raise _BadFile(f"running it failed: {_last_line(e)}") from None
    missing = [name for name in ("loss", "formula", "params") if name not in namespace]
    if missing:
        raise _BadFile(f"it does not define {', '.join(missing)} (see --help)")
    for name in ("loss", "formula"):
        if not callable(namespace[name]):
            raise _BadFile(f"{name} is not a function")
    return namespace


def _last_line(e: BaseException) -> str:
    frames = traceback.extract_tb(e.__traceback__)
    where = f" (line {frames[-1].lineno} of {Path(frames[-1].filename).name})" if frames else ""
    return f"{type(e).__name__}: {e}{where}"


if __name__ == "__main__":
    sys.exit(main())
