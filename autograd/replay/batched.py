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
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np

from ..ops import OPS, Op, each
from ..value import Value
from .factor import Inputs, Rows, grid_and_alike, span
from .levels import depths
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
_parents, _op = attrgetter("parents"), attrgetter("op")
_NEGATIVE_ZERO = np.array(-0.0).view(np.int64).item()  # −0.0's bits
_INF = float("inf")
_BOUND = 2.0**1023  # a bound below it (on a sum of finite terms) rules out an overflow
SMALL_INDEX = 2**31  # a plan's indices below it: its edge arrays are of 4-byte integers


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
        ops = list(map(_op, nodes))
        made_by_op = np.fromiter(map(id, ops), np.int64, N)
        code = np.unique(made_by_op, return_inverse=True)[1]  # each node's op, numbered
        is_op = made_by_op != id(None)
        for leaf in tr.aliases:  # Value(v): a leaf fed v's number
            is_op[index[leaf]] = False

        # Every input of every node as an index (constants: after the nodes). What is made
        # edge by edge is made of 4-byte integers where they do (as good as always): half the
        # memory to fill and to read, the most of a big plan's making.
        counts = np.fromiter(map(len, map(_parents, nodes)), np.intp, N)
        flat = list(chain.from_iterable(map(_parents, nodes)))
        ix = np.int32 if 2 * (len(flat) + N) + 64 < SMALL_INDEX else np.intp  # (see above)
        parent = np.fromiter(map(index.get, flat, repeat(-1)), ix, len(flat))
        constant_at = np.flatnonzero(parent < 0)
        constants = [float(flat[k]) for k in constant_at]
        parent[constant_at] = N + np.arange(len(constant_at))
        starts = np.concatenate([[0], np.cumsum(counts)])
        owner = np.repeat(np.arange(N, dtype=ix), counts)
        copies = {index[leaf]: index[src] for leaf, src in tr.aliases.items()}

        # The walk reaches the loss and what it depends on: no other node sends a gradient.
        loss = index[tr.loss]
        live = np.zeros(N, bool)
        live[[index[n] for n in tr.reached]] = True

        # Chains of additions: an add used once, by an add, is that add's running sum.
        edges_to = np.bincount(parent, minlength=N + len(constants))[:N]
        user = np.full(N + len(constants), -1, ix)
        user[parent] = owner  # (the one user of a node used once)
        user = user[:N]
        is_add = made_by_op == id(_ADD)
        internal = is_add & (edges_to == 1) & (user >= 0)
        internal[np.flatnonzero(internal)] &= is_add[user[internal]]
        internal[loss] = False
        previous: dict[int, int] = {}  # chain node -> the running sum it adds to
        for j in np.flatnonzero(internal).tolist():
            if int(user[j]) in previous:  # (a + b) + (c + d): one chain goes on, not two
                internal[j] = False
            else:
                previous[int(user[j])] = j

        # Each chain's links, from the first, and the terms it adds: the first link's inputs,
        # then each later link's other input.
        chains: dict[int, tuple[list[int], list[int]]] = {}  # last link -> (links, terms)
        if previous:
            later = np.array(list(previous), np.intp)
            sums = np.array(list(previous.values()), np.intp)
            a, b = parent[starts[later]], parent[starts[later] + 1]
            term = dict(zip(later.tolist(), np.where(a == sums, b, a).tolist()))
            internal_list = internal.tolist()
            for last in sorted(previous):
                if internal_list[last]:
                    continue
                links = [last]
                while links[-1] in previous:
                    links.append(previous[links[-1]])
                links.reverse()
                row = parent[starts[links[0]] : starts[links[0] + 1]].tolist()
                chains[last] = (links, row + [term[n] for n in links[1:]])
        ordinary = is_op & ~internal
        ordinary[list(chains)] = False

        # Depths (levels.py), and the nodes in units: one depth, one op, one number of inputs.
        depth = depths(parent, starts, ordinary, chains, copies, N + len(constants))
        units = _units(depth, ordinary, code, counts, ops, chains, copies)
        is_op_list = is_op.tolist()

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
        made_by: list[Any] = []  # each batch's nodes, in slot order
        alikes: list[Any] = []  # each batch's rows found alike (factor.grid_and_alike)
        for key in sorted(units, key=lambda k: (k[0], str(k[1]), k[2])):
            members, alike = units[key], None
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
                shape, regrid, alike = grid_and_alike(rows.T)  # weights by neuron, inputs
                if regrid is not None:  # by point, ...
                    members, rows = members[regrid], rows[regrid]
                order = members
                batch = _Batch("op", nodes[members[0]].op, rows, shape)
            batch.start, batch.stop = top, top + len(order)
            slot[order] = np.arange(top, top + len(order))
            made_by.append(np.array(order, np.intp))
            alikes.append(alike)  # (the reader's rows: a slot stands for a node, one for one)
            top += len(order)
            batches.append(batch)
        for batch, alike in zip(batches, alikes):  # inputs by slot
            batch.columns = np.ascontiguousarray(slot[batch.columns])
            if batch.kind == "op":
                batch.reader = Rows(batch.columns, batch.shape, alike)
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
            (starts[senders] - np.cumsum(np.concatenate([[0], counts[senders][:-1]]))).astype(ix),
            counts[senders],
        )
        edge += np.arange(len(edge), dtype=ix)  # the edges, last sender first
        into = parent[edge]
        closed = np.concatenate([internal, np.ones(len(constants), bool)])  # (constants too)
        keep = ~closed[into]
        self.edges = 1 + int(keep.sum())  # gradients carried, the seed's and the unread
        # leaves' too (below): the backward's work

        # Leaves whose gradient nobody reads (inputs, copies, constants the step made) get
        # none; eager's rules would raise where their local derivative is not finite (sqrt's
        # at 0), so those numbers are checked at each replay instead: their edges apart.
        unread = np.concatenate([~is_op, np.zeros(len(constants), bool)])
        unread[[index[p] for p in params]] = False
        unread[[index[v] for v in wanted]] = False
        apart = keep & unread[into]
        keep &= ~apart
        slot_ix = slot.astype(ix)
        unread_edge, unread_target = edge[apart], slot_ix[into[apart]]
        by_target = stable_order(unread_target, S)
        unread_edge, unread_target = unread_edge[by_target], unread_target[by_target]

        edge, into = _kept(-1, edge, keep), _kept(loss, into, keep)  # (−1: the seed, first,
        target = slot_ix[into]  # into the loss)
        edge = edge[stable_order(target, S)]  # by target, in the walk's order
        degree = np.bincount(target, minlength=S)
        first = np.concatenate([[0], np.cumsum(degree)]).astype(ix)  # each target's first edge

        # Each edge's two factors: the sender's gradient and the local derivative — where the
        # local derivative is found, laid out as the parents are (node by node, input by
        # input), filled a batch at a time, then read in the order of the edges.
        found = np.full(len(parent) + 1, local + one, ix)  # (the seed's: 1.0 × 1.0)
        for batch, members in zip(batches, made_by):
            if batch.kind != "op":  # chains pass their gradient (× 1.0); copies send none
                continue
            arity, n = batch.columns.shape
            at = starts[members][None, :] + np.arange(arity)[:, None]  # input j of node k
            if batch.sources is None:  # the rule's numbers, computed per batch
                found[at] = batch.local + np.arange(arity * n).reshape(arity, n)
                continue
            for j, (kind, w) in enumerate(batch.sources):  # an input's slot, the node's own,
                # or a constant's
                if kind == "input":
                    found[at[j]] = batch.columns[w]
                elif kind == "out":
                    found[at[j]] = np.arange(batch.start, batch.stop)
                else:
                    found[at[j]] = local + unit(w)
        self.units = np.array([float.fromhex(h) for h in units_of])
        self.local_size = local

        def factors(edges: Any) -> tuple[Any, Any, Any]:
            """The edges' senders (as nodes, and their slots in G) and their local derivatives'
            slots in D (edge −1: the seed, G's 1.0 × D's 1.0)."""
            # (owner is empty where no node has an input: a leaf loss, the seed the only edge)
            node = owner[np.maximum(edges, 0)] if owner.size else np.zeros_like(edges)
            sender = slot_ix[node]
            sender[edges < 0] = self.seed
            return node, sender, found[edges]

        _, unread_sender, unread_source = factors(unread_edge)
        self.unsent = _distinct(unread_source).astype(np.intp)
        # Eager does compute the copies' and constants' gradients (not the inputs': eager's
        # are floats), and raises where one overflows: their contributions are kept apart, to
        # be summed where a bound cannot rule that out (replay).
        checked = unread_target >= n_params + n_inputs  # (the inputs' slots come before)
        checked_edges = tuple(a[checked] for a in (unread_target, unread_sender, unread_source))
        sender_node, sender, source = factors(edge)

        self.batch_starts = np.array([b.start for b in batches], np.intp)
        batch_of = np.searchsorted(self.batch_starts, np.arange(S + 2), side="right").astype(ix)

        def pulls(targets: Any) -> list[_Pull]:
            pad, one_ = self.pad, local + one
            return _pulls(targets, first, degree, sender, source, pad, one_, batch_of)

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
            batch_of,
        )
        self.batches = batches

        # A parameter whose gradient starts at −0.0 is summed again with eager's skips.
        self.edge_first = first[: n_params + 1]
        own = slice(0, first[n_params])
        self.edge_sender, self.edge_source = sender[own], source[own]
        self.edge_position = edge[own] - starts[sender_node[own]]  # (the seed's: unused)

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


