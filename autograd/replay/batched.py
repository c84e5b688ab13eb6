"""The numpy backend: a traced step replayed a batch of nodes at a time.

The traced graph is cut into *batches*: nodes at the same depth (longest path from a leaf)
made by the same op with the same number of inputs — in micrograd's demo, the 1,600 first-layer
neurons of the 100 points are one batch. The forward pass gathers each batch's inputs into a
2-D array (a row per node) and applies the op's row of the table to it (``Op.arrays``: the
rules on arrays, or the float rule element by element where numpy's numbers would differ from
``math``'s). A chain of additions — ``builtins.sum`` of many Values — is one node per add but
one batch: its running sums are ``np.add.accumulate``, the same additions in the same order.

The backward pass is the eager walk's arithmetic, regrouped. Eager accumulates into each node's
``.grad`` one contribution at a time, ``grad += upstream × local``, in the walk's order (nodes
last-made first, each sending to its inputs in input order). Here a node's gradient is its
starting value plus its contributions *in the walk's order*, added one after the other, a row
of contributions at a time for a whole batch of nodes: every gradient sees the additions eager
makes, in eager's order, so it is the same float. Each contribution is read where its two
factors live: the sender's gradient, and its local derivative — for most ops a number the
forward pass already made (a dot's ∂/∂wᵢ is xᵢ, an add's is 1, exp's is its output: the rule
says so when called on symbols), else computed per batch by the rule, on arrays.

Eager skips a node whose gradient is 0 (and an off relu passes nothing): the contributions it
does not make are ±0, and adding ±0 to a sum that started at +0.0 — an interior node's — leaves
it as it was, so here they are added. A parameter's gradient may start at −0.0, where adding
+0.0 would change its sign: such parameters are summed again, one contribution at a time, with
eager's skips.

``Plan(trace, wanted).replay(params, inputs)`` gives None where
the eager step would raise or meet inf or nan, False when a guard fails, else the parameters'
gradients and the wanted nodes' numbers and gradients, as lists of floats. The replay keeps no
Python object per node: its plan is a few integer arrays per batch (:attr:`Plan.nbytes`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from itertools import chain, pairwise, repeat, starmap
from operator import attrgetter
from typing import Any

import numpy as np

from ..ops import OPS, Op, each
from ..value import Value
from ..walk import topological_order
from .trace import Trace

__all__ = ["Plan", "derivative_on_rows", "forward_on_rows", "local_sources"]

_ADD = OPS["add"]
_COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_data = attrgetter("data")
_grad = attrgetter("grad")
_parents = attrgetter("parents")


# --- the op table's rules on a batch ----------------------------------------------------------


def forward_on_rows(op: Op) -> Callable[[Any], Any]:
    """``f(A)``: the op's forward for each row of A (a node's inputs), bit for bit as floats."""
    form = op.arrays[0]
    if op.arity is None:  # an n-ary op: its array form takes the rows
        if callable(form):
            return form  # type: ignore[no-any-return]
        return lambda A: np.fromiter(starmap(op.forward, A.tolist()), float, len(A))
    f = op.forward if form is True else form if callable(form) else None
    if f is None:
        return lambda A: each(op.forward, *A.T)
    return lambda A: f(*A.T)


def derivative_on_rows(op: Op) -> Callable[[Any, Any], Any]:
    """``d(A, out)``: the op's local derivatives for each row, as a 2-D array like A."""
    form, rule = op.arrays[1], op.derivative
    if op.arity is None:
        if callable(form):
            return form  # type: ignore[no-any-return]
        return lambda A, out: np.array(
            [rule(*row, out=o) for row, o in zip(A.tolist(), out.tolist())], dtype=float
        ).reshape(A.shape)
    if form is True or callable(form):
        f = rule if form is True else form

        def as_written(A: Any, out: Any) -> Any:
            D = np.empty_like(A)
            for j, d in enumerate(f(*A.T, out=out)):
                D[:, j] = d
            return D

        return as_written
    return lambda A, out: np.array(
        list(map(lambda *a: rule(*a[:-1], out=a[-1]), *A.T.tolist(), out.tolist())),
        dtype=float,
    ).reshape(A.shape)


