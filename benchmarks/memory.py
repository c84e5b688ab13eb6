"""W3: bytes per node of the graph, measured with tracemalloc; runnable on its own.

    python benchmarks/memory.py            # this engine, and micrograd when it is installed

Standard library only. A graph's size is what tracemalloc sees allocated and still alive after
it is built; its nodes are the Values reachable from the root, found by an iterative walk
(``parents`` here, ``_prev`` in micrograd; float constants in ``parents`` are not nodes).
Two graphs: a chain of 10**5 ops (the target's graph) and micrograd's demo loss (W1).
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc
from collections.abc import Callable, Iterable
from typing import Any

from chain import build_chain
from repo import load_autograd
from w1_data import initial_weights, make_moons
from w1_graphs import engine_contenders, micrograd_contender

__all__ = ["count_nodes", "graph_bytes", "measure_memory"]

TARGET_BYTES_PER_NODE = 250


def _engine_parents(v: Any) -> Iterable[Any]:
    return [p for p in v.parents if type(p) is not float]


def _micrograd_parents(v: Any) -> Iterable[Any]:
    return v._prev


def count_nodes(root: Any, parents_of: Callable[[Any], Iterable[Any]]) -> int:
    """Distinct Values reachable from ``root``, by an explicit stack (no recursion)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        for p in parents_of(stack.pop()):
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def graph_bytes(build: Callable[[], Any]) -> tuple[int, Any]:
    """Bytes allocated by ``build()`` and still alive while its result is, and the result."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        root = build()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before, root


def _measure(
    name: str, build: Callable[[], Any], parents_of: Callable[[Any], Any]
) -> dict[str, Any]:
    size, root = graph_bytes(build)
    nodes = count_nodes(root, parents_of)
    del root
    gc.collect()
    return {"contender": name, "nodes": nodes, "bytes": size, "bytes_per_node": size / nodes}


def measure_memory(chain_nodes: int = 100_000) -> dict[str, Any]:
    """W3's numbers and its table: bytes per node for each engine and graph."""
    ag = load_autograd()
    X, y = make_moons()
    weights = initial_weights()
    rows: list[dict[str, Any]] = []
    engine = engine_contenders(X, y)[0]
    engine.load(weights)
    rows.append(
        {"graph": f"chain of {chain_nodes:,} ops"}
        | _measure("engine", lambda: build_chain(ag.Value, chain_nodes)[1], _engine_parents)
    )
    rows.append({"graph": "W1 demo loss"} | _measure(engine.name, engine.loss, _engine_parents))
    micrograd = micrograd_contender(X, y)
    if micrograd is not None:
        from micrograd.engine import Value

        micrograd.load(weights)
        rows.append(
            {"graph": f"chain of {chain_nodes:,} ops"}
            | _measure(
                micrograd.name, lambda: build_chain(Value, chain_nodes)[1], _micrograd_parents
            )
        )
        rows.append(
            {"graph": "W1 demo loss"} | _measure(micrograd.name, micrograd.loss, _micrograd_parents)
        )
    table = {
        "title": "W3  memory: tracemalloc bytes of a built graph (alive), per node",
        "columns": ["graph", "contender", "nodes", "bytes", "bytes/node"],
        "rows": [
            [
                r["graph"],
                r["contender"],
                f"{r['nodes']:,}",
                f"{r['bytes']:,}",
                f"{r['bytes_per_node']:.0f}",
            ]
            for r in rows
        ],
        "notes": [
            f"target: this engine <= {TARGET_BYTES_PER_NODE} bytes/node on the chain; "
            f"measured {rows[0]['bytes_per_node']:.0f}"
            + (" (met)" if rows[0]["bytes_per_node"] <= TARGET_BYTES_PER_NODE else " (NOT met)"),
            "nodes are Values reachable from the root; micrograd wraps each constant in a Value, "
            "so its chain has ~2 nodes per op",
        ],
    }
    if micrograd is None:
        table["notes"].append("micrograd not installed: pip install micrograd==0.1.0")
    return {
        "rows": rows,
        "table": table,
        "target_met": rows[0]["bytes_per_node"] <= TARGET_BYTES_PER_NODE,
    }


def main() -> None:
    """Print W3's table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000, help="ops in the chain graph")
    args = parser.parse_args()
    from report import format_table

    print(format_table(measure_memory(args.nodes)["table"]))


if __name__ == "__main__":
    main()