def _units(
    depth: Any,
    ordinary: Any,
    code: Any,
    counts: Any,
    ops: list[Any],
    chains: dict[int, tuple[list[int], list[int]]],
    copies: dict[int, int],
) -> dict[tuple[Any, ...], Any]:
    """The nodes that run together: (depth, op's name, inputs, id(op)) -> the ordinary nodes
    (``code``: a number for each node's op), (depth, "chain", links) -> the chains' (links,
    terms), (depth, "copy", 0) -> the copies; each unit's nodes in creation order, the units
    in the order of their first nodes."""
    ids = np.flatnonzero(ordinary)
    key = (depth[ids] * (int(code.max(initial=0)) + 1) + code[ids]) * (
        int(counts.max(initial=0)) + 1
    ) + counts[ids]
    by_key = np.argsort(key, kind="stable")  # (stable: each unit in creation order)
    found: list[tuple[int, tuple[Any, ...], Any]] = []
    for group in np.split(ids[by_key], np.flatnonzero(np.diff(key[by_key])) + 1):
        if len(group):
            first, op = int(group[0]), ops[group[0]]
            part = (int(depth[first]), op.name, int(counts[first]), id(op))
            found.append((first, part, group))
    more: dict[tuple[Any, ...], list[Any]] = {}
    for i in sorted([*chains, *copies]):
        if i in chains:
            part = (int(depth[i]), "chain", len(chains[i][0]))
            more.setdefault(part, [i, []])[1].append(chains[i])
        else:
            more.setdefault((int(depth[i]), "copy", 0), [i, []])[1].append(i)
    found += [(i, part, members) for part, (i, members) in more.items()]
    return {part: members for _, part, members in sorted(found, key=itemgetter(0))}


