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
last-made first, each sending to its inputs in input order). Here each batch, once its nodes'
gradients are known, writes its contributions into a buffer; a node's gradient is then its
starting value plus its contributions *in the walk's order*, added one after the other
(``np.add.accumulate`` along a row): every gradient sees the additions eager makes, in eager's
order, so it is the same float.

Eager skips a node whose gradient is 0 (and an off relu passes nothing): the contributions it
does not make are ±0, and adding ±0 to a sum that started at +0.0 — an interior node's — leaves
it as it was, so here they are added. A parameter's gradient may start at −0.0, where adding
+0.0 would change its sign: such parameters are summed again, one contribution at a time, with
eager's skips.

``compile_trace(trace, wanted)`` returns the replay: ``replay(params, inputs)`` gives None where
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

__all__ = ["Plan", "compile_trace"]

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


def compile_trace(tr: Trace, wanted: Sequence[Value]) -> Callable[..., Any]:
    """The replay of ``tr`` (see the module's docstring)."""
    return Plan(tr, wanted).replay


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


# --- the plan ----------------------------------------------------------------------------------


class _Batch:
    """Nodes replayed together. ``kind``: "op" (one op, rows of inputs), "chain" (rows of
    additions, each adding to the previous one), "copy" (``Value(v)`` leaves: v's number)."""

    __slots__ = ("derivative", "forward", "inputs", "kind", "op", "place", "pulls", "start", "stop")

    def __init__(self, kind: str, op: Op | None, inputs: Any) -> None:
        self.kind, self.op, self.inputs = kind, op, inputs
        self.start = self.stop = 0  # its nodes' slots
        self.place = 0  # where its block of contributions starts
        self.forward = forward_on_rows(op) if op is not None else None
        self.derivative = derivative_on_rows(op) if op is not None else None
        self.pulls: list[tuple[Any, Any]] = []  # (gradient slots, their contributions' places)


class Plan:
    """A trace laid out for the numpy backend (see the module's docstring)."""

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
        for key in sorted(units, key=lambda k: (k[0], str(k[1]), k[2])):
            members = units[key]
            if key[1] == "chain":
                order = [node for links, _ in members for node in links]
                rows = np.array([row for _, row in members], np.intp)
                batch = _Batch("chain", None, rows)
            elif key[1] == "copy":
                order = members
                batch = _Batch("copy", None, np.array([copies[i] for i in members], np.intp))
            else:
                order = members
                op = nodes[members[0]].op
                rows = np.array([plist[slist[i] : slist[i + 1]] for i in members], np.intp)
                batch = _Batch("op", op, rows)
            batch.start, batch.stop = top, top + len(order)
            slot[order] = np.arange(top, top + len(order))
            top += len(order)
            batches.append(batch)
        for batch in batches:  # inputs by slot
            batch.inputs = slot[batch.inputs]
        self.size = top

        # Contributions: each batch's block holds, row by row, (gradient × local derivative)
        # for each input of each node; two more places hold the seed 1.0 and a −0.0 pad.
        block = np.zeros(N, np.intp)  # where a node's places start
        places = 0
        new_to_old = np.empty(self.size, np.intp)
        new_to_old[slot] = np.arange(N + len(constants))
        for batch in batches:
            old = new_to_old[batch.start : batch.stop]
            w = 0 if batch.kind == "copy" else 2 if batch.kind == "chain" else batch.inputs.shape[1]
            block[old] = places + w * np.arange(len(old))
            batch.place = places
            places += w * len(old)
        self.places = places
        self.seed, self.pad = places, places + 1

        # The edges that carry gradient: from a live node (not a copy) to a node (not a
        # constant), not into a chain's running sum; and the seed, into the loss, first.
        sender = owner
        position = np.arange(len(parent)) - starts[owner]
        keep = (parent < N) & live[sender] & is_op[sender]
        keep &= ~internal[np.minimum(parent, N - 1)] | (parent >= N)
        target = np.concatenate([parent[keep], [loss]])
        place = np.concatenate([block[sender[keep]] + position[keep], [self.seed]])
        when = np.concatenate([sender[keep], [N]])  # later nodes send first; the seed first
        pos = np.concatenate([position[keep], [0]])
        walk = np.lexsort((pos, -when, slot[target]))
        target, place, when = slot[target][walk], place[walk], when[walk]
        first = np.searchsorted(target, np.arange(self.size + 1))
        degree = np.diff(first)

        for batch in batches:
            if batch.kind == "chain":
                k = len(batch.inputs[0]) - 1
                ends = np.arange(batch.start + k - 1, batch.stop, k)
                batch.pulls = _pulls(ends, first, degree, place, self.pad)
            else:
                batch.pulls = _pulls(
                    np.arange(batch.start, batch.stop), first, degree, place, self.pad
                )
        self.leaf_pulls = _pulls(np.arange(self.leaves), first, degree, place, self.pad)
        self.batches = batches

        # A parameter whose gradient starts at −0.0 is summed again with eager's skips:
        # its contributions' senders, for that.
        self.edge_first, self.edge_place = first[: n_params + 1], place
        self.edge_sender = np.where(when < N, slot[np.minimum(when, N - 1)], -1)
        self.batch_starts = np.array([b.start for b in batches], np.intp)

        self.base = np.zeros(self.size)
        self.base[n_params + n_inputs : self.leaves] = base_values
        self.guards = _guards(tr, index, slot)
        self.wanted = slot[[index[v] for v in wanted]] if wanted else np.zeros(0, np.intp)
        self.params_slots = np.arange(n_params)

    @property
    def nbytes(self) -> int:
        """Bytes of the plan's arrays (its Python objects are a few per batch)."""
        arrays = [self.base, self.edge_place, self.edge_sender, self.edge_first, self.wanted]
        arrays += [self.batch_starts]
        for batch in self.batches:
            arrays.append(batch.inputs)
            arrays += [a for pull in batch.pulls for a in pull]
        arrays += [a for pull in self.leaf_pulls for a in pull]
        return sum(a.nbytes for a in arrays)

    # --- replaying --------------------------------------------------------------------------

    def replay(self, params: list[Value], inputs: list[float]) -> Any:
        with np.errstate(all="ignore"):
            V = self.base.copy()
            V[: self.n_params] = list(map(_data, params))
            V[self.n_params : self.n_params + self.n_inputs] = inputs
            saved = []
            for batch in self.batches:
                saved.append(_run_forward(batch, V))
            if not np.isfinite(V).all():
                return None
            if not self.guards(V):
                return False
            G = np.zeros(self.size)
            G[: self.n_params] = list(map(_grad, params))
            negative_zero = np.flatnonzero(
                np.signbit(G[: self.n_params]) & (G[: self.n_params] == 0)
            )
            C = np.empty(self.places + 2)
            C[self.seed], C[self.pad] = 1.0, -0.0
            for batch, kept in zip(reversed(self.batches), reversed(saved)):
                _pull(batch.pulls, G, C)
                _run_backward(batch, kept, V, G, C)
            _pull(self.leaf_pulls, G, C)
            if not np.isfinite(G).all():
                return None
            grads = G[: self.n_params].tolist()
            for k in negative_zero.tolist():  # −0.0 to start with: eager's skips matter here
                grads[k] = self._summed_as_eager(k, -0.0, V, G, C)
        return grads, V[self.wanted].tolist(), G[self.wanted].tolist()

    def _summed_as_eager(self, k: int, g: float, V: Any, G: Any, C: Any) -> float:
        """Parameter k's gradient, one contribution at a time, skipping what eager skips."""
        for e in range(self.edge_first[k], self.edge_first[k + 1]):
            sender = int(self.edge_sender[e])
            if sender < 0:  # the seed: this parameter is the loss
                g += 1.0
                continue
            batch = self.batches[int(np.searchsorted(self.batch_starts, sender, "right")) - 1]
            op = _ADD if batch.kind == "chain" else batch.op
            assert op is not None  # copies send nothing
            upstream, place = float(G[sender]), int(self.edge_place[e])
            if op.fast is not None and upstream == 0.0:
                continue  # eager skips a fast-path node with a zero gradient
            if op.select:  # nothing where the local derivative is 0 (an off relu)
                row = sender - batch.start
                width = batch.inputs.shape[1]
                args = V[batch.inputs[row]].tolist()
                d = op.derivative(*args, out=float(V[sender]))[place - batch.place - row * width]
                if type(d) is float and d == 0.0:
                    continue
            g += float(C[place])
        return g


