"""Seed 001: one sample through a 3→2→1 sigmoid network without biases, and one backprop.

The seed fixes every number (input, target, weights, learning rate) and prints the hidden
activations, the output and the "change in weights" lr × ∂E/∂W for E = ½ (o − target)²:
an amount to *subtract*, not yet applied. It also prints softmax and sigmoid of [2, 4, 5].
"""

from __future__ import annotations

import numpy as np

from autograd import Value
from nn import MLP, reference, softmax, sse

from .common import Options, Result, Table, print_note

SUMMARY = "3→2→1 sigmoid net, one sample: every printed number, to 1e-12"

X = [0.5, 0.1, -0.2]
TARGET = 0.6
LEARNING_RATE = 0.5
W_IH = [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]  # inputs × hidden, as the seed writes it
W_HO = [0.1, -0.3]

# What the seed printed, digit for digit.
PRINTED = {
    "softmax": ["0.03511903", "0.25949646", "0.70538451"],
    "sigmoid": ["0.88079708", "0.98201379", "0.99330715"],
    "h": ["0.55971365", "0.38698582"],
    "o": ["0.48497343084992534"],
    "dW_ho": ["-0.00804047", "-0.00555918"],
    "dW_ih": [
        "-1.77005547e-04", "5.11178506e-04",
        "-3.54011093e-05", "1.02235701e-04",
        "7.08022187e-05", "-2.04471402e-04",
    ],
}  # fmt: skip


def seed_formulas() -> dict[str, np.ndarray]:
    """The seed's forward pass and weight changes (:func:`nn.reference.seed001`), in double
    precision."""
    x, w_ih, w_ho = np.array(X), np.array(W_IH), np.array(W_HO)
    sigmoid = reference.sigmoid
    h = sigmoid(x @ w_ih)
    o = sigmoid(h @ w_ho)
    changes = reference.seed001(x, TARGET, w_ih, w_ho, lr=LEARNING_RATE)
    three = np.array([2.0, 4.0, 5.0])
    return {
        "softmax": np.exp(three) / np.exp(three).sum(),
        "sigmoid": sigmoid(three),
        "h": h,
        "o": np.array([o]),
        "dW_ho": changes["W_ho"],
        "dW_ih": changes["W_ih"],
    }


def run(options: Options) -> Result:
    """Rebuild seed 001's network with ``nn.MLP.from_matrices`` and compare every number."""
    result = Result("seed001")
    print("Seed 001 — x = [0.5, 0.1, -0.2], target 0.6, lr 0.5, sigmoid 3→2→1, no biases")
    print_note(
        result,
        "Convention: the seed's error term is o − target, the gradient of E = ½ (o − t)² "
        "(nn.sse), and it prints lr × ∂E/∂W — the change to subtract, not yet applied.",
    )
    model = MLP.from_matrices(
        [W_IH, W_HO], activation="sigmoid", output_activation="sigmoid", layout="in_out"
    )
    hidden = model.layers[0](X)
    out = model.layers[1](hidden)
    sse(out, TARGET).backward()
    d_w_ih, d_w_ho = (LEARNING_RATE * G for G in model.grad_matrices(layout="in_out"))
    ref = seed_formulas()
    table = Table("seed 001: the engine next to the seed's printout")
    table.add_many(
        "softmax([2,4,5])", [p.data for p in softmax([2, 4, 5])], ref["softmax"], PRINTED["softmax"]
    )
    table.add_many(
        "sigmoid([2,4,5])",
        [Value(z).sigmoid().data for z in (2, 4, 5)],
        ref["sigmoid"],
        PRINTED["sigmoid"],
    )
    table.add_many("h", [v.data for v in hidden], ref["h"], PRINTED["h"])
    table.add("o", out.data, ref["o"][0], PRINTED["o"][0])
    table.add_many("lr·∂E/∂W_ho", d_w_ho.ravel(), ref["dW_ho"], PRINTED["dW_ho"])
    table.add_many("lr·∂E/∂W_ih", d_w_ih, ref["dW_ih"], PRINTED["dW_ih"])
    print(table)
    result.tables.append(table)
    result.numbers.update(
        max_difference=table.max_difference,
        rounds_to_printed=table.all_round_to_printed,
        output=out.data,
    )
    return result
