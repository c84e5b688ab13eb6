"""Data sets: shapes, labels, determinism, and the same numbers as the code they come from."""

from __future__ import annotations

import numpy as np
import pytest

from nn.datasets import GATES, gaussian_clouds, logic_gate, make_moons


def test_moons_without_noise_lie_on_their_two_arcs():
    X, y = make_moons(101, seed=0)
    assert X.shape == (101, 2) and y.tolist().count(0) == 50 and y.tolist().count(1) == 51
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-12)
    assert (upper[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_moons_are_shuffled_and_reproducible():
    X1, y1 = make_moons(100, noise=0.1, seed=1337)
    X2, y2 = make_moons(100, noise=0.1, seed=1337)
    assert (X1 == X2).all() and (y1 == y2).all()
    assert not (make_moons(100, noise=0.1, seed=1)[0] == X1).all()
    assert y1[:50].tolist() != [0] * 50  # shuffled, not 50 zeros then 50 ones


def test_gaussian_clouds_are_seed_000s_recipe():
    X, y = gaussian_clouds(500, seed=4)
    # Seed 000's recipe: unit-variance clouds drawn one after another from the global
    # generator seeded once, centred at (0, -2), (2, 2), (-2, 2).
    draws = np.random.RandomState(4)
    centres = [(0.0, -2.0), (2.0, 2.0), (-2.0, 2.0)]
    expected = np.vstack([draws.randn(500, 2) + np.array(c) for c in centres])
    np.testing.assert_array_equal(X, expected)
    assert y.tolist() == [0] * 500 + [1] * 500 + [2] * 500


def test_logic_gates_are_seed_004s_tables():
    X, y = logic_gate("AND")
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [0, 0, 0, 1]
    for name, table in GATES.items():
        a, b = X.T.astype(int)
        truth = {
            "and": a & b,
            "or": a | b,
            "xor": a ^ b,
            "nand": 1 - (a & b),
            "nor": 1 - (a | b),
            "xnor": 1 - (a ^ b),
        }[name]
        assert logic_gate(name)[1].tolist() == truth.tolist() == list(table)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: logic_gate("implies"),
            ValueError,
            "unknown gate 'implies'; valid gates are 'and', 'or'",
        ),
        (lambda: make_moons(0), ValueError, "make_moons: n must be >= 1, got 0"),
        (lambda: make_moons(10, noise=-0.1), ValueError, "noise must be >= 0"),
        (lambda: make_moons(10.5), TypeError, "n must be an int"),
        (
            lambda: gaussian_clouds(10, centers=[(0, 0, 0)]),
            ValueError,
            "centers must be \\(x, y\\) pairs",
        ),
    ],
)
def test_bad_dataset_arguments_raise_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
