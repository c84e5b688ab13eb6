"""Seed 000: three Gaussian clouds, a sigmoid hidden layer and a softmax output.

The seed *maximises* the log-likelihood J = Σ T ⊙ log Y by gradient ascent, so its
"derivatives" are +∂J/∂θ = −∂(cross-entropy)/∂θ. The engine minimises −J (``nn.cross_entropy``
times N) with plain SGD, which is the same step. The seed printed no numbers here (its start
is random), so the tables compare the engine with the seed's formulas at our seeded start.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
import nn
from nn import MLP, SGD, cross_entropy, fit, reference

from .common import Image, Options, Result, Table, print_note, pyplot, save_figure

SUMMARY = "Gaussian clouds, sigmoid + softmax: gradients vs the seed, training, plots"

HIDDEN, CLASSES = 3, 3
PER_CLASS, EPOCHS = 500, 3000  # the seed's 1,500 points; it runs 100,000 epochs at lr 1e-6
FAST_PER_CLASS, FAST_EPOCHS = 30, 40
MAX_LR = 1e-3
DEFAULT_SEED = 0


Array = np.ndarray


def forward(X: Array, W1: Array, b1: Array, W2: Array, b2: Array) -> tuple[Array, Array]:
    """The seed's ``forward``: hidden Z = σ(X W1 + b1), output Y = softmax(Z W2 + b2)."""
    Z = reference.sigmoid(X @ W1 + b1)
    expA = np.exp(Z @ W2 + b2)
    return expA / expA.sum(axis=1, keepdims=True), Z


def derivatives(X: Array, T: Array, W1: Array, b1: Array, W2: Array, b2: Array) -> dict[str, Array]:
    """The seed's hand-derived +∂J/∂θ (:func:`nn.reference.seed000`), and J itself."""
    Y, _ = forward(X, W1, b1, W2, b2)
    return {"J": np.array(np.sum(T * np.log(Y))), **reference.seed000(X, T, W1, b1, W2, b2)}


def seed_training(
    X: Array, T: Array, params: Sequence[Array], lr: float, epochs: int, *, seed_order: bool
) -> dict[str, Any]:
    """The seed's training loop in numpy. ``seed_order=True`` is the seed exactly: W2 and b2 are
    updated *before* the W1 derivative is computed (with the new W2); False computes every
    derivative first, which is exact gradient ascent."""
    W1, b1, W2, b2 = (p.copy() for p in params)
    costs = []
    for _ in range(epochs):
        Y, Z = forward(X, W1, b1, W2, b2)
        costs.append(float(np.sum(T * np.log(Y))))
        dW2, db2 = Z.T @ (T - Y), (T - Y).sum(axis=0)
        if seed_order:
            W2 += lr * dW2
            b2 += lr * db2
        dZ = (T - Y) @ W2.T * Z * (1 - Z)
        if not seed_order:
            W2 += lr * dW2
            b2 += lr * db2
        W1 += lr * X.T @ dZ
        b1 += lr * dZ.sum(axis=0)
    Y, _ = forward(X, W1, b1, W2, b2)
    return {"params": (W1, b1, W2, b2), "costs": costs, "J": float(np.sum(T * np.log(Y)))}