class _Symbol:
    """Stands for a rule's argument when the rule is called to see what it returns: it
    supports no operation, so a rule that computes anything from it raises."""

    __slots__ = ("source",)

    def __init__(self, source: Any) -> None:
        self.source = source

    def _refuse(self, *args: Any) -> Any:
        raise TypeError("a symbol")

    __bool__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __float__ = _refuse  # type: ignore[assignment]
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __neg__ = _refuse
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __abs__ = _refuse
    __hash__ = object.__hash__


def local_sources(op: Op, arity: int) -> tuple[Any, ...] | None:
    """Where each input's local derivative is found without computing it: ``("input", j)``
    (the number of input j: a dot's ∂/∂wᵢ is xᵢ), ``("out", None)`` (the node's own number:
    exp), ``("constant", c)`` (add's 1.0); None when the rule computes something.

    >>> local_sources(OPS["mul"], 2)
    (('input', 1), ('input', 0))
    >>> local_sources(OPS["tanh"], 1) is None
    True
    """
    symbols = [_Symbol(("input", j)) for j in range(arity)]
    try:
        found = op.derivative(*symbols, out=_Symbol(("out", None)))
    except Exception:  # any use of a symbol: the rule computes something
        return None
    if not isinstance(found, tuple) or len(found) != arity:
        return None
    sources = []
    for d in found:
        if isinstance(d, _Symbol):
            sources.append(d.source)
        elif type(d) is float:
            sources.append(("constant", d))
        else:
            return None
    return tuple(sources)


# --- the plan ----------------------------------------------------------------------------------


class _Batch:
    """Nodes replayed together. ``kind``: "op" (one op, rows of inputs), "chain" (rows of
    additions, each adding to the previous one), "copy" (``Value(v)`` leaves: v's number).
    ``columns[j]`` are the slots of input j of every node (so that each input, gathered, is
    contiguous: numpy's fastest)."""

    __slots__ = (
        "columns",
        "derivative",
        "forward",
        "kind",
        "local",
        "op",
        "pulls",
        "sources",
        "start",
        "stop",
    )

    def __init__(self, kind: str, op: Op | None, inputs: Any) -> None:
        self.kind, self.op, self.columns = kind, op, inputs.T
        self.start = self.stop = 0  # its nodes' slots
        self.forward = forward_on_rows(op) if op is not None else None
        self.derivative = derivative_on_rows(op) if op is not None else None
        self.sources = local_sources(op, inputs.shape[1]) if op is not None else None
        self.local = -1  # where its computed local derivatives start (-1: none computed)
        self.pulls: list[tuple[Any, Any, Any]] = []  # (targets, senders, local derivatives)


