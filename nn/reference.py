"""The seed documents' hand-derived backprop, as numpy formulas — one function per seed.

Each function computes what its seed computes, in that seed's own convention (layout, sign,
scale, loss); the docstring says how to convert the engine's gradient into it. They are the
hand-derived matrix formulas the engine is tested against (tests/test_seed_formulas.py), and
a reading aid: the chain rule written out layer by layer. σ is the logistic sigmoid and
σ'(z) = σ(z)(1 − σ(z)); ⊙ is the elementwise product.

=====  ===================================  ==========================================
seed   returns                              engine equivalent
=====  ===================================  ==========================================
000    +∂J/∂θ, J = Σ T ⊙ log Y (ascent)      −N · ∂ cross_entropy(logits, labels) / ∂θ
001    lr · ∂E/∂W, E = ½ (o − t)²            lr · ∂ sse(o, t) / ∂W
002    −∂C/∂θ, C = ½ Σ (y − a₂)²             −∂ sse(a₂, y) / ∂θ
003    ∂/∂θ of ½ Σ (ŷ − y)², one sample      ∂ sse / ∂θ  (= K · ∂(mse / 2) / ∂θ for K outputs)
004    ∂E/∂θ, E = Σ ½ (y − ŷ)² (descent)     ∂ sse(ŷ, y) / ∂θ over all samples
=====  ===================================  ==========================================

>>> d = seed001(np.array([0.5, 0.1, -0.2]), 0.6,
...             np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]), np.array([0.1, -0.3]), lr=0.5)
>>> np.round(d["W_ho"], 8)
array([-0.00804047, -0.00555918])
"""

from __future__ import annotations

import numpy as np

__all__ = ["seed000", "seed001", "seed002", "seed003", "seed003_loss", "seed004", "sigmoid"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^−z), written as e^−log(1 + e^−z) so no exp overflows."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def _dsigmoid_from_output(s: np.ndarray) -> np.ndarray:
    """σ'(z) in terms of s = σ(z)."""
    return s * (1.0 - s)


