"""Seed 002: one sample through a 2→2→1 sigmoid network written with column vectors.

Weights are outputs × inputs (``W @ a``, as ``torch.nn.Linear``), biases start at zero, the
cost is C = ½ Σ (y − a2)², and one update with learning rate 1 is applied to the weights only.
The seed calls its numbers dC/dW but they are −∂C/∂W: it updates with ``W += eta * grad``.
"""

from __future__ import annotations

import numpy as np

from nn import MLP, SGD, reference, sse

from .common import Options, Result, Table, print_note

SUMMARY = "2→2→1 sigmoid net, column vectors: forward, −gradient, one update"

A0 = [0.35, 0.7]
Y = 0.5
W1 = [[0.2, 0.2], [0.3, 0.3]]  # outputs × inputs
W2 = [[0.3, 0.9]]
ETA = 1.0

PRINTED = {
    "z1": ["0.21", "0.315"],
    "a1": ["0.55230791", "0.57810523"],
    "z2": ["0.68598708"],
    "a2": ["0.6650736395247564"],
    "C": ["0.013624653232974609"],
    "gW2": ["-0.02030851", "-0.02125708"],
    "gb2": ["-0.03677027"],
    "gW1": ["-0.00095466", "-0.00190931", "-0.002825", "-0.00565"],
    "gb1": ["-0.00272759", "-0.00807143"],
    "W1_new": ["0.19904534", "0.19809069", "0.297175", "0.29435"],
    "W2_new": ["0.27969149", "0.87874292"],
}


def seed_formulas() -> dict[str, np.ndarray]:
    """The seed's NeuralNet (forward_pass, calculate_cost, backpropagation, update_weights);
    its "gradients" −∂C/∂θ are :func:`nn.reference.seed002`'s."""
    a0, w1, w2 = np.array(A0)[:, None], np.array(W1), np.array(W2)
    z1 = w1 @ a0
    a1 = reference.sigmoid(z1)
    z2 = w2 @ a1
    a2 = reference.sigmoid(z2)
    g = reference.seed002(a0, Y, w1, np.zeros((len(w1), 1)), w2, np.zeros((len(w2), 1)))
    g_w1, g_w2, delta1, delta2 = g["W1"], g["W2"], g["b1"], g["b2"]
    return {
        "z1": z1.ravel(),
        "a1": a1.ravel(),
        "z2": z2.ravel(),
        "a2": a2.ravel(),
        "C": np.array([0.5 * np.sum((Y - a2) ** 2)]),
        "gW2": g_w2,
        "gb2": delta2.ravel(),
        "gW1": g_w1,
        "gb1": delta1.ravel(),
        "W1_new": w1 + ETA * g_w1,
        "W2_new": w2 + ETA * g_w2,
    }


def run(options: Options) -> Result:
    """Rebuild seed 002's network, compare its forward pass, its "gradients" and one update."""
    result = Result("seed002")
    print("Seed 002 — a0 = [0.35, 0.7], y = 0.5, W1 = [[.2,.2],[.3,.3]], W2 = [[.3,.9]], eta 1")
    print_note(
        result,
        "Convention: the seed labels −∂C/∂θ as dC/dθ (it updates with W += eta · grad), so the "
        "engine's ∂C/∂θ is negated below; the update moves the weights only, not the biases.",
    )
    model = MLP.from_matrices([W1, W2], activation="sigmoid", output_activation="sigmoid")
    a1 = model.layers[0](A0)
    a2 = model.layers[1](a1)
    cost = sse(a2, Y)  # C = ½ Σ (y − a2)²
    cost.backward()
    g_w1, g_w2 = (-G for G in model.grad_matrices())
    g_b1, g_b2 = (-g for g in model.bias_grads())
    engine = {
        "z1": [a.parents[0].data for a in a1],  # a sigmoid's input: the neuron's w·x + b node
        "a1": [a.data for a in a1],
        "z2": [a2.parents[0].data],
        "a2": [a2.data],
        "C": [cost.data],
        "gW2": g_w2,
        "gb2": g_b2,
        "gW1": g_w1,
        "gb1": g_b1,
    }
    weights = [p for layer in model.layers for n in layer.neurons for p in n.w]
    SGD(weights, lr=ETA).step()  # p ← p − eta · ∂C/∂p, i.e. the seed's W += eta · (−∂C/∂W)
    engine["W1_new"], engine["W2_new"] = model.weight_matrices()

    ref = seed_formulas()
    labels = {"gW2": "−∂C/∂W2", "gb2": "−∂C/∂b2", "gW1": "−∂C/∂W1", "gb1": "−∂C/∂b1"}
    table = Table("seed 002: the engine next to the seed's printout")
    for key, printed in PRINTED.items():
        eng = np.asarray(engine[key], dtype=float).reshape(ref[key].shape)
        name = labels.get(key, key)
        if eng.size == 1:
            table.add(name, eng.ravel()[0], ref[key].ravel()[0], printed[0])
        else:
            table.add_many(name, eng, ref[key], printed)
    print(table)
    result.tables.append(table)
    result.numbers.update(
        max_difference=table.max_difference,
        rounds_to_printed=table.all_round_to_printed,
        cost=cost.data,
        biases_after_update=[b.tolist() for b in model.bias_vectors()],
    )
    return result
