"""draw_dot and render: what the SVG says, and that it stays readable, safe and deterministic."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

import autograd
import nn
from autograd import Value, draw_dot, render

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is missing")
SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parent.parent


def svg_texts(graph: graphviz.Digraph) -> list[str]:
    """Every piece of text in the rendered SVG, parsed as XML."""
    tree = ET.fromstring(graph.pipe(format="svg"))
    return [(t.text or "").strip() for t in tree.iter(f"{SVG}text")]


def neuron_example() -> tuple[Value, ...]:
    x, w, b = Value(0.5, label="x"), Value(-1.2, label="w"), Value(0.3, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    y.backward()
    return x, w, b, y


def mlp_loss(samples: int = 1, sizes: tuple[int, ...] = (4, 1)) -> Value:
    model = nn.MLP(2, list(sizes), activation="tanh", seed=1)
    loss = Value(0.0)
    for i in range(samples):
        loss = loss + (model([0.5, -1.0 + i]) - 1.0) ** 2
    loss.backward()
    return loss


def cluster_block(source: str, name: str) -> str:
    """The text of ``subgraph "cluster_<name>" { ... }`` in a DOT source."""
    match = re.search(rf'subgraph "?cluster_{re.escape(name)}"? {{', source)
    assert match, f"no cluster {name}"
    start = match.start()
    depth = 0
    for i in range(start, len(source)):
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        if depth == 0 and source[i] == "}":
            return source[start : i + 1]
    raise AssertionError("unbalanced braces")


@needs_dot
def test_svg_shows_labels_data_grads_ops_and_local_derivatives():
    *_, y = neuron_example()
    texts = svg_texts(draw_dot(y))
    for expected in (
        "x",
        "w",
        "b",
        "y",
        "data 0.5",
        "data -1.2",
        "grad -1.098",
        "grad 0.9151",
        "tanh",
        "*",
        "+",
        "∂ -1.2",
        "∂ 0.5",
        "∂ 1",
        "∂ 0.9151",
    ):
        assert expected in texts, expected
    assert "grad 0.4576" in texts  # dy/dw = x (1 - y²), as in the README


def test_edge_derivatives_satisfy_the_chain_rule_by_eye():
    # grad(in) = Σ grad(out) × ∂ over the edges leaving "in": check it from the labels alone.
    x = Value(3.0, label="x")
    y = x * x + x
    y.backward()
    source = draw_dot(y, digits=12).source
    derivatives = [float(d) for d in re.findall(r'v0 -> v\d+op \[label="∂ ([-\d.e+]+)"', source)]
    assert sorted(derivatives) == [1.0, 3.0, 3.0]  # x*x sends x twice, + once
    assert x.grad == pytest.approx(1.0 * sum(derivatives[:2]) + derivatives[2])


def test_derivative_labels_can_be_hidden():
    *_, y = neuron_example()
    source = draw_dot(y, derivatives=False, legend=False).source
    assert "∂" not in source


def test_constants_are_drawn_without_a_derivative():
    x = Value(2.0, label="x")
    source = draw_dot(x**3, legend=False).source
    assert re.search(r"v1opc1 \[label=<3>", source)
    assert re.search(r"v1opc1 -> v1op \[style=dashed\]", source)


def test_roles_have_colours_and_nan_is_red():
    loss = mlp_loss()
    source = draw_dot(loss).source
    line_of = {m.group(1): m.group(0) for m in re.finditer(r"^.*<b>([\w.]+)</b>.*$", source, re.M)}
    assert "#fef3c7" in line_of["L1.N3.w2"]  # parameter
    bad = Value(float("nan"), label="bad") * 2.0
    nan_source = draw_dot(bad).source
    assert nan_source.count('bgcolor="#fee2e2"') >= 2  # the nan leaf and the result
    assert 'bgcolor="#dcfce7"' in draw_dot(Value(1.0) * 2.0).source  # the output


def test_several_roots_are_all_outputs():
    x = Value(1.0, label="x")
    a, b = x * 2.0, x + 1.0
    source = draw_dot([a, b, a]).source  # duplicates ignored
    assert source.count('bgcolor="#dcfce7"') == 2 + 1  # two outputs + the legend's key
    assert source.count("[label=<<table") == 3


def test_nn_parameters_and_neurons_are_clustered():
    source = draw_dot(mlp_loss()).source
    layer, neuron = cluster_block(source, "L1"), cluster_block(source, "L1.N3")
    assert neuron in layer  # nested: L1 ⊃ L1.N3
    assert "L1.N3.w1" in neuron and "L1.N3.b" in neuron and "L1.N2.w1" not in neuron
    assert "w·x+b" in neuron and "tanh" in neuron  # the neuron's own op nodes
    assert "loss" not in layer


def test_clusters_from_hand_labelled_values():
    w, b = Value(0.5, label="L1.N3.w1"), Value(0.1, label="L1.N3.b")
    x = Value(2.0, label="x")
    out = (w * x + b).relu()
    block = cluster_block(draw_dot(out).source, "L1.N3")
    assert "L1.N3.w1" in block and "L1.N3.b" in block
    assert ">x<" not in block  # the input stays outside


def test_large_graph_collapses_clusters_into_boxes():
    loss = mlp_loss(samples=3, sizes=(16, 16, 1))  # ~1,000 values
    source = draw_dot(loss).source
    assert "box_L1.N3" in source and "L1.N3.w1" not in source
    assert source.count("[label=<<table") <= 300
    assert "3 parameters" in source and "concentrate=true" in source


def test_collapse_false_refuses_a_large_graph_and_names_the_options():
    loss = mlp_loss(samples=3, sizes=(16, 16, 1))
    with pytest.raises(ValueError, match=r"max_nodes=300.*collapse=False.*max_nodes=\d+"):
        draw_dot(loss, collapse=False)


def test_a_huge_graph_is_refused_not_drawn():  # never a 60,000-node SVG
    x = Value(0.5)
    y = x
    for _ in range(60_000):
        y = y * 1.0
    with pytest.raises(ValueError, match=r"60001 values.*no clusters.*max_nodes=60001"):
        draw_dot(y)


def test_collapse_true_without_clusters_draws_everything():
    x = Value(1.0, label="x")
    assert draw_dot(x * 2.0, collapse=True).source.count("[label=<<table") == 2


def test_step_frames_refuse_collapsing():  # a step frame must show every node
    with pytest.raises(ValueError, match="step= draws every node"):
        draw_dot(mlp_loss(), step=0, collapse=True)
    with pytest.raises(ValueError, match=r"step= draws every node.*max_nodes=10"):
        draw_dot(mlp_loss(), step=0, max_nodes=10)


def test_collapse_true_collapses_even_a_small_graph():
    source = draw_dot(mlp_loss(), collapse=True).source
    assert "box_L1.N1" in source and "L1.N1.w1" not in source


def test_deep_chain_is_walked_without_recursion():
    x = Value(0.1)
    y = x
    for _ in range(3000):
        y = y + 1.0
    assert draw_dot(y, max_nodes=5000).source.count("[label=<<table") == 3001


def test_same_graph_gives_the_same_source():
    assert draw_dot(neuron_example()[-1]).source == draw_dot(neuron_example()[-1]).source


@needs_dot
def test_same_graph_gives_the_same_svg_in_another_process():
    code = (
        "import nn, sys; from autograd import Value, draw_dot\n"
        "m = nn.MLP(2, [3, 1], seed=0); loss = (m([0.5, -1.0]) - 1.0) ** 2; loss.backward()\n"
        "sys.stdout.buffer.write(draw_dot(loss).pipe(format='svg'))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


@needs_dot
def test_special_characters_in_labels_are_escaped():
    nasty = 'a{b}|<c>"d&e\\l\x01'
    x = Value(1.0, label=nasty)
    graph = draw_dot(x * 2.0)
    assert "<c>" not in graph.source
    texts = svg_texts(graph)  # parses as XML
    assert 'a{b}|<c>"d&e\\l\\x01' in texts


def test_bad_arguments_are_clear_errors():
    x = Value(1.0)
    with pytest.raises(TypeError, match="draw_dot: expected a Value"):
        draw_dot(3.0)
    with pytest.raises(TypeError, match="draw_dot: expected Values, got str"):
        draw_dot([x, "y"])
    with pytest.raises(ValueError, match="no Value to draw"):
        draw_dot([])
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(x, rankdir="up")
    with pytest.raises(ValueError, match="max_nodes must be at least 1"):
        draw_dot(x, max_nodes=0)
    with pytest.raises(TypeError, match="collapse must be None, True or False"):
        draw_dot(x, collapse="yes")
    with pytest.raises(TypeError, match="anomaly must be an AnomalyError, got Value"):
        draw_dot(x, anomaly=x)


@needs_dot
def test_render_writes_atomically_by_suffix(tmp_path):
    *_, y = neuron_example()
    svg = render(y, tmp_path / "y.svg")
    png = render(y, tmp_path / "y.png", legend=False)
    gv = render(y, tmp_path / "y.gv")
    assert svg == tmp_path / "y.svg"
    ET.parse(svg)
    assert png.read_bytes().startswith(b"\x89PNG")
    assert gv.read_text().startswith("digraph")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["y.gv", "y.png", "y.svg"]  # no temp
    (tmp_path / "plain").write_bytes(b"")
    assert svg.stat().st_mode & 0o777 == (tmp_path / "plain").stat().st_mode & 0o777


def test_missing_dot_still_gives_source_and_a_clear_render_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on PATH
    *_, y = neuron_example()
    graph = draw_dot(y)
    assert isinstance(graph, graphviz.Digraph) and "tanh" in graph.source
    assert hasattr(graph, "_repr_mimebundle_")  # Jupyter displays it inline
    with pytest.raises(RuntimeError, match=r"apt-get install graphviz.*brew install graphviz"):
        render(y, tmp_path / "y.svg")
    assert list(tmp_path.iterdir()) == []


def test_import_autograd_does_not_import_graphviz():
    code = "import sys, autograd; print('graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_dot_without_bias_is_not_drawn_as_w_dot_x_plus_b():
    # nn.sse is 0.5 · dot(d, d): no bias, so its op node must not claim a "+b".
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert "label=<w·x>" in draw_dot(autograd.dot([a], [b])).source
    assert "label=<w·x+b>" in draw_dot(autograd.dot([a], [b], bias=Value(0.5))).source