class Plan:
    """A trace laid out for the numpy backend (see the module's docstring).

    Numbers live in one array D: every node's (``V``, the slots), then the local derivatives
    the rules compute, then a few constants (1.0, −1.0, ...). Gradients live in G, a slot
    each, and two more: a −0.0 that pads rows of contributions and the seed 1.0.
    """

    def __init__(self, tr: Trace, wanted: Sequence[Value]) -> None:
        nodes = tr.nodes
        N = len(nodes)
        index = {node: i for i, node in enumerate(nodes)}
        is_op = np.fromiter((n.op is not None for n in nodes), bool, N)
        for leaf in tr.aliases:  # Value(v): a leaf fed v's number
            is_op[index[leaf]] = False

        # Every input of every node as an index (constants: slots after the nodes).
        counts = np.fromiter(map(len, map(_parents, nodes)), np.intp, N)
        flat = list(chain.from_iterable(map(_parents, nodes)))
        parent = np.fromiter(map(index.get, flat, repeat(-1)), np.intp, len(flat))
        constant_at = np.flatnonzero(parent < 0)
        constants = [float(flat[k]) for k in constant_at]
        parent[constant_at] = N + np.arange(len(constant_at))
        starts = np.concatenate([[0], np.cumsum(counts)])
        owner = np.repeat(np.arange(N), counts)
        copies = {index[leaf]: index[src] for leaf, src in tr.aliases.items()}

        # The walk reaches the loss and what it depends on: no other node sends a gradient.
        loss = index[tr.loss]
        live = np.zeros(N, bool)
        live[[index[n] for n in topological_order([tr.loss])]] = True

        # Chains of additions: an add used once, by an add, is that add's running sum.
        edges_to = np.bincount(parent[parent < N], minlength=N)
        user = np.full(N, -1)
        inner = parent < N
        user[parent[inner]] = owner[inner]
        is_add = np.fromiter((n.op is _ADD for n in nodes), bool, N)
        internal = is_add & (edges_to == 1) & (user >= 0)
        internal[np.flatnonzero(internal)] &= is_add[user[internal]]
        internal[loss] = False
        previous: dict[int, int] = {}  # chain node -> the running sum it adds to
        for j in np.flatnonzero(internal).tolist():
            if int(user[j]) in previous:  # (a + b) + (c + d): one chain goes on, not two
                internal[j] = False
            else:
                previous[int(user[j])] = j

        # Depths, in creation order; a chain takes the depth of its last node.
        depth = [0] * (N + len(constants))
        plist = parent.tolist()
        slist = starts.tolist()
        units: dict[tuple[Any, ...], list[Any]] = {}
        internal_list = internal.tolist()
        is_op_list = is_op.tolist()
        for i in range(N):
            if internal_list[i]:
                continue
            if i in copies:
                depth[i] = depth[copies[i]] + 1
                units.setdefault((depth[i], "copy", 0), []).append(i)
                continue
            if not is_op_list[i]:
                continue
            ins = plist[slist[i] : slist[i + 1]]
            if i in previous:  # the last node of a chain: walk back to its first
                links = [i]
                while links[-1] in previous:
                    links.append(previous[links[-1]])
                links.reverse()
                first = links[0]
                row = plist[slist[first] : slist[first + 1]]
                for prev, node in pairwise(links):
                    a, b = plist[slist[node] : slist[node + 1]]
                    row.append(b if a == prev else a)
                d = 1 + max(map(depth.__getitem__, row))
                for node in links:
                    depth[node] = d
                units.setdefault((d, "chain", len(links)), []).append((links, row))
                continue
            d = 1 + max(map(depth.__getitem__, ins))
            depth[i] = d
            op = nodes[i].op
            units.setdefault((d, op.name, len(ins), id(op)), []).append(i)  # type: ignore[union-attr]

        # Slots: parameters, inputs, fixed leaves and constants first, then batch by batch.
        params = sorted(tr.params, key=tr.params.__getitem__)
        n_params, n_inputs = len(params), (max(tr.inputs.values()) + 1 if tr.inputs else 0)
        slot = np.full(N + len(constants), -1, np.intp)
        slot[[index[p] for p in params]] = np.arange(n_params)
        for node, k in tr.inputs.items():
            slot[index[node]] = n_params + k
        fixed = [
            i
            for i in range(N)
            if not is_op_list[i] and i not in copies and slot[i] < 0  # constants fn made
        ]
        top = n_params + n_inputs
        slot[fixed] = top + np.arange(len(fixed))
        top += len(fixed)
        slot[N:] = top + np.arange(len(constants))
        top += len(constants)
        base_values = [nodes[i].data for i in fixed] + constants
        self.n_params, self.n_inputs = n_params, n_inputs
        self.leaves = n_params + n_inputs + len(base_values)

        batches: list[_Batch] = []
        of_node = np.full(N, -1, np.intp)  # each node's batch
        for key in sorted(units, key=lambda k: (k[0], str(k[1]), k[2])):
            members = units[key]
            if key[1] == "chain":
                order = [node for links, _ in members for node in links]
                rows = np.array([row for _, row in members], np.intp)
                batch = _Batch("chain", None, rows)
            elif key[1] == "copy":
                order = members
                batch = _Batch("copy", None, np.array([[copies[i]] for i in members], np.intp))
            else:
                order = members
                rows = parent[starts[members][:, None] + np.arange(key[2])[None, :]]
                batch = _Batch("op", nodes[members[0]].op, rows)
            batch.start, batch.stop = top, top + len(order)
            slot[order] = np.arange(top, top + len(order))
            of_node[order] = len(batches)
            top += len(order)
            batches.append(batch)
        for batch in batches:  # inputs by slot
            batch.columns = np.ascontiguousarray(slot[batch.columns])
        self.size = S = top
        self.pad, self.seed = S, S + 1  # in G: −0.0 and 1.0

        # D: the slots' numbers, then the local derivatives the rules compute (a block per
        # batch, input by input), then the constant local derivatives.
        local = S
        for batch in batches:
            if batch.kind == "op" and batch.sources is None:
                batch.local = local
                local += batch.columns.size
        units_of: dict[str, int] = {}

        def unit(c: float) -> int:  # where the constant c sits in D
            return units_of.setdefault(c.hex(), len(units_of))

        one = unit(1.0)

        # The edges that carry gradient: from a live node (not a copy) to a node (not a
        # constant), not into a chain's running sum; and the seed, into the loss, first. Each
        # target's edges in the walk's order: later senders first, each in input order — the
        # edges listed sender by sender from the last, then sorted by target, stably.
        backwards = np.flatnonzero(counts[::-1])
        senders = (N - 1 - backwards).astype(np.intp)
        edge = np.repeat(
            starts[senders] - np.cumsum(np.concatenate([[0], counts[senders][:-1]])),
            counts[senders],
        )
        edge += np.arange(len(edge))  # the edges, last sender first
        keep = live[owner[edge]] & is_op[owner[edge]] & (parent[edge] < N)
        edge = edge[keep]
        edge = edge[~internal[parent[edge]]]
        edge = np.concatenate([[-1], edge])  # −1: the seed, into the loss
        self.edges = len(edge)  # gradients carried (unread leaves counted): the backward's work
        target = slot[np.where(edge >= 0, parent[edge], loss)]
        walk = np.argsort(target, kind="stable")
        edge, target = edge[walk], target[walk]

        # Each edge's two factors: the sender's gradient and the local derivative.
        sender_old = owner[np.maximum(edge, 0)]
        sender = np.where(edge >= 0, slot[sender_old], self.seed)
        position = edge - starts[sender_old]
        source = np.full(len(edge), -1, np.intp)
        source[edge < 0] = local + one  # the seed: G's 1.0 × 1.0
        batch_of = np.where(edge >= 0, of_node[sender_old], -1)
        for b, batch in enumerate(batches):
            at = np.flatnonzero(batch_of == b)
            if not at.size:
                continue
            row, pos = sender[at] - batch.start, position[at]
            if batch.kind == "chain":
                source[at] = local + one  # each add passes its gradient: × 1.0
            elif batch.sources is None:  # the rule's numbers, computed per batch
                source[at] = batch.local + pos * batch.columns.shape[1] + row
            else:
                for p, (kind, what) in enumerate(batch.sources):
                    here = pos == p
                    if kind == "input":
                        source[at[here]] = batch.columns[what, row[here]]
                    elif kind == "out":
                        source[at[here]] = sender[at[here]]
                    else:
                        source[at[here]] = local + unit(what)
        self.units = np.array([float.fromhex(h) for h in units_of])
        self.local_size = local

        # Leaves whose gradient nobody reads (inputs, copies, constants the step made) get
        # none; eager's rules would raise where their local derivative is not finite (sqrt's
        # at 0), so those numbers are checked at each replay instead.
        unread = ~is_op
        unread[[index[p] for p in params]] = False
        unread[[index[v] for v in wanted]] = False
        into = np.zeros(len(edge), bool)
        into[edge >= 0] = unread[parent[edge[edge >= 0]]]
        self.unsent = np.unique(source[into])
        edge, target, sender, position, source = (
            a[~into] for a in (edge, target, sender, position, source)
        )
        first = np.searchsorted(target, np.arange(S + 1))
        degree = np.diff(first)

        for batch in batches:
            if batch.kind == "chain":
                k = batch.columns.shape[0] - 1
                ends = np.arange(batch.start + k - 1, batch.stop, k)
                batch.pulls = _pulls(ends, first, degree, sender, source, self.pad, local + one)
            else:
                every = np.arange(batch.start, batch.stop)
                batch.pulls = _pulls(every, first, degree, sender, source, self.pad, local + one)
        self.leaf_pulls = _pulls(
            np.arange(self.leaves), first, degree, sender, source, self.pad, local + one
        )
        self.batches = batches

        # A parameter whose gradient starts at −0.0 is summed again with eager's skips.
        self.edge_first = first[: n_params + 1]
        self.edge_sender, self.edge_source = sender[: first[n_params]], source[: first[n_params]]
        self.edge_position = position[: first[n_params]]
        self.batch_starts = np.array([b.start for b in batches], np.intp)

        self.base = np.zeros(self.size)
        self.base[n_params + n_inputs : self.leaves] = base_values
        self.guards = _guards(tr, index, slot)
        self.wanted = slot[[index[v] for v in wanted]] if wanted else np.zeros(0, np.intp)

    @property
    def nbytes(self) -> int:
        """Bytes of the plan's arrays (its Python objects are a few per batch)."""
        arrays = [
            self.base,
            self.units,
            self.edge_first,
            self.edge_sender,
            self.edge_source,
            self.unsent,
        ]
        arrays += [self.edge_position, self.batch_starts, self.wanted]
        for batch in self.batches:
            arrays.append(batch.columns)
            arrays += [a for pull in batch.pulls for a in pull]
        arrays += [a for pull in self.leaf_pulls for a in pull]
        return sum(a.nbytes for a in arrays)

    # --- replaying --------------------------------------------------------------------------

    def replay(self, params: list[Value], inputs: list[float]) -> Any:
        S = self.size
        with np.errstate(all="ignore"):
            D = np.empty(self.local_size + len(self.units))
            V = D[:S]
            V[:] = self.base
            V[: self.n_params] = list(map(_data, params))
            V[self.n_params : self.n_params + self.n_inputs] = inputs
            for batch in self.batches:
                _run_forward(batch, V, D)
            if not np.isfinite(V).all():
                return None
            if not self.guards(V):
                return False
            D[self.local_size :] = self.units
            if not np.isfinite(D[self.unsent]).all():
                return None  # eager's rule may raise there: let it
            G = np.zeros(S + 2)
            G[self.pad], G[self.seed] = -0.0, 1.0
            G[: self.n_params] = list(map(_grad, params))
            negative_zero = np.flatnonzero(
                np.signbit(G[: self.n_params]) & (G[: self.n_params] == 0)
            )
            for batch in reversed(self.batches):
                _pull(batch.pulls, G, D)
                if batch.kind == "chain":  # a running sum gets its one user's gradient
                    grads = G[batch.start : batch.stop].reshape(-1, batch.columns.shape[0] - 1)
                    grads[:, :-1] = 0.0 + grads[:, -1:]
            _pull(self.leaf_pulls, G, D)
            if not np.isfinite(G[:S]).all():
                return None
            grads = G[: self.n_params].tolist()
            for k in negative_zero.tolist():  # −0.0 to start with: eager's skips matter here
                grads[k] = self._summed_as_eager(k, -0.0, V, G, D)
        return grads, V[self.wanted].tolist(), G[self.wanted].tolist()

    def _summed_as_eager(self, k: int, g: float, V: Any, G: Any, D: Any) -> float:
        """Parameter k's gradient, one contribution at a time, skipping what eager skips."""
        for e in range(self.edge_first[k], self.edge_first[k + 1]):
            sender = int(self.edge_sender[e])
            contribution = float(G[sender] * D[self.edge_source[e]])
            if sender == self.seed:
                g += contribution
                continue
            batch = self.batches[int(np.searchsorted(self.batch_starts, sender, "right")) - 1]
            op = _ADD if batch.kind == "chain" else batch.op
            assert op is not None  # copies send nothing
            if op.fast is not None and float(G[sender]) == 0.0:
                continue  # eager skips a fast-path node with a zero gradient
            if op.select:  # nothing where the local derivative is 0 (an off relu)
                args = V[batch.columns[:, sender - batch.start]].tolist()
                d = op.derivative(*args, out=float(V[sender]))[int(self.edge_position[e])]
                if type(d) is float and d == 0.0:
                    continue
            g += contribution
        return g


