"""micrograd's demo, step for step: two moons, an MLP 2-16-16-1, SVM loss, 100 steps of SGD.

Same data (``make_moons(100, noise=0.1)`` after seeding 1337), same initial weights (the
``random`` module seeded with 1337, drawn in micrograd's order), same loss (mean hinge
max(0, 1 − y·score) plus 1e-4 · Σ p²), same learning-rate decay 1.0 − 0.9·k/100: so the
engine prints the loss micrograd's notebook printed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
import nn
from nn import MLP, SGD, fit, hinge, l2

from .common import Image, Options, Result, pyplot, save_figure

SUMMARY = "micrograd's demo: MLP 2-16-16-1, SVM loss, 100 steps, decision boundary"

STEPS, DEFAULT_SEED, ALPHA = 100, 1337, 1e-4
# micrograd's demo.ipynb printed these (seed 1337, 100 steps).
MICROGRAD_PRINTED = {
    0: ("0.8958441028683222", 0.50),
    99: ("0.010978370135492717", 1.00),
}


def run(options: Options) -> Result:
    """Train micrograd's moons classifier and draw its decision boundary and loss curve."""
    result = Result("moons")
    seed = options.seed_or(DEFAULT_SEED)
    steps = options.epochs_or(STEPS, STEPS)  # 100 % needs the full 100 steps
    X, y = nn.datasets.make_moons(100, noise=0.1, seed=seed)
    y = 2 * y - 1  # labels −1 / +1 for the hinge loss
    model = MLP(2, [16, 16, 1], seed=seed)
    print(
        f"moons — 100 points (noise 0.1, seed {seed}), MLP 2-16-16-1 (ReLU, linear output), "
        f"{len(model.parameters())} parameters, 100 steps of SGD"
    )

    def loss(scores: list[Any], targets: list[Any]) -> autograd.Value:
        return hinge(scores, targets) + l2(model, alpha=ALPHA)

    optimizer = SGD(model, lr=lambda k: 1.0 - 0.9 * k / steps)
    history = fit(
        model,
        X,
        y,
        loss=loss,
        optimizer=optimizer,
        epochs=steps,
        desc="moons",
        progress=options.progress,
    )
    with autograd.no_grad():
        scores = [model(row).data for row in X.tolist()]
    accuracy = float(np.mean((np.array(scores) > 0) == (y > 0)))
    for k in (0, steps - 1):
        print(
            f"  step {k:>2}: engine     loss {history.loss[k]!r}, accuracy {history.accuracy[k]:.0%}"
        )
        if seed == DEFAULT_SEED and steps == STEPS and k in MICROGRAD_PRINTED:
            text, acc = MICROGRAD_PRINTED[k]
            diff = abs(history.loss[k] - float(text))
            print(f"           micrograd  loss {text}, accuracy {acc:.0%}   (Δ loss {diff:.1g})")
    print(f"  after training: accuracy {accuracy:.0%} on the 100 points")
    eager_ms, compiled_ms, same = _timed_steps(X, y, seed, steps, options.fast)
    print(
        f"  the same training step compiled (autograd.compile; nn.fit(compile=True)): "
        f"{compiled_ms:.1f} ms a step against {eager_ms:.1f} ms eager "
        f"({eager_ms / compiled_ms:.1f}× faster), losses and weights equal bit for bit: {same}"
    )
    torch_accuracy = _in_pytorch(model, X, y, accuracy)
    matches = None
    if seed == DEFAULT_SEED and steps == STEPS:
        matches = max(
            abs(history.loss[k] - float(MICROGRAD_PRINTED[k][0])) for k in MICROGRAD_PRINTED
        )
    result.images += _plots(options, model, X, y, history, accuracy)
    result.numbers.update(
        accuracy=accuracy,
        losses=history.loss,
        accuracies=history.accuracy,
        steps=steps,
        micrograd_max_difference=matches,
        eager_ms_per_step=eager_ms,
        compiled_ms_per_step=compiled_ms,
        compiled_equals_eager=same,
        torch_accuracy=torch_accuracy,
    )
    return result


