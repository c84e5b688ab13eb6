"""backward_steps lists backward's accumulations in backward's order; frames draw them."""

from __future__ import annotations

import json
import random
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

import autograd
from autograd import Value, backward_steps, dot, draw_dot, topological_order, write_step_frames

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")


def random_graph(rng: random.Random, n_ops: int) -> Value:
    """A random DAG over every op, with fan-out, repeated parents, dot nodes that share values
    between weights and inputs (so the visiting order changes the float sums), and relus that
    are off."""
    pool = [Value(rng.uniform(-1.5, 1.5), label=f"x{i}") for i in range(4)]
    for _ in range(n_ops):
        a, b, c = rng.choice(pool), rng.choice(pool), rng.choice(pool)
        k = rng.uniform(-2.0, 2.0)
        kind = rng.randrange(8)
        if kind == 0:
            v = a * b + k
        elif kind == 1:
            v = dot([a, b, c], [c, a, b], bias=a if rng.random() < 0.5 else None)
        elif kind == 2:
            v = autograd.sum([a, b, a, k])
        elif kind == 3:
            v = (a - b).relu() + (b - a).relu()
        elif kind == 4:
            v = a.tanh() * b.sigmoid() - c.exp() * 0.1
        elif kind == 5:
            v = a / (b * b + 1.0) + abs(c)
        elif kind == 6:
            v = (a * a + 0.5) ** b.tanh() + c**2
        else:
            v = a.softplus() + b.leaky_relu(0.1) + c.sin() * a.cos()
        pool.append(v)
    return autograd.sum(pool[-3:]) * pool[-1]


@pytest.mark.parametrize("seed", range(40))
def test_final_gradients_equal_backwards_exactly(seed):
    # If backward_steps visited nodes or parents in another order than backward, the float
    # sums would differ in the last bits for some of these graphs.
    out = random_graph(random.Random(seed), n_ops=random.Random(seed).randint(1, 30))
    steps = backward_steps(out)
    out.backward()
    final = {}
    for step in steps:
        assert step.before == final.get(step.node, 0.0)  # each step starts where the last ended
        final[step.node] = step.after
    for node in topological_order([out]):
        assert final[node] == node.grad, node


def test_dot_steps_interleave_weights_and_inputs_like_backward():
    w1, w2, x1, x2, b = (
        Value(v, label=n)
        for v, n in ((0.5, "w1"), (-1.0, "w2"), (2.0, "x1"), (3.0, "x2"), (0.1, "b"))
    )
    steps = backward_steps(dot([w1, w2], [x1, x2], bias=b))
    assert [s.node.label for s in steps[1:]] == ["w1", "x1", "w2", "x2", "b"]
    assert [s.position for s in steps[1:]] == [0, 1, 2, 3, 4]  # parents: w1, x1, w2, x2, b
    assert [s.local for s in steps[1:]] == [2.0, 0.5, 3.0, -1.0, 1.0]


def test_x_times_x_is_two_steps_for_x():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    assert [str(s) for s in backward_steps(y)] == [
        "step 0: seed y.grad = 1",
        "step 1: x.grad += 1 × 3 = 3 (0 → 3)",
        "step 2: x.grad += 1 × 3 = 3 (3 → 6)",
    ]


def test_an_off_relu_passes_nothing_even_an_infinite_gradient():
    x = Value(-2.0, label="x")
    y = x.relu() * float("inf")  # the relu's gradient is inf; inf × 0 would be nan
    steps = backward_steps(y)
    assert (steps[-1].node, steps[-1].local, steps[-1].contribution) == (x, 0.0, 0.0)
    assert steps[-1].after == steps[-1].before == 0.0
    y.backward()
    assert x.grad == 0.0  # backward skips it too


def test_backward_steps_touches_no_grad_and_starts_from_zero():
    x = Value(2.0)
    y = x * x
    y.backward()
    assert backward_steps(y)[-1].after == 4.0  # not 8: every gradient starts at 0
    assert x.grad == 4.0 and y.grad == 1.0


def test_backward_steps_rejects_non_values():
    with pytest.raises(TypeError, match="backward_steps: expected a Value, got float"):
        backward_steps(1.0)


def test_step_frame_highlights_the_current_edge_and_final_gradients():
    x = Value(3.0, label="x")
    y = x * x
    first = draw_dot(y, step=1, legend=False).source
    last = draw_dot(y, step=2, legend=False).source
    assert "step 1: x.grad += 1 × 3 = 3 (0 → 3)" in first
    edges = re.findall(r"v0 -> v1op \[(.*)\]", first)  # x * x: two edges from x
    assert edges == ['label="∂ 3" color="#fdba74" fontcolor="#c2410c" penwidth=3', 'label="∂ 3"']
    assert 'td bgcolor="#fdba74">grad 3<' in first  # x: changed by this step
    assert 'td bgcolor="#bbf7d0">grad 1<' in first  # y: final since the seed
    assert 'td bgcolor="#fdba74">grad 6<' in last and "(3 → 6)" in last


def test_step_out_of_range_and_several_roots_are_errors():
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"step=5 is out of range.*2 steps \(0 to 1\)"):
        draw_dot(x * 2.0, step=5)
    with pytest.raises(ValueError, match="single root"):
        draw_dot([x * 2.0, x + 1.0], step=0)


@needs_dot
def test_write_step_frames_writes_one_svg_per_step_and_a_stepper(tmp_path):
    x = Value(0.5, label="</script><b>x")
    y = (x * -1.2 + 0.3).tanh()
    index = write_step_frames(y, tmp_path / "frames")
    steps = backward_steps(y)
    assert index == tmp_path / "frames" / "index.html"
    svgs = sorted((tmp_path / "frames").glob("step_*.svg"))
    assert [p.name for p in svgs] == [f"step_{k:03d}.svg" for k in range(len(steps))]
    for path in svgs:
        ET.parse(path)
    page = index.read_text()
    assert "</script><b>" not in page  # the label cannot break out of the script
    frames = json.loads(re.search(r"const frames = (.*);", page).group(1))
    captions = json.loads(re.search(r"const captions = (.*);", page).group(1))
    assert frames == [p.name for p in svgs]
    assert captions == [str(s) for s in steps]
    assert "http" not in page  # no external resources
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == sorted(
        [*frames, "index.html"]
    )  # no temp files left


def test_write_step_frames_refuses_too_many_steps(tmp_path):
    x = Value(1.0)
    y = autograd.sum([x] * 50)
    with pytest.raises(ValueError, match="51 steps, more than max_frames=20"):
        write_step_frames(y, tmp_path, max_frames=20)
    assert list(tmp_path.iterdir()) == []