def _pulls(
    targets: Any, first: Any, degree: Any, sender: Any, source: Any, pad: int, one: int
) -> list[tuple[Any, Any, Any]]:
    """Gather plans for the targets' gradients: (slots, and for their contributions — a row
    each, in the walk's order — the senders' gradients and the local derivatives; −0.0 × 1.0
    where a target has fewer), grouped by number of contributions so the padding stays small."""
    d = degree[targets]
    targets, d = targets[d > 0], d[d > 0]
    if not len(targets):
        return []
    order = np.argsort(d, kind="stable")
    targets, d = targets[order], d[order]
    pulls = []
    lo = 0
    while lo < len(targets):
        top = int(d[lo]) * 2  # a group: up to twice the fewest contributions
        hi = int(np.searchsorted(d, top, side="right"))
        k = np.arange(int(d[hi - 1]))[:, None]
        at = np.minimum(first[targets[lo:hi]][None, :] + k, len(sender) - 1)
        inside = k < d[lo:hi][None, :]
        pulls.append(
            (targets[lo:hi], np.where(inside, sender[at], pad), np.where(inside, source[at], one))
        )
        lo = hi
    return pulls


def _pull(pulls: list[tuple[Any, Any, Any]], G: Any, D: Any) -> None:
    """Each target's gradient: its starting value, then its contributions (gradient × local
    derivative), added one after the other in the walk's order — a row at a time."""
    for targets, senders, sources in pulls:
        contributions = G[senders]
        contributions *= D[sources]
        if len(targets) < NARROW and len(contributions) > 4:  # few targets, many rows each:
            rows = np.empty((len(contributions) + 1, len(targets)))  # one call, not a row a call
            rows[0] = G[targets]
            rows[1:] = contributions
            G[targets] = _sum_down(rows)
            continue
        acc = G[targets]
        for row in contributions:
            acc += row
        G[targets] = acc


