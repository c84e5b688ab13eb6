"""Graphs of scalar ops for W2 and W3: a deep chain, and a shallow tree of the same size.

The chain ``x ← x·c, x ← x + d`` (alternating) is as deep as it has nodes; the tree (products
of one leaf, summed pairwise) is about log2(nodes) deep. The same walk over both tells what
depth costs.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FACTOR", "build_chain", "build_tree", "expected_gradient"]

FACTOR = 1.0000001  # x ← x · FACTOR on even steps
SHIFT = 1e-7  # x ← x + SHIFT on odd steps


def build_chain(value: type, nodes: int) -> tuple[Any, Any]:
    """``(leaf, root)``: a chain of ``nodes`` ops on a leaf of 1.0, made with ``value``'s class."""
    leaf = value(1.0)
    x = leaf
    for i in range(nodes):
        x = x * FACTOR if i % 2 == 0 else x + SHIFT
    return leaf, x


def expected_gradient(nodes: int) -> float:
    """d root / d leaf: FACTOR once per multiplication."""
    return FACTOR ** ((nodes + 1) // 2)


def build_tree(value: type, nodes: int) -> tuple[Any, Any]:
    """``(leaf, root)``: ``nodes // 2`` products ``leaf · c`` summed pairwise (``nodes - 1`` ops)."""
    leaf = value(1.0)
    level = [leaf * FACTOR for _ in range(max(1, nodes // 2))]
    while len(level) > 1:
        pairs = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        level = pairs + level[len(level) - len(level) % 2 :]
    return leaf, level[0]