def _pulls(targets: Any, first: Any, degree: Any, place: Any, pad: int) -> list[tuple[Any, Any]]:
    """Gather plans for the targets' gradients: (slots, places of their contributions — one
    row per contribution, in the walk's order, −0.0 where a target has fewer), grouped by
    number of contributions so the padding stays small."""
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
        rows = first[targets[lo:hi]][None, :] + k
        where = np.where(k < d[lo:hi][None, :], place[np.minimum(rows, len(place) - 1)], pad)
        pulls.append((targets[lo:hi], where))
        lo = hi
    return pulls


def _pull(pulls: list[tuple[Any, Any]], G: Any, C: Any) -> None:
    """Each target's gradient: its starting value, then its contributions, added one after
    the other in the walk's order (a row of contributions at a time, for all the targets)."""
    for targets, where in pulls:
        acc = G[targets]
        for row in C[where]:
            acc += row
        G[targets] = acc


def _run_forward(batch: _Batch, V: Any) -> Any:
    if batch.kind == "copy":
        V[batch.start : batch.stop] = V[batch.inputs]
        return None
    A = V[batch.inputs]
    if batch.kind == "chain":
        V[batch.start : batch.stop] = np.add.accumulate(A, axis=1)[:, 1:].ravel()
        return None
    out = batch.forward(A)  # type: ignore[misc]
    V[batch.start : batch.stop] = out
    return A


def _run_backward(batch: _Batch, A: Any, V: Any, G: Any, C: Any) -> None:
    """The batch's contributions, (its nodes' gradients × local derivatives), into its block."""
    if batch.kind == "copy":  # a leaf: its gradient stays with it
        return
    lo, hi = batch.start, batch.stop
    if batch.kind == "chain":
        grads = G[lo:hi].reshape(-1, batch.inputs.shape[1] - 1)
        grads[:, :-1] = 0.0 + grads[:, -1:]  # a running sum gets its one user's gradient
        C[batch.place : batch.place + 2 * (hi - lo)] = np.repeat(grads.ravel(), 2)
        return
    D = batch.derivative(A, V[lo:hi])  # type: ignore[misc]
    np.multiply(G[lo:hi, None], D, out=C[batch.place : batch.place + D.size].reshape(D.shape))


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
