"""SGD and Adam: micrograd's update, PyTorch's formulas, learning-rate schedules, errors."""

from __future__ import annotations

import math

import pytest

from autograd import Value
from nn import MLP, SGD, Adam, sse


def quadratic_bowl(params):
    """A loss with different curvature per parameter: Σ (i + 1) (pᵢ − 1)² + p₀ p₁."""
    return sum((i + 1) * (p - 1.0) ** 2 for i, p in enumerate(params)) + params[0] * params[1]


def run(optimizer_factory, steps=6, start=(0.5, -1.5, 2.0)):
    params = [Value(x) for x in start]
    opt = optimizer_factory(params)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        quadratic_bowl(params).backward()
        opt.step()
        trajectory.append([p.data for p in params])
    return trajectory


def run_torch(torch, optimizer_factory, steps=6, start=(0.5, -1.5, 2.0)):
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in start]
    opt = optimizer_factory(params)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        quadratic_bowl(params).backward()
        opt.step()
        trajectory.append([p.item() for p in params])
    return trajectory


def test_plain_sgd_is_micrograds_update():
    model = MLP(2, [3, 1], seed=0)
    sse(model([0.5, -0.25]), 1.0).backward()
    expected = [p.data - 0.05 * p.grad for p in model.parameters()]
    SGD(model, lr=0.05).step()
    assert [p.data for p in model.parameters()] == expected  # bit for bit


def test_learning_rate_schedule_gets_the_step_index():
    seen = []
    w = Value(1.0)
    opt = SGD([w], lr=lambda k: seen.append(k) or 0.1)
    for _ in range(3):
        w.grad = 1.0
        opt.step()
    assert seen == [0, 1, 2] and opt.steps == 3
    assert w.data == pytest.approx(0.7, rel=1e-15)


def test_sgd_momentum_and_weight_decay_by_hand():
    w = Value(2.0)
    opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5)
    w.grad = 1.0
    opt.step()  # g = 1 + 0.5·2 = 2; v = 2; w = 2 - 0.2
    assert w.data == pytest.approx(1.8, rel=1e-15)
    w.grad = 1.0
    opt.step()  # g = 1 + 0.9 = 1.9; v = 0.9·2 + 1.9 = 3.7; w = 1.8 - 0.37
    assert w.data == pytest.approx(1.43, rel=1e-15)


def test_adam_first_step_moves_each_parameter_by_lr():
    # m̂ = g and v̂ = g² after one step, so the step is lr · g / (|g| + eps) ≈ lr · sign(g).
    params = [Value(1.0), Value(-3.0)]
    params[0].grad, params[1].grad = 250.0, -1e-3
    Adam(params, lr=0.01).step()
    assert params[0].data == pytest.approx(1.0 - 0.01, rel=1e-9)
    assert params[1].data == pytest.approx(-3.0 + 0.01, rel=1e-7)


# --- every formula by hand, so plain `make test` (no torch) checks them too --------------------


def _two_steps(optimizer) -> list[float]:
    """p after each of two steps on the loss 3p (its gradient is 3 whatever p is), from p = 1."""
    p = Value(1.0)
    opt = optimizer([p])
    seen = []
    for _ in range(2):
        opt.zero_grad()
        (3.0 * p).backward()
        opt.step()
        seen.append(p.data)
    return seen


def test_sgd_weight_decay_pulls_towards_zero_by_hand():
    # g = 3 + 0.5·p: step 1 g = 3.5, p = 1 − 0.35 = 0.65; step 2 g = 3.325, p = 0.3175
    assert _two_steps(lambda ps: SGD(ps, lr=0.1, weight_decay=0.5)) == pytest.approx(
        [0.65, 0.3175], rel=1e-14
    )


def test_sgd_momentum_with_weight_decay_by_hand():
    # v = g = 3.5, p = 0.65; then g = 3 + 0.325 = 3.325, v = 0.9·3.5 + 3.325 = 6.475, p = 0.0025
    result = _two_steps(lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.5))
    assert result == pytest.approx([0.65, 0.0025], rel=1e-12)


def test_adam_weight_decay_sign_by_hand():
    # Step 1 moves by lr whatever the sign of the decay (m̂/√v̂ = 1): p = 1 − 0.1·3.5/(3.5 + 1e-8).
    # Step 2 tells the sign: g = 3 + 0.5·0.9 = 3.45, m = 0.9·0.35 + 0.1·3.45 = 0.66,
    # v = 0.999·0.01225 + 0.001·3.45² = 0.02414025, m̂ = 0.66/0.19, v̂ = 0.02414025/0.001999,
    # p = 0.9 − 0.1·3.473684/3.475077 = 0.800040 (with the sign flipped it would be 0.799953).
    result = _two_steps(lambda ps: Adam(ps, lr=0.1, weight_decay=0.5))
    assert result[0] == pytest.approx(1.0 - 0.1 * 3.5 / (3.5 + 1e-8), rel=1e-15)
    assert result[1] == pytest.approx(0.8000400920660877, rel=1e-12)


