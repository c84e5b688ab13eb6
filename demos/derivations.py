"""The five seeds' hand-derived gradients, checked by ``autograd.check_formula``.

Each seed derives backprop by hand and writes it as numpy formulas; here each seed's forward
pass and loss, and its formulas, are written as the seed writes them (``X.dot(W)``, ``.T``,
``.sum(axis=0)``), and ``check_formula`` gives the verdict each earns against the loss the seed
*reports*:

- 000 agrees with its log-likelihood J; with the cross-entropy −J it is an ascent direction;
  and in the seed's own training loop, W1's derivative is taken after W2 has moved;
- 001 is 0.5 × the gradient (its learning rate);  002 is −gradient;
- 003 is K·N × the gradient of its reported loss, mean((ŷ − y)²)/2;  004 agrees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import FormulaError, check_formula

from .common import Options, Result, print_note

SUMMARY = "each seed's hand-derived formulas through check_formula, and the verdict each earns"


def sigmoid(z: Any) -> Any:
    return 1 / (1 + np.exp(-z))


# --- seed 000: sigmoid hidden layer, softmax output, the log-likelihood, maximised -------------


def forward000(X: Any, W1: Any, b1: Any, W2: Any, b2: Any) -> tuple[Any, Any]:
    Z = 1 / (1 + np.exp(-X.dot(W1) - b1))
    expA = np.exp(Z.dot(W2) + b2)
    Y = expA / expA.sum(axis=1, keepdims=True)
    return Y, Z


def J000(W1: Any, b1: Any, W2: Any, b2: Any, X: Any, T: Any) -> Any:
    """The seed's cost: J = Σ T log Y, which it maximises."""
    Y, _ = forward000(X, W1, b1, W2, b2)
    tot = T * np.log(Y)
    return tot.sum()


def cross_entropy000(W1: Any, b1: Any, W2: Any, b2: Any, X: Any, T: Any) -> Any:
    """The loss one minimises instead: −J."""
    return -J000(W1, b1, W2, b2, X, T)


def derivatives000(W1: Any, b1: Any, W2: Any, b2: Any, X: Any, T: Any) -> dict[str, Any]:
    Y, Z = forward000(X, W1, b1, W2, b2)
    dZ = (T - Y).dot(W2.T) * Z * (1 - Z)
    return {
        "W2": Z.T.dot(T - Y),
        "b2": (T - Y).sum(axis=0),
        "W1": X.T.dot(dZ),
        "b1": dZ.sum(axis=0),
    }


LEARNING_RATE_000 = 10e-7


def seed_loop_order000(W1: Any, b1: Any, W2: Any, b2: Any, X: Any, T: Any) -> dict[str, Any]:
    """The derivatives as the seed's loop takes them: W2 is updated first, and W1's and b1's
    derivatives then use the new W2 (with the output of the old one)."""
    Y, Z = forward000(X, W1, b1, W2, b2)
    dW2 = Z.T.dot(T - Y)
    W2 = W2 + LEARNING_RATE_000 * dW2
    dZ = (T - Y).dot(W2.T) * Z * (1 - Z)
    return {"W2": dW2, "b2": (T - Y).sum(axis=0), "W1": X.T.dot(dZ), "b1": dZ.sum(axis=0)}


def point000(rng: np.random.Generator, n: int = 30) -> tuple[dict[str, Any], dict[str, Any]]:
    D, M, K = 2, 3, 3
    centres = np.array([[0, -2], [2, 2], [-2, 2]])
    labels = np.arange(n) % K
    X = rng.normal(size=(n, D)) + centres[labels]
    T = np.eye(K)[labels]
    params = {
        "W1": rng.normal(size=(D, M)),
        "b1": rng.normal(size=M),
        "W2": rng.normal(size=(M, K)),
        "b2": rng.normal(size=K),
    }
    return params, {"X": X, "T": T}


# --- seed 001: one sample, 3→2→1, the "change in weights" -------------------------------------


def E001(W_ih: Any, W_ho: Any, x: Any, target: Any) -> Any:
    h = sigmoid(x.dot(W_ih))
    o = sigmoid(h.dot(W_ho))
    return 0.5 * (o - target) ** 2