NARROW = 200  # targets, below which a pull's rows are added in one call (_sum_down)


def _sum_down(rows: Any) -> Any:
    """Each column's sum, the top row first, then each row after the other: the order of
    eager's additions. numpy sums along axis 0 of a C-ordered array of two or more columns row
    by row (its pairwise summation is only used along the fast axis in memory); one column
    is that fast axis, so it is a running sum (np.add.accumulate, in order by definition)."""
    if rows.shape[1] > 1:
        return np.add.reduce(rows, axis=0)
    return np.add.accumulate(rows, axis=0)[-1]


def _run_forward(batch: _Batch, V: Any, D: Any) -> None:
    """The batch's numbers into V, and the local derivatives its rule computes into D."""
    A = V[batch.columns].T  # a row a node, stored input by input
    if batch.kind == "copy":
        V[batch.start : batch.stop] = A[:, 0]
    elif batch.kind == "chain":
        V[batch.start : batch.stop] = np.add.accumulate(A, axis=1)[:, 1:].ravel()
    else:
        out = batch.forward(A)  # type: ignore[misc]
        V[batch.start : batch.stop] = out
        if batch.local >= 0:
            local = batch.derivative(A, out)  # type: ignore[misc]
            D[batch.local : batch.local + A.size] = local.T.ravel()  # input by input, too


