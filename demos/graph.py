"""Graphs: a neuron, an expression with its local derivatives, a tiny MLP, and backward stepped.

Every drawing comes from :func:`autograd.draw_dot`: boxes are Values (data and grad), circles
are ops, and each edge into an op carries the local derivative ∂out/∂in, so each gradient can
be checked by hand: grad(in) = Σ grad(out) × ∂.
"""

from __future__ import annotations

import shutil

from autograd import Value, render, write_step_frames
from nn import MLP

from .common import Image, Options, Result, Skipped

SUMMARY = "a neuron, an expression, a tiny MLP as SVG; backward step by step (HTML)"


def neuron() -> Value:
    """micrograd's neuron, written out: o = tanh(x1·w1 + x2·w2 + b), backpropagated."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")  # makes n = 0.8814, so o = tanh(n) = 0.7071
    x1w1 = x1 * w1
    x1w1.label = "x1·w1"
    x2w2 = x2 * w2
    x2w2.label = "x2·w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def expression() -> Value:
    """L = (a·b + c) · f, the first example of micrograd's lecture, backpropagated."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    loss = d * f
    loss.label = "L"
    loss.backward()
    return loss


def tiny_mlp(seed: int) -> Value:
    """The squared error of an MLP 2-2-1 (tanh) on one sample; nn parameters form clusters."""
    model = MLP(2, [2, 1], activation="tanh", seed=seed)
    x = [Value(1.0, label="x1"), Value(-0.5, label="x2")]
    prediction = model(x)
    prediction.label = "ŷ"
    error = (prediction - 1.0) ** 2  # written out: two small op nodes after the network
    error.label = "E"
    error.backward()
    return error


def run(options: Options) -> Result:
    """Render the three graphs to SVG and write the backward step-through page."""
    if shutil.which("dot") is None:
        raise Skipped(
            "Graphviz's dot program is not installed. Debian/Ubuntu: sudo apt-get install "
            "graphviz; macOS: brew install graphviz; Fedora: sudo dnf install graphviz; "
            "Windows: winget install graphviz; conda: conda install -c conda-forge graphviz"
        )
    result = Result("graph")
    out = options.out
    seed = options.seed_or(1)
    drawings = [
        ("graph_neuron.svg", neuron(), "A neuron, o = tanh(x1·w1 + x2·w2 + b), after backward."),
        (
            "graph_expression.svg",
            expression(),
            "L = (a·b + c)·f: each edge carries its local derivative ∂out/∂in.",
        ),
        (
            "graph_mlp.svg",
            tiny_mlp(seed),
            "An MLP 2-2-1 on one sample: nn's layers and neurons drawn as clusters.",
        ),
    ]
    for name, root, caption in drawings:
        path = render(root, out / name)
        result.images.append(Image(path, caption))
    steps_root = neuron()
    page = write_step_frames(steps_root, out / "steps")
    frames = len(list((out / "steps").glob("step_*.svg")))
    result.pages.append(
        Image(page, f"backward of the neuron, one accumulation per frame ({frames} frames)")
    )
    print(f"  wrote {page}  (backward of the neuron, {frames} frames: use ← → to step)")
    result.numbers.update(
        neuron_output=steps_root.data,
        frames=frames,
        files=[image.path for image in result.images] + [page],
    )
    return result
