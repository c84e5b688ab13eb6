"""Draw a computation graph with Graphviz, so the chain rule can be checked by eye.

Each Value is a box (label, data, grad) and each op a circle; every edge into an op carries the
local derivative ∂out/∂in at the recorded inputs, so ``grad(in) = Σ grad(out) × ∂`` can be
verified edge by edge. Nodes are coloured by role (input or constant, parameter, intermediate,
output; nan/inf in red) with a legend. Values labelled with dotted paths ("L1.N3.w2", as ``nn``
labels its parameters) are grouped into nested clusters (see :mod:`autograd.viz.clusters`);
a leaf in a cluster is a parameter.

>>> from autograd import Value, draw_dot
>>> x = Value(0.5, label="x"); w = Value(-1.2, label="w")
>>> y = (x * w).tanh(); y.label = "y"
>>> y.backward()
>>> g = draw_dot(y)                 # a graphviz.Digraph; .source needs no Graphviz install
>>> "∂ 0.5" in g.source             # ∂(x·w)/∂w = x
True
>>> render(y, "out/y.svg")          # doctest: +SKIP
PosixPath('out/y.svg')

In Jupyter, a cell ending in ``draw_dot(y)`` shows the graph inline (the Digraph renders
itself as SVG). Rendering needs Graphviz's ``dot`` program; ``draw_dot`` itself does not.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..anomaly import AnomalyError
from ..files import atomic_write
from ..ops import OPS, dot_parts
from ..steps import Step, backward_steps, gradients_after
from ..value import Value
from ..walk import topological_order
from .clusters import Layout, choose_layout

if TYPE_CHECKING:
    import graphviz

__all__ = ["draw_dot", "render"]

# role: (fill, border)
_COLOURS = {
    "input": ("#dbeafe", "#2563eb"),
    "parameter": ("#fef3c7", "#d97706"),
    "intermediate": ("#f3f4f6", "#6b7280"),
    "output": ("#dcfce7", "#16a34a"),
    "nan/inf": ("#fee2e2", "#dc2626"),
}
_LEGEND = (
    ("input", "input / constant"),
    ("parameter", "parameter"),
    ("intermediate", "intermediate"),
    ("output", "output"),
    ("nan/inf", "nan / inf"),
)
_DONE, _CURRENT, _PENDING, _ALERT = "#bbf7d0", "#fdba74", "#9ca3af", "#dc2626"
_FONT = "Helvetica"
_DOT_MISSING = (
    "Graphviz's 'dot' program is needed to render graphs and was not found on PATH. "
    "Install it: Debian/Ubuntu 'sudo apt-get install graphviz', macOS 'brew install graphviz', "
    "Fedora 'sudo dnf install graphviz', Windows 'winget install graphviz', conda "
    "'conda install -c conda-forge graphviz' (or run 'make dot'). draw_dot(...).source "
    "works without it."
)


def draw_dot(
    root: Value | Iterable[Value],
    *,
    format: str = "svg",  # noqa: A002 - micrograd's and graphviz's name
    rankdir: str = "LR",
    derivatives: bool = True,
    legend: bool = True,
    max_nodes: int = 300,
    collapse: bool | None = None,
    step: int | None = None,
    anomaly: AnomalyError | None = None,
    digits: int = 4,
) -> graphviz.Digraph:
    """The computation graph of ``root`` (a Value or several) as a ``graphviz.Digraph``.

    ``derivatives`` labels each edge with its local derivative; ``legend`` adds the colour key;
    ``digits`` is how many significant digits numbers show. Graphs of more than ``max_nodes``
    Values have their clusters collapsed into one box each (``collapse=None``, the
    default); ``collapse=True`` always collapses, ``collapse=False`` never does. A graph still
    too large raises ValueError naming the options. ``step=k`` draws the graph as it stands
    after step k of :func:`autograd.backward_steps` (final gradients green, the current step
    orange). ``anomaly`` marks the node of an :class:`autograd.AnomalyError`.

    >>> from autograd import Value
    >>> a = Value(2.0, label="a")
    >>> print(draw_dot(a * a, step=1, legend=False).source.count("#fdba74"))   # current step
    3
    """
    roots = _as_roots(root)
    _check_options(format, rankdir, max_nodes, digits, step, collapse, anomaly)
    order = topological_order(roots)
    frame = None
    if step is not None:
        if len(roots) != 1:
            raise ValueError("draw_dot: step= needs a single root, got several")
        steps = backward_steps(roots[0])
        if not -len(steps) <= step < len(steps):
            raise ValueError(
                f"draw_dot: step={step} is out of range: backward of this graph has "
                f"{len(steps)} steps (0 to {len(steps) - 1})"
            )
        frame = _Frame(steps, step % len(steps))
    if frame is not None and (collapse or len(order) > max_nodes):
        raise ValueError(
            f"draw_dot: step= draws every node, and this graph has {len(order)} values "
            f"(max_nodes={max_nodes}{', collapse=True' if collapse else ''}); draw a smaller "
            f"graph, or pass max_nodes={len(order)} without collapse"
        )
    layout = choose_layout(order, max_nodes, collapse)
    drawing = _Drawing(roots, order, layout, frame, anomaly, digits, derivatives)
    return drawing.finish(format, rankdir, legend)


def render(root: Value | Iterable[Value], path: str | Path, **options: Any) -> Path:
    """Draw ``root`` (see :func:`draw_dot`) to ``path`` and return the path.

    The format is the file's suffix (``.svg``, ``.png``, ``.pdf``; none: SVG; ``.gv``/``.dot``
    writes the Graphviz source and needs no ``dot``). A regular file is replaced atomically, a
    link's file written, ``/dev/stdout`` or a pipe written into, a directory refused (see
    :mod:`autograd.files`). Raises RuntimeError saying how to install Graphviz when its ``dot``
    program is missing.
    """
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".") or "svg"
    graph = draw_dot(root, **options)
    atomic_write(path, graph.source.encode() if suffix in ("gv", "dot") else pipe(graph, suffix))
    return path


def pipe(graph: graphviz.Digraph, format: str) -> bytes:  # noqa: A002
    """Run ``dot`` on ``graph``; RuntimeError with install instructions when it is missing."""
    graphviz = _import_graphviz()
    try:
        return graph.pipe(format=format)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(_DOT_MISSING) from None


# --- what to draw ---------------------------------------------------------------------------


class _Frame:
    """The graph's gradients after step k of backward, for a step-through drawing."""

    def __init__(self, steps: list[Step], k: int) -> None:
        self.current = steps[k]
        self.grads = gradients_after(steps, k)
        last = {step.node: step.index for step in steps}
        self.done = {node for node, i in last.items() if i <= k}
        self.caption = str(steps[k])


