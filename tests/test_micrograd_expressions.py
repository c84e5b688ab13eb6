"""micrograd's own two engine tests (its test/test_engine.py), against PyTorch in double precision.

Without torch, the expressions are still checked against the numbers micrograd's README prints.
"""

from __future__ import annotations

import pytest

from autograd import Value, grad


def sanity_check(make):
    x = make(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    return [x], y


def more_ops(make):
    a = make(-4.0)
    b = make(2.0)
    c = a + b
    d = a * b + b**3
    c = c + c + 1
    c = c + 1 + c + (-a)
    d = d + d * 2 + (b + a).relu()
    d = d + 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g = g + 10.0 / f
    return [a, b], g


def test_sanity_check_matches_known_numbers():
    (x,), y = sanity_check(Value)
    y.backward()
    assert y.data == -20.0 and x.grad == 46.0


def test_more_ops_matches_micrograds_readme():
    (a, b), g = more_ops(Value)
    g.backward()
    assert g.data == pytest.approx(24.70408163265306, rel=1e-14)
    assert a.grad == pytest.approx(138.83381924198252, rel=1e-14)
    assert b.grad == pytest.approx(645.5772594752186, rel=1e-14)


@pytest.mark.parametrize("expression", [sanity_check, more_ops])
def test_first_and_second_derivatives_match_torch_double(expression):
    torch = pytest.importorskip("torch")

    def make_t(x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    inputs_t, out_t = expression(make_t)
    grads_t = torch.autograd.grad(out_t, inputs_t, create_graph=True)
    hessian_t = [
        [torch.autograd.grad(g, x, retain_graph=True)[0].item() for x in inputs_t] for g in grads_t
    ]

    inputs, out = expression(Value)
    grads = grad(out, inputs, create_graph=True)
    hessian = [[h.data for h in grad(g, inputs)] for g in grads]

    assert out.data == pytest.approx(out_t.item(), rel=1e-14)
    assert [g.data for g in grads] == pytest.approx([g.item() for g in grads_t], rel=1e-14)
    assert hessian == [pytest.approx(row, rel=1e-12) for row in hessian_t]
