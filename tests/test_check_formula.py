"""check_formula: a hand-derived numpy gradient against the engine's, with a diagnosis that
says how and where it is wrong."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings

import autograd
from autograd import FormulaError, check_formula
from autograd.check import arrays
from autograd.testing import network_arrays
from demos import derivations as seeds

ROOT = Path(__file__).resolve().parent.parent


# --- the five seeds, each with the verdict it earns ------------------------------------------


@pytest.mark.parametrize("d", seeds.derivations(), ids=lambda d: f"{d.name}-{d.loss.__name__}")
def test_each_seed_earns_its_verdict(d):
    agrees, factor, report = seeds.verdict(d)
    if d.factor is None:
        assert agrees, report
    else:
        assert not agrees and factor == pytest.approx(d.factor, rel=1e-9), report


def test_seed_000_update_order_shows_in_w1_and_b1_only(monkeypatch):
    params, data = seeds.point000(np.random.default_rng(1))
    with pytest.raises(FormulaError) as caught:
        check_formula(seeds.J000, seeds.seed_loop_order000, params, data)
    reports = caught.value.reports
    assert [n for n, r in reports.items() if not r.agrees] == ["W1", "b1"]
    assert reports["W1"].form is None  # no simple form: W2 moved by lr × its gradient
    monkeypatch.setattr(seeds, "LEARNING_RATE_000", 0.0)  # no step before W1's derivative
    assert check_formula(seeds.J000, seeds.seed_loop_order000, params, data)


# --- planted errors in a two-layer network, each with the right diagnosis ----------------------


def two_layer(W1, b1, W2, b2, X, T):
    Z = 1 / (1 + np.exp(-X.dot(W1) - b1))
    Y = 1 / (1 + np.exp(-(Z @ W2 + b2)))
    return ((Y - T) ** 2).sum() / 2


def two_layer_formula(*, drop_hidden=False, drop_output=False, transpose=False, scale=1.0):
    def formula(W1, b1, W2, b2, X, T):
        Z = 1 / (1 + np.exp(-X.dot(W1) - b1))
        Y = 1 / (1 + np.exp(-(Z @ W2 + b2)))
        d2 = (Y - T) * (1.0 if drop_output else Y * (1 - Y))
        d1 = d2.dot(W2.T) * (1.0 if drop_hidden else Z * (1 - Z))
        out = {"W2": Z.T @ d2, "b2": d2.sum(axis=0), "W1": X.T @ d1, "b1": d1.sum(axis=0)}
        if transpose:
            out["W2"] = out["W2"].T
        return {k: scale * v for k, v in out.items()}

    return formula


def point(seed=0, n=5, d=3, m=4, k=2):
    rng = np.random.default_rng(seed)
    params = {
        "W1": rng.normal(size=(d, m)),
        "b1": rng.normal(size=m),
        "W2": rng.normal(size=(m, k)),
        "b2": rng.normal(size=k),
    }
    return params, {"X": rng.normal(size=(n, d)), "T": rng.uniform(size=(n, k))}


def diagnosis(formula, loss=two_layer):
    params, data = point()
    with pytest.raises(FormulaError) as caught:
        check_formula(loss, formula, params, data)
    return caught.value


def test_the_right_formula_agrees():
    assert check_formula(two_layer, two_layer_formula(), *point())


def test_a_dropped_hidden_sigma_prime_is_placed_at_the_hidden_layer():
    error = diagnosis(two_layer_formula(drop_hidden=True))
    assert {n for n, r in error.reports.items() if not r.agrees} == {"W1", "b1"}
    assert error.first_wrong in ("W1", "b1")
    assert "first went wrong at W1 and b1" in str(error) and "These agree: W2, b2" in str(error)


def test_a_dropped_output_sigma_prime_shows_in_that_layer_and_every_one_below():
    error = diagnosis(two_layer_formula(drop_output=True))
    assert all(not r.agrees for r in error.reports.values())
    assert error.first_wrong in ("W2", "b2") and "first went wrong at W2 and b2" in str(error)


def test_a_transposed_gradient_is_named_as_the_layout():
    error = diagnosis(two_layer_formula(transpose=True))
    w2 = error.reports["W2"]
    assert w2.formula_shape == (2, 4) and "transpose" in w2.form and "gradientᵀ" in w2.form
    assert "layout W x" in w2.form


def test_a_missing_one_over_n_is_named():
    def mean_loss(**kw):
        return two_layer(**kw) / 5  # a mean over the 5 samples; the formula sums them

    error = diagnosis(two_layer_formula(), loss=mean_loss)
    assert all(r.factor == pytest.approx(5.0) for r in error.reports.values())
    assert "N = 5 samples: the formula sums over the samples, the loss takes their mean" in str(
        error
    )


def test_a_flipped_sign_is_named_an_ascent_direction():
    error = diagnosis(two_layer_formula(scale=-1.0))
    assert all(r.factor == pytest.approx(-1.0) for r in error.reports.values())
    assert "formula = −gradient: an ascent direction" in str(error)
    assert "off by the same factor (-1)" in str(error)


def test_a_learning_rate_folded_in_is_named_with_the_other_causes():
    error = diagnosis(two_layer_formula(scale=0.01))
    assert "formula = 0.01 × gradient" in str(error) and "learning rate of 0.01" in str(error)


def test_missing_and_misshapen_parameters_are_reported():
    def partial(**kw):
        out = two_layer_formula()(**kw)
        del out["b2"]
        out["b1"] = out["b1"][None, :]
        return out

    error = diagnosis(partial)
    assert error.reports["b2"].form == "the formula gives no gradient for it"
    assert (
        "1×4 where the parameter is 4; its numbers are the gradient's" in error.reports["b1"].form
    )


def test_what_it_cannot_tell_is_said():
    assert "What it cannot tell" in str(diagnosis(two_layer_formula(scale=2.0)))


# --- the arrays of Values the loss runs on ----------------------------------------------------


def test_a_matrix_product_is_one_fused_dot_node_per_entry():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(7, 3)), rng.normal(size=(3, 4))
    X, W = arrays.as_data(x), arrays.as_values(w, "W")
    for Z in (X @ W, X.dot(W), np.dot(X, W)):
        nodes = [v for v in autograd.topological_order(list(Z.ravel())) if v.op is not None]
        assert len(nodes) == 7 * 4 and {v.op.name for v in nodes} == {"dot"}
        assert all(len(v.parents) == 2 * 3 for v in nodes)  # k = 3 terms each
        assert Z.shape == (7, 4)
    assert np.allclose([v.data for v in (X @ W).ravel()], (x @ w).ravel(), rtol=1e-15)


def test_sums_are_fused_and_keep_numpys_shapes():
    A = arrays.as_values(np.arange(6.0).reshape(2, 3), "A")
    row_sums = A.sum(axis=1, keepdims=True)
    assert row_sums.shape == (2, 1) and row_sums[1, 0].op.name == "sum"
    assert [v.data for v in A.sum(axis=0)] == [3.0, 5.0, 7.0]
    assert A.sum().data == 15.0 and A.mean().data == 2.5 and np.sum(A).data == 15.0


def test_relu_is_np_maximum_and_a_comparison_is_refused():
    z = arrays.as_values(np.array([-1.0, 2.0]), "z")
    assert [v.op.name for v in np.maximum(0, z)] == ["relu", "relu"]
    with pytest.raises(TypeError, match=r"np.maximum\(0, z\)"):
        z * (z > 0)


def test_a_loss_over_a_100_by_3_batch_builds_a_graph_linear_in_its_size():
    params, data = point(n=100, d=3, m=4, k=3)
    true, _ = __import__("autograd.check.formula", fromlist=["x"]).true_gradient(
        two_layer, params, data
    )
    assert set(true) == {"W1", "b1", "W2", "b2"} and true["W1"].shape == (3, 4)
    assert check_formula(two_layer, two_layer_formula(), params, data)


def test_check_formula_without_numpy_says_how_to_install_it():
    code = (
        "import sys; sys.modules['numpy'] = None\n"
        "import autograd\n"
        "try:\n    autograd.check_formula(None, None, {})\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert "pip install numpy" in out.stdout, out.stderr


# --- property-based: the strategies, and the shrunk counterexample as numpy code ---------------


SHAPES = {"W1": "D M", "b1": "M", "W2": "M K", "b2": "K"}
DATA = {"X": "N D", "T": "N K"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network_arrays(SHAPES, DATA, one_hot=["T"]))
def test_seed_000s_formula_holds_for_every_shape_drawn(case):
    assert case.params["W1"].shape[1] == case.params["W2"].shape[0]  # M is shared
    assert np.all(case.data["T"].sum(axis=1) == 1.0)  # one-hot rows
    assert check_formula(seeds.J000, seeds.derivatives000, case.params, case.data)


def test_a_wrong_formula_shrinks_to_a_small_case_that_pastes_as_numpy():
    wrong = two_layer_formula(drop_hidden=True)

    def fails(case):
        try:
            check_formula(two_layer, wrong, case.params, case.data)
        except FormulaError:
            return True
        return False

    case = find(
        network_arrays(SHAPES, DATA, sizes={"N": (1, 6), "D": (1, 3), "M": (1, 4), "K": (1, 3)}),
        fails,
        settings=settings(max_examples=500, database=None, phases=[Phase.generate, Phase.shrink]),
    )
    assert case.sizes == {"D": 1, "M": 1, "K": 1, "N": 1}  # shrunk as far as it goes
    namespace: dict = {}
    exec(repr(case), namespace)  # the repr is numpy source: pasted, it is the same case
    for name, array in {**case.params, **case.data}.items():
        pasted = namespace["params"].get(name, namespace["data"].get(name))
        assert pasted.tolist() == array.tolist()
    assert fails(case) and "import numpy as np" in repr(case)


# --- python -m autograd.check FILE.py ---------------------------------------------------------


GOOD = """
import numpy as np
def loss(w, x):
    return (np.tanh(x.dot(w)) ** 2).sum()
