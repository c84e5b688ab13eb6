"""W4: a wide sum Σ wᵢ·xᵢ over 10**4 terms, then backward.

This engine three ways: ``autograd.dot`` (one node), ``autograd.sum`` of products (n + 1
nodes), and ``builtins.sum`` of products (the naive way: a chain of n adds); micrograd the
naive way. Each sample builds the sum and runs backward; gradients are zeroed untimed.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from typing import Any

from repo import load_autograd
from timing import alternate, calibrate

__all__ = ["run_w4"]

TERMS = 10_000


def _problem(value: type, n: int) -> tuple[list[Any], list[Any]]:
    rng = random.Random(4)
    ws = [value(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    xs = [value(rng.uniform(-1.0, 1.0)) for _ in range(n)]
    return ws, xs


def _zero(values: list[Any]) -> Callable[[], None]:
    def zero() -> None:
        for v in values:
            v.grad = 0.0

    return zero


def _check(name: str, ws: list[Any], xs: list[Any], run: Callable[[], object]) -> None:
    """One run must give d/dwᵢ = xᵢ and d/dxᵢ = wᵢ exactly."""
    _zero(ws + xs)()
    run()
    if any(w.grad != x.data or x.grad != w.data for w, x in zip(ws, xs)):
        raise AssertionError(f"W4: {name} gives wrong gradients")


def run_w4(quick: bool = False) -> dict[str, Any]:
    """W4's numbers and table."""
    ag = load_autograd()
    ws, xs = _problem(ag.Value, TERMS)
    builtin_sum = sum

    def dot() -> None:
        ag.dot(ws, xs).backward()

    def fused_sum() -> None:
        ag.sum(w * x for w, x in zip(ws, xs)).backward()

    def naive() -> None:
        builtin_sum(w * x for w, x in zip(ws, xs)).backward()

    contenders = {
        "engine autograd.dot": dot,
        "engine autograd.sum(w*x)": fused_sum,
        "engine sum(w*x) (naive)": naive,
    }
    for name, fn in contenders.items():
        _check(name, ws, xs, fn)
    zero = _zero(ws + xs)
    pairs = 3 if quick else 15
    n_dot = calibrate(dot, zero)
    samples: dict[str, list[float]] = {"engine autograd.dot": []}
    ratios: dict[str, float] = {}
    for name, fn in list(contenders.items())[1:]:
        paired = alternate(
            dot, fn, pairs, setup_a=zero, setup_b=zero, number_a=n_dot, number_b=calibrate(fn, zero)
        )
        samples["engine autograd.dot"] += paired.a
        samples[name] = paired.b
        ratios[name] = paired.ratio
    micrograd = _micrograd_naive()
    rows = [
        [
            name,
            f"{statistics.median(s) * 1e3:.2f}",
            f"{ratios[name]:.2f}" if name in ratios else "1.00",
        ]
        for name, s in samples.items()
    ]
    rows.append(["micrograd 0.1.0 sum(w*x)", micrograd["result"], ""])
    table = {
        "title": f"W4  wide sum Σ w_i·x_i over {TERMS:,} terms, then backward (median ms)",
        "columns": ["contender", "ms", "/ dot (pairs)"],
        "rows": rows,
        "notes": [
            "gradients checked: d/dw_i = x_i and d/dx_i = w_i exactly, for every contender "
            "that finishes",
            "/ dot: median over the pairs of (contender's time / autograd.dot's time)",
        ],
    }
    if micrograd["result"] == "RecursionError":
        table["notes"].append(
            "micrograd: its recursive backward cannot walk the 10^4-deep chain of adds"
        )
    return {
        "terms": TERMS,
        "median_ms": {name: statistics.median(s) * 1e3 for name, s in samples.items()},
        "ratio_to_dot": ratios,
        "micrograd": micrograd,
        "table": table,
    }


def _micrograd_naive() -> dict[str, Any]:
    """micrograd's naive wide sum: its recursive backward cannot walk a 10**4-deep add chain."""
    try:
        from micrograd.engine import Value
    except ImportError:
        return {"installed": False, "result": "not installed"}
    ws, xs = _problem(Value, TERMS)
    try:
        sum(w * x for w, x in zip(ws, xs)).backward()
    except RecursionError:
        return {"installed": True, "result": "RecursionError"}
    return {"installed": True, "result": "finished (unexpected)"}