def changes001(W_ih: Any, W_ho: Any, x: Any, target: Any) -> dict[str, Any]:
    lr = 0.5
    h = sigmoid(x.dot(W_ih))
    o = sigmoid(h.dot(W_ho))
    delta_o = (o - target) * o * (1 - o)
    delta_h = delta_o * W_ho * h * (1 - h)
    return {"W_ho": lr * delta_o * h, "W_ih": lr * np.outer(x, delta_h)}


POINT001 = (
    {"W_ih": np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]), "W_ho": np.array([0.1, -0.3])},
    {"x": np.array([0.5, 0.1, -0.2]), "target": np.array(0.6)},
)


# --- seed 002: column vectors, the negative gradient ------------------------------------------


def C002(W1: Any, b1: Any, W2: Any, b2: Any, a0: Any, y: Any) -> Any:
    a1 = sigmoid(W1.dot(a0) + b1)
    a2 = sigmoid(W2.dot(a1) + b2)
    return 0.5 * ((y - a2) ** 2).sum()


def gradients002(W1: Any, b1: Any, W2: Any, b2: Any, a0: Any, y: Any) -> dict[str, Any]:
    a1 = sigmoid(W1.dot(a0) + b1)
    a2 = sigmoid(W2.dot(a1) + b2)
    delta2 = (y - a2) * a2 * (1 - a2)
    delta1 = W2.T.dot(delta2) * a1 * (1 - a1)
    return {"W2": delta2.dot(a1.T), "b2": delta2, "W1": delta1.dot(a0.T), "b1": delta1}


POINT002 = (
    {
        "W1": np.array([[0.2, 0.2], [0.3, 0.3]]),
        "b1": np.zeros((2, 1)),
        "W2": np.array([[0.3, 0.9]]),
        "b2": np.zeros((1, 1)),
    },
    {"a0": np.array([[0.35], [0.7]]), "y": np.array([[0.5]])},
)


# --- seed 003: per-sample deltas against the reported mean loss -------------------------------


def L003(W0: Any, b0: Any, W1: Any, b1: Any, X: Any, Y: Any) -> Any:
    """The loss the seed reports: mean((ŷ − y)²) / 2 over samples and outputs."""
    a1 = sigmoid(X.dot(W0.T) + b0)
    y_hat = sigmoid(a1.dot(W1.T) + b1)
    return ((y_hat - Y) ** 2).mean() / 2


def deltas003(W0: Any, b0: Any, W1: Any, b1: Any, X: Any, Y: Any) -> dict[str, Any]:
    """The seed's backprop, one sample at a time, summed over the samples."""
    total = {"W0": 0 * W0, "b0": 0 * b0, "W1": 0 * W1, "b1": 0 * b1}
    for x, y in zip(X, Y):
        a0 = x[None, :]
        a1 = sigmoid(a0.dot(W0.T) + b0)
        y_hat = sigmoid(a1.dot(W1.T) + b1)
        delta1 = (y_hat - y) * y_hat * (1 - y_hat)
        delta0 = delta1.dot(W1) * a1 * (1 - a1)
        for name, value in (
            ("W1", delta1.T.dot(a1)),
            ("b1", delta1),
            ("W0", delta0.T.dot(a0)),
            ("b0", delta0),
        ):
            total[name] = total[name] + value
    return total