def _in_pytorch(model: MLP, X: np.ndarray, y: np.ndarray, accuracy: float) -> float | None:
    """The trained model exported with ``to_torch()``: its accuracy there (None without torch)."""
    try:
        import torch
    except ImportError:
        print("  (install PyTorch to see the trained model exported with model.to_torch())")
        return None
    module = model.to_torch()
    with torch.no_grad():
        scores = module(torch.tensor(X, dtype=torch.float64))[:, 0].numpy()
    torch_accuracy = float(np.mean((scores > 0) == (y > 0)))
    print(
        f"  exported with model.to_torch(): {module[0]} ... {len(module)} modules; accuracy "
        f"in PyTorch {torch_accuracy:.0%}, in the engine {accuracy:.0%}"
    )
    return torch_accuracy


def _timed_steps(
    X: np.ndarray, y: np.ndarray, seed: int, steps: int, fast: bool
) -> tuple[float, float, bool]:
    """ms per training step, eager and compiled (its first call, the trace, not counted), and
    whether their losses and weights stay equal bit for bit."""
    import time

    rows, targets = X.tolist(), y.tolist()
    count = 10 if fast else steps
    runs = []
    for compiled in (False, True):
        model = MLP(2, [16, 16, 1], seed=seed)
        optimizer = SGD(model, lr=lambda k: 1.0 - 0.9 * k / steps)

        def forward(rows: list[Any], targets: list[Any], model: MLP = model) -> autograd.Value:
            return hinge([model(r) for r in rows], targets) + l2(model, alpha=ALPHA)

        def eager(rows: list[Any], targets: list[Any], forward: Any = forward) -> Any:
            loss = forward(rows, targets)
            loss.backward()
            return loss

        step = autograd.compile(forward) if compiled else eager
        losses = []
        for k in range(count):
            if k == 1:
                start = time.perf_counter()  # after the first step (the trace)
            optimizer.zero_grad()
            losses.append(step(rows, targets).data)
            optimizer.step()
        runs.append(((time.perf_counter() - start) * 1e3 / (count - 1), losses, model))
    (eager_ms, l1, m1), (compiled_ms, l2_, m2) = runs
    same = l1 == l2_ and [p.data for p in m1.parameters()] == [p.data for p in m2.parameters()]
    return eager_ms, compiled_ms, same


def _plots(
    options: Options, model: MLP, X: np.ndarray, y: np.ndarray, history: nn.History, accuracy: float
) -> list[Image]:
    plt = pyplot()
    n = 40 if options.fast else 90
    xs = np.linspace(X[:, 0].min() - 0.6, X[:, 0].max() + 0.6, n)
    ys = np.linspace(X[:, 1].min() - 0.6, X[:, 1].max() + 0.6, n)
    gx, gy = np.meshgrid(xs, ys)
    with autograd.no_grad():
        grid = np.array([model([a, b]).data for a, b in zip(gx.ravel(), gy.ravel())])
    scores = grid.reshape(gx.shape)
    fig, ax = plt.subplots(figsize=(5.2, 4.0))
    ax.contourf(gx, gy, scores > 0, levels=[-0.5, 0.5, 1.5], colors=["#fbd3c9", "#cfe3f3"])
    ax.contour(gx, gy, scores, levels=[0.0], colors="#444444", linewidths=1.0)
    for label, color, marker in ((-1, "#d94f2b", "o"), (1, "#2b6fa8", "s")):
        pick = y == label
        ax.scatter(
            X[pick, 0],
            X[pick, 1],
            c=color,
            marker=marker,
            s=22,
            edgecolors="white",
            linewidths=0.5,
            label=f"y = {label:+d}",
        )
    ax.set_title(f"moons: decision boundary after {len(history.loss)} steps ({accuracy:.0%} right)")
    ax.set_aspect("equal")
    ax.grid(False)
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    boundary = save_figure(fig, options.out / "moons_boundary.png")

    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    steps = np.arange(len(history.loss))
    ax.plot(steps, history.loss, color="#2b6fa8")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (hinge + L2), log scale", color="#2b6fa8")
    twin = ax.twinx()
    twin.plot(steps, [100 * a for a in history.accuracy], color="#d94f2b", linewidth=1.0)
    twin.set_ylabel("accuracy (%)", color="#d94f2b")
    twin.set_ylim(45, 102)
    twin.spines["top"].set_visible(False)
    twin.grid(False)
    ax.set_title("moons: training loss and accuracy")
    fig.tight_layout()
    loss = save_figure(fig, options.out / "moons_loss.png")
    return [
        Image(boundary, "micrograd's moons: the trained MLP's decision boundary and the data."),
        Image(
            loss, "moons: loss (log scale) and accuracy per step, as micrograd's demo prints them."
        ),
    ]
