"""The numpy backend: a traced step replayed a batch of nodes at a time.

The traced graph is cut into *batches*: nodes at the same depth (longest path from a leaf)
made by the same op with the same number of inputs — in micrograd's demo, the 1,600 first-layer
neurons of the 100 points are one batch. The forward pass reads each batch's inputs, input by
input, and applies the op's row of the table to them (``Op.arrays``: the rules on arrays, or
the float rule element by element where numpy's numbers would differ from ``math``'s; exp's
are ``math.exp``'s through numpy's complex exp, ``autograd.exact.exp``). Where
a batch is a grid — neurons × points — an input that depends on the neuron only (a weight) is
read as a column and one that depends on the point only as a row, and numpy's broadcasting
multiplies them out (factor.py); the numbers and the operations are the same. A chain of additions — ``builtins.sum`` of many Values — is one node per add but
one batch: its running sums are ``np.add.accumulate``, the same additions in the same order.

The backward pass is the eager walk's arithmetic, regrouped. Eager accumulates into each node's
``.grad`` one contribution at a time, ``grad += upstream × local``, in the walk's order (nodes
last-made first, each sending to its inputs in input order). Here a node's gradient is its
starting value plus its contributions *in the walk's order*, added one after the other, a row
of contributions at a time for a whole batch of nodes: every gradient sees the additions eager
makes, in eager's order, so it is the same float. Each contribution is read where its two
factors live: the sender's gradient, and its local derivative — for most ops a number the
forward pass already made (a dot's ∂/∂wᵢ is xᵢ, an add's is 1, exp's is its output: the rule
says so when called on symbols), else computed per batch by the rule, on arrays. Those reads
are laid out as grids too: a weight's contribution from a point is the neuron's gradient there
times the point's input.

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
from itertools import chain, pairwise, repeat
from operator import attrgetter
from typing import Any

import numpy as np

from ..ops import OPS, Op, each
from ..value import Value
from ..walk import topological_order
from .factor import Inputs, Rows, grid, span
from .trace import Trace

__all__ = ["Plan", "derivative_on_rows", "forward_on_rows", "local_sources", "stable_order"]

_ADD = OPS["add"]
_COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_parents = attrgetter("parents")
_NEGATIVE_ZERO = np.array(-0.0).view(np.int64).item()  # −0.0's bits
_INF = float("inf")
_BOUND = 2.0**1023  # a bound below it (on a sum of finite terms) rules out an overflow


# --- the op table's rules on a batch ----------------------------------------------------------


def forward_on_rows(op: Op) -> Callable[[Any], Any]:
    """``f(A)``: the op's forward for a batch of nodes, bit for bit as floats. ``A`` holds
    their inputs, input by input (``A[j]``: input j of every node; a 2-D array with an input
    per row will do), as arrays that broadcast together."""
    form = op.arrays[0]
    if op.arity is None:  # an n-ary op: its array form takes the inputs as one
        if callable(form):
            return form  # type: ignore[no-any-return]
        return lambda A: _on_each_node(op.forward, A)
    f = op.forward if form is True else form if callable(form) else None
    if f is None:
        return lambda A: each(op.forward, *A)
    return lambda A: f(*A)


def derivative_on_rows(op: Op) -> Callable[[Any, Any], Any]:
    """``d(A, out)``: the op's local derivatives for a batch (A as for :func:`forward_on_rows`),
    input by input: a sequence of arrays that broadcast over the batch."""
    form, rule = op.arrays[1], op.derivative
    if op.arity is None and callable(form):  # an n-ary op's form takes the inputs as one
        return form  # type: ignore[no-any-return]
    if op.arity is not None and (form is True or callable(form)):
        f = rule if form is True else form
        return lambda A, out: f(*A, out=out)
    return lambda A, out: _on_each_node(lambda *a: rule(*a[:-1], out=a[-1]), A, out)


def _on_each_node(f: Callable[..., Any], A: Any, *more: Any) -> Any:
    """f called on each node's inputs (and ``more``), a Python call a node: its numbers, a
    float or a tuple a node, as an array shaped like the batch (a first axis for tuples)."""
    X = np.broadcast_arrays(*A, *more)
    shape = X[0].shape
    found = np.array(list(map(f, *(x.ravel().tolist() for x in X))), dtype=float)
    return found.reshape(shape) if found.ndim == 1 else found.T.reshape(-1, *shape)


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
        "copied",
        "derivative",
        "forward",
        "kind",
        "local",
        "op",
        "pulls",
        "reader",
        "shape",
        "single",
        "sources",
        "start",
        "stop",
    )

    def __init__(self, kind: str, op: Op | None, inputs: Any, shape: tuple[int, int]) -> None:
        self.kind, self.op, self.columns = kind, op, inputs.T
        self.shape = shape  # its nodes as a grid (factor.grid), for an op batch
        self.reader: Rows | None = None  # its inputs' slots, read by factor.Rows
        self.start = self.stop = 0  # its nodes' slots
        self.forward = forward_on_rows(op) if op is not None else None
        self.derivative = derivative_on_rows(op) if op is not None else None
        self.sources = local_sources(op, inputs.shape[1]) if op is not None else None
        self.local = -1  # where its computed local derivatives start (-1: none computed)
        self.pulls: list[_Pull] = []  # its nodes' gradients
        self.single: Any = None  # one node of a fixed-arity op: its inputs' slots
        self.copied: Any = None  # a copy's: the slots it copies (a slice, where a run)


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
                batch = _Batch("chain", None, rows, (1, len(rows)))
            elif key[1] == "copy":
                order = members
                batch = _Batch(
                    "copy", None, np.array([[copies[i]] for i in members], np.intp), (1, len(order))
                )
            else:
                rows = parent[starts[members][:, None] + np.arange(key[2])[None, :]]
                shape, regrid = grid(rows.T)  # weights by neuron, inputs by point, ...
                if regrid is not None:
                    members, rows = [members[k] for k in regrid.tolist()], rows[regrid]
                order = members
                batch = _Batch("op", nodes[members[0]].op, rows, shape)
            batch.start, batch.stop = top, top + len(order)
            slot[order] = np.arange(top, top + len(order))
            of_node[order] = len(batches)
            top += len(order)
            batches.append(batch)
        for batch in batches:  # inputs by slot
            batch.columns = np.ascontiguousarray(slot[batch.columns])
            if batch.kind == "op":
                batch.reader = Rows(batch.columns, batch.shape)
                if batch.shape == (1, 1) and batch.op.arity is not None:  # type: ignore[union-attr]
                    batch.single = batch.columns[:, 0].copy()
            elif batch.kind == "copy":
                batch.copied = span(batch.columns[0])
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
        senders = np.arange(N - 1, -1, -1)
        senders = senders[live[senders] & is_op[senders] & (counts[senders] > 0)]
        edge = np.repeat(
            starts[senders] - np.cumsum(np.concatenate([[0], counts[senders][:-1]])),
            counts[senders],
        )
        edge += np.arange(len(edge))  # the edges, last sender first
        into = parent[edge]
        closed = np.concatenate([internal, np.ones(len(constants), bool)])  # (constants too)
        keep = ~closed[into]
        edge, into = edge[keep], into[keep]
        edge = np.concatenate([[-1], edge])  # −1: the seed, into the loss
        self.edges = len(edge)  # gradients carried (unread leaves counted): the backward's work
        target = slot[np.concatenate([[loss], into])]
        edge = edge[stable_order(target, S)]
        target = np.repeat(np.arange(S), np.bincount(target, minlength=S))  # sorted

        # Each edge's two factors: the sender's gradient and the local derivative.
        seed = int(np.flatnonzero(edge < 0)[0])  # the seed's edge: set apart
        # (owner is empty where no node has an input: a leaf loss, whose seed is the only edge)
        sender_old = owner[np.maximum(edge, 0)] if owner.size else np.zeros_like(edge)
        sender, position = slot[sender_old], edge - starts[sender_old]
        batch_of = of_node[sender_old] + 1  # (0: the seed's)
        sender[seed], position[seed], batch_of[seed] = self.seed, -1, 0
        source = np.full(len(edge), -1, np.intp)
        source[seed] = local + one  # the seed: G's 1.0 × 1.0
        by_batch = stable_order(batch_of, len(batches) + 1)  # the edges batch by batch
        bounds = np.searchsorted(batch_of[by_batch], np.arange(len(batches) + 2))
        for b, batch in enumerate(batches):
            at = by_batch[bounds[b + 1] : bounds[b + 2]]
            if not at.size:
                continue
            row, pos = sender[at] - batch.start, position[at]
            if batch.kind == "chain":
                source[at] = local + one  # each add passes its gradient: × 1.0
            elif batch.sources is None:  # the rule's numbers, computed per batch
                source[at] = batch.local + pos * batch.columns.shape[1] + row
            else:  # by position: an input's slot, the node's own, or a constant's
                inputs = np.array([w if k == "input" else 0 for k, w in batch.sources], np.intp)
                found = batch.columns[inputs[pos], row]  # (most are an input's slot)
                for p, (k, w) in enumerate(batch.sources):
                    if k != "input":
                        here = pos == p
                        found[here] = sender[at[here]] if k == "out" else local + unit(w)
                source[at] = found
        self.units = np.array([float.fromhex(h) for h in units_of])
        self.local_size = local

        # Leaves whose gradient nobody reads (inputs, copies, constants the step made) get
        # none; eager's rules would raise where their local derivative is not finite (sqrt's
        # at 0), so those numbers are checked at each replay instead.
        unread = ~is_op
        unread[[index[p] for p in params]] = False
        unread[[index[v] for v in wanted]] = False
        unread_slot = np.zeros(S, bool)
        unread_slot[slot[:N][unread]] = True
        into = unread_slot[target]  # (target is sorted: read in order)
        self.unsent = np.unique(source[into])
        # Eager does compute the copies' and constants' gradients (not the inputs': eager's
        # are floats), and raises where one overflows: their contributions are kept apart, to
        # be summed where a bound cannot rule that out (replay).
        checked = into & (target >= n_params + n_inputs)  # (the inputs' slots come before)
        checked_edges = tuple(a[checked] for a in (target, sender, source))
        kept = ~into
        target, sender, position, source = (a[kept] for a in (target, sender, position, source))
        first = np.searchsorted(target, np.arange(S + 1))
        degree = np.diff(first)

        self.batch_starts = np.array([b.start for b in batches], np.intp)

        def pulls(targets: Any) -> list[_Pull]:
            pad, one_ = self.pad, local + one
            return _pulls(targets, first, degree, sender, source, pad, one_, self.batch_starts)

        for batch in batches:
            if batch.kind == "chain":
                k = batch.columns.shape[0] - 1
                batch.pulls = pulls(np.arange(batch.start + k - 1, batch.stop, k))
            else:
                batch.pulls = pulls(np.arange(batch.start, batch.stop))
        self.leaf_pulls = pulls(np.arange(self.leaves))

        # The copies' and constants' gradients (see above): each is a float sum of at most k
        # terms g × d (k: the most any has, far fewer than 2⁵²), so at most 2·k·max|g|·max|d|.
        into_checked, from_checked, of_checked = checked_edges
        first_checked = np.searchsorted(into_checked, np.arange(S + 1))
        count = np.diff(first_checked)
        self.checked = np.flatnonzero(count)
        self.checked_terms = 2.0 * int(count.max(initial=0))
        self.checked_pulls = _pulls(
            self.checked,
            first_checked,
            count,
            from_checked,
            of_checked,
            self.pad,
            local + one,
            self.batch_starts,
        )
        self.batches = batches

        # A parameter whose gradient starts at −0.0 is summed again with eager's skips.
        self.edge_first = first[: n_params + 1]
        self.edge_sender, self.edge_source = sender[: first[n_params]], source[: first[n_params]]
        self.edge_position = position[: first[n_params]]

        self.base = np.array(base_values, dtype=float)  # the fixed leaves' and constants'
        self.guards = _guards(tr, index, slot) if tr.guards else None
        self.wanted = slot[[index[v] for v in wanted]] if wanted else np.zeros(0, np.intp)
        self.inputs_seen: list[float] | None = None  # the last inputs, and as an array
        self.inputs_read = np.zeros(0)

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
            self.checked,
        ]
        arrays += [self.edge_position, self.batch_starts, self.wanted]
        for batch in self.batches:
            arrays.append(batch.columns)
            if batch.reader is not None:  # what it reads (where not columns itself, or a slice)
                arrays += [a for a, _ in batch.reader.kinds if _held(a, batch.columns)]
            arrays += [a for pull in batch.pulls for a in pull.arrays()]
        arrays += [a for pull in self.leaf_pulls + self.checked_pulls for a in pull.arrays()]
        return sum(a.nbytes for a in arrays)

    # --- replaying --------------------------------------------------------------------------

    def replay(self, params: list[Value], inputs: list[float]) -> Any:
        S = self.size
        with np.errstate(all="ignore"):
            D = np.empty(self.local_size + len(self.units))
            V = D[:S]
            V[self.n_params + self.n_inputs : self.leaves] = self.base  # (the rest: computed)
            V[: self.n_params] = [p.data for p in params]  # (quicker than map(attrgetter))
            if inputs is not self.inputs_seen:  # the same list again: as read last time
                self.inputs_seen, self.inputs_read = inputs, np.array(inputs, dtype=float)
            V[self.n_params : self.n_params + self.n_inputs] = self.inputs_read
            for batch in self.batches:
                _run_forward(batch, V, D)
            if not np.isfinite(V).all():
                return None
            if self.guards is not None and not self.guards(V):
                return False
            D[self.local_size :] = self.units
            unsent = float(np.abs(D[self.unsent]).max(initial=0.0))  # (nan: nan)
            if not unsent < _INF:
                return None  # eager's rule may raise there: let it
            G = np.zeros(S + 2)
            G[self.pad], G[self.seed] = -0.0, 1.0
            G[: self.n_params] = [p.grad for p in params]
            negative_zero = np.flatnonzero(G[: self.n_params].view(np.int64) == _NEGATIVE_ZERO)
            for batch in reversed(self.batches):
                _pull(batch.pulls, G, D)
                if batch.kind == "chain":  # a running sum gets its one user's gradient
                    grads = G[batch.start : batch.stop].reshape(-1, batch.columns.shape[0] - 1)
                    grads[:, :-1] = 0.0 + grads[:, -1:]
            _pull(self.leaf_pulls, G, D)
            top = float(np.abs(G[:S]).max())  # (nan: nan)
            if not top < _INF:
                return None
            if self.checked_pulls and not top * unsent * self.checked_terms < _BOUND:
                _pull(self.checked_pulls, G, D)  # an overflow is not ruled out: look
                if not np.isfinite(G[self.checked]).all():
                    return None  # eager raises there
            grads = G[: self.n_params].tolist()
            for k in negative_zero.tolist():  # −0.0 to start with: eager's skips matter here
                # (into G too: a returned parameter's gradient is read from there)
                G[k] = grads[k] = self._summed_as_eager(k, -0.0, V, G, D)
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


def stable_order(keys: Any, top: int) -> Any:
    """``np.argsort(keys, kind="stable")`` for integers in ``[0, top)``: numpy sorts 16-bit
    integers by radix, much faster than it sorts wider ones, so wider keys are sorted by their
    low 16 bits, then (stably) by their high ones.

    >>> stable_order(np.array([70000, 3, 70000, 2, 3]), 70001).tolist()
    [3, 1, 4, 0, 2]
    """
    if top <= 2**16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    if top > 2**32:
        return np.argsort(keys, kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    return order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]


def _pulls(
    targets: Any,
    first: Any,
    degree: Any,
    sender: Any,
    source: Any,
    pad: int,
    one: int,
    starts: Any,
) -> list[_Pull]:
    """Gather plans for the targets' gradients: (slots, and for their contributions — a row
    each, in the walk's order — the senders' gradients and the local derivatives; −0.0 × 1.0
    where a target has fewer), grouped by number of contributions so the padding stays small,
    and within a group by the batches that send them (so each part has one layout: a layer's
    weights, its biases, ...; ``starts``: the batches' first slots)."""
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
        senders = np.where(inside, sender[at], pad)
        sources = np.where(inside, source[at], one)
        batch = np.searchsorted(starts, senders, side="right")
        cuts = np.flatnonzero((batch[:, 1:] != batch[:, :-1]).any(axis=0)) + 1
        parts: list[tuple[int, int, Any]] = []  # (first, last, grid or None: none)
        for a, b in pairwise([0, *cuts.tolist(), hi - lo]):
            layout = grid(np.concatenate([senders[:, a:b], sources[:, a:b]]))
            if layout[0][0] > 1:
                parts.append((a, b, layout))
            elif parts and parts[-1][2] is None:  # no grid here or before: one plain pull
                parts[-1] = (parts[-1][0], b, None)
            else:
                parts.append((a, b, None))
        for a, b, layout in parts:
            layout = layout or ((1, b - a), None)
            pulls.append(_Pull(targets[lo:hi][a:b], senders[:, a:b], sources[:, a:b], layout))
        lo = hi
    return pulls


class _Pull:
    """Targets whose contributions are added together: their slots (as a grid, factor.grid),
    and for each row of contributions the senders' slots in G and the local derivatives' in D
    (factor.Rows); ``parts`` multiply them, rows that are read alike at once."""

    __slots__ = (
        "at",
        "one",
        "parts",
        "plain",
        "rows",
        "scalar",
        "senders",
        "shape",
        "sources",
        "targets",
    )

    def __init__(self, targets: Any, senders: Any, sources: Any, layout: Any) -> None:
        shape, order = layout  # factor.grid's, of the senders and sources
        if order is not None:
            targets, senders, sources = targets[order], senders[:, order], sources[:, order]
        self.targets, self.shape, self.rows = targets, shape, len(senders)
        self.at = span(targets)  # (runs of slots: slices)
        self.plain: tuple[Any, Any] | None = None
        self.one: tuple[Any, Any] | None = None  # a single contribution each: where
        self.scalar: tuple[int, int, int] | None = None  # ... to a single target
        self.parts: list[tuple[Any, int, Any, int, Any]] = []
        if shape[0] == 1:  # no grid: read as they are
            self.plain = (senders, sources)
            if len(senders) == 1:
                self.one = (span(senders[0]), span(sources[0]))
                if len(targets) == 1:
                    self.scalar = (int(targets[0]), int(senders[0, 0]), int(sources[0, 0]))
            return
        self.senders, self.sources = Rows(senders, shape), Rows(sources, shape)
        kinds: dict[tuple[int, int], list[int]] = {}
        for r, ((g, _), (k, _)) in enumerate(zip(self.senders.where, self.sources.where)):
            kinds.setdefault((g, k), []).append(r)
        self.parts = [
            (
                _span(rows),
                g,
                _span([self.senders.where[r][1] for r in rows]),
                k,
                _span([self.sources.where[r][1] for r in rows]),
            )
            for (g, k), rows in kinds.items()
        ]

    def contributions(self, G: Any, D: Any, out: Any) -> None:
        """The contributions, gradient × local derivative, into ``out`` (rows × the grid)."""
        if self.plain is not None:
            np.multiply(G[self.plain[0]], D[self.plain[1]], out=out.reshape(self.plain[0].shape))
            return
        gradients, derivatives = self.senders.read(G), self.sources.read(D)
        for rows, g, at_g, k, at_k in self.parts:
            if type(rows) is slice:
                np.multiply(gradients[g][at_g], derivatives[k][at_k], out=out[rows])
            else:
                out[rows] = gradients[g][at_g] * derivatives[k][at_k]

    def arrays(self) -> list[Any]:
        """Its index arrays (for Plan.nbytes)."""
        if self.plain is not None:
            return [self.targets, *self.plain]
        return [self.targets] + [
            a for r in (self.senders, self.sources) for a, _ in r.kinds if _held(a)
        ]


def _held(index: Any, columns: Any = None) -> bool:
    """Whether a reader's index is an array of its own (not a slice, not a view of columns)."""
    return type(index) is not slice and (columns is None or index.base is not columns)


def _span(at: list[int]) -> Any:
    return span(np.array(at, np.intp))


def _pull(pulls: list[_Pull], G: Any, D: Any) -> None:
    """Each target's gradient: its starting value, then its contributions (gradient × local
    derivative), added one after the other in the walk's order — a row at a time."""
    for pull in pulls:
        if pull.scalar is not None:  # numpy's scalars: the same arithmetic, fewer calls
            t, s, k = pull.scalar
            G[t] = G[t] + G[s] * D[k]
            continue
        targets, n, size = pull.at, pull.rows, len(pull.targets)
        if pull.one is not None:  # one contribution each
            senders, sources = pull.one
            G[targets] = G[targets] + G[senders] * D[sources]
            continue
        if n > 4 and (size < NARROW or n * size <= SMALL):  # many rows each:
            rows = np.empty((n + 1, size))  # one call, not a row a call
            rows[0] = G[targets]
            pull.contributions(G, D, rows[1:].reshape(n, *pull.shape))
            G[targets] = _sum_down(rows)
            continue
        contributions = np.empty((n, *pull.shape))
        pull.contributions(G, D, contributions)
        acc = G[targets]  # (a view, where targets is a slice: then the last line is a no-op)
        for row in contributions.reshape(n, size):
            acc += row
        G[targets] = acc


NARROW = 200  # targets, below which a pull's rows are added in one call (_sum_down) ...
SMALL = 2**16  # ... and contributions, up to which they are too (more: a row a call is quicker)


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
    if batch.kind == "copy":
        V[batch.start : batch.stop] = V[batch.copied]
    elif batch.kind == "chain":
        A = V[batch.columns].T  # a row a chain
        V[batch.start : batch.stop] = np.add.accumulate(A, axis=1)[:, 1:].ravel()
    elif batch.single is not None:  # one node: the float rule itself (a numpy call costs more)
        args = V[batch.single].tolist()
        V[batch.start] = out = batch.op.forward(*args)  # type: ignore[union-attr]
        if batch.local >= 0:
            D[batch.local : batch.local + len(args)] = batch.op.derivative(*args, out=out)  # type: ignore[union-attr]
    else:
        inputs = Inputs(batch.reader, batch.reader.read(V))  # type: ignore[arg-type]
        out = batch.forward(inputs)  # type: ignore[misc]
        V[batch.start : batch.stop].reshape(batch.shape)[...] = out
        if batch.local >= 0:
            block = D[batch.local : batch.local + batch.columns.size]
            block = block.reshape(-1, *batch.shape)  # input by input, too
            for j, local in enumerate(batch.derivative(inputs, out)):  # type: ignore[misc]
                block[j] = local


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