def _as_roots(root: Any) -> list[Value]:
    items = [root] if isinstance(root, Value) else root
    try:
        roots = list(dict.fromkeys(items))
    except TypeError:
        raise TypeError(
            f"draw_dot: expected a Value or an iterable of Values, got {type(root).__name__}"
        ) from None
    for r in roots:
        if not isinstance(r, Value):
            raise TypeError(f"draw_dot: expected Values, got {type(r).__name__}")
    if not roots:
        raise ValueError("draw_dot: no Value to draw (got an empty iterable)")
    return roots


def _check_options(
    fmt: Any, rankdir: Any, max_nodes: Any, digits: Any, step: Any, collapse: Any, anomaly: Any
) -> None:
    if not isinstance(fmt, str) or not fmt:
        raise TypeError(f"draw_dot: format must be a name such as 'svg', got {fmt!r}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_dot: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    for name, value in (("max_nodes", max_nodes), ("digits", digits)):
        if type(value) is not int:
            raise TypeError(f"draw_dot: {name} must be an int, got {type(value).__name__}")
        if value < 1:
            raise ValueError(f"draw_dot: {name} must be at least 1, got {value}")
    if step is not None and type(step) is not int:
        raise TypeError(f"draw_dot: step must be an int, got {type(step).__name__}")
    if collapse not in (None, True, False):
        raise TypeError(f"draw_dot: collapse must be None, True or False, got {collapse!r}")
    if anomaly is not None and not isinstance(anomaly, AnomalyError):
        raise TypeError(f"draw_dot: anomaly must be an AnomalyError, got {type(anomaly).__name__}")


# --- drawing ------------------------------------------------------------------------------


class _Drawing:
    """Collects nodes (grouped by cluster) and edges, then builds the Digraph."""

    def __init__(
        self,
        roots: list[Value],
        order: list[Value],
        layout: Layout,
        frame: _Frame | None,
        anomaly: Any,
        digits: int,
        derivatives: bool,
    ) -> None:
        self.roots, self.layout, self.frame = set(roots), layout, frame
        self.digits, self.derivatives = digits, derivatives
        self.marked = getattr(anomaly, "node", None)
        self.marked_parent = getattr(anomaly, "parent", None)
        self.id = {node: f"v{i}" for i, node in enumerate(order)}
        self.members: dict[str, list[tuple[str, dict[str, str]]]] = {}  # cluster -> nodes
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        boxes: dict[str, list[Value]] = {}
        for node in order:
            if node in layout.box:
                boxes.setdefault(layout.box[node], []).append(node)
            else:
                self._value(node)
        for name, nodes in boxes.items():
            self._box(name, nodes)

    def finish(self, fmt: str, rankdir: str, legend: bool) -> graphviz.Digraph:
        graphviz = _import_graphviz()
        graph = graphviz.Digraph(
            "autograd",
            format=fmt,
            graph_attr={
                "rankdir": rankdir,
                "fontname": _FONT,
                "labelloc": "b",
                "labeljust": "l",
                "nodesep": "0.25",
                "ranksep": "0.4",
            },
            node_attr={"fontname": _FONT, "fontsize": "11", "shape": "plain"},
            edge_attr={
                "fontname": _FONT,
                "fontsize": "10",
                "fontcolor": "#374151",
                "color": "#6b7280",
                "arrowsize": "0.7",
            },
        )
        for name, attrs in self.members.pop("", []):
            graph.node(name, **attrs)
        subgraphs: dict[str, Any] = {}
        for path in self.members:  # in order of first appearance: deterministic
            parts = path.split(".")
            for depth in range(1, len(parts) + 1):
                prefix = ".".join(parts[:depth])
                if prefix not in subgraphs:
                    subgraphs[prefix] = graphviz.Digraph(
                        name=f"cluster_{prefix}",
                        graph_attr={
                            "label": f"<{_text(prefix)}>",
                            "style": "rounded,dashed",
                            "color": "#9ca3af",
                            "fontcolor": "#4b5563",
                            "fontsize": "10",
                            "labelloc": "t",
                        },
                    )
        for path, members in self.members.items():
            for name, attrs in members:
                subgraphs[path].node(name, **attrs)
        for prefix in sorted(subgraphs, key=lambda p: -p.count(".")):  # children first
            parent = prefix.rpartition(".")[0]
            subgraphs.get(parent, graph).subgraph(subgraphs[prefix])
        for tail, head, attrs in self.edges:
            graph.edge(tail, head, **attrs)
        if legend or self.frame is not None:
            graph.attr(label=self._legend(legend))
        if self.layout.box:  # many parallel edges between boxes: merge them
            graph.attr(concentrate="true")
        return graph

    def _fmt(self, x: float) -> str:
        return format(x, f".{self.digits}g")

    def _number(self, x: float, colour: str = "") -> str:
        text = _text(self._fmt(x))
        if not math.isfinite(x):
            return f'<font color="{_ALERT}"><b>{text}</b></font>'
        return f'<font color="{colour}">{text}</font>' if colour else text

    def _add(self, node: Value, name: str, attrs: dict[str, str]) -> None:
        self.members.setdefault(self.layout.cluster.get(node, ""), []).append((name, attrs))

    def _element(self, node: Value) -> str:
        """The drawn node that stands for ``node``: itself, or its cluster's box."""
        return f"box_{self.layout.box[node]}" if node in self.layout.box else self.id[node]

    def _value(self, node: Value) -> None:
        grad, grad_fill, grad_colour = node.grad, "", ""
        if self.frame is not None:
            grad = self.frame.grads.get(node, grad)
            if node is self.frame.current.node:
                grad_fill = f' bgcolor="{_CURRENT}"'
            elif node in self.frame.done:
                grad_fill = f' bgcolor="{_DONE}"'
            else:
                grad_colour = _PENDING
        role = _role(node, self.roots, self.layout.cluster)
        if not (math.isfinite(node.data) and math.isfinite(grad)):
            role = "nan/inf"
        fill, border = _COLOURS[role]
        cells = [f"<td><b>{_text(node.label)}</b></td>"] if node.label else []
        cells.append(f"<td>data {self._number(node.data)}</td>")
        cells.append(f"<td{grad_fill}>grad {self._number(grad, grad_colour)}</td>")
        if node is self.marked:
            cells.append(f'<td><font color="{_ALERT}"><b>⚠ anomaly</b></font></td>')
        label = (
            f'<<table border="{3 if node is self.marked else 1}" cellborder="0" '
            f'cellspacing="0" cellpadding="4" color="{border}" bgcolor="{fill}" '
            f'style="rounded"><tr>{"<vr/>".join(cells)}</tr></table>>'
        )
        self._add(node, self.id[node], {"label": label})
        if node.op is not None:
            self._op(node)

    def _op(self, node: Value) -> None:
        name = self.id[node] + "op"
        attrs = {
            "label": f"<{_text(_op_symbol(node))}>",
            "shape": "ellipse",
            "style": "filled",
            "fillcolor": "#ffffff",
            "color": "#4b5563",
            "margin": "0.06,0.03",
            "width": "0.45",
            "height": "0.3",
            "fontsize": "12",
        }
        step = self.frame.current if self.frame is not None else None
        if node is self.marked or (step is not None and step.source is node):
            attrs.update(color=_ALERT if node is self.marked else _CURRENT, penwidth="2.5")
        self._add(node, name, attrs)
        self.edges.append((name, self.id[node], {}))
        try:
            local = node.op.derivative(
                *[p if type(p) is float else p.data for p in node.parents], out=node.data
            )
        except (ArithmeticError, ValueError):
            local = (math.nan,) * len(node.parents)
        for i, p in enumerate(node.parents):
            if type(p) is float:  # a constant: its own small node, no derivative shown
                fill, border = _COLOURS["input"]
                self._add(
                    node,
                    f"{name}c{i}",
                    {
                        "label": f"<{_text(self._fmt(p))}>",
                        "shape": "box",
                        "fontsize": "10",
                        "style": "filled,rounded",
                        "fillcolor": fill,
                        "color": border,
                        "margin": "0.06,0.03",
                        "width": "0",
                        "height": "0",
                    },
                )
                self.edges.append((f"{name}c{i}", name, {"style": "dashed"}))
                continue
            edge = {"label": f"∂ {self._fmt(float(local[i]))}"} if self.derivatives else {}
            if step is not None and step.source is node and step.position == i:
                edge.update(color=_CURRENT, penwidth="3", fontcolor="#c2410c")
            if node is self.marked and p is self.marked_parent:
                edge.update(color=_ALERT, penwidth="3", fontcolor=_ALERT)
            self.edges.append((self._element(p), name, edge))

    def _box(self, name: str, nodes: list[Value]) -> None:
        """One box for a collapsed cluster, with one edge from each drawn node feeding it."""
        parameters = sum(1 for n in nodes if n.op is None)
        fill, border = _COLOURS["parameter"]
        label = (
            f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="4" '
            f'color="{border}" bgcolor="{fill}" style="rounded"><tr><td><b>'
            f"{_text(name)}</b></td></tr><tr><td>{_count(parameters, 'parameter')}, "
            f"{_count(len(nodes) - parameters, 'value')}</td></tr></table>>"
        )
        self.members.setdefault(name.rpartition(".")[0], []).append(
            (f"box_{name}", {"label": label})
        )
        tails = dict.fromkeys(
            self._element(p) for node in nodes for p in node.parents if type(p) is not float
        )
        self.edges.extend((tail, f"box_{name}", {}) for tail in tails if tail != f"box_{name}")

    def _legend(self, legend: bool) -> str:
        """The graph's label, under the drawing: the step's caption, then the colour key."""
        rows = []
        if self.frame is not None:
            rows.append(f"<b>{_text(self.frame.caption)}</b>")
        if legend:
            keys = "".join(
                f'<td bgcolor="{_COLOURS[role][0]}" color="{_COLOURS[role][1]}" '
                f'border="1">{_text(text)}</td>'
                for role, text in _LEGEND
            )
            rows.append(
                f'<table border="0" cellspacing="3" cellpadding="3"><tr>{keys}</tr></table>'
            )
            rows.append(_text("edge ∂: local derivative ∂out/∂in, so grad(in) = Σ grad(out) × ∂"))
            if self.frame is not None:
                states = (
                    f'<td border="1" bgcolor="{_DONE}">grad final</td>'
                    f'<td border="1" bgcolor="{_CURRENT}">grad changed by this step</td>'
                    f'<td border="1"><font color="{_PENDING}">grad not final yet</font></td>'
                )
                rows.append(
                    f'<table border="0" cellspacing="3" cellpadding="3"><tr>{states}</tr></table>'
                )
        cells = "".join(f'<tr><td align="left">{row}</td></tr>' for row in rows)
        return f'<<table border="0" cellspacing="0" cellpadding="2">{cells}</table>>'


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _role(node: Value, roots: set[Value], cluster: dict[Value, str]) -> str:
    if node in roots:
        return "output"
    if node.op is not None:
        return "intermediate"
    return "parameter" if node in cluster else "input"


def _text(s: str) -> str:
    """Text safe inside an HTML-like Graphviz label: markup escaped, control characters shown."""
    s = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in s)
    return html.escape(s, quote=True)


def _import_graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "drawing graphs needs the graphviz Python package: pip install graphviz "
            "(and Graphviz's dot program to render them)"
        ) from None
    return graphviz


_DOT = OPS["dot"]


def _op_symbol(node: Value) -> str:
    """The op's symbol; a dot without a bias drops the "+b"."""
    if node.op is _DOT and dot_parts(node.parents)[2] is None:
        return "w·x"
    return node.op.symbol