def seed000(
    X: np.ndarray, T: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> dict[str, np.ndarray]:
    """Seed 000: sigmoid hidden layer, softmax output; the derivatives of the log-likelihood.

    Rows are samples: X (N×D), one-hot targets T (N×K); W1 (D×M), b1 (M), W2 (M×K), b2 (K).
    Z = σ(X W1 + b1), Y = softmax(Z W2 + b2), J = Σ T ⊙ log Y — maximised, so these are
    ascent directions, +∂J/∂θ (= −N × the gradient of the mean cross-entropy). Writing
    A = Z W2 + b2, ∂J/∂A = T − Y (softmax and log cancel), and then back through the layers.

    >>> X, T = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    >>> d = seed000(X, T, np.zeros((2, 2)), np.zeros(2), np.zeros((2, 2)), np.zeros(2))
    >>> d["b2"]                                  # Y = (½, ½), so T − Y = (−½, ½)
    array([-0.5,  0.5])
    """
    Z = sigmoid(X @ W1 + b1)
    A = Z @ W2 + b2
    E = np.exp(A - A.max(axis=1, keepdims=True))
    Y = E / E.sum(axis=1, keepdims=True)
    dA = T - Y  # ∂J/∂A
    dZ = (dA @ W2.T) * _dsigmoid_from_output(Z)  # ∂J/∂(X W1 + b1)
    return {"W1": X.T @ dZ, "b1": dZ.sum(axis=0), "W2": Z.T @ dA, "b2": dA.sum(axis=0)}


def seed001(
    x: np.ndarray, target: float, W_ih: np.ndarray, W_ho: np.ndarray, *, lr: float = 0.5
) -> dict[str, np.ndarray]:
    """Seed 001: one sample, D → H → 1 sigmoid network without biases; the weight changes.

    x (D), W_ih (D×H: inputs × hidden), W_ho (H); h = σ(x W_ih), o = σ(h · W_ho),
    E = ½ (o − target)². Returns the seed's "change in weights", lr · ∂E/∂W (to be
    subtracted): δ_o = (o − t) σ'(o) at the output, δ_h = δ_o W_ho ⊙ σ'(h) at the hidden layer.
    """
    h = sigmoid(x @ W_ih)
    o = sigmoid(h @ W_ho)
    delta_o = (o - target) * _dsigmoid_from_output(o)
    delta_h = delta_o * W_ho * _dsigmoid_from_output(h)
    return {"W_ih": lr * np.outer(x, delta_h), "W_ho": lr * delta_o * h}


def seed002(
    a0: np.ndarray,
    y: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
) -> dict[str, np.ndarray]:
    """Seed 002: one sample as a column vector, two sigmoid layers; the *negative* gradient.

    a0 (D×1), y (K×1); W1 (H×D: outputs × inputs, as torch.nn.Linear), b1 (H×1), W2 (K×H),
    b2 (K×1). a1 = σ(W1 a0 + b1), a2 = σ(W2 a1 + b2), C = ½ Σ (y − a2)². The seed labels
    −∂C/∂θ as its gradients (it updates with θ += η·grad), so that is what this returns:
    δ2 = (y − a2) ⊙ σ'(a2), δ1 = (W2ᵀ δ2) ⊙ σ'(a1), and each layer's −∂C/∂W = δ aᵀ.

    >>> g = seed002(np.array([[0.35], [0.7]]), np.array([[0.5]]),
    ...             np.array([[0.2, 0.2], [0.3, 0.3]]), np.zeros((2, 1)),
    ...             np.array([[0.3, 0.9]]), np.zeros((1, 1)))
    >>> np.round(g["W2"], 8)
    array([[-0.02030851, -0.02125708]])
    """
    a1 = sigmoid(W1 @ a0 + b1)
    a2 = sigmoid(W2 @ a1 + b2)
    delta2 = (y - a2) * _dsigmoid_from_output(a2)
    delta1 = (W2.T @ delta2) * _dsigmoid_from_output(a1)
    return {"W1": delta1 @ a0.T, "b1": delta1, "W2": delta2 @ a1.T, "b2": delta2}


def seed003(
    x: np.ndarray, y: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Seed 003: any number of sigmoid layers, backprop for one sample; (dW list, db list).

    x (1×n₀) and y (1×n_L) are rows; layer i has W_i (n_{i+1}×n_i) and b_i (1×n_{i+1}):
    a_{i+1} = σ(a_i W_iᵀ + b_i). The deltas δ_L = (ŷ − y) ⊙ σ'(ŷ), δ_i = (δ_{i+1} W_{i+1}) ⊙ σ'(a_i)
    give ∂/∂b_i = δ_i and ∂/∂W_i = δ_iᵀ a_i — the gradient of ½ Σ (ŷ − y)², which is NOT the
    loss the seed reports (:func:`seed003_loss`, smaller by the factor n_L · N).
    """
    activations = [np.asarray(x, dtype=float)]
    for W, b in zip(weights, biases):
        activations.append(sigmoid(activations[-1] @ W.T + b))
    delta = (activations[-1] - y) * _dsigmoid_from_output(activations[-1])
    dWs: list[np.ndarray] = []
    dbs: list[np.ndarray] = []
    for i in range(len(weights) - 1, -1, -1):
        dWs.insert(0, delta.T @ activations[i])
        dbs.insert(0, delta)
        if i:
            delta = (delta @ weights[i]) * _dsigmoid_from_output(activations[i])
    return dWs, dbs


def seed003_loss(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """The loss seed 003 reports: mean((ŷ − y)²) / 2 over samples *and* outputs."""
    return float(np.mean((Y_hat - Y) ** 2) / 2)


def seed004(
    X: np.ndarray,
    y: np.ndarray,
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    *,
    form: str = "vectorised",
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Seed 004: no hidden layer (AND) or one (XOR), all samples at once; (ΔW list, Δb list).

    X (N×D), y (N×K); weights are inputs × outputs (w: D×K, or W_h: D×H then W_o: H×K), biases
    rows (1×K, or 1×H then 1×K); every unit is sigmoid. E = Σ ½ (y − ŷ)² and these are ∂E/∂θ
    (the seed descends: θ −= lr·Δ). The seed's "first two terms" ft = ∂E/∂O ⊙ ∂O/∂input are
    (ŷ − y) ⊙ σ'(ŷ) at the output and (ft_out W_oᵀ) ⊙ σ'(H) at the hidden layer; then
    ΔW = (layer input)ᵀ ft and Δb = Σ_rows ft.

    ``form="loops"`` sums sample by sample and weight by weight, as the seed first derives it;
    ``form="vectorised"`` uses the matrix products it arrives at. They must agree.
    """
    if form not in ("vectorised", "loops"):
        raise ValueError(f"seed004: form must be 'vectorised' or 'loops', got {form!r}")
    if len(weights) not in (1, 2) or len(biases) != len(weights):
        raise ValueError("seed004: one layer (AND) or two (XOR), each with weights and biases")
    outputs = [np.asarray(X, dtype=float)]
    for W, b in zip(weights, biases):
        outputs.append(sigmoid(outputs[-1] @ W + b))
    ft = (outputs[-1] - y) * _dsigmoid_from_output(outputs[-1])  # ∂E/∂(input of output layer)
    dWs: list[np.ndarray] = []
    dbs: list[np.ndarray] = []
    for layer in range(len(weights) - 1, -1, -1):
        inputs = outputs[layer]
        if form == "vectorised":
            dW, db = inputs.T @ ft, ft.sum(axis=0, keepdims=True)
        else:
            dW, db = _changes_by_loops(inputs, ft)
        dWs.insert(0, dW)
        dbs.insert(0, db)
        if layer:  # the hidden layer's first two terms, from the output layer's
            ft = _back_one_layer(ft, weights[layer], outputs[layer], form)
    return dWs, dbs


def _changes_by_loops(inputs: np.ndarray, ft: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ΔW[i, j] = Σ_n inputs[n, i] · ft[n, j] and Δb[j] = Σ_n ft[n, j], one term at a time."""
    n_samples, n_in = inputs.shape
    n_out = ft.shape[1]
    dW = np.zeros((n_in, n_out))
    db = np.zeros((1, n_out))
    for j in range(n_out):
        for n in range(n_samples):
            db[0, j] += ft[n, j]  # the bias's "input" is 1
            for i in range(n_in):
                dW[i, j] += inputs[n, i] * ft[n, j]
    return dW, db


def _back_one_layer(ft: np.ndarray, W: np.ndarray, outputs: np.ndarray, form: str) -> np.ndarray:
    """The first two terms one layer down: (Σ_l ft_l W_jl) ⊙ O_j (1 − O_j)."""
    if form == "vectorised":
        return (ft @ W.T) * _dsigmoid_from_output(outputs)
    n_samples, n_units = outputs.shape
    below = np.zeros((n_samples, n_units))
    for n in range(n_samples):
        for j in range(n_units):
            total = 0.0
            for k in range(W.shape[1]):
                total += ft[n, k] * W[j, k]
            below[n, j] = total * outputs[n, j] * (1.0 - outputs[n, j])
    return below
