"""``python -m demos``: list the demos; ``python -m demos NAME``: run one; ``... all``: run all.

``all`` (what ``make demo`` runs) writes every picture under ``out/`` and a gallery,
``out/index.html``, that shows them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import DEMOS
from .common import Options, Result, Skipped
from .gallery import write_gallery


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m demos",
        description="Demos of scalar-autograd. Without a name, list them.",
        epilog="Example: python -m demos moons --no-progress",
    )
    parser.add_argument("name", nargs="?", help="a demo's name, or 'all' to run every demo")
    parser.add_argument(
        "--epochs", type=_positive, help="train this many epochs (steps, iterations) instead"
    )
    parser.add_argument("--seed", type=int, help="random seed instead of the demo's own")
    parser.add_argument("--out", type=Path, default=Path("out"), help="output folder (out/)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument(
        "--fast", action="store_true", help="smaller data and fewer epochs (the tests' mode)"
    )
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def list_demos() -> str:
    """One line per demo: its name and what it shows."""
    width = max(map(len, DEMOS))
    lines = ["Demos (python -m demos NAME, or python -m demos all):"]
    lines += [f"  {name.ljust(width)}  {demo.summary}" for name, demo in DEMOS.items()]
    lines.append(f"  {'all'.ljust(width)}  every demo in turn, then out/index.html (make demo)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.name is None:
        print(list_demos())
        return 0
    if args.name != "all" and args.name not in DEMOS:
        parser.error(f"unknown demo {args.name!r}; choose one of {', '.join(DEMOS)}, all")
    options = Options(
        out=args.out,
        epochs=args.epochs,
        seed=args.seed,
        progress=not args.no_progress,
        fast=args.fast,
    )
    names = list(DEMOS) if args.name == "all" else [args.name]
    start = time.perf_counter()
    results, seconds, failed = run_demos(names, options, keep_going=args.name == "all")
    if args.name == "all":
        index = write_gallery(
            results, {n: d.summary for n, d in DEMOS.items()}, options.out, seconds=seconds
        )
        total = time.perf_counter() - start
        print(f"\nAll demos ran in {total:.0f} s. Open {index} in a browser to see the pictures.")
    if failed:
        print(f"These demos failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def run_demos(
    names: Sequence[str], options: Options, *, keep_going: bool = True
) -> tuple[list[Result], dict[str, float], list[str]]:
    """Run the named demos in turn: (their results, seconds each took, names that failed).

    A demo that cannot run here (:class:`Skipped`) is reported and left out. With
    ``keep_going`` a demo that raises is reported with its traceback and the rest still run;
    otherwise the exception propagates.
    """
    results: list[Result] = []
    seconds: dict[str, float] = {}
    failed: list[str] = []
    for k, name in enumerate(names, start=1):
        if len(names) > 1:
            print(f"\n=== [{k}/{len(names)}] {name}: {DEMOS[name].summary}", flush=True)
        began = time.perf_counter()
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(_Tee(sys.stdout, printed)):
                result = DEMOS[name].run(options)
        except Skipped as e:
            print(f"  skipped: {e}")
            continue
        except Exception:
            if not keep_going:
                raise
            traceback.print_exc()
            failed.append(name)
            continue
        seconds[name] = time.perf_counter() - began
        result.log = printed.getvalue()
        results.append(result)
        for image in result.images:
            print(f"  wrote {image.path}")
        sys.stdout.flush()
    return results, seconds, failed


class _Tee(io.TextIOBase):
    """A text stream that writes to two others: the terminal and a demo's log."""

    def __init__(self, first: io.TextIOBase, second: io.TextIOBase) -> None:
        self.first, self.second = first, second

    def write(self, text: str) -> int:
        self.first.write(text)
        self.second.write(text)
        return len(text)

    def flush(self) -> None:
        self.first.flush()


if __name__ == "__main__":
    sys.exit(main())
