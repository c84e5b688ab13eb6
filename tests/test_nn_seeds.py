"""The seed documents' networks, built from their printed matrices, reproduce every printed number.

Two oracles per quantity: the number the seed printed (equal once rounded as printed), and the
seed's own numpy formulas re-run here in double precision (equal to 1e-12). The seeds' sign
conventions are stated where they are compared (see ../shared/SEEDS.md).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from nn import MLP, SGD, cross_entropy, softmax, sse
from nn.datasets import gaussian_clouds

TOL = 1e-12


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def assert_printed(actual, printed: str) -> None:
    """``actual`` rounds to ``printed`` (numpy's output): each number within half a unit of its
    last printed digit."""
    tokens = re.findall(r"-?\d+\.?\d*(?:e[-+]?\d+)?", printed)
    actual = np.asarray(actual, dtype=float).ravel()
    assert actual.size == len(tokens), (actual, printed)
    for a, token in zip(actual, tokens):
        mantissa, _, exponent = token.partition("e")
        decimals = len(mantissa.partition(".")[2])
        tol = 0.5 * 10.0 ** (-decimals) * 10.0 ** int(exponent or 0)
        assert abs(a - float(token)) <= tol * (1 + 1e-9), (a, token)


def weights_of(model):
    return [p for layer in model.layers for n in layer.neurons for p in n.w]


# --- seed 001: 3 -> 2 -> 1 sigmoid, one sample, no biases, weights written in x out ----------


def seed_001():
    x = np.array([0.5, 0.1, -0.2])
    w_ih = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
    w_ho = np.array([0.1, -0.3])
    return x, 0.6, 0.5, w_ih, w_ho


def seed_001_numpy():
    """The seed's own code (its cells 10-17)."""
    x, target, lr, w_ih, w_ho = seed_001()
    h = sigmoid(np.dot(x, w_ih))
    o = sigmoid(np.dot(h, w_ho))
    del_out = (o - target) * o * (1 - o)
    del_hidden = np.dot(del_out, w_ho) * h * (1 - h)
    return h, o, lr * del_out * h, lr * del_hidden * x[:, None]


def test_seed_001_forward_and_weight_changes():
    x, target, lr, w_ih, w_ho = seed_001()
    model = MLP.from_matrices(
        [w_ih, w_ho], activation="sigmoid", output_activation="sigmoid", layout="in_out"
    )
    h = model.layers[0](x.tolist())
    o = model.layers[1](h)
    error = sse(o, target)  # E = ½ (o - t)², whose gradient is the seed's error term
    error.backward()
    # The seed prints lr × ∂E/∂W ("change in weights", to be subtracted).
    d_w_ih, d_w_ho = (lr * G for G in model.grad_matrices(layout="in_out"))

    assert_printed([v.data for v in h], "[0.55971365 0.38698582]")
    assert o.data == pytest.approx(0.48497343084992534, rel=TOL)
    assert_printed(d_w_ho, "[-0.00804047 -0.00555918]")
    assert_printed(
        d_w_ih,
        """[[-1.77005547e-04  5.11178506e-04]
            [-3.54011093e-05  1.02235701e-04]
            [ 7.08022187e-05 -2.04471402e-04]]""",
    )
    h_np, o_np, d_w_ho_np, d_w_ih_np = seed_001_numpy()
    np.testing.assert_allclose([v.data for v in h], h_np, rtol=TOL)
    assert o.data == pytest.approx(o_np, rel=TOL)
    np.testing.assert_allclose(d_w_ho.ravel(), d_w_ho_np, rtol=TOL)
    np.testing.assert_allclose(d_w_ih, d_w_ih_np, rtol=TOL)


def test_seed_001_softmax_example():
    assert_printed([p.data for p in softmax([2, 4, 5])], "[0.03511903, 0.25949646, 0.70538451]")


# --- seed 002: 2 -> 2 -> 1 sigmoid, column vectors, weights written out x in ---------------


def seed_002():
    a0 = np.array([[0.35], [0.7]])
    W1 = np.array([[0.2, 0.2], [0.3, 0.3]])
    W2 = np.array([[0.3, 0.9]])
    return a0, 0.5, W1, W2, 1.0


def seed_002_numpy():
    """The seed's NeuralNet: forward_pass, calculate_cost, backpropagation, update_weights."""
    a0, y, W1, W2, eta = seed_002()
    z1 = W1 @ a0
    a1 = sigmoid(z1)
    z2 = W2 @ a1
    a2 = sigmoid(z2)
    cost = 0.5 * np.sum((y - a2) ** 2)
    delta2 = (y - a2) * a2 * (1 - a2)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    grads = {"W1": delta1 @ a0.T, "b1": delta1, "W2": delta2 @ a1.T, "b2": delta2}
    return z1, a1, z2, a2, cost, grads, W1 + eta * grads["W1"], W2 + eta * grads["W2"]


@pytest.fixture
def seed_002_model():
    a0, y, W1, W2, _ = seed_002()
    model = MLP.from_matrices([W1, W2], activation="sigmoid", output_activation="sigmoid")
    a1 = model.layers[0](a0.ravel().tolist())
    a2 = model.layers[1](a1)
    cost = sse(a2, y)  # C = ½ Σ (y - a2)²
    cost.backward()
    return model, a1, a2, cost


def test_seed_002_forward_and_cost(seed_002_model):
    _, a1, a2, cost = seed_002_model
    z1 = [a.parents[0] for a in a1]  # each sigmoid's input is the neuron's fused w·x + b node
    assert_printed([z.data for z in z1], "[[0.21 ] [0.315]]")
    assert_printed([a.data for a in a1], "[[0.55230791] [0.57810523]]")
    assert_printed(a2.parents[0].data, "[[0.68598708]]")
    assert a2.data == pytest.approx(0.6650736395247564, rel=TOL)
    assert cost.data == pytest.approx(0.013624653232974609, rel=TOL)

    z1_np, a1_np, z2_np, a2_np, cost_np, *_ = seed_002_numpy()
    np.testing.assert_allclose([z.data for z in z1], z1_np.ravel(), rtol=TOL)
    np.testing.assert_allclose([a.data for a in a1], a1_np.ravel(), rtol=TOL)
    assert a2.parents[0].data == pytest.approx(z2_np.item(), rel=TOL)
    assert (a2.data, cost.data) == (
        pytest.approx(a2_np.item(), rel=TOL),
        pytest.approx(cost_np, rel=TOL),
    )


def test_seed_002_gradients_are_the_negated_dC(seed_002_model):
    # The seed labels −∂C/∂θ as "dC/dW" (it updates with W += eta * grad), so compare −grad.
    model, *_ = seed_002_model
    gW1, gW2 = (-G for G in model.grad_matrices())
    gb1, gb2 = (-g for g in model.bias_grads())
    assert_printed(gW2, "[[-0.02030851 -0.02125708]]")
    assert_printed(gb2, "[[-0.03677027]]")
    assert_printed(gW1, "[[-0.00095466 -0.00190931] [-0.002825   -0.00565   ]]")
    assert_printed(gb1, "[[-0.00272759] [-0.00807143]]")

    grads = seed_002_numpy()[5]
    np.testing.assert_allclose(gW1, grads["W1"], rtol=TOL)
    np.testing.assert_allclose(gW2, grads["W2"], rtol=TOL)
    np.testing.assert_allclose(gb1, grads["b1"].ravel(), rtol=TOL)
    np.testing.assert_allclose(gb2, grads["b2"].ravel(), rtol=TOL)


def test_seed_002_one_update_gives_W1_new_and_W2_new(seed_002_model):
    model, *_ = seed_002_model
    SGD(weights_of(model), lr=1.0).step()  # the seed updates weights only, not biases
    W1_new, W2_new = model.weight_matrices()
    assert_printed(W1_new, "[[0.19904534 0.19809069] [0.297175   0.29435   ]]")
    assert_printed(W2_new, "[[0.27969149 0.87874292]]")
    *_, W1_np, W2_np = seed_002_numpy()
    np.testing.assert_allclose(W1_new, W1_np, rtol=TOL)
    np.testing.assert_allclose(W2_new, W2_np, rtol=TOL)
    assert model.bias_vectors()[0].tolist() == [0.0, 0.0]


# --- seed 000: sigmoid hidden layer, softmax output, weights written in x out ---------------


def test_seed_000_hand_derived_gradients_match_matrix_to_matrix():
    X, labels = gaussian_clouds(10, seed=0)  # 30 points of seed 000's three clouds
    rng = np.random.RandomState(1)
    W1, b1, W2, b2 = rng.randn(2, 3), rng.randn(3), rng.randn(3, 3), rng.randn(3)
    T = np.eye(3)[labels]
    # The seed's forward and hand-derived derivatives of J = Σ T log Y (to be maximised).
    Z = sigmoid(X @ W1 + b1)
    expA = np.exp(Z @ W2 + b2)
    Y = expA / expA.sum(axis=1, keepdims=True)
    dJ_dW2, dJ_db2 = Z.T @ (T - Y), (T - Y).sum(axis=0)
    dZ = (T - Y) @ W2.T * Z * (1 - Z)
    dJ_dW1, dJ_db1 = X.T @ dZ, dZ.sum(axis=0)

    model = MLP.from_matrices([W1, W2], [b1, b2], activation="sigmoid", layout="in_out")
    logits = [model(x) for x in X.tolist()]
    loss = cross_entropy(logits, labels.tolist()) * len(X)  # −J: the mean over N, times N
    loss.backward()
    assert loss.data == pytest.approx(-np.sum(T * np.log(Y)), rel=TOL)
    # The seed's derivatives are +∂J/∂θ = −∂(cross-entropy)/∂θ.
    gW1, gW2 = model.grad_matrices(layout="in_out")
    gb1, gb2 = model.bias_grads()
    np.testing.assert_allclose(-gW1, dJ_dW1, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(-gW2, dJ_dW2, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(-gb1, dJ_db1, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(-gb2, dJ_db2, rtol=TOL, atol=TOL)


def test_printed_number_checker_rejects_a_wrong_digit():
    assert_printed(0.55971365, "[0.55971365]")
    with pytest.raises(AssertionError):
        assert_printed(0.55971375, "[0.55971365]")
    with pytest.raises(AssertionError):
        assert_printed(-1.77005557e-04, "[-1.77005547e-04]")