def point003(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    sizes, n = (2, 3, 2), 4
    return (
        {
            "W0": 0.5 * rng.normal(size=(sizes[1], sizes[0])),
            "b0": 0.5 * rng.normal(size=(1, sizes[1])),
            "W1": 0.5 * rng.normal(size=(sizes[2], sizes[1])),
            "b1": 0.5 * rng.normal(size=(1, sizes[2])),
        },
        {"X": rng.normal(size=(n, sizes[0])), "Y": rng.uniform(size=(n, sizes[2]))},
    )


# --- seed 004: XOR with one hidden layer, E = Σ ½ (y − ŷ)² --------------------------------------


def E004(W_h: Any, b_h: Any, W_o: Any, b_o: Any, X: Any, y: Any) -> Any:
    H = sigmoid(X.dot(W_h) + b_h)
    y_hat = sigmoid(H.dot(W_o) + b_o)
    return (0.5 * (y - y_hat) ** 2).sum()


def changes004(W_h: Any, b_h: Any, W_o: Any, b_o: Any, X: Any, y: Any) -> dict[str, Any]:
    H = sigmoid(X.dot(W_h) + b_h)
    y_hat = sigmoid(H.dot(W_o) + b_o)
    ft_out = (y_hat - y) * y_hat * (1 - y_hat)
    ft_hidden = ft_out.dot(W_o.T) * H * (1 - H)
    return {
        "W_o": H.T.dot(ft_out),
        "b_o": ft_out.sum(axis=0, keepdims=True),
        "W_h": X.T.dot(ft_hidden),
        "b_h": ft_hidden.sum(axis=0, keepdims=True),
    }


def point004(rng: np.random.Generator) -> tuple[dict[str, Any], dict[str, Any]]:
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return (
        {
            "W_h": 2 * rng.random((2, 2)) - 1,
            "b_h": 2 * rng.random((1, 2)) - 1,
            "W_o": 2 * rng.random((2, 1)) - 1,
            "b_o": 2 * rng.random((1, 1)) - 1,
        },
        {"X": X, "y": np.array([[0.0], [1.0], [1.0], [0.0]])},
    )


# --- the verdicts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Derivation:
    """A seed's loss and formulas, the point they are checked at, and the verdict expected:
    ``factor`` None means the formula agrees; c means formula = c × gradient."""

    name: str
    loss: Callable[..., Any]
    formula: Callable[..., dict[str, Any]]
    point: tuple[dict[str, Any], dict[str, Any]]
    factor: float | None
    says: str


def derivations(seed: int = 0) -> list[Derivation]:
    rng = np.random.default_rng(seed)
    p000 = point000(rng)
    p003 = point003(rng)
    return [
        Derivation("000", J000, derivatives000, p000, None, "agrees with its log-likelihood J"),
        Derivation(
            "000",
            cross_entropy000,
            derivatives000,
            p000,
            -1.0,
            "an ascent direction for the cross-entropy −J",
        ),
        Derivation("001", E001, changes001, POINT001, 0.5, "0.5 × the gradient: its learning rate"),
        Derivation("002", C002, gradients002, POINT002, -1.0, "−gradient (it updates W += η·grad)"),
        Derivation(
            "003",
            L003,
            deltas003,
            p003,
            8.0,
            "K·N = 2·4 × the gradient of its reported mean/2 loss",
        ),
        Derivation("004", E004, changes004, point004(rng), None, "agrees"),
    ]


def verdict(d: Derivation) -> tuple[bool, float | None, str]:
    """(agrees, the factor c if every parameter is c × gradient, the report)."""
    params, data = d.point
    try:
        check_formula(d.loss, d.formula, params, data)
    except FormulaError as error:
        factors = {r.factor for r in error.reports.values()}
        c = next(iter(factors)) if all(f is not None for f in factors) else None
        return False, c, str(error)
    return True, None, ""


def run(options: Options) -> Result:
    result = Result("derivations")
    lines = ["check_formula on each seed's hand-derived formulas, against the loss it reports:"]
    for d in derivations(options.seed_or(0)):
        agrees, c, _ = verdict(d)
        found = (
            "agrees"
            if agrees
            else f"formula = {c:.10g} × gradient"
            if c is not None
            else "disagrees"
        )
        lines.append(f"  seed {d.name}  {d.loss.__name__:<16} {found:<30} {d.says}")
        result.numbers[f"{d.name} {d.loss.__name__}"] = None if agrees else c
    print("\n".join(lines))
    result.notes.append("\n".join(lines))
    params, data = point000(np.random.default_rng(options.seed_or(0)))
    _, _, report = verdict(Derivation("000", J000, seed_loop_order000, (params, data), None, ""))
    print_note(
        result,
        "Seed 000's loop moves W2 before it takes W1's derivative, so in the seed's order W1 and "
        "b1 disagree, by a relative ~lr (1e-6) with no simple form, while W2 and b2 agree: the "
        "formulas are right, the order is not. check_formula on the loop's order says:",
    )
    print(report)
    result.numbers["000 loop order agrees"] = not report
    return result
