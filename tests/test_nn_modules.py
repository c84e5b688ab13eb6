"""Module, Neuron, Layer, MLP: parameters, labels, activations, errors, weight matrices."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import autograd
from autograd import Value, topological_order
from nn import MLP, Layer, Module, Neuron

# --- construction, reproducibility, labels ------------------------------------------------


def test_default_weights_come_from_the_random_module_like_micrograd():
    random.seed(3)
    expected = [random.uniform(-1, 1) for _ in range(2 * 4)]
    random.seed(3)
    model = MLP(2, [4])
    assert [p.data for n in model.layers[0].neurons for p in n.w] == expected
    assert all(n.b.data == 0.0 for n in model.layers[0].neurons)


def test_seed_and_rng_are_reproducible_and_leave_global_random_alone():
    random.seed(0)
    before = random.getstate()
    a = MLP(2, [5, 1], seed=11).state_dict()
    b = MLP(2, [5, 1], rng=random.Random(11)).state_dict()
    assert a == b
    assert MLP(2, [5, 1], seed=12).state_dict() != a
    assert random.getstate() == before


def test_rng_and_seed_together_is_an_error():
    with pytest.raises(ValueError, match="rng or seed"):
        MLP(2, [1], rng=random.Random(0), seed=0)


def test_parameters_carry_readable_labels():
    model = MLP(2, [3, 1], seed=0)
    n = model.layers[0].neurons[2]
    assert [p.label for p in n.w] == ["L1.N3.w1", "L1.N3.w2"]
    assert n.b.label == "L1.N3.b"
    assert model.layers[1].neurons[0].w[2].label == "L2.N1.w3"
    assert [p.label for p in Neuron(2, seed=0).parameters()] == ["w1", "w2", "b"]


def test_named_parameters_follow_attribute_paths():
    model = MLP(2, [2, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert len(names) == len(set(names)) == 9
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_custom_module_finds_values_lists_and_submodules_but_not_private_attributes():
    class Net(Module):
        def __init__(self):
            self.scale = Value(2.0)
            self.hidden = [Neuron(2, seed=0), Neuron(2, seed=1)]
            self.head = Neuron(2, nonlin=False, seed=2)
            self._cache = Value(9.0)  # private: not a parameter

        def forward(self, x):
            return self.head([n(x) for n in self.hidden]) * self.scale

    net = Net()
    assert len(net.parameters()) == 1 + 3 + 3 + 3
    assert net._cache not in net.parameters()
    assert "hidden.1.w.0" in dict(net.named_parameters())
    assert isinstance(net([1.0, 2.0]), Value)
    assert repr(net) == "Net(10 parameters)"


def test_tied_parameter_is_listed_once():
    class Tied(Module):
        def __init__(self):
            self.a = Neuron(2, seed=0)
            self.b = self.a

    assert len(Tied().parameters()) == 3


class _EqualToAll(Value):
    """A Value that says it equals anything: only identity tells it from the Value it replaced."""

    __slots__ = ()

    def __eq__(self, other):
        return True

    __hash__ = Value.__hash__


def _walked(model):
    """parameters() by a fresh walk, not the kept list."""
    model.__dict__.pop("_parameters_found", None)
    return model.parameters()


@pytest.mark.parametrize(
    "change",
    [
        "append to a weight list",
        "replace a weight in place",
        "replace a weight with one that equals all",
        "new attribute on a submodule",
        "delete an attribute",
        "rename an attribute to a private one",
        "swap a neuron in a layer's list",
        "replace a submodule's __dict__",
    ],
)
def test_parameters_kept_between_calls_see_every_change_to_the_model(change):
    model = MLP(2, [3, 1], seed=0)
    before = model.parameters()
    assert model.parameters() == before  # the kept list
    layer, neuron = model.layers[0], model.layers[0].neurons[1]
    if change == "append to a weight list":
        neuron.w.append(Value(1.0))
    elif change == "replace a weight in place":
        neuron.w[0] = Value(1.0)
    elif change == "replace a weight with one that equals all":
        neuron.w[0] = _EqualToAll(1.0)
    elif change == "new attribute on a submodule":
        neuron.scale = Value(1.0)
    elif change == "delete an attribute":
        del neuron.b
    elif change == "rename an attribute to a private one":
        neuron._b = neuron.b
        del neuron.b
    elif change == "swap a neuron in a layer's list":
        layer.neurons[1] = Neuron(2, seed=5)
    else:
        neuron.__dict__ = {"w": list(neuron.w), "b": Value(3.0)}
    after = list(map(id, model.parameters()))  # (by identity: one Value equals all)
    assert after != list(map(id, before))
    assert after == list(map(id, _walked(model)))


def test_parameters_list_returned_is_the_callers_to_change():
    model = MLP(2, [3, 1], seed=0)
    model.parameters().clear()
    assert len(model.parameters()) == 13


def test_copies_of_a_model_find_their_own_parameters():
    import copy
    import pickle

    model = MLP(2, [3, 1], seed=0)
    model.parameters()
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        found = twin.parameters()
        assert found == _walked(twin)
        assert not set(map(id, found)) & set(map(id, model.parameters()))
    shallow = copy.copy(model)
    shallow.layers = [shallow.layers[0]]  # a change to the copy leaves the original as it is
    assert len(shallow.parameters()) == 9 and len(model.parameters()) == 13
    clone = object.__new__(MLP)  # a copy by hand, with the original's kept list
    vars(clone).update(vars(model))
    clone.layers = [clone.layers[1]]
    assert len(clone.parameters()) == 4


class _Scaled(Module):
    __slots__ = ("scale",)

    def __init__(self):
        self.scale = Value(2.0)
        self.inner = Neuron(2, seed=0)


def test_a_copy_of_a_module_with_slots_keeps_them():
    # (the kept parameters list must not change how modules are copied or pickled)
    import copy
    import pickle

    model = _Scaled()
    assert len(model.parameters()) == 3  # inner's: a slot is no attribute the walk reads
    for twin in (copy.copy(model), copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert twin.scale.data == 2.0 and len(twin.parameters()) == 3


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Module"):
        Module()(1.0)


# --- forward: fused nodes, activations, shapes --------------------------------------------


def test_pre_activation_is_one_fused_node():
    neuron = Neuron(5, seed=0)
    x = [Value(float(i)) for i in range(5)]
    out = neuron(x)
    z = out.parents[0]
    assert out.op.name == "relu" and z.op.name == "dot"
    assert len(z.parents) == 2 * 5 + 1
    # the whole graph: 5 weights, 5 inputs, the bias, the dot node and the relu
    assert len(topological_order([out])) == 13


@pytest.mark.parametrize(
    "name, f",
    [
        ("relu", lambda z: max(z, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("linear", lambda z: z),
    ],
)
def test_neuron_activation_by_name(name, f):
    neuron = Neuron(2, activation=name, seed=0)
    w1, w2 = (p.data for p in neuron.w)
    neuron.b.data = -0.25
    for x in ([1.0, 2.0], [-3.0, 0.5]):
        z = w1 * x[0] + w2 * x[1] - 0.25
        assert neuron(x).data == pytest.approx(f(z), rel=1e-14, abs=1e-15)


def test_softmax_output_layer_sums_to_one_and_hidden_layers_use_activation():
    model = MLP(2, [4, 3], activation="tanh", output_activation="softmax", seed=0)
    out = model([0.3, -0.7])
    assert len(out) == 3 and sum(p.data for p in out) == pytest.approx(1.0, rel=1e-15)
    assert repr(model.layers[0]).startswith("Layer of [TanhNeuron(2)")
    assert repr(model.layers[1]).endswith("with softmax")


def test_layer_returns_a_list_and_one_neuron_returns_a_value():
    assert len(Layer(2, 3, seed=0)([1.0, 2.0])) == 3
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)


def test_inputs_may_be_numpy_rows_tuples_or_values():
    model = MLP(2, [3, 1], seed=0)
    expected = model([0.5, -1.5]).data
    assert model(np.array([0.5, -1.5])).data == expected
    assert model((0.5, -1.5)).data == expected
    assert model([Value(0.5), Value(-1.5)]).data == expected


def test_layer_sizes_may_be_any_iterable_of_ints():
    assert repr(MLP(2, np.array([3, 1]), seed=0)) == repr(MLP(2, (3, 1), seed=0))


def test_one_input_network_takes_a_lone_number():
    model = MLP(1, [3, 1], seed=0)
    assert model(0.5).data == model([0.5]).data


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: MLP(0, [1]), ValueError, "MLP: nin must be a positive int, got 0"),
        (lambda: MLP(2, []), ValueError, "at least one layer"),
        (
            lambda: MLP(2, [4, 0]),
            ValueError,
            "each layer size in nouts must be a positive int, got 0",
        ),
        (lambda: MLP(2, 16), TypeError, "nouts must be a list of layer sizes"),
        (lambda: MLP(2.0, [1]), TypeError, "nin must be a positive int, got float"),
        (lambda: Neuron(-1), ValueError, "Neuron: nin must be a positive int, got -1"),
        (lambda: Layer(2, 0), ValueError, "Layer: nout must be a positive int, got 0"),
        (lambda: Neuron(2, activation="gelu"), ValueError, "'relu', 'tanh', 'sigmoid', 'linear'"),
        (lambda: MLP(2, [1], activation="softmax"), ValueError, "output_activation"),
        (lambda: MLP(2, [1], output_activation="swish"), ValueError, "'softmax'"),
        (lambda: Neuron(2, nonlin=False, activation="tanh"), ValueError, "contradicts"),
        (lambda: Neuron(2, init="normal"), ValueError, "unknown init 'normal'"),
        (lambda: Neuron(2, rng="seed"), TypeError, "rng must be a random.Random"),
    ],
)
def test_bad_construction_raises_a_clear_error(make, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace("[", r"\[")):
        make()


def test_wrong_input_length_names_expected_and_got():
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises(ValueError, match="MLP: expected 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Layer: expected 3 inputs, got 2"):
        Layer(3, 2, seed=0)([1.0, 2.0])
    with pytest.raises(ValueError, match="Neuron: expected 2 inputs, got 1"):
        Neuron(2, seed=0)([1.0])
    with pytest.raises(TypeError, match="expected a sequence of 2 inputs, got dict"):
        model({"x": 1.0})


# --- init schemes ---------------------------------------------------------------------------


def test_xavier_and_he_inits_have_their_scales():
    a = math.sqrt(6 / (50 + 40))
    weights = [p.data for p in Layer(50, 40, init="xavier", seed=0).parameters() if "w" in p.label]
    assert max(map(abs, weights)) <= a and max(map(abs, weights)) > 0.9 * a
    he = [p.data for p in Layer(50, 40, init="he", seed=0).parameters() if "w" in p.label]
    assert np.std(he) == pytest.approx(math.sqrt(2 / 50), rel=0.05)


def test_custom_init_callable_sees_fan_in_and_fan_out():
    seen = set()

    def init(rng, nin, nout):
        seen.add((nin, nout))
        return 0.5

    model = MLP(3, [4, 2], init=init, seed=0)
    assert seen == {(3, 4), (4, 2)}
    assert all(p.data == 0.5 for p in model.parameters() if ".w" in p.label)


# --- weight matrices --------------------------------------------------------------------------


def test_from_matrices_round_trips_in_both_layouts():
    rng = np.random.RandomState(0)
    W1, W2, b1, b2 = rng.randn(4, 3), rng.randn(2, 4), rng.randn(4), rng.randn(2)
    model = MLP.from_matrices([W1, W2], [b1, b2], activation="tanh")
    assert [W.tolist() for W in model.weight_matrices()] == [W1.tolist(), W2.tolist()]
    assert [b.tolist() for b in model.bias_vectors()] == [b1.tolist(), b2.tolist()]
    x = rng.randn(3)
    expected = W2 @ np.tanh(W1 @ x + b1) + b2
    np.testing.assert_allclose([v.data for v in model(x)], expected, rtol=1e-13)

    same = MLP.from_matrices([W1.T, W2.T], [b1, b2], activation="tanh", layout="in_out")
    assert same.state_dict() == model.state_dict()
    assert [W.tolist() for W in same.weight_matrices(layout="in_out")] == [
        W1.T.tolist(),
        W2.T.tolist(),
    ]


def test_from_matrices_accepts_column_biases_nested_lists_and_vectors():
    model = MLP.from_matrices(
        [[[0.2, 0.2], [0.3, 0.3]], [0.3, 0.9]], [[[0.1], [0.2]], None], activation="sigmoid"
    )
    assert model.bias_vectors()[0].tolist() == [0.1, 0.2]
    assert model.bias_vectors()[1].tolist() == [0.0]
    assert model.weight_matrices()[1].shape == (1, 2)


def test_grad_matrices_hold_each_weights_gradient():
    model = MLP(3, [4, 2], activation="tanh", seed=0)
    out = model([0.1, -0.2, 0.3])
    (out[0] + 2 * out[1]).backward()
    G1, G2 = model.grad_matrices()
    assert G1[2, 1] == model.layers[0].neurons[2].w[1].grad
    assert G2.T.tolist() == model.grad_matrices(layout="in_out")[1].tolist()
    assert model.bias_grads()[1].tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "weights, biases, message",
    [
        (
            [np.ones((2, 2)), np.ones((1, 3))],
            None,
            "layer 2's weights take 3 inputs but layer 1 has 2 outputs",
        ),
        (
            [np.ones((2, 2))],
            [np.ones(3)],
            "layer 1's bias has 3 numbers but the layer has 2 outputs",
        ),
        ([np.ones((2, 2))], [None, None], "1 weight matrices but 2 bias vectors"),
        ([np.ones((2, 2, 2))], None, "3 dimensions"),
    ],
)
def test_from_matrices_shape_errors_say_which_layer(weights, biases, message):
    with pytest.raises(ValueError, match=message):
        MLP.from_matrices(weights, biases)


def test_unknown_layout_is_an_error():
    with pytest.raises(ValueError, match="'out_in', 'in_out'"):
        MLP.from_matrices([np.ones((1, 2))], layout="rows")
    with pytest.raises(ValueError, match="unknown layout"):
        MLP(2, [1], seed=0).weight_matrices(layout="columns")


def test_from_matrices_leaves_the_global_random_state_alone():
    random.seed(5)
    before = random.getstate()
    MLP.from_matrices([np.ones((3, 2))])
    assert random.getstate() == before


# --- the layer's fast path ---------------------------------------------------------------------


def test_layer_fast_path_builds_what_autograd_dot_builds():
    # Layer reads its inputs' floats once for all its neurons; the node it records must be
    # exactly autograd.dot(w, x, b) followed by the activation: same op, parents and floats.
    layer = Layer(3, 2, activation="tanh", seed=1)
    xs = [Value(0.25), 2, -1.5]  # a Value, an int and a float
    for neuron, out in zip(layer.neurons, layer(xs)):
        z = out.parents[0]
        expected = autograd.dot(neuron.w, xs, neuron.b)
        assert z.op is expected.op and z.parents == expected.parents
        assert z.data == expected.data and out.data == math.tanh(expected.data)


def test_layer_rejects_a_non_number_input_by_name():
    with pytest.raises(TypeError, match=r"Layer: expected a real number .* got str"):
        Layer(2, 2, seed=0)([1.0, "2"])
