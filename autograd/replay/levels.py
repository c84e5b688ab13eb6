"""Depths: the order in which the numpy backend runs a trace's nodes, a batch at a time.

A node's depth is 1 + the greatest depth among its inputs (leaves and constants: 0), so nodes
of one depth never read one another: each batch — the nodes of one depth made by one op with
one number of inputs — runs at once. A chain of additions counts as one node reading all its
terms (its links take its depth), and a copy (``Value(v)``) reads v.

Computed node by node, a depth costs a Python step per input: millions on a wide graph. But
creation order is topological, and a wide graph is made in long *runs* of nodes that read
nothing made in the run (a layer's neurons at one point): a run's depths are one numpy gather
and one ``maximum.reduceat``. Deep, narrow graphs make short runs, and are computed node by
node; both ways give the same depths (a test checks it).

>>> import numpy as np
>>> # nodes 0, 1: leaves; 2 = f(0, 1); 3 = g(2); 4 = h(0, 3)
>>> parent, starts = np.array([0, 1, 2, 0, 3]), np.array([0, 0, 0, 2, 3, 5])
>>> ordinary = np.array([False, False, True, True, True])
>>> depths(parent, starts, ordinary, {}, {}, size=5).tolist()
[0, 0, 1, 2, 3]
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import pairwise
from typing import Any

import numpy as np

__all__ = ["depths", "runs", "worth_runs"]

RUN_COST = 6  # a run's numpy calls cost about as much as this many nodes' Python steps, and a
INPUT_COST = 1 / 16  # node's input as this fraction of one (measured: 6 µs, 1 µs, 0.06 µs)


def depths(
    parent: Any,
    starts: Any,
    ordinary: Any,
    chains: dict[int, tuple[list[int], list[int]]],
    copies: dict[int, int],
    size: int,
    blocked: bool | None = None,
) -> Any:
    """Every node's depth, as an array of ``size`` (the nodes, then the constants: 0).

    ``parent[starts[i]:starts[i + 1]]`` are node i's inputs (indices; constants after the
    nodes); ``ordinary`` marks the nodes that read their own inputs; ``chains`` maps a chain's
    last node to (its links, the terms it reads), ``copies`` a copy to what it copies. Other
    nodes are leaves (depth 0), or a chain's inner links (its depth). ``blocked``: run by run
    (True), node by node (False), or whichever costs fewer steps (None).
    """
    own = ordinary.copy()  # the nodes that get a depth of their own
    own[[*chains, *copies]] = True
    units = np.flatnonzero(own)
    cuts = runs(parent, starts, ordinary, chains, copies, units) if blocked is not False else []
    if blocked is None:
        blocked = worth_runs(len(units), len(cuts), len(parent))
    if not blocked:
        return _node_by_node(parent, starts, chains, copies, units, size)
    depth = np.zeros(size, np.intp)
    reads = np.flatnonzero(np.diff(starts) > 0)  # the nodes with inputs
    first, last = reads.searchsorted(units).tolist(), reads.searchsorted(units, "right").tolist()
    offsets = starts[reads]
    begin, end = offsets.tolist(), starts[reads + 1].tolist()
    unit_list = units.tolist()
    special = [k for k, i in enumerate(unit_list) if i in chains or i in copies]
    bounds = [*cuts, len(units)]
    for lo, hi in pairwise(bounds):
        # every node with inputs from the run's first unit to its last: the run's own (inner
        # links and chain ends get a number here too, put right below)
        a, b = first[lo], last[hi - 1]
        if b > a:
            s = begin[a]
            found = np.maximum.reduceat(depth[parent[s : end[b - 1]]], offsets[a:b] - s)
            depth[reads[a:b]] = found + 1
        for k in special[bisect_left(special, lo) : bisect_left(special, hi)]:
            i = unit_list[k]
            if i in chains:
                links, row = chains[i]
                depth[links] = 1 + int(depth[row].max())
            else:
                depth[i] = depth[copies[i]] + 1
    return depth


def worth_runs(units: int, runs: int, edges: int) -> bool:
    """Whether computing run by run is the quicker: a run costs a few numpy calls, a node
    node by node a Python step, and each of its inputs a part of one."""
    return RUN_COST * runs < units + edges * INPUT_COST


def runs(
    parent: Any,
    starts: Any,
    ordinary: Any,
    chains: dict[int, tuple[list[int], list[int]]],
    copies: dict[int, int],
    units: Any,
) -> list[int]:
    """Where each run begins, as positions in ``units``: a run ends before the first unit that
    reads a unit of the run (leaves and constants are read anywhere)."""
    N = len(ordinary)
    deep = np.zeros(max(N, int(parent.max(initial=-1)) + 1), bool)  # what a unit may read
    deep[units] = True
    latest = np.full(N, -1, np.intp)  # the latest unit each one reads
    reads = np.flatnonzero(np.diff(starts) > 0)  # the nodes with inputs: their inputs are
    if len(reads):  # one after the other
        latest[reads] = np.maximum.reduceat(np.where(deep[parent], parent, -1), starts[reads])
    for last, (_, row) in chains.items():
        terms = np.array(row, np.intp)
        latest[last] = terms[deep[terms]].max(initial=-1)
    for leaf, source in copies.items():
        latest[leaf] = source if deep[source] else -1
    cuts, begun = [], -1
    for k, (i, m) in enumerate(zip(units.tolist(), latest[units].tolist())):
        if m >= begun:
            cuts.append(k)
            begun = i
    return cuts


def _node_by_node(
    parent: Any,
    starts: Any,
    chains: dict[int, tuple[list[int], list[int]]],
    copies: dict[int, int],
    units: Any,
    size: int,
) -> Any:
    """:func:`depths`, a Python step a node and one a node's input."""
    depth = [0] * size
    plist, slist = parent.tolist(), starts.tolist()
    get = depth.__getitem__
    for i in units.tolist():
        if i in chains:
            links, row = chains[i]
            d = 1 + max(map(get, row))
            for node in links:
                depth[node] = d
        elif i in copies:
            depth[i] = depth[copies[i]] + 1
        else:
            depth[i] = 1 + max(map(get, plist[slist[i] : slist[i + 1]]))
    return np.array(depth, np.intp)
