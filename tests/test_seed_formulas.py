"""The seeds' hand-derived matrix formulas (nn/reference.py) against the engine.

For random sizes, depths, weights and inputs, the engine's gradients — through ``nn`` and
through raw Values — equal each seed's formula after the documented sign/scale conversion
(nn.reference's table), to 1e-10 relative.

Relative to what: every input, weight, bias, target and activation here is in [-1, 1] (so no
sigmoid or softmax saturates, where the formulas' own 1 − σ cancels), which makes the terms
each gradient entry sums O(1). An entry that sums them to nearly 0 — Σₖ (T − Y)ₖ is exactly 0
by construction — cannot be computed to 1e-10 of *itself* by any float code, only to 1e-10 of
the terms. So the scale is the matrix's largest entry, but at least 1 (the terms' scale).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from oracles import count, examples

import nn
from autograd import Value, grad
from nn import reference

REL = 1e-10
TERM_SCALE = 1.0  # the size of the terms a gradient entry sums (see the module docstring)

unit = st.floats(-1.0, 1.0, allow_nan=False, allow_infinity=False)
size = st.integers(1, 4)


def arrays(*shape, elements=unit):
    return hnp.arrays(np.float64, shape, elements=elements)


def assert_formula(engine, formula, what):
    """Equal to REL, relative to the formula matrix's largest entry or the terms' scale, 1."""
    engine, formula = np.asarray(engine, dtype=float), np.asarray(formula, dtype=float)
    assert engine.shape == formula.shape, (what, engine.shape, formula.shape)
    error = np.abs(engine - formula).max()
    scale = max(np.abs(formula).max(), TERM_SCALE)
    assert error <= REL * scale, f"{what}: engine\n{engine}\nformula\n{formula}\nerror {error:.3e}"


# --- raw Values: numpy object arrays of Values, so the forward reads like the formulas ------


def leaves(A):
    out = np.empty(np.shape(A), dtype=object)
    for index, x in np.ndenumerate(np.asarray(A, dtype=float)):
        out[index] = Value(x)
    return out


sigmoid = np.vectorize(lambda v: v.sigmoid(), otypes=[object])
exp = np.vectorize(lambda v: v.exp(), otypes=[object])
log = np.vectorize(lambda v: v.log(), otypes=[object])


def gradients(loss, *arrays_of_values):
    """d loss / d each Value, shaped like the arrays they came in."""
    flat = [v for A in arrays_of_values for v in A.ravel()]
    gs = iter(g.data for g in grad(loss, flat))
    return [np.array([next(gs) for _ in A.ravel()]).reshape(A.shape) for A in arrays_of_values]


# --- seed 000: sigmoid hidden layer, softmax output, log-likelihood ascent --------------------


@st.composite
def seed000_problems(draw):
    n, d, m, k = draw(st.integers(1, 5)), draw(size), draw(size), draw(st.integers(2, 4))
    labels = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    return (
        draw(arrays(n, d)),
        np.eye(k)[labels],
        draw(arrays(d, m)),
        draw(arrays(m)),
        draw(arrays(m, k)),
        draw(arrays(k)),
    )


@settings(max_examples=examples(400))
@given(seed000_problems())
def test_seed000_log_likelihood_derivatives(problem):
    X, T, W1, b1, W2, b2 = problem
    formula = reference.seed000(X, T, W1, b1, W2, b2)
    N = len(X)

    # Through nn: the mean cross-entropy, times −N, is J.
    model = nn.MLP.from_matrices([W1, W2], [b1, b2], activation="sigmoid", layout="in_out")
    loss = nn.cross_entropy([model(x) for x in X.tolist()], T.argmax(axis=1).tolist())
    loss.backward()
    gW1, gW2 = model.grad_matrices(layout="in_out")
    gb1, gb2 = model.bias_grads()
    for name, g in zip(("W1", "b1", "W2", "b2"), (gW1, gb1, gW2, gb2)):
        assert_formula(-N * g, formula[name], f"nn {name}")

    # Through raw Values: J itself, whose gradient is the seed's ascent direction as it is.
    vW1, vb1, vW2, vb2 = leaves(W1), leaves(b1), leaves(W2), leaves(b2)
    Z = sigmoid(X @ vW1 + vb1)
    E = exp(Z @ vW2 + vb2)
    Y = E / E.sum(axis=1, keepdims=True)
    J = (T * log(Y)).sum()
    for name, g in zip(("W1", "b1", "W2", "b2"), gradients(J, vW1, vb1, vW2, vb2)):
        assert_formula(g, formula[name], f"raw {name}")
    count("seed formulas")


# --- seed 001: one sample, no biases, lr × gradient ----------------------------------------


@settings(max_examples=examples(400))
@given(st.data())
def test_seed001_weight_changes(data):
    d, h = data.draw(size), data.draw(size)
    x, W_ih, W_ho = data.draw(arrays(d)), data.draw(arrays(d, h)), data.draw(arrays(h))
    target = data.draw(st.floats(0.0, 1.0))
    lr = data.draw(st.sampled_from([0.5, 0.1, 1.0]))
    formula = reference.seed001(x, target, W_ih, W_ho, lr=lr)

    model = nn.MLP.from_matrices(
        [W_ih, W_ho], activation="sigmoid", output_activation="sigmoid", layout="in_out"
    )
    nn.sse(model(x.tolist()), target).backward()  # E = ½ (o − t)²
    g_ih, g_ho = model.grad_matrices(layout="in_out")
    assert_formula(lr * g_ih, formula["W_ih"], "nn W_ih")
    assert_formula(lr * g_ho.ravel(), formula["W_ho"], "nn W_ho")

    v_ih, v_ho = leaves(W_ih), leaves(W_ho)
    o = (sigmoid(x @ v_ih) @ v_ho).sigmoid()
    g_ih, g_ho = gradients(0.5 * (o - target) ** 2, v_ih, v_ho)
    assert_formula(lr * g_ih, formula["W_ih"], "raw W_ih")
    assert_formula(lr * g_ho, formula["W_ho"], "raw W_ho")
    count("seed formulas")


# --- seed 002: column vectors, negative gradient -----------------------------------------------


@settings(max_examples=examples(400))
@given(st.data())
def test_seed002_negative_gradients(data):
    d, h, k = data.draw(size), data.draw(size), data.draw(size)
    a0, y = data.draw(arrays(d, 1)), data.draw(arrays(k, 1, elements=st.floats(0.0, 1.0)))
    W1, b1 = data.draw(arrays(h, d)), data.draw(arrays(h, 1))
    W2, b2 = data.draw(arrays(k, h)), data.draw(arrays(k, 1))
    formula = reference.seed002(a0, y, W1, b1, W2, b2)

    model = nn.MLP.from_matrices(
        [W1, W2], [b1.ravel(), b2.ravel()], activation="sigmoid", output_activation="sigmoid"
    )
    a2 = model(a0.ravel().tolist())
    nn.sse(a2, y.ravel().tolist() if k > 1 else y.item()).backward()  # C = ½ Σ (y − a2)²
    gW1, gW2 = model.grad_matrices()
    gb1, gb2 = model.bias_grads()
    engine = {"W1": -gW1, "b1": -gb1[:, None], "W2": -gW2, "b2": -gb2[:, None]}
    for name in formula:
        assert_formula(engine[name], formula[name], f"nn {name}")

    vW1, vb1, vW2, vb2 = leaves(W1), leaves(b1), leaves(W2), leaves(b2)
    a2 = sigmoid(vW2 @ sigmoid(vW1 @ a0 + vb1) + vb2)
    C = 0.5 * ((y - a2) ** 2).sum()
    for name, g in zip(("W1", "b1", "W2", "b2"), gradients(C, vW1, vb1, vW2, vb2)):
        assert_formula(-g, formula[name], f"raw {name}")
    count("seed formulas")


# --- seed 003: any depth, per-sample deltas ----------------------------------------------------


@st.composite
def seed003_networks(draw, max_samples=1):
    sizes = draw(st.lists(size, min_size=2, max_size=5))  # 1 to 4 layers
    n = draw(st.integers(1, max_samples))
    weights = [draw(arrays(n_out, n_in)) for n_in, n_out in itertools.pairwise(sizes)]
    biases = [draw(arrays(1, n_out)) for n_out in sizes[1:]]
    X = draw(arrays(n, sizes[0]))
    Y = draw(arrays(n, sizes[-1], elements=st.floats(0.0, 1.0)))
    return X, Y, weights, biases


def seed003_model(weights, biases):
    return nn.MLP.from_matrices(
        weights, [b.ravel() for b in biases], activation="sigmoid", output_activation="sigmoid"
    )


def as_list(out):
    return out if isinstance(out, list) else [out]


@settings(max_examples=examples(400))
@given(seed003_networks())
def test_seed003_deltas_are_the_gradient_of_half_the_squared_error(network):
    X, Y, weights, biases = network
    dWs, dbs = reference.seed003(X, Y, weights, biases)

    model = seed003_model(weights, biases)
    nn.sse(as_list(model(X[0].tolist())), Y[0].tolist()).backward()  # ½ Σ (ŷ − y)²
    for i, (gW, gb) in enumerate(zip(model.grad_matrices(), model.bias_grads())):
        assert_formula(gW, dWs[i], f"nn W{i}")
        assert_formula(gb[None, :], dbs[i], f"nn b{i}")

    vWs, vbs = [leaves(W) for W in weights], [leaves(b) for b in biases]
    a = X
    for vW, vb in zip(vWs, vbs):
        a = sigmoid(a @ vW.T + vb)
    grads = gradients(0.5 * ((a - Y) ** 2).sum(), *vWs, *vbs)
    for i in range(len(weights)):
        assert_formula(grads[i], dWs[i], f"raw W{i}")
        assert_formula(grads[len(weights) + i], dbs[i], f"raw b{i}")
    count("seed formulas")


@settings(max_examples=examples(200))
@given(seed003_networks(max_samples=4))
def test_seed003_reported_loss_is_smaller_than_its_deltas_by_outputs_times_samples(network):
    # The trap: the seed reports L = mean((ŷ − y)²)/2 but backpropagates the deltas of
    # ½ Σ (ŷ − y)², summed sample by sample. They differ by the factor K·N.
    X, Y, weights, biases = network
    N, K = Y.shape
    per_sample = [reference.seed003(X[n : n + 1], Y[n : n + 1], weights, biases) for n in range(N)]
    summed_dW = [sum(p[0][i] for p in per_sample) for i in range(len(weights))]

    model = seed003_model(weights, biases)
    outputs = [as_list(model(x)) for x in X.tolist()]
    loss = nn.mse(outputs, Y.tolist()) / 2  # nn.mse averages over samples and outputs
    assert loss.data == pytest.approx(
        reference.seed003_loss(np.array([[v.data for v in row] for row in outputs]), Y), rel=1e-12
    )
    loss.backward()
    for i, gW in enumerate(model.grad_matrices()):
        assert_formula(K * N * gW, summed_dW[i], f"K·N × ∂L/∂W{i}")
        if K * N > 1 and np.abs(summed_dW[i]).max() > 0:
            assert not np.allclose(gW, summed_dW[i], rtol=1e-3, atol=0), "the factor vanished?"


def test_seed003_trap_on_one_concrete_network():
    # 2 outputs, 3 samples: the deltas are 6 times ∂L/∂θ for the loss the seed prints.
    rng = np.random.default_rng(3)
    weights = [0.1 * rng.standard_normal((3, 2)), 0.1 * rng.standard_normal((2, 3))]
    biases = [np.zeros((1, 3)), np.zeros((1, 2))]
    X, Y = rng.random((3, 2)), rng.random((3, 2))
    model = seed003_model(weights, biases)
    loss = nn.mse([model(x) for x in X.tolist()], Y.tolist()) / 2
    loss.backward()
    deltas = sum(
        reference.seed003(X[n : n + 1], Y[n : n + 1], weights, biases)[0][1] for n in range(3)
    )
    np.testing.assert_allclose(6 * model.grad_matrices()[1], deltas, rtol=1e-12)
    assert np.abs(model.grad_matrices()[1] - deltas).max() > 0.5 * np.abs(deltas).max()


# --- seed 004: AND without a hidden layer, XOR with one; loops and vectorised -------------------


@st.composite
def seed004_problems(draw):
    n, d, k = draw(st.integers(1, 5)), draw(size), draw(st.integers(1, 2))
    hidden = draw(st.sampled_from([None, 1, 2, 3]))
    inputs = st.sampled_from([0.0, 1.0]) | unit  # the seed's 0/1 truth tables, and more
    X = draw(arrays(n, d, elements=inputs))
    y = draw(arrays(n, k, elements=st.floats(0.0, 1.0)))
    sizes = [d, k] if hidden is None else [d, hidden, k]
    weights = [draw(arrays(a, b)) for a, b in itertools.pairwise(sizes)]
    biases = [draw(arrays(1, b)) for b in sizes[1:]]
    return X, y, weights, biases


@settings(max_examples=examples(400))
@given(seed004_problems())
def test_seed004_error_gradients_with_and_without_a_hidden_layer(problem):
    X, y, weights, biases = problem
    dWs, dbs = reference.seed004(X, y, weights, biases)

    model = nn.MLP.from_matrices(
        weights,
        [b.ravel() for b in biases],
        activation="sigmoid",
        output_activation="sigmoid",
        layout="in_out",
    )
    predictions = [model(x) for x in X.tolist()]
    targets = y.tolist() if y.shape[1] > 1 else y.ravel().tolist()
    nn.sse(predictions, targets).backward()  # E = Σ ½ (y − ŷ)²
    gWs, gbs = model.grad_matrices(layout="in_out"), model.bias_grads()
    for i in range(len(weights)):
        assert_formula(gWs[i], dWs[i], f"nn W{i}")
        assert_formula(gbs[i][None, :], dbs[i], f"nn b{i}")

    vWs, vbs = [leaves(W) for W in weights], [leaves(b) for b in biases]
    out = X
    for vW, vb in zip(vWs, vbs):
        out = sigmoid(out @ vW + vb)
    grads = gradients((0.5 * (y - out) ** 2).sum(), *vWs, *vbs)
    for i in range(len(weights)):
        assert_formula(grads[i], dWs[i], f"raw W{i}")
        assert_formula(grads[len(weights) + i], dbs[i], f"raw b{i}")
    count("seed formulas")


@settings(max_examples=examples(400))
@given(seed004_problems())
def test_seed004_loop_and_vectorised_forms_agree(problem):
    X, y, weights, biases = problem
    by_loops = reference.seed004(X, y, weights, biases, form="loops")
    vectorised = reference.seed004(X, y, weights, biases, form="vectorised")
    for loops_part, vectorised_part in zip(by_loops, vectorised):
        for a, b in zip(loops_part, vectorised_part):
            # Same terms summed in another order: equal to a few roundings of the terms,
            # which are O(1) here (inputs and σ' bounded).
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15 * len(X))


def test_seed004_rejects_an_unknown_form():
    with pytest.raises(ValueError, match="form"):
        reference.seed004(
            np.zeros((1, 1)), np.zeros((1, 1)), [np.zeros((1, 1))], [np.zeros((1, 1))], form="fast"
        )


# --- the formulas reproduce the seeds' printed numbers ------------------------------------------


def test_reference_formulas_reproduce_the_printed_numbers():
    d = reference.seed001(
        np.array([0.5, 0.1, -0.2]),
        0.6,
        np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]),
        np.array([0.1, -0.3]),
        lr=0.5,
    )
    np.testing.assert_allclose(d["W_ho"], [-0.00804047, -0.00555918], atol=5e-9)
    np.testing.assert_allclose(
        d["W_ih"],
        [
            [-1.77005547e-04, 5.11178506e-04],
            [-3.54011093e-05, 1.02235701e-04],
            [7.08022187e-05, -2.04471402e-04],
        ],
        rtol=1e-8,
    )
    g = reference.seed002(
        np.array([[0.35], [0.7]]),
        np.array([[0.5]]),
        np.array([[0.2, 0.2], [0.3, 0.3]]),
        np.zeros((2, 1)),
        np.array([[0.3, 0.9]]),
        np.zeros((1, 1)),
    )
    np.testing.assert_allclose(
        g["W1"], [[-0.00095466, -0.00190931], [-0.002825, -0.00565]], atol=5e-9
    )
    np.testing.assert_allclose(g["b1"], [[-0.00272759], [-0.00807143]], atol=5e-9)
    np.testing.assert_allclose(g["W2"], [[-0.02030851, -0.02125708]], atol=5e-9)
    np.testing.assert_allclose(g["b2"], [[-0.03677027]], atol=5e-9)
