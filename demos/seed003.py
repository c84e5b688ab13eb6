"""Seed 003: an MLP with any number of sigmoid layers, trained one sample at a time.

The seed's ``MLP(neurons_per_layer)`` has weights W_i (n_{i+1} × n_i) drawn as 0.1·randn, zero
biases, and a sigmoid on every layer, the last one included. For one sample it backpropagates
δ_last = (ŷ − y) ⊙ σ'(z_last), δ_i = (δ_{i+1} W_{i+1}) ⊙ σ'(z_i), with ∂/∂b_i = δ_i and
∂/∂W_i = δ_iᵀ a_{i−1}ᵀ, then steps W −= lr·dW. Those δ's are the gradient of
E = ½ Σ (ŷ − y)², while the loss it reports is L = mean((ŷ − y)²) / 2: smaller by the number
of outputs times the number of samples. The seed leaves training to the reader, so this demo
picks a task: four Gaussian clouds at (±2, ±2), one class per cloud.
"""

from __future__ import annotations

import numpy as np

import autograd
import nn
from nn import MLP, SGD, mse, reference, sse

from .common import Options, Result, Table, print_note, progress_bar

SUMMARY = "2-6-6-4 all-sigmoid MLP trained one sample at a time on four clouds"

SIZES = (2, 6, 6, 4)
CENTERS = ((2.0, 2.0), (-2.0, 2.0), (-2.0, -2.0), (2.0, -2.0))
PER_CLASS, EPOCHS, LEARNING_RATE = 25, 30, 1.0
FAST_EPOCHS = 12
DEFAULT_SEED = 0


def backprop(
    Ws: list[np.ndarray], bs: list[np.ndarray], x: np.ndarray, y: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The seed's per-sample backpropagation (:func:`nn.reference.seed003`): (dWs, dbs), the
    gradients of ½ Σ (ŷ − y)², with each db a flat vector."""
    dWs, dbs = reference.seed003(x[None, :], y[None, :], Ws, bs)  # rows, as the seed's shapes
    return dWs, [db.ravel() for db in dbs]


def seed_training(
    Ws: list[np.ndarray],
    bs: list[np.ndarray],
    X: np.ndarray,
    T: np.ndarray,
    orders: list[np.ndarray],
    lr: float,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The seed's update ``W -= lr·dW, b -= lr·db`` after each sample, in the given orders."""
    Ws, bs = [W.copy() for W in Ws], [b.copy() for b in bs]
    for order in orders:
        for i in order:
            dWs, dbs = backprop(Ws, bs, X[i], T[i])
            for k in range(len(Ws)):
                Ws[k] -= lr * dWs[k]
                bs[k] -= lr * dbs[k]
    return Ws, bs


def run(options: Options) -> Result:
    """Compare one sample's gradients with the seed's δ formulas, then train sample by sample."""
    result = Result("seed003")
    seed = options.seed_or(DEFAULT_SEED)
    epochs = options.epochs_or(EPOCHS, FAST_EPOCHS)
    X, labels = nn.datasets.gaussian_clouds(PER_CLASS, centers=CENTERS, seed=seed)
    T = np.eye(len(CENTERS))[labels]
    rng = np.random.RandomState(seed + 1)
    Ws = [0.1 * rng.randn(SIZES[i + 1], SIZES[i]) for i in range(len(SIZES) - 1)]
    bs = [np.zeros(n) for n in SIZES[1:]]
    print(
        f"Seed 003 — MLP {'-'.join(map(str, SIZES))}, sigmoid on every layer, W = 0.1·randn, "
        f"b = 0; {len(X)} points in 4 clouds at (±2, ±2), one class each"
    )
    print_note(
        result,
        "Convention trap: the seed's δ's are the gradient of E = ½ Σ (ŷ − y)² (nn.sse), not of "
        "the loss it reports, L = mean((ŷ − y)²) / 2 = nn.mse / 2, which is K·N times smaller "
        f"(K = {SIZES[-1]} outputs, N samples).",
    )
    model = MLP.from_matrices(Ws, bs, activation="sigmoid", output_activation="sigmoid")

    # 1. One sample: the engine's gradients vs the seed's δ formulas.
    x, t = X[0], T[0]
    E = sse(model(x.tolist()), t.tolist())
    E.backward()
    dWs, dbs = backprop(Ws, bs, x, t)
    table = Table("seed 003: gradients for one sample at the seeded start")
    for i, (G, g) in enumerate(zip(model.grad_matrices(), model.bias_grads()), start=1):
        table.add_worst(f"∂E/∂W{i}", G, dWs[i - 1])
        table.add_worst(f"∂E/∂b{i}", g, dbs[i - 1])
    model.zero_grad()
    L = mse(model(x.tolist()), t.tolist()) / 2  # the reported loss, for N = 1
    L.backward()
    K = SIZES[-1]
    table.add_worst(f"{K}·∂L/∂W3", K * model.grad_matrices()[-1], dWs[-1])
    print(table)
    result.tables.append(table)
    model.zero_grad()

    # 2. Train one sample at a time, in a shuffled order per epoch.
    order_rng = np.random.RandomState(seed + 2)
    orders = [order_rng.permutation(len(X)) for _ in range(epochs)]
    optimizer = SGD(model, lr=LEARNING_RATE)
    rows, targets = X.tolist(), T.tolist()
    losses, accuracies = [], []
    bar = progress_bar(epochs, "seed 003", options.progress)
    try:
        for order in orders:
            for i in order:
                error = sse(model(rows[i]), targets[i])
                optimizer.zero_grad()
                error.backward()
                optimizer.step()
            with autograd.no_grad():
                outputs = [model(r) for r in rows]
            losses.append(mse(outputs, targets).data / 2)
            accuracies.append(nn.accuracy(outputs, labels.tolist()))
            if bar is not None:
                bar.set_postfix(
                    loss=f"{losses[-1]:.4g}", acc=f"{accuracies[-1]:.0%}", refresh=False
                )
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    seed_Ws, seed_bs = seed_training(Ws, bs, X, T, orders, LEARNING_RATE)
    trained = Table(
        f"seed 003: after {epochs} epochs ({epochs * len(X)} steps), vs the seed's loop"
    )
    for i, (W, b) in enumerate(zip(model.weight_matrices(), model.bias_vectors()), start=1):
        trained.add_worst(f"W{i}", W, seed_Ws[i - 1])
        trained.add_worst(f"b{i}", b, seed_bs[i - 1])
    print(trained)
    print(
        f"  ({epochs * len(X):,} updates grow rounding differences of ~1e-17 into "
        f"{trained.max_difference:.0e}: the same trajectory)"
    )
    result.tables.append(trained)
    print(
        f"  reported loss L: {losses[0]:.4f} after epoch 1 → {losses[-1]:.4f} after epoch {epochs}; "
        f"accuracy (argmax) {accuracies[0]:.0%} → {accuracies[-1]:.0%}"
    )
    result.numbers.update(
        gradient_max_difference=table.max_difference,
        training_max_difference=trained.max_difference,
        max_difference=table.max_difference,
        losses=losses,
        accuracies=accuracies,
        final_accuracy=accuracies[-1],
        epochs=epochs,
    )
    return result
