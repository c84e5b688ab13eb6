"""Seed 004: AND with no hidden layer, XOR with one hidden layer of two, by gradient descent.

The seed's error is E = Σ ½ (y_a − y_p)² (``nn.sse``), stepped with ``w = w − lr · ∂E/∂w``;
its "first two terms" (ŷ − y) ⊙ σ'(input) are the δ's of the other seeds. Its weights start
uniform in [−1, 1) (``2 * np.random.random(shape) - 1``), so most of its printed numbers come
from a random start; three of them can be checked exactly, and are: the first forward pass,
the last XOR forward pass, and AND's second 10,000 iterations, which start from numbers it
printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Value
from nn import MLP, SGD, fit, reference, sse
from nn.datasets import logic_gate

from .common import Options, Result, Table, print_note

SUMMARY = "AND without a hidden layer, XOR with one: exact replays and training"

AND_LR, XOR_LR, ITERATIONS = 0.01, 0.1, 10_000
FAST_AND_ITERATIONS = 2_000
DEFAULT_SEED = 4  # XOR converges from this start; a 2-unit XOR net does not from every start
STALLING_SEED = 3  # ...for example from this one

# What the seed printed.
FIRST_WEIGHTS, FIRST_BIAS = [0.79824125, -0.90473035], 0.14106776
FIRST_OUTPUTS = ["0.53520857", "0.31785161", "0.71896006", "0.5086438"]
AND_AFTER_FIRST_RUN = {
    "w": [3.47053277, 3.4705037],
    "b": -5.31499689,
    "outputs": [0.00489323, 0.13652076, 0.13652418, 0.83562638],
}
AND_AFTER_SECOND_RUN = {
    "w": ["3.99344162", "3.99343814"],
    "b": ["-6.09308327"],
    "outputs": ["0.00225335", "0.10913132", "0.10913166", "0.8691878"],
}
XOR_FINAL = {
    "wh": [[5.48226039, 3.95529266], [5.47935185, 3.95444916]],  # inputs × hidden
    "bh": [-2.30300806, -6.07513727],
    "wo": [[7.49482524], [-7.98051637]],
    "bo": [-3.4465451],
    "outputs": ["0.0582077", "0.94751241", "0.94752203", "0.05547788"],
}


sigmoid = reference.sigmoid


def seed_and_loop(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, lr: float, steps: int
) -> tuple[np.ndarray, float, np.ndarray]:
    """The seed's vectorised AND loop: first_two = (ŷ − y) ⊙ σ'(Xw + b); w −= lr Xᵀ first_two
    (the changes are :func:`nn.reference.seed004`'s)."""
    w, b, Y = np.array(w, dtype=float).reshape(2, 1), float(b), y.reshape(-1, 1)
    for _ in range(steps):
        (dw,), (db,) = reference.seed004(X, Y, [w], [np.array([[b]])])
        w = w - lr * dw
        b = b - lr * float(db[0, 0])
    return w.ravel(), b, sigmoid(X @ w + b).ravel()


def random_start(seed: int, hidden: bool) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights and biases drawn as the seed draws them, from ``np.random.RandomState(seed)``."""
    rng = np.random.RandomState(seed)
    draw = lambda *shape: 2 * rng.random_sample(shape) - 1
    if not hidden:
        return [draw(2, 1)], [draw(1)]
    wh, bh, wo, bo = draw(2, 2), draw(1, 2), draw(2, 1), draw(1, 1)
    return [wh, wo], [bh, bo]


def sigmoid_net(weights: Sequence[Any], biases: Sequence[Any]) -> MLP:
    """A sigmoid MLP from the seed's inputs × outputs matrices."""
    return MLP.from_matrices(
        weights, biases, activation="sigmoid", output_activation="sigmoid", layout="in_out"
    )


def outputs_of(model: MLP, X: np.ndarray) -> list[float]:
    """The network's output for each row of X."""
    return [model(row).data for row in X.tolist()]


def run(options: Options) -> Result:
    """Replay what can be replayed exactly, then train AND and XOR from seeded random starts."""
    result = Result("seed004")
    seed = options.seed_or(DEFAULT_SEED)
    iterations = options.epochs_or(ITERATIONS, FAST_AND_ITERATIONS)
    xor_iterations = options.epochs_or(ITERATIONS, ITERATIONS)  # XOR needs them all
    X, y_and = logic_gate("and")
    _, y_xor = logic_gate("xor")
    y_and, y_xor = y_and.astype(float), y_xor.astype(float)
    print("Seed 004 — X = [[0,0],[0,1],[1,0],[1,1]]; AND: 2→1 sigmoid, XOR: 2→2→1 sigmoid")
    print_note(
        result,
        "Convention: E = Σ ½ (y − ŷ)² (nn.sse) and w ← w − lr·∂E/∂w, as in micrograd; the "
        "seed's 'first two terms' (ŷ − y) ⊙ σ'(input) are ∂E/∂(input), the δ of seeds 002–003.",
    )
    table = Table("seed 004: the engine next to the seed's printout")

    # Its derivations: σ' by hand, and d(x⁵)/dx through y = x², z = x³ (the total derivative).
    z = Value(0.7)
    z.sigmoid().backward()
    s = float(sigmoid(np.array(0.7)))
    table.add("σ'(0.7) = σ(1 − σ)", z.grad, s * (1 - s))
    x = Value(1.5)
    (x**2 * x**3).backward()
    table.add("d(x²·x³)/dx at 1.5", x.grad, 5 * 1.5**4)

    # The first forward pass, from weights it printed.
    first = sigmoid_net([np.array(FIRST_WEIGHTS)[:, None]], [[FIRST_BIAS]])
    ref = sigmoid(X @ np.array(FIRST_WEIGHTS) + FIRST_BIAS)
    table.add_many("first forward ŷ", outputs_of(first, X), ref, FIRST_OUTPUTS)

    # AND: 10,000 more iterations starting from the weights its first run printed.
    start = AND_AFTER_FIRST_RUN
    model = sigmoid_net([np.array(start["w"])[:, None]], [[start["b"]]])
    fit(
        model,
        X,
        y_and,
        loss=sse,
        optimizer=SGD(model, lr=AND_LR),
        epochs=ITERATIONS,
        desc="seed 004 AND replay",
        progress=options.progress,
    )
    w_ref, b_ref, out_ref = seed_and_loop(
        np.array(start["w"]), start["b"], X, y_and, AND_LR, ITERATIONS
    )
    printed = AND_AFTER_SECOND_RUN
    table.add_many("AND replay w", model.weight_matrices()[0].ravel(), w_ref, printed["w"])
    table.add("AND replay b", model.bias_vectors()[0][0], b_ref, printed["b"][0])
    table.add_many("AND replay ŷ", outputs_of(model, X), out_ref, printed["outputs"])

    # XOR: the forward pass through the weights it printed at the end.
    xor = sigmoid_net(
        [np.array(XOR_FINAL["wh"]), np.array(XOR_FINAL["wo"])], [XOR_FINAL["bh"], XOR_FINAL["bo"]]
    )
    hidden = sigmoid(X @ np.array(XOR_FINAL["wh"]) + XOR_FINAL["bh"])
    ref = sigmoid(hidden @ np.array(XOR_FINAL["wo"]) + XOR_FINAL["bo"]).ravel()
    table.add_many("XOR final ŷ", outputs_of(xor, X), ref, XOR_FINAL["outputs"])
    print(table)
    print(
        "  'AND replay': the seed ran its loop twice; starting from the weights the first run "
        "printed,\n  10,000 engine iterations land on the second run's printed weights."
    )
    result.tables.append(table)

    # Random starts: what the engine reaches.
    print_note(
        result,
        f"From random starts (np.random.RandomState({seed}), drawn like the seed's "
        "2·random − 1), the numbers depend on the start, so here is what the engine reaches, "
        "next to what the seed reached from its own start:",
    )
    weights, biases = random_start(seed, hidden=False)
    and_model = sigmoid_net(weights, biases)
    fit(
        and_model,
        X,
        y_and,
        loss=sse,
        optimizer=SGD(and_model, lr=AND_LR),
        epochs=iterations,
        desc="seed 004 AND",
        progress=options.progress,
    )
    and_outputs = outputs_of(and_model, X)
    print(f"  AND, {iterations:,} iterations at lr {AND_LR}:")
    first_run = AND_AFTER_FIRST_RUN
    print(
        f"    seed:   w = [{first_run['w'][0]:.3f}, {first_run['w'][1]:.3f}], "
        f"b = {first_run['b']:.3f}, ŷ = [{', '.join(f'{v:.3f}' for v in first_run['outputs'])}]"
    )
    w_and = and_model.weight_matrices()[0].ravel()
    print(
        f"    engine: w = [{w_and[0]:.3f}, {w_and[1]:.3f}], b = {and_model.bias_vectors()[0][0]:.3f}, "
        f"ŷ = [{', '.join(f'{v:.3f}' for v in and_outputs)}]"
    )
    xor_outputs, xor_loss = _train_xor(seed, X, y_xor, xor_iterations, options, "seed 004 XOR")
    converged = _converged(xor_outputs, y_xor)
    seed_xor = ", ".join(f"{float(v):.3f}" for v in XOR_FINAL["outputs"])
    print(f"  XOR, {xor_iterations:,} iterations at lr {XOR_LR}:")
    print(f"    seed:   ŷ = [{seed_xor}]")
    print(
        f"    engine: ŷ = [{', '.join(f'{v:.3f}' for v in xor_outputs)}]  (seed {seed}: "
        f"{'converged' if converged else 'did NOT converge'})"
    )
    stalled_outputs = None
    if not options.fast and seed != STALLING_SEED:
        stalled_outputs, _ = _train_xor(
            STALLING_SEED, X, y_xor, xor_iterations, options, "seed 004 XOR (stalls)"
        )
        print(
            f"    engine: ŷ = [{', '.join(f'{v:.3f}' for v in stalled_outputs)}]  (seed "
            f"{STALLING_SEED}: {'converged' if _converged(stalled_outputs, y_xor) else 'stalls'}"
            " — a 2-unit XOR net can get stuck)"
        )
    result.numbers.update(
        max_difference=table.max_difference,
        rounds_to_printed=table.all_round_to_printed,
        and_outputs=and_outputs,
        and_iterations=iterations,
        xor_seed=seed,
        xor_outputs=xor_outputs,
        xor_loss=xor_loss,
        xor_converged=converged,
        stalled_outputs=stalled_outputs,
    )
    return result


def _train_xor(
    seed: int, X: np.ndarray, y: np.ndarray, iterations: int, options: Options, desc: str
) -> tuple[list[float], float]:
    weights, biases = random_start(seed, hidden=True)
    model = sigmoid_net(weights, biases)
    history = fit(
        model,
        X,
        y,
        loss=sse,
        optimizer=SGD(model, lr=XOR_LR),
        epochs=iterations,
        desc=desc,
        progress=options.progress,
    )
    return outputs_of(model, X), history.loss[-1]


def _converged(outputs: list[float], targets: Sequence[float]) -> bool:
    """Every output within 0.2 of its 0/1 target."""
    return all(abs(o - t) < 0.2 for o, t in zip(outputs, targets))