def run(options: Options) -> Result:
    """Check the engine's gradients against the seed's formulas, train, and plot."""
    result = Result("seed000")
    seed = options.seed_or(DEFAULT_SEED)
    per_class = FAST_PER_CLASS if options.fast else PER_CLASS
    epochs = options.epochs_or(EPOCHS, FAST_EPOCHS)
    X, labels = nn.datasets.gaussian_clouds(per_class, seed=seed)
    T = np.eye(CLASSES)[labels]
    rng = np.random.RandomState(seed + 1)
    params = (
        rng.randn(2, HIDDEN),
        rng.randn(HIDDEN),
        rng.randn(HIDDEN, CLASSES),
        rng.randn(CLASSES),
    )
    n = len(X)
    print(
        f"Seed 000 — {n} points in 3 clouds (seed {seed}), 2→{HIDDEN} sigmoid→{CLASSES} softmax, "
        "weights randn like the seed's"
    )
    print_note(
        result,
        "Convention: the seed maximises J = Σ T log Y, so its derivatives are +∂J/∂θ "
        "= −∂(cross-entropy)/∂θ; the engine minimises −J = N · nn.cross_entropy, and the "
        "table shows −(engine's gradient).",
    )

    # 1. Gradients at the start, engine vs the seed's hand-derived formulas.
    model = MLP.from_matrices(
        [params[0], params[2]], [params[1], params[3]], activation="sigmoid", layout="in_out"
    )
    logits = [model(x) for x in X.tolist()]
    minus_j = cross_entropy(logits, labels.tolist()) * n
    minus_j.backward()
    gW1, gW2 = (-G for G in model.grad_matrices(layout="in_out"))
    gb1, gb2 = (-g for g in model.bias_grads())
    ref = derivatives(X, T, *params)
    table = Table("seed 000: gradients at the seeded start (the seed printed none)")
    table.add("J", -minus_j.data, ref["J"])
    table.add_many("∂J/∂W2", gW2, ref["W2"])
    table.add_many("∂J/∂b2", gb2, ref["b2"])
    table.add_many("∂J/∂W1", gW1, ref["W1"])
    table.add_many("∂J/∂b1", gb1, ref["b1"])
    print(table)
    result.tables.append(table)

    # 2. Training: the seed's 100,000 epochs at lr 1e-6 take minutes even in numpy; this runs
    # fewer, longer steps that go as far in total (lr × N × epochs = 150), compiled; short
    # runs (--fast, --epochs) take steps of at most MAX_LR.
    lr = min(MAX_LR, 150.0 / (n * epochs))
    model.zero_grad()
    start = time.perf_counter()
    history = fit(
        model,
        X,
        labels,
        loss=lambda outputs, targets: cross_entropy(outputs, targets) * len(outputs),
        optimizer=SGD(model, lr=lr),
        epochs=epochs,
        desc="seed 000",
        progress=options.progress,
        accuracy=None,
        compile=True,
    )
    seconds = time.perf_counter() - start
    print_note(
        result,
        f"Training: the seed runs 100,000 epochs of gradient ascent at lr 1e-6 on its 1,500 "
        f"points; this runs {epochs:,} epochs at lr {lr:.3g} on {n:,} points — the same kind "
        f"of step, about as far in total (lr × N × epochs = {lr * n * epochs:.3g}, 150 in the "
        f"seed) — through autograd.compile: the "
        f"first epoch traced, the others replayed, bit for bit as eager, in {seconds:.1f} s "
        f"({seconds / epochs * 1e3:.2f} ms an epoch).",
    )
    costs = [-loss for loss in history.loss]  # J per epoch, before that epoch's step
    exact = seed_training(X, T, params, lr, epochs, seed_order=False)
    quirk = seed_training(X, T, params, lr, epochs, seed_order=True)
    W1, W2 = model.weight_matrices(layout="in_out")
    b1, b2 = model.bias_vectors()
    with autograd.no_grad():
        final_logits = [[v.data for v in model(x)] for x in X.tolist()]
    final_j = -cross_entropy(final_logits, labels.tolist()).data * n
    rate = float(np.mean(np.argmax(final_logits, axis=1) == labels))
    trained = Table(f"seed 000: after {epochs} epochs, engine vs the seed's loop in numpy")
    trained.add("J at epoch 0", costs[0], exact["costs"][0])
    trained.add(f"J at epoch {epochs // 2}", costs[epochs // 2], exact["costs"][epochs // 2])
    trained.add(f"J after {epochs} epochs", final_j, exact["J"])
    for name, mine, theirs in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2), exact["params"]):
        trained.add_worst(f"trained {name}", mine, theirs)
    print(trained)
    result.tables.append(trained)
    drift = float(np.abs(quirk["params"][0] - exact["params"][0]).max())
    print(f"  classification rate after training: {rate:.1%}")
    print_note(
        result,
        f"The seed's update-order quirk: it updates W2 before computing the W1 derivative, "
        f"which then uses the new W2 — so its steps are not exact gradient ascent. Run its way "
        f"for the same {epochs} epochs it ends at J = {quirk['J']:.6f} instead of "
        f"{exact['J']:.6f}, with W1 off by up to {drift:.1e}. The engine computes every "
        "gradient first.",
    )

    result.images += _plots(options, X, labels, model, costs, quirk["costs"], rate)
    result.numbers.update(
        gradient_max_difference=table.max_difference,
        training_max_difference=trained.max_difference,
        max_difference=table.max_difference,
        final_cost=final_j,
        classification_rate=rate,
        quirk_cost=quirk["J"],
        quirk_w1_drift=drift,
        epochs=epochs,
        points=n,
        training_seconds=seconds,
    )
    return result


def _plots(
    options: Options,
    X: Array,
    labels: Array,
    model: MLP,
    costs: list[float],
    quirk_costs: list[float],
    rate: float,
) -> list[Image]:
    from matplotlib.colors import ListedColormap

    plt = pyplot()
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c"]
    fig, ax = plt.subplots(figsize=(4.6, 4.4))
    pad, n = 1.0, 40 if options.fast else 100
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, n)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, n)
    gx, gy = np.meshgrid(xs, ys)
    with autograd.no_grad():
        regions = np.array(
            [np.argmax([v.data for v in model([a, b])]) for a, b in zip(gx.ravel(), gy.ravel())]
        ).reshape(gx.shape)
    ax.contourf(
        gx, gy, regions, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(colors), alpha=0.13
    )
    for k, color in enumerate(colors):
        pick = labels == k
        ax.scatter(
            X[pick, 0],
            X[pick, 1],
            color=color,
            s=14,
            alpha=0.7,
            edgecolors="none",
            label=f"class {k}",
        )
    ax.set_title(f"Seed 000: the clouds, shaded by the trained\nnetwork's class ({rate:.0%} right)")
    ax.set_aspect("equal")
    ax.grid(False)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9, markerscale=1.5)
    clouds = save_figure(fig, options.out / "seed000_clouds.png")

    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(5.6, 4.6), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]}
    )
    top.plot(costs, color="#1f77b4")
    top.set_ylabel("J = Σ T log Y\n(higher is better)")
    top.set_title("Seed 000: log-likelihood J while training (engine)")
    gap = np.array(quirk_costs) - np.array(costs)
    bottom.plot(gap, color="#d62728")
    bottom.axhline(0.0, color="#9ca3af", linewidth=0.8)
    bottom.set_ylabel("ΔJ")
    bottom.set_xlabel("epoch")
    bottom.set_title("ΔJ = J with the seed's update order − J with exact gradients", fontsize=9)
    fig.tight_layout()
    cost = save_figure(fig, options.out / "seed000_cost.png")
    return [
        Image(
            clouds,
            "Seed 000's three Gaussian clouds, shaded by the engine-trained network's class.",
        ),
        Image(
            cost, "Seed 000's cost J per epoch, and how far the seed's update order drifts from it."
        ),
    ]