# --- guards ---------------------------------------------------------------------------------------


def _guards(tr: Trace, index: dict[Value, int], slot: Any) -> Callable[[Any], bool]:
    """A check of every guard on the replayed numbers V."""
    compare: dict[str, tuple[list[int], list[int], list[float], list[bool]]] = {}
    pins: list[tuple[int, float]] = []
    for g in tr.guards:
        left = int(slot[index[g.left]])
        if g.op is None:
            pins.append((left, g.constant))
            continue
        lists = compare.setdefault(g.op, ([], [], [], []))
        lists[0].append(left)
        lists[1].append(int(slot[index[g.right]]) if g.right is not None else -1)
        lists[2].append(g.constant)
        lists[3].append(g.outcome)
    checks = []
    for op, (left, right, constant, outcome) in compare.items():
        L, R = np.array(left, np.intp), np.array(right, np.intp)
        K, outcomes = np.array(constant), np.array(outcome)
        checks.append((_COMPARE[op], L, R, K, outcomes))
    pin_slots = np.array([s for s, _ in pins], np.intp)
    pin_bits = np.array([c for _, c in pins]).view(np.int64)

    def check(V: Any) -> bool:
        for f, L, R, K, outcomes in checks:
            right = np.where(R >= 0, V[R], K)
            if not (f(V[L], right) == outcomes).all():
                return False
        return bool((V[pin_slots].view(np.int64) == pin_bits).all())

    return check
