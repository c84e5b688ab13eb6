"""nn.testing: random networks that rebuild from their repr."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

import nn
from nn.testing import mlps

FIND = settings(
    max_examples=3000,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(model=mlps(nin=(1, 3), depth=(1, 3), width=(1, 4), nout=(1, 3)), data=st.data())
def test_mlps_rebuild_from_their_repr(model, data):
    assert isinstance(model, nn.MLP)
    sizes = [layer.nin for layer in model.layers] + [len(model.layers[-1].neurons)]
    assert 1 <= sizes[0] <= 3 and 1 <= len(model.layers) <= 3 and 1 <= sizes[-1] <= 3
    namespace: dict = {}
    exec(repr(model), namespace)
    pasted = namespace["model"]
    assert [W.tolist() for W in pasted.weight_matrices()] == [
        W.tolist() for W in model.weight_matrices()
    ]
    x = data.draw(st.lists(st.floats(-2, 2), min_size=model.nin, max_size=model.nin))
    out, pasted_out = model(x), pasted(x)
    out = out if isinstance(out, list) else [out]
    pasted_out = pasted_out if isinstance(pasted_out, list) else [pasted_out]
    assert [v.data for v in out] == [v.data for v in pasted_out]
    assert all(math.isfinite(v.data) for v in out)


def test_mlps_draw_each_activation():
    for name in ("relu", "tanh", "sigmoid", "linear"):
        model = find(mlps(), lambda m, name=name: m.layers[0].activation == name, settings=FIND)
        assert name in repr(model)
