"""save/load: exact round trip, atomic writes, and clear errors that leave the model untouched."""

from __future__ import annotations

import json
import os
import re

import pytest

from nn import MLP, Module, Neuron

AWKWARD = [0.1 + 0.2, 1e-300, -0.0, 5e-324, 1 / 3, -123456789.123456789, 2.0**-1074 * 3]


def bits(model):
    return [p.data.hex() for p in model.parameters()]


@pytest.fixture
def model():
    m = MLP(2, [3, 1], seed=0)
    for p, x in zip(m.parameters(), AWKWARD):
        p.data = x
    return m


def test_save_then_load_is_exact(model, tmp_path):
    path = tmp_path / "model.json"
    model.save(path)
    other = MLP(2, [3, 1], seed=1)
    assert other.load(path) is other
    assert bits(other) == bits(model)  # bit for bit, -0.0 and subnormals included


def test_saved_file_is_readable_json(model, tmp_path):
    path = tmp_path / "model.json"
    model.save(str(path))
    document = json.loads(path.read_text())
    assert document["format"] == "scalar-autograd/nn" and document["model"] == "MLP"
    assert document["parameters"]["layers.1.neurons.0.w"] == [
        p.data for p in model.layers[1].neurons[0].w
    ]


def test_truncated_file_raises_and_leaves_the_model_untouched(model, tmp_path):
    path = tmp_path / "model.json"
    model.save(path)
    path.write_text(path.read_text()[:-25])
    other = MLP(2, [3, 1], seed=1)
    before = bits(other)
    with pytest.raises(ValueError, match=r"not valid JSON .* truncated"):
        other.load(path)
    assert bits(other) == before


def test_mismatched_names_are_listed_and_the_model_untouched(model, tmp_path):
    path = tmp_path / "model.json"
    model.save(path)
    wider = MLP(2, [4, 1], seed=1)
    before = bits(wider)
    with pytest.raises(ValueError) as info:
        wider.load(path)
    message = str(info.value)
    assert "saved from a MLP" in message
    assert "missing 'layers.0.neurons.3.w'" in message
    assert "'layers.1.neurons.0.w' should be a list of 4 numbers, got a list of 3 items" in message
    assert bits(wider) == before


def test_mismatched_shape_is_named(model, tmp_path):
    path = tmp_path / "model.json"
    model.save(path)
    three_inputs = MLP(3, [3, 1], seed=1)
    with pytest.raises(
        ValueError, match=re.escape("'layers.0.neurons.0.w' should be a list of 3 numbers")
    ):
        three_inputs.load(path)


def test_foreign_json_is_rejected(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"weights": [1, 2]}')
    with pytest.raises(ValueError, match="not a model file saved by nn"):
        Neuron(2, seed=0).load(path)


def test_load_state_dict_checks_everything_before_changing_anything():
    neuron = Neuron(2, seed=0)
    before = neuron.state_dict()
    with pytest.raises(ValueError, match="unexpected 'c'; 'b' should be a number, got a str"):
        neuron.load_state_dict({"w": [1.0, 2.0], "b": "0", "c": 1.0})
    assert neuron.state_dict() == before
    with pytest.raises(TypeError, match="mapping"):
        neuron.load_state_dict([1.0, 2.0, 3.0])
    neuron.load_state_dict({"w": [1, 2.5], "b": -1})
    assert neuron.state_dict() == {"w": [1.0, 2.5], "b": -1.0}


def test_state_dict_is_a_copy():
    neuron = Neuron(2, seed=0)
    state = neuron.state_dict()
    state["w"][0] = 99.0
    assert neuron.w[0].data != 99.0


def test_failed_save_keeps_the_old_file_and_leaves_no_temp_file(model, tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    model.save(path)
    saved = path.read_text()
    model.parameters()[0].data = float("nan")
    with pytest.raises(ValueError, match=re.escape("'layers.0.neurons.0.w' is nan")):
        model.save(path)
    model.parameters()[0].data = 1.5

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_text() == saved
    assert os.listdir(tmp_path) == ["model.json"]


def test_custom_module_round_trips(tmp_path):
    class Pair(Module):
        def __init__(self, seed):
            self.left = Neuron(2, seed=seed)
            self.right = Neuron(2, seed=seed + 1)

    a, b = Pair(0), Pair(10)
    a.save(tmp_path / "pair.json")
    b.load(tmp_path / "pair.json")
    assert bits(a) == bits(b)


# --- files save would never write: refused in full, the model untouched ----------------------


def _edited(model, tmp_path, edit) -> os.PathLike:
    path = tmp_path / "model.json"
    model.save(path)
    path.write_bytes(edit(path.read_bytes()))
    return path


def _last_number_replaced(text: bytes, by: bytes) -> bytes:
    head, _, tail = text.rpartition(b"0.0\n")  # the last bias
    assert head, text
    return head + by + b"\n" + tail


@pytest.mark.parametrize(
    ("by", "message"),
    [
        (b"NaN", "should be a finite number, got nan"),
        (b"Infinity", "should be a finite number, got inf"),
        (b"-Infinity", "should be a finite number, got -inf"),
        (b"1e999", "should be a finite number, got inf"),
        (b"1" * 400, "too large for a float"),  # a raw OverflowError after half the weights
    ],
)
def test_a_number_save_would_refuse_is_refused_by_load_naming_the_entry(by, message, tmp_path):
    model = MLP(2, [3, 1], seed=0)
    path = _edited(model, tmp_path, lambda text: _last_number_replaced(text, by))
    other = MLP(2, [3, 1], seed=1)
    before = bits(other)
    with pytest.raises(ValueError, match=re.escape("layers.1.neurons.0.b")) as caught:
        other.load(path)
    assert message in str(caught.value)
    assert bits(other) == before


def test_deeply_nested_json_is_a_clear_error_not_a_recursion_error(tmp_path):
    path = tmp_path / "model.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError, match="nested too deeply"):
        MLP(2, [3, 1], seed=1).load(path)


def test_bad_utf8_is_a_clear_error_not_a_unicode_decode_error(tmp_path):
    path = tmp_path / "model.json"
    path.write_bytes(b'{"format": "\xff\xfe"}')
    with pytest.raises(ValueError, match="not UTF-8 text"):
        MLP(2, [3, 1], seed=1).load(path)


def test_load_state_dict_refuses_non_finite_numbers_too():
    neuron = Neuron(2, seed=0)
    before = bits(neuron)
    with pytest.raises(ValueError, match=r"w\[1\] should be a finite number, got nan"):
        neuron.load_state_dict({"w": [1.0, float("nan")], "b": 0.0})
    with pytest.raises(ValueError, match="b should be a finite number"):
        neuron.load_state_dict({"w": [1.0, 2.0], "b": 10**400})
    assert bits(neuron) == before