def test_adam_without_weight_decay_by_hand():
    # g = 3 both steps: m̂ = 3, v̂ = 9 each time, so each step is 0.1·3/(3 + 1e-8)
    step = 0.1 * 3.0 / (3.0 + 1e-8)
    assert _two_steps(lambda ps: Adam(ps, lr=0.1)) == pytest.approx(
        [1.0 - step, 1.0 - 2 * step], rel=1e-14
    )


def test_adam_with_a_gradient_that_was_always_zero_does_not_move():
    # Adam(eps=0) raised ZeroDivisionError here (0 / (0 + 0)); eps must now be > 0.
    w = Value(1.0)
    opt = Adam([w], lr=0.1)
    opt.step()
    assert w.data == 1.0


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda p: SGD(p, lr=0.05), lambda t, p: t.optim.SGD(p, lr=0.05)),
        (
            lambda p: SGD(p, lr=0.05, momentum=0.9, weight_decay=0.1),
            lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.1),
        ),
        (lambda p: Adam(p, lr=0.1), lambda t, p: t.optim.Adam(p, lr=0.1)),
        (
            lambda p: Adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05),
            lambda t, p: t.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05),
        ),
    ],
)
def test_optimizers_follow_torchs_trajectory(ours, theirs):
    torch = pytest.importorskip("torch")
    expected = run_torch(torch, lambda p: theirs(torch, p))
    for step, (a, b) in enumerate(zip(run(ours), expected)):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-14), step


def test_adam_descends_the_bowl():
    trajectory = run(lambda p: Adam(p, lr=0.05), steps=300)
    final = [Value(x) for x in trajectory[-1]]
    start = [Value(x) for x in (0.5, -1.5, 2.0)]
    assert quadratic_bowl(final).data < quadratic_bowl(start).data - 1.0


def test_zero_grad_and_module_params():
    model = MLP(2, [2, 1], seed=0)
    opt = SGD(model, lr=0.1)
    assert opt.params == model.parameters()
    model([1.0, 1.0]).backward()
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert opt.learning_rate() == 0.1
    assert repr(opt) == "SGD(9 parameters, lr=0.1, steps=0)"


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: SGD([], lr=0.1), ValueError, "SGD: got an empty list of parameters"),
        (lambda: SGD([1.0], lr=0.1), TypeError, "parameters must be Values, got float"),
        (
            lambda: SGD([Value(1.0)], lr=-0.1),
            ValueError,
            "learning rate must be finite and >= 0, got -0.1",
        ),
        (lambda: SGD([Value(1.0)], lr=math.nan), ValueError, "learning rate"),
        (lambda: SGD([Value(1.0)], lr="0.1"), TypeError, "learning rate must be a number, got str"),
        (
            lambda: SGD([Value(1.0)], lr=0.1, momentum=1.5),
            ValueError,
            "momentum must be in \\[0, 1\\)",
        ),
        (lambda: Adam([Value(1.0)], betas=(0.9,)), TypeError, "betas must be a pair"),
        (lambda: Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, "beta2 must be in"),
        # NaN for eps or weight_decay made every parameter NaN after one step
        (lambda: Adam([Value(1.0)], eps=math.nan), ValueError, "eps must be a finite number > 0"),
        (lambda: Adam([Value(1.0)], eps=0.0), ValueError, "eps must be a finite number > 0"),
        (lambda: Adam([Value(1.0)], weight_decay=math.nan), ValueError, "weight_decay must be"),
        (lambda: Adam([Value(1.0)], weight_decay=math.inf), ValueError, "weight_decay must be"),
        (lambda: SGD([Value(1.0)], lr=0.1, weight_decay=math.nan), ValueError, "weight_decay"),
        (lambda: SGD([Value(1.0)], lr=0.1, weight_decay=-1.0), ValueError, ">= 0, got -1.0"),
        (lambda: SGD([Value(1.0)], lr=0.1, momentum=math.nan), ValueError, "momentum must be"),
        (lambda: Adam([Value(1.0)], betas=(math.nan, 0.9)), ValueError, "beta1 must be"),
    ],
)
def test_bad_optimizer_settings_raise_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_schedule_returning_a_bad_rate_names_the_step():
    w = Value(1.0)
    opt = SGD([w], lr=lambda k: 0.1 if k == 0 else -1.0)
    opt.step()
    with pytest.raises(ValueError, match=r"SGD: lr\(1\): learning rate must be finite and >= 0"):
        opt.step()
