"""Benchmarks against micrograd and the pure-Python floor: ``make bench``, or

    python benchmarks/run.py [--quick] [--only W1,W3] [--json PATH]

W1 micrograd's demo step (with W5, the same step compiled), W2 a deep chain, W3 bytes per node,
W4 a wide sum, W6 the compiled step on a wide network (2-64-64-1, 500 points), each in a fresh
process of its own (W1's contenders alternate within one process), so that what one workload
leaves behind (torch's objects, a fragmented heap) cannot slow the next. Prints a table;
a full run (all workloads, not --quick) also writes benchmarks/results.json and the table in
benchmarks/README.md. Run with a Python that has micrograd==0.1.0 and numpy (``make bench``
makes one in benchmarks/.venv); torch is measured when installed (``make bench TORCH=1``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from machine import describe_machine, summary
from memory import measure_memory
from report import format_table, update_readme, write_json
from w1_step import run_w1
from w2_chain import run_w2
from w4_wide_sum import run_w4
from w6_wide import run_w6

HERE = Path(__file__).resolve().parent
WORKLOADS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "W1": run_w1,
    "W2": run_w2,
    "W3": lambda quick: measure_memory(),
    "W4": run_w4,
    "W6": run_w6,
}


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions: a smoke run")
    parser.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W3")
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="write results here (default: results.json on a full run only)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # run one workload, in this process
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)  # where a worker writes
    args = parser.parse_args()
    chosen = [w.strip().upper() for w in args.only.split(",") if w.strip()] or list(WORKLOADS)
    unknown = [w for w in chosen if w not in WORKLOADS]
    if unknown:
        parser.error(
            f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}"
        )
    args.chosen = chosen
    return args


def _run_isolated(name: str, quick: bool) -> dict[str, Any]:
    """Run one workload in a new Python process and return its results."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"{name}.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--worker",
            name,
            "--out",
            str(out),
        ]
        subprocess.run(command + (["--quick"] if quick else []), check=True)
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


def main() -> None:
    """Run the chosen workloads, print their tables, write the results."""
    args = _parse()
    if args.worker:
        write_json(args.out, WORKLOADS[args.worker](args.quick))
        return
    machine = describe_machine()
    print(f"# {summary(machine)}" + ("  [--quick]" if args.quick else ""), flush=True)
    results: dict[str, Any] = {"machine": machine, "quick": args.quick, "workloads": {}}
    tables = []
    started = time.perf_counter()
    for name in args.chosen:
        t0 = time.perf_counter()
        try:
            result = _run_isolated(name, args.quick)
        except subprocess.CalledProcessError as e:
            sys.exit(f"{name} failed (exit status {e.returncode}); its error is above")
        result["seconds"] = round(time.perf_counter() - t0, 1)
        results["workloads"][name] = result
        tables.append(format_table(result["table"]))
        print("\n" + tables[-1] + f"\n  ({result['seconds']} s)", flush=True)
    results["seconds"] = round(time.perf_counter() - started, 1)
    full = not args.quick and args.chosen == list(WORKLOADS)
    json_path = args.json or (HERE / "results.json" if full else None)
    if json_path is not None:
        write_json(json_path, results)
        print(f"\nwrote {json_path}")
    if full:
        text = f"```\n# {summary(machine)}\n\n" + "\n\n".join(tables) + "\n```"
        if update_readme(HERE / "README.md", text):
            print(f"updated the table in {HERE / 'README.md'}")
    print(f"total {results['seconds']} s")


if __name__ == "__main__":
    main()
