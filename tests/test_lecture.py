"""micrograd's lecture ("Neural Networks: Zero to Hero", lecture 1) with this library imported:
each step of it as a test, with the lecture's numbers."""

from __future__ import annotations

import math
import random
import shutil
from pathlib import Path

import pytest

import autograd
import nn
from autograd import Value, backward_steps, draw_dot, grad

ROOT = Path(__file__).resolve().parent.parent


def lecture_neuron():
    """o = tanh(x1·w1 + x2·w2 + b), the lecture's neuron, node by node."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    return (x1, x2, w1, w2), [o, n, x1w1x2w2, x2w2, x1w1]


def assert_lecture_numbers(x1, x2, w1, w2, o):
    assert o.data == pytest.approx(0.7071, abs=1e-4)
    assert x1.grad == pytest.approx(-1.5, abs=1e-12) and w1.grad == pytest.approx(1.0, abs=1e-12)
    assert x2.grad == pytest.approx(0.5, abs=1e-12) and w2.grad == 0.0


def test_backward_by_hand_node_by_node_gives_the_lectures_numbers():
    (x1, x2, w1, w2), nodes = lecture_neuron()
    nodes[0].grad = 1.0  # o.grad = 1.0; o._backward(); n._backward(); ...
    for node in nodes:
        node._backward()
    assert_lecture_numbers(x1, x2, w1, w2, nodes[0])


def test_backward_over_the_learners_own_topological_order():
    (x1, x2, w1, w2), nodes = lecture_neuron()
    o = nodes[0]
    topo, visited = [], set()

    def build(v):  # the lecture's recursive topological sort, written by the learner
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(o)
    o.grad = 1.0
    for node in reversed(topo):
        node._backward()
    assert_lecture_numbers(x1, x2, w1, w2, o)


def test_backward_in_one_call_gives_the_same():
    (x1, x2, w1, w2), nodes = lecture_neuron()
    nodes[0].backward()
    assert_lecture_numbers(x1, x2, w1, w2, nodes[0])


def test_a_nodes_backward_touches_only_its_parents_and_accumulates():
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    e = a * b
    d = e + c
    d.grad = 1.0
    d._backward()
    assert (e.grad, c.grad, a.grad, b.grad) == (1.0, 1.0, 0.0, 0.0)  # its step only
    d._backward()
    assert (e.grad, c.grad) == (2.0, 2.0)  # called twice, it adds twice
    e._backward()
    assert (a.grad, b.grad) == (-6.0, 4.0)
    leaf = Value(1.0)
    leaf._backward()  # a leaf has no inputs: nothing happens
    assert leaf.grad == 0.0


def test_engine_nodes_store_no_closure():
    x = Value(3.0)
    y = x * x
    assert y.op is autograd.OPS["mul"] and not hasattr(y, "__dict__")
    assert y._backward is not y._backward  # made when asked, never stored


def test_micrograds_constructor_and_this_librarys_short_form():
    a = Value(2.0, label="a")
    assert (a.label, a._prev, a._op) == ("a", set(), "")
    assert Value(2.0, "a").label == "a"  # this library's Value(x, "label") keeps working
    b = Value(-3.0)
    for children in ((a, b), [a, b], {b, a}):
        c = Value(a.data * b.data, children, "*", label="c")
        assert c.parents == (a, b) and c._prev == {a, b} and c._op == "*" and c.label == "c"
    d = Value(data=1.0, _children=(a,), _op="f", label="d")
    assert d._prev == {a} and d._op == "f"
    with pytest.raises(TypeError, match="label twice"):
        Value(1.0, "a", label="b")
    with pytest.raises(TypeError, match="_children must be Values"):
        Value(1.0, (1.0,), "+")


def test_op_names_are_micrograds():
    x = Value(3.0)
    assert [v._op for v in (x + 1, x * 2, x**2, x**-1, x**0.5, x.relu(), x.tanh(), x.exp())] == [
        "+",
        "*",
        "**2",
        "**-1",
        "**0.5",
        "ReLU",
        "tanh",
        "exp",
    ]
    assert isinstance((x * x)._prev, set)


# --- ops written micrograd's way ---------------------------------------------------------------


def my_tanh(self):  # the lecture's formula: not math.tanh
    t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def my_exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


@pytest.mark.parametrize("x0", [-2.0, -0.3, 0.0, 0.7, 1.9])
def test_custom_tanh_and_exp_agree_with_the_built_in_ones(x0):
    for mine, built_in in ((my_tanh, Value.tanh), (my_exp, Value.exp)):
        x, x_ = Value(x0), Value(x0)
        y, y_ = mine(x), built_in(x_)
        (y * 3.0).backward()
        (y_ * 3.0).backward()
        assert y.data == pytest.approx(y_.data, rel=1e-12, abs=1e-15)
        assert x.grad == pytest.approx(x_.grad, rel=1e-12, abs=1e-15)


def test_custom_and_built_in_nodes_mix_in_one_graph():
    x, w = Value(0.4, label="x"), Value(-1.3, label="w")
    y = my_exp(my_tanh(x * w) + w) * x.sigmoid()
    y.backward()
    got = (x.grad, w.grad)
    x_, w_ = Value(0.4), Value(-1.3)
    ((x_ * w_).tanh() + w_).exp().__mul__(x_.sigmoid()).backward()
    assert got == pytest.approx((x_.grad, w_.grad), rel=1e-12)
    # grad() walks stand-ins: the same numbers, every .grad left as it was
    before = {v: v.grad for v in autograd.topological_order([y])}
    assert [g.data for g in grad(y, [x, w])] == pytest.approx(list(got), rel=1e-15)
    assert {v: v.grad for v in autograd.topological_order([y])} == before
    # backward_steps and draw_dot show the learner's nodes with the closure's derivatives
    steps = backward_steps(y)
    final = {s.node: s.after for s in steps}  # each node's gradient after its last step
    assert (final[x], final[w]) == pytest.approx(got, rel=1e-15)
    assert any(s.source is not None and s.source._op == "tanh" for s in steps)
    assert "tanh" in draw_dot(y).source


def test_create_graph_through_a_closure_says_why_and_points_to_the_table():
    x = Value(0.5)
    with pytest.raises(TypeError, match=r"micrograd-style node 'tanh'.*autograd.OPS"):
        grad(my_tanh(x), [x], create_graph=True)


def test_a_closure_cannot_replace_an_engine_nodes_rule():
    y = Value(1.0) * 2.0
    with pytest.raises(TypeError, match="made by the engine's 'mul'"):
        y._backward = lambda: None


# --- the lecture's network -----------------------------------------------------------------------


class LectureNeuron:
    """The lecture's neuron as the lecture builds it: weights then bias from U(-1, 1), tanh of
    a left-to-right sum started at the bias."""

    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

    def parameters(self):
        return [*self.w, self.b]


class LectureMLP:
    def __init__(self, nin, nouts):
        sizes = [nin, *nouts]
        self.layers = [
            [LectureNeuron(sizes[i]) for _ in range(sizes[i + 1])] for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]


XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def train(model, steps=20):
    losses = []
    for _ in range(steps):
        ypred = [model(x) for x in XS]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred))
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data += -0.1 * p.grad
        losses.append(loss.data)
    return losses


@pytest.mark.parametrize("seed", [0, 1337, 2024])
def test_lecture_network_draws_the_lectures_parameters_and_trains_alike(seed):
    random.seed(seed)
    theirs = LectureMLP(3, [4, 4, 1])
    random.seed(seed)
    ours = nn.MLP(3, [4, 4, 1], lecture=True)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    # the lecture sums left to right, this library exactly: equal to 1e-12
    assert train(ours) == pytest.approx(train(theirs), rel=1e-12)


def test_lecture_network_converges_on_the_lectures_four_samples():
    converged = 0
    for seed in range(20):
        random.seed(seed)
        converged += train(nn.MLP(3, [4, 4, 1], lecture=True), steps=100)[-1] < 0.05
    assert converged >= 18  # the default MLP (ReLU, linear output, zero bias) mostly does not


def test_tutorial_notebook_runs_top_to_bottom():
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": ROOT / "docs"}},
    ).execute()  # raises on the first cell that fails
    shown = [o for c in notebook.cells for o in c.get("outputs", []) if "data" in o]
    if shutil.which("dot"):
        assert any("image/svg+xml" in o["data"] for o in shown)  # draw_dot shows inline