def formula(w, x):
    t = np.tanh(x.dot(w))
    return {"w": x.T.dot(2 * t * (1 - t * t))}
params = {"w": np.array([0.3, -0.2])}
data = {"x": np.array([[1.0, 2.0], [0.5, -1.0]])}
"""


def run_check(tmp_path, text, *args):
    path = tmp_path / "derivation.py"
    path.write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "autograd.check", str(path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_cli_exit_0_when_the_formula_agrees(tmp_path):
    done = run_check(tmp_path, GOOD)
    assert done.returncode == 0 and "agrees" in done.stdout, done.stderr


def test_cli_exit_1_with_the_report_when_it_does_not(tmp_path):
    done = run_check(tmp_path, GOOD.replace("2 * t", "t"))
    assert done.returncode == 1 and "formula = 0.5 × gradient" in done.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x = (", "line 1"),
        ("raise RuntimeError('boom')", "running it failed: RuntimeError: boom"),
        ("import numpy as np\nparams = {}", "does not define loss, formula"),
        (
            GOOD.replace('return {"w": x.T.dot(2 * t * (1 - t * t))}', "return [t]"),
            "formula must return a dict",
        ),
    ],
)
def test_cli_exit_2_for_a_file_it_cannot_use(tmp_path, text, message):
    done = run_check(tmp_path, text)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_cli_help_says_the_file_runs_as_the_users_own_code():
    done = subprocess.run(
        [sys.executable, "-m", "autograd.check", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0 and "your own code" in done.stdout and "trust" in done.stdout


def test_the_python_m_autograd_command_line_is_unchanged():
    from autograd.cli import main

    assert main(["x * 2", "x=1"]) == 0


@pytest.mark.parametrize("x", [0.5, 3.0])
def test_tolerance_is_analytic_not_finite_difference(x):
    # a formula off by 1e-7 relative passes gradcheck's tolerance but not check_formula's
    def loss(w):
        return (w**3).sum()

    params = {"w": np.array([x])}
    assert check_formula(loss, lambda w: {"w": 3 * w**2}, params)
    with pytest.raises(FormulaError):
        check_formula(loss, lambda w: {"w": 3 * w**2 * (1 + 1e-7)}, params)
    assert math.isclose(3 * x**2 * (1 + 1e-7), 3 * x**2, rel_tol=1e-3)
