"""W6: the compiled step on a wide network — MLP 2-64-64-1 on 500 moons, micrograd's demo loss
(145k nodes, 4.4M edges a step) — against the plain-float floor and numpy's matrices.

The engine's step is traced once (its time is the compile time: the eager step, recorded, and
the replay planned), then replayed; first, two replayed steps are checked against two eager
steps, bit for bit. The compiled step (B) then alternates with the floor (A) in this process.
The python backend is raced too (no target: the numpy backend is the one meant for this size);
its compile time is reported beside the numpy backend's.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from repo import load_autograd, load_mlp
from report import format_ratio
from timing import alternate
from w1_data import initial_weights, make_moons
from w1_demo import ValueModel
from w1_floor import FloatFloor
from w1_graphs import compiled_contender
from w1_numpy import make_numpy

__all__ = ["run_w6"]

SIZES = (2, 64, 64, 1)
POINTS = 500
TARGET_FLOOR_RATIO = 0.35  # the numpy backend's step / the floor's
TARGET_COMPILE_SECONDS = 5.0


def _bits(xs: list[float]) -> list[str]:
    return [x.hex() for x in xs]


def _check_bit_for_bit(compiled: Any, X: list[list[float]], y: list[float], w: list[float]) -> None:
    """Two replayed steps against two eager steps, from the same weights: the same numbers."""
    ag = load_autograd()
    eager = ValueModel("eager", load_mlp()(SIZES[0], list(SIZES[1:])), ag.Value, X, y)
    eager.load(w)
    compiled.load(w)
    for k in range(2):
        eager.step()
        compiled.step()
        same = _bits(compiled.gradients()) == _bits(eager.gradients())
        if not (same and _bits(compiled.weights()) == _bits(eager.weights())):
            raise AssertionError(f"W6: the replayed step {k + 1} differs from eager's")


def run_w6(quick: bool = False) -> dict[str, Any]:
    """W6's numbers and table."""
    X, y = make_moons(POINTS)
    weights = initial_weights(0, SIZES)
    compiled = compiled_contender(X, y, "numpy", SIZES)
    compiled.load(weights)
    start = time.perf_counter()
    compiled.step()  # traced and planned
    compile_seconds = time.perf_counter() - start
    _check_bit_for_bit(compiled, X, y, weights)
    (entry,) = next(iter(compiled.compiled.traces.values()))
    plan = entry.replay.__self__
    nodes = plan.size  # slots: nodes, and the constants they use
    floor = FloatFloor(X, y, SIZES)
    pairs = 3 if quick else 10
    contenders: list[Any] = [compiled]
    python = compiled_contender(X, y, "python", SIZES)
    python.load(weights)
    start = time.perf_counter()
    python.step()  # traced and its code generated
    python_compile_seconds = time.perf_counter() - start
    contenders.append(python)
    matrices = make_numpy(X, y, SIZES)
    if matrices is not None:
        contenders.append(matrices)
    records = []
    for c in contenders:
        paired = alternate(
            floor.step,
            c.step,
            pairs,
            setup_a=lambda: floor.load(weights),
            setup_b=lambda c=c: c.load(weights),
        )
        records.append(
            {
                "name": c.name,
                "median_ms": statistics.median(paired.b) * 1e3,
                "ratio_to_floor": paired.ratio,
                "pair_ratios": paired.ratios,
                "floor_samples_ms": [t * 1e3 for t in paired.a],
            }
        )
    floor_ms = statistics.median(t for r in records for t in r["floor_samples_ms"])
    ratio = records[0]["ratio_to_floor"]
    met = ratio <= TARGET_FLOOR_RATIO and compile_seconds <= TARGET_COMPILE_SECONDS
    notes = [
        "/ floor: median over the pairs of (contender's time / the floor's)",
        f"engine compiled (numpy): {ratio:.2f}x the floor (target <= {TARGET_FLOOR_RATIO}x), "
        f"traced and planned in {compile_seconds:.2f} s (target <= {TARGET_COMPILE_SECONDS:.0f} s)"
        + (" (met)" if met else " (NOT met)"),
        f"its plan: {plan.nbytes / nodes:.0f} bytes per traced node ({nodes:,} nodes), in "
        f"{len(plan.batches)} batches; two replayed steps equal eager's, bit for bit",
    ]
    notes.append(
        f"engine compiled (python): {records[1]['ratio_to_floor']:.2f}x the floor, traced and "
        f"its code generated in {python_compile_seconds:.2f} s (no target)"
    )
    if matrices is not None:
        moonshot = records[0]["ratio_to_floor"] / records[-1]["ratio_to_floor"]
        notes.append(f"engine compiled (numpy) / numpy matrices: {moonshot:.0f}x")
    rows = [[FloatFloor.name, f"{floor_ms:.1f}", "1.00", ""]]
    rows += [
        [r["name"], f"{r['median_ms']:.1f}", format_ratio(r["ratio_to_floor"]), str(pairs)]
        for r in records
    ]
    return {
        "floor_ms": floor_ms,
        "contenders": records,
        "compile_seconds": compile_seconds,
        "python_compile_seconds": python_compile_seconds,
        "bytes_per_node": plan.nbytes / nodes,
        "nodes": nodes,
        "targets": {
            "ratio_to_float_floor": {"value": ratio, "target": TARGET_FLOOR_RATIO, "met": met},
            "compile_seconds": {"value": compile_seconds, "target": TARGET_COMPILE_SECONDS},
        },
        "table": {
            "title": f"W6  compiled step, wide: MLP 2-64-64-1, {POINTS} moons, SVM + 1e-4 L2",
            "columns": ["contender", "median ms", "/ floor", "pairs"],
            "rows": rows,
            "notes": notes,
        },
    }
