"""The way out: an nn.MLP to PyTorch and back — the same parameters bit for bit, the same
outputs and gradients; what torch has and nn has not is refused by name; torch stays optional."""

from __future__ import annotations

import math
import random
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn
from autograd import Value
from nn.testing import mlps

REL = 1e-12


def close(a, b, scale):
    return abs(a - b) <= REL * max(abs(a), abs(b), scale)  # relative, absolute near zero


def inputs(model, seed, n=5):
    rng = random.Random(seed)
    return [[rng.uniform(-2, 2) for _ in range(model.nin)] for _ in range(n)]


def as_list(out):
    return [out] if isinstance(out, Value) else list(out)


# --- numbers -----------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=mlps(), seed=st.integers(0, 2**16))
def test_mlp_to_torch_and_back_gives_the_same_parameters_bit_for_bit(model, seed):
    pytest.importorskip("torch")
    back = nn.MLP.from_torch(model.to_torch())
    assert [p.data.hex() for p in back.parameters()] == [p.data.hex() for p in model.parameters()]
    assert repr(nn.MLP.__repr__(back)) == repr(nn.MLP.__repr__(model))  # the same activations
    for x in inputs(model, seed):
        assert [v.data for v in as_list(back(x))] == [v.data for v in as_list(model(x))]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=mlps(), seed=st.integers(0, 2**16))
def test_torch_computes_the_same_outputs_and_gradients(model, seed):
    torch = pytest.importorskip("torch")
    module = model.to_torch()
    X = inputs(model, seed)
    rng = random.Random(seed + 1)
    targets = [[rng.uniform(-1, 1) for _ in as_list(model(X[0]))] for _ in X]
    # the same loss both ways: the mean squared error of every output
    outs = [as_list(model(x)) for x in X]
    loss = nn.mse([o for row in outs for o in row], [t for row in targets for t in row])
    loss.backward()
    got = module(torch.tensor(X, dtype=torch.float64))
    theirs = torch.nn.functional.mse_loss(got, torch.tensor(targets, dtype=torch.float64))
    theirs.backward()
    scale = max(abs(v.data) for row in outs for v in row)
    for row, trow in zip(outs, got.tolist()):
        assert all(close(v.data, t, scale) for v, t in zip(row, trow))
    assert close(loss.data, theirs.item(), abs(loss.data))
    params = model.parameters()
    torch_grads = _grads_in_nn_order(module)
    # Through a saturated unit a gradient is a difference of terms 1/margin times larger than
    # itself — softmax's 1 − p (p the largest probability), tanh's 1 − y², sigmoid's s(1 − s):
    # each library rounds its unit's last bit its own way (torch's tanh is not math.tanh), and
    # the difference is that much larger in the gradient; "near zero" is measured against it.
    gscale = max(abs(p.grad) for p in params) / _saturation(model, X)
    assert all(close(p.grad, g, gscale) for p, g in zip(params, torch_grads))


def _saturation(model, X):
    """The smallest margin of a saturating unit over the inputs (1 with none), at least 2⁻⁵³."""
    margin = 1.0
    for x in X:
        h = x
        for layer in model.layers:
            out = as_list(layer(h))
            ys = [v.data for v in out]
            if layer.activation == "softmax":
                margin = min(margin, 1.0 - max(ys))
            elif layer.activation in ("tanh", "sigmoid"):  # (fully saturated: no gradient)
                margins = [
                    (1.0 - y) * (1.0 + y) if layer.activation == "tanh" else y * (1.0 - y)
                    for y in ys
                ]
                margin = min([margin] + [m for m in margins if m > 0.0])
            h = out
    return max(margin, 2.0**-53)


def _grads_in_nn_order(module):
    """Each Linear's gradients, neuron by neuron: weights then bias, as nn lists them."""
    import torch

    grads = []
    for layer in module:
        if isinstance(layer, torch.nn.Linear):
            for w, b in zip(layer.weight.grad.tolist(), layer.bias.grad.tolist()):
                grads += [*w, b]
    return grads


def test_float32_rounds_the_weights_and_says_how_close_it_stays():
    torch = pytest.importorskip("torch")
    model = nn.MLP(3, [8, 8, 2], activation="tanh", seed=1)
    module = model.to_torch(dtype=torch.float32)
    assert module[0].weight.dtype == torch.float32
    X = inputs(model, 0, n=20)
    got = module(torch.tensor(X, dtype=torch.float32)).tolist()
    for x, row in zip(X, got):
        assert all(
            math.isclose(v.data, t, rel_tol=1e-5, abs_tol=1e-6) for v, t in zip(model(x), row)
        )
    back = nn.MLP.from_torch(module)  # float32 → float64 is exact: the rounded weights
    assert [p.data for p in back.parameters()] == [
        float(torch.tensor(p.data, dtype=torch.float32)) for p in model.parameters()
    ]