def _distinct(x: Any) -> Any:
    """``np.unique(x)`` for integers, by sorting (numpy 2's unique hashes them, here several
    times slower on a plan's tens of thousands of distinct slots).

    >>> _distinct(np.array([5, 3, 5, 1])).tolist()
    [1, 3, 5]
    """
    x = np.sort(x)
    return x[np.concatenate([[True], x[1:] != x[:-1]])] if len(x) else x


def _kept(head: int, values: Any, keep: Any) -> Any:
    """``head``, then the values ``keep`` marks: ``np.concatenate([[head], values[keep]])``
    without the copy in between (an edge array is tens of megabytes)."""
    out = np.empty(int(keep.sum()) + 1, values.dtype)
    out[0] = head
    np.compress(keep, values, out=out[1:])
    return out


def stable_order(keys: Any, top: int) -> Any:
    """``np.argsort(keys, kind="stable")`` for integers in ``[0, top)``: numpy sorts 16-bit
    integers by radix, much faster than it sorts wider ones. The keys below 2¹⁶ (in a plan,
    most edges go into a leaf or an early batch) are sorted so, on their own; the others by
    their low 16 bits, then (stably) by their high ones; and the first go before the second.

    >>> stable_order(np.array([70000, 3, 70000, 2, 3]), 70001).tolist()
    [3, 1, 4, 0, 2]
    """
    if top <= 2**16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    if top > 2**32:
        return np.argsort(keys, kind="stable")
    wide = keys >= 2**16
    if not wide.any():
        return np.argsort(keys.astype(np.uint16), kind="stable")
    narrow = np.flatnonzero(~wide)
    narrow = narrow[np.argsort(keys[narrow].astype(np.uint16), kind="stable")]
    wide = np.flatnonzero(wide)
    high = keys[wide]
    order = np.argsort(high.astype(np.uint16), kind="stable")  # (the low 16 bits: a cast to
    # uint16 wraps around)
    order = order[np.argsort((high >> 16).astype(np.uint16)[order], kind="stable")]
    return np.concatenate([narrow, wide[order]])


