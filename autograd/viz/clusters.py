"""Which nodes belong together: groups named by dotted labels, drawn as nested clusters.

A Value labelled with a dotted path, ``"L1.N3.w2"``, belongs to the group ``"L1.N3"``, which
is inside ``"L1"`` — any code can label its parameters so (``nn`` does: weight 2 of neuron 3
of layer 1). An unlabelled op node whose labelled leaf inputs all share a group joins it (a
neuron's w·x+b), and so does a one-input op applied to such a node when it is that node's only
consumer (the activation). A graph too large to draw node by node shows each group as one box.

>>> from autograd import Value, topological_order
>>> w, b, x = Value(0.5, label="L1.N3.w1"), Value(0.0, label="L1.N3.b"), Value(2.0, label="x")
>>> out = (w * x + b).tanh()
>>> clusters = find_clusters(topological_order([out]))
>>> [node.label or node.op.name for node in clusters]           # x, an input, is in none
['L1.N3.w1', 'L1.N3.b', 'mul', 'add', 'tanh']
>>> set(clusters.values())
{'L1.N3'}
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from ..value import Value

__all__ = ["Layout", "choose_layout", "find_clusters"]

_MAX_DEPTH = 4  # deeper labels ("a.b.c.d.e.f") are cut: no absurd nesting
_PREFIX = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


class Layout(NamedTuple):
    """``cluster``: node -> cluster path such as "L1.N3"; ``box``: collapsed node -> the
    cluster path of the box that stands for it (empty when nothing is collapsed)."""

    cluster: dict[Value, str]
    box: dict[Value, str]


def find_clusters(order: list[Value]) -> dict[Value, str]:
    """Each node's cluster path ("L1.N3"): its label's dotted prefix; an unlabelled op node
    whose grouped leaf inputs all share a cluster joins it, and so does the one-input op after
    it when it is the only consumer."""
    consumers: Counter[Value] = Counter(
        p for node in order for p in node.parents if type(p) is not float
    )
    cluster: dict[Value, str] = {}
    cores: set[Value] = set()
    for node in order:  # parents come first
        prefix = node.label.rpartition(".")[0]
        if prefix and _PREFIX.fullmatch(prefix):
            cluster[node] = ".".join(prefix.split(".")[:_MAX_DEPTH])
            continue
        if node.op is None:
            continue
        inputs = [p for p in node.parents if type(p) is not float]
        shared = {cluster[p] for p in inputs if p.op is None and p in cluster}
        if len(shared) == 1:
            cluster[node] = shared.pop()
            cores.add(node)
        elif _activation_of(node, inputs, cores) and consumers[inputs[0]] == 1:
            cluster[node] = cluster[inputs[0]]
    return cluster


def _activation_of(node: Value, inputs: list[Value], cores: set[Value]) -> bool:
    """Whether ``node`` is a one-input op (constants such as leaky_relu's slope aside) applied
    to a neuron's w·x+b: ``x - 1.0`` after a linear neuron is not."""
    if len(inputs) != 1 or inputs[0] not in cores:
        return False
    constants = [i for i, p in enumerate(node.parents) if type(p) is float]
    return all(i in node.op.constants for i in constants)


def choose_layout(order: list[Value], max_nodes: int, collapse: bool | None) -> Layout:
    """The clusters, and which nodes are collapsed into a box per cluster (none unless needed:
    the deepest clusters first, then their parents)."""
    cluster = find_clusters(order)
    if len(order) <= max_nodes and not collapse:
        return Layout(cluster, {})
    if collapse is False:
        raise ValueError(
            f"draw_dot: the graph has {len(order)} values, more than max_nodes={max_nodes} "
            f"(collapse=False); draw a smaller graph (e.g. the loss of one sample), pass "
            f"collapse=None to collapse clusters into boxes, or max_nodes={len(order)} to "
            "draw all of it"
        )
    depth = max((path.count(".") + 1 for path in cluster.values()), default=0)
    size = len(order)
    for level in range(depth, 0, -1):
        box = {node: ".".join(path.split(".")[:level]) for node, path in cluster.items()}
        size = len(order) - len(box) + len(set(box.values()))
        if size <= max_nodes or collapse:
            return Layout(cluster, box)
    if size <= max_nodes:  # collapse=True, but there is nothing to collapse
        return Layout(cluster, {})
    hint = "" if depth else " (it has no clusters to collapse: no dotted labels)"
    raise ValueError(
        f"draw_dot: the graph has {len(order)} values{hint}, {size} after collapsing "
        f"clusters, more than max_nodes={max_nodes}; draw a smaller graph (e.g. the loss of "
        f"one sample) or pass max_nodes={size} to draw it anyway (a large, slow drawing)"
    )