def test_a_softmax_output_ends_in_softmax_and_its_logits_feed_cross_entropy_loss():
    torch = pytest.importorskip("torch")
    model = nn.MLP(2, [4, 3], activation="relu", output_activation="softmax", seed=2)
    module = model.to_torch()
    assert isinstance(module[-1], torch.nn.Softmax)
    X, labels = inputs(model, 3), [0, 2, 1, 1, 0]
    probabilities = module(torch.tensor(X, dtype=torch.float64)).tolist()
    for x, row in zip(X, probabilities):
        assert all(math.isclose(v.data, p, rel_tol=1e-12) for v, p in zip(model(x), row))
    # torch's CrossEntropyLoss wants logits: the module without its Softmax
    logits_model = nn.MLP(2, [4, 3], activation="relu", seed=2)
    theirs = torch.nn.CrossEntropyLoss()(
        module[:-1](torch.tensor(X, dtype=torch.float64)), torch.tensor(labels)
    )
    ours = nn.cross_entropy([logits_model(x) for x in X], labels)
    assert math.isclose(ours.data, theirs.item(), rel_tol=1e-12)


def test_from_torch_takes_any_dtype_and_identity_and_a_bare_linear():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.Identity(), torch.nn.Sigmoid(), torch.nn.Linear(3, 1)
    ).to(torch.float16)
    model = nn.MLP.from_torch(module)
    assert (
        repr(model)
        == "MLP of [Layer of [SigmoidNeuron(2), SigmoidNeuron(2), SigmoidNeuron(2)], Layer of [LinearNeuron(3)]]"
    )
    assert model.weight_matrices()[0].tolist() == module[0].weight.double().tolist()
    single = nn.MLP.from_torch(torch.nn.Linear(4, 2))
    assert [W.shape for W in single.weight_matrices()] == [(2, 4)]


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.GELU()),
            r"'1' \(GELU\) has no counterpart in nn",
        ),
        (lambda t: t.nn.Sequential(t.nn.Linear(2, 3, bias=False)), r"'0' \(Linear\) has no bias"),
        (
            lambda t: t.nn.Sequential(t.nn.Conv1d(1, 1, 3)),
            r"'0' \(Conv1d\) comes before any Linear",
        ),
        (
            lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Conv1d(1, 1, 3)),
            r"'1' \(Conv1d\) has no counterpart",
        ),
        (
            lambda t: t.nn.Sequential(t.nn.ReLU(), t.nn.Linear(2, 3)),
            r"'0' \(ReLU\) comes before any Linear",
        ),
        (
            lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.ReLU(), t.nn.Tanh()),
            r"'2' \(Tanh\): a second activation",
        ),
        (
            lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Softmax(dim=-1), t.nn.Linear(3, 1)),
            r"as the last module only",
        ),
        (
            lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Softmax(dim=0)),
            r"softmax over the outputs",
        ),
        (
            lambda t: t.nn.Sequential(t.nn.Linear(2, 3), t.nn.Linear(4, 1)),
            r"of 4 inputs follows one of 3",
        ),
        (lambda t: t.nn.Sequential(), r"no Linear layer"),
    ],
)
def test_from_torch_refuses_what_nn_cannot_represent_by_name(build, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=message):
        nn.MLP.from_torch(build(torch))


def test_from_torch_refuses_a_module_that_is_not_sequential():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"expected a torch\.nn\.Sequential.*got LSTM"):
        nn.MLP.from_torch(torch.nn.LSTM(2, 3))


def test_to_torch_wants_a_floating_dtype():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="floating dtype"):
        nn.MLP(2, [1], seed=0).to_torch(dtype=torch.int64)


# --- torch stays optional --------------------------------------------------------------------------


def test_importing_nn_does_not_import_torch():
    code = "import sys, nn, autograd; nn.MLP(2, [3, 1], seed=0); assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_without_torch_to_torch_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ImportError, match=r"pip install torch \(the CPU build is enough"):
        nn.MLP(2, [1], seed=0).to_torch()
    with pytest.raises(ImportError, match="pip install torch"):
        nn.MLP.from_torch(object())


def test_the_readmes_example_runs():
    pytest.importorskip("torch")
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("## Moving to PyTorch", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert [p.data for p in namespace["back"].parameters()] == [
        p.data for p in namespace["model"].parameters()
    ]