def _pulls(
    targets: Any,
    first: Any,
    degree: Any,
    sender: Any,
    source: Any,
    pad: int,
    one: int,
    batch_of: Any,
) -> list[_Pull]:
    """Gather plans for the targets' gradients: (slots, and for their contributions — a row
    each, in the walk's order — the senders' gradients and the local derivatives; −0.0 × 1.0
    where a target has fewer), grouped by number of contributions so the padding stays small,
    and within a group by the batches that send them (so each part has one layout: a layer's
    weights, its biases, ...; ``batch_of``: the batch of each slot of G)."""
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
        k = np.arange(int(d[hi - 1]), dtype=first.dtype)[:, None]
        if d[lo] == d[hi - 1]:  # as many contributions each: no padding
            at = first[targets[lo:hi]][None, :] + k
            senders, sources = sender[at], source[at]
        else:
            at = np.minimum(first[targets[lo:hi]][None, :] + k, len(sender) - 1)
            inside = k < d[lo:hi][None, :]
            senders = np.where(inside, sender[at], pad)
            sources = np.where(inside, source[at], one)
        batch = batch_of[senders]
        cuts = np.flatnonzero((batch[:, 1:] != batch[:, :-1]).any(axis=0)) + 1
        parts: list[tuple[int, int, Any]] = []  # (first, last, grid or None: none)
        for a, b in pairwise([0, *cuts.tolist(), hi - lo]):
            layout = grid_and_alike(np.concatenate([senders[:, a:b], sources[:, a:b]]))
            if layout[0][0] > 1:
                parts.append((a, b, layout))
            elif parts and parts[-1][2] is None:  # no grid here or before: one plain pull
                parts[-1] = (parts[-1][0], b, None)
            else:
                parts.append((a, b, None))
        for a, b, layout in parts:
            layout = layout or ((1, b - a), None, None)
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
        shape, order = layout[:2]  # factor.grid's, of the senders and sources stacked
        alike = layout[2] if len(layout) > 2 else None  # (factor.grid_and_alike's)
        if order is not None:
            targets, senders, sources = targets[order], senders[:, order], sources[:, order]
        self.targets, self.shape, self.rows = targets, shape, len(senders)
        self.at = span(targets)  # (runs of slots: slices)
        self.plain: tuple[Any, Any] | None = None
        self.one: tuple[Any, Any] | None = None  # a single contribution each: where
        self.scalar: tuple[int, int, int] | None = None  # ... to a single target
        self.parts: list[tuple[Any, int, Any, int, Any]] = []
        if shape[0] == 1:  # no grid: read as they are (numpy's own index type: its quickest)
            self.plain = (senders.astype(np.intp), sources.astype(np.intp))
            senders, sources = self.plain
            if len(senders) == 1:
                self.one = (span(senders[0]), span(sources[0]))
                if len(targets) == 1:
                    self.scalar = (int(targets[0]), int(senders[0, 0]), int(sources[0, 0]))
            return
        k = len(senders)
        self.senders = Rows(senders, shape, alike and (alike[0][:k], alike[1][:k]))
        self.sources = Rows(sources, shape, alike and (alike[0][k:], alike[1][k:]))
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
