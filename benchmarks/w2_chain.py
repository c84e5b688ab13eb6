"""W2: a deep chain (10**5 and 10**6 nodes): build, then backward; micrograd's recursion limit.

Times come from untraced runs. Memory comes from extra traced runs: the graph's size after it
is built, and the peak of the backward walk beyond it (tracemalloc peak minus the graph). A
walk needs some bytes per node (its order, its seen set, the new ``.grad`` floats); to see
what *depth* costs, the same walk runs over a shallow tree with as many nodes: memory is flat
in depth when the chain's walk costs no more per node than the tree's.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from chain import build_chain, build_tree, expected_gradient
from repo import load_autograd

__all__ = ["micrograd_breaking_depth", "run_w2"]

TARGET_SECONDS = 3.0  # for 10**6 nodes, build + backward


def _timed_run(value: type, nodes: int) -> tuple[float, float]:
    """Seconds to build the chain and to run backward; checks the leaf's gradient."""
    gc.collect()
    start = time.perf_counter()
    leaf, root = build_chain(value, nodes)
    built = time.perf_counter()
    root.backward()
    done = time.perf_counter()
    expected = expected_gradient(nodes)
    if abs(leaf.grad - expected) > 1e-8 * expected:
        raise AssertionError(f"W2: d root / d leaf is {leaf.grad}, expected {expected}")
    del leaf, root
    return built - start, done - built


def _walk_memory(
    build: Callable[[type, int], tuple[Any, Any]], value: type, nodes: int
) -> dict[str, float]:
    """Graph bytes, and the backward walk's peak and retained bytes beyond the graph."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        leaf, root = build(value, nodes)
        graph = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.reset_peak()
        root.backward()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del leaf, root
    return {
        "graph_bytes": graph,
        "walk_peak_bytes": peak - base - graph,
        "after_backward_bytes": current - base - graph,
    }


def _micrograd_ok(value: type, nodes: int) -> bool:
    """True when micrograd's backward gets through a chain of ``nodes``, False on RecursionError."""
    _, root = build_chain(value, nodes)
    try:
        root.backward()
    except RecursionError:
        return False
    return True


def micrograd_breaking_depth(value: type) -> int | None:
    """The smallest chain depth at which micrograd raises RecursionError (None: not up to 10**5).

    Tries 10**2, 10**3, 10**4, 10**5, then bisects between the last depth that worked and the
    first that failed.
    """
    ok, bad = 10, None
    for depth in (100, 1_000, 10_000, 100_000):
        if _micrograd_ok(value, depth):
            ok = depth
        else:
            bad = depth
            break
    if bad is None:
        return None
    while bad - ok > 1:
        mid = (ok + bad) // 2
        if _micrograd_ok(value, mid):
            ok = mid
        else:
            bad = mid
    return bad


def _micrograd(sizes: list[int]) -> dict[str, Any]:
    """Where micrograd's backward breaks, and what happens at each size it can be tried at."""
    try:
        from micrograd.engine import Value
    except ImportError:
        return {"installed": False}
    depth = micrograd_breaking_depth(Value)
    outcomes = {}
    for nodes in sizes:
        if nodes <= 100_000:  # build it and try: ~0.2 s, ~120 MB
            outcomes[nodes] = "ok" if _micrograd_ok(Value, nodes) else "RecursionError"
        else:
            outcomes[nodes] = "not tried"
    return {
        "installed": True,
        "recursion_error_at_depth": depth,
        "recursion_limit": sys.getrecursionlimit(),
        "outcomes": outcomes,
    }


def run_w2(quick: bool = False) -> dict[str, Any]:
    """W2's numbers and table."""
    ag = load_autograd()
    sizes = {100_000: 1 if quick else 5, 1_000_000: 1 if quick else 3}
    results: list[dict[str, Any]] = []
    rows = []
    for nodes, reps in sizes.items():
        runs = [_timed_run(ag.Value, nodes) for _ in range(reps)]
        builds = [b for b, _ in runs]
        backs = [k for _, k in runs]
        totals = [b + k for b, k in runs]
        memory = _walk_memory(build_chain, ag.Value, nodes)
        tree = _walk_memory(build_tree, ag.Value, nodes)
        r = {
            "nodes": nodes,
            "repetitions": reps,
            "build_s": statistics.median(builds),
            "backward_s": statistics.median(backs),
            "total_s": statistics.median(totals),
            **memory,
            "walk_peak_bytes_per_node": memory["walk_peak_bytes"] / nodes,
            "tree_walk_peak_bytes_per_node": tree["walk_peak_bytes"] / nodes,
        }
        results.append(r)
        rows.append(
            [
                "engine",
                f"{nodes:,}",
                f"{r['build_s']:.3f}",
                f"{r['backward_s']:.3f}",
                f"{r['total_s']:.3f}",
                f"{memory['graph_bytes'] / 2**20:.1f}",
                f"{memory['walk_peak_bytes'] / 2**20:.1f}",
                f"{r['walk_peak_bytes_per_node']:.0f}",
                f"{r['tree_walk_peak_bytes_per_node']:.0f}",
            ]
        )
    micrograd = _micrograd(list(sizes))
    for nodes, outcome in micrograd.get("outcomes", {}).items():
        rows.append(["micrograd 0.1.0", f"{nodes:,}", "", outcome, "", "", "", "", ""])
    million = results[-1]
    met = million["total_s"] < TARGET_SECONDS
    # Flat: the chain's walk costs at most 10 % more per node than the shallow tree's.
    flat = all(
        r["walk_peak_bytes_per_node"] <= 1.1 * r["tree_walk_peak_bytes_per_node"] for r in results
    )
    table = {
        "title": "W2  deep chain x*c, x+d alternating: build, then backward (medians, seconds)",
        "columns": [
            "contender",
            "nodes",
            "build s",
            "backward s",
            "total s",
            "graph MiB",
            "walk peak MiB",
            "walk B/node",
            "tree walk B/node",
        ],
        "rows": rows,
        "notes": [
            f"target: 10^6 nodes in < {TARGET_SECONDS:.0f} s; measured {million['total_s']:.2f} s"
            + (" (met)" if met else " (NOT met)"),
            "walk peak = tracemalloc peak during backward minus the graph; tree walk = the same "
            "for a shallow tree (depth ~log2 n) of as many nodes",
            "memory flat in depth (chain walk <= 1.1 x tree walk per node): "
            + ("yes" if flat else "NO: the walk keeps something per level of depth"),
        ],
    }
    if micrograd.get("recursion_error_at_depth"):
        table["notes"].append(
            f"micrograd: its recursive topological sort raises RecursionError from a chain of "
            f"{micrograd['recursion_error_at_depth']:,} ops (recursion limit "
            f"{micrograd['recursion_limit']:,})"
        )
    return {
        "engine": results,
        "micrograd": micrograd,
        "target_met": met,
        "walk_memory_flat": flat,
        "table": table,
    }
