"""Neuron, Layer and MLP: a drop-in superset of micrograd's ``nn``.

``MLP(2, [16, 16, 1])`` is micrograd's network: ReLU hidden layers, a linear output, weights
drawn uniformly from [-1, 1) with the ``random`` module (same draws, same order), zero biases,
and ``parameters()`` in micrograd's order (each neuron's w then b, layer by layer).

>>> import random
>>> random.seed(1337)
>>> model = MLP(2, [16, 16, 1])
>>> len(model.parameters())
337
>>> model.layers[0].neurons[2].w[1].label
'L1.N3.w2'
>>> score = model([0.5, -1.0])      # one output neuron: a Value, not a list
>>> type(score).__name__
'Value'

Each neuron's pre-activation w·x + b is ONE graph node (``autograd.dot``; a layer makes all of
its neurons' at once with ``autograd.linear``), not 2n nodes.
Labels count from 1, like the math: ``L1.N3.w2`` is weight 2 of neuron 3 of layer 1, the
entry W1[2, 1] (0-based) of the first layer's out × in weight matrix.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from autograd import Value, dot, linear

from .activations import ACTIVATIONS, DISPLAY_NAMES, check_activation
from .init import Init, check_init, resolve_rng
from .losses import softmax
from .module import Module

if TYPE_CHECKING:
    import random

    import numpy as np

__all__ = ["MLP", "Layer", "Neuron"]

_INPUT_TYPES = frozenset((Value, float))

Input = Any  # a sequence of Values or numbers (list, tuple, numpy row), or one Value/number


def _check_count(n: Any, where: str, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{where}: {what} must be a positive int, got {type(n).__name__} {n!r}")
    if n < 1:
        raise ValueError(f"{where}: {what} must be a positive int, got {n}")
    return int(n)


def _choose_activation(
    nonlin: bool, activation: str | None, where: str, *, layer: bool, lecture: bool = False
) -> str:
    """micrograd's ``nonlin`` flag (tanh for the lecture's neurons), unless a named activation
    is given."""
    if lecture and (activation not in (None, "tanh") or not nonlin):
        raise ValueError(f"{where}: lecture=True neurons are tanh neurons; drop activation/nonlin")
    if activation is None:
        return ("tanh" if lecture else "relu") if nonlin else "linear"
    name = check_activation(activation, where, allow_softmax=layer)
    if not nonlin and name != "linear":
        raise ValueError(f"{where}: nonlin=False contradicts activation={name!r}; pass one of them")
    return name


def _inputs(x: Input, n: int, where: str) -> Sequence[Any]:
    """``x`` as a sequence of ``n`` inputs. A lone Value or number counts as one input, which is
    what a one-neuron layer returns (micrograd's ``MLP(2, [16, 1, 1])`` broke on it)."""
    if type(x) is list or type(x) is tuple:
        xs = x
    elif isinstance(x, (Value, numbers.Real)):
        xs = (x,)
    elif isinstance(x, (str, bytes, Mapping)):
        raise TypeError(f"{where}: expected a sequence of {n} inputs, got {type(x).__name__}")
    else:
        try:
            xs = list(x)
        except TypeError:
            raise TypeError(
                f"{where}: expected a sequence of {n} inputs, got {type(x).__name__}"
            ) from None
    if len(xs) != n:
        raise ValueError(f"{where}: expected {n} inputs, got {len(xs)}")
    if not _INPUT_TYPES.issuperset(map(type, xs)):  # the common case, checked at C speed
        for v in xs:
            if isinstance(v, bool) or not isinstance(v, (Value, numbers.Real)):
                raise TypeError(
                    f"{where}: expected a real number (int, float or numpy real) or a Value "
                    f"as each input, got {type(v).__name__}"
                )
    return xs


class Neuron(Module):
    """One neuron: ``activation(w · x + b)``.

    ``Neuron(nin)`` is micrograd's ReLU neuron and ``Neuron(nin, nonlin=False)`` its linear one;
    ``activation`` names any of relu, tanh, sigmoid, linear. Weights come from ``init``
    (default: uniform in [-1, 1)) drawn from ``rng`` (a ``random.Random``), or from
    ``random.Random(seed)``, or else from the ``random`` module like micrograd. The bias starts
    at 0.0 — or, with ``lecture=True``, the neuron of micrograd's lecture ("Neural Networks:
    Zero to Hero"): tanh, and a bias drawn from U(−1, 1) after the weights.

    >>> n = Neuron(3, activation="tanh", seed=0, label="N1")
    >>> n
    TanhNeuron(3)
    >>> [p.label for p in n.parameters()]
    ['N1.w1', 'N1.w2', 'N1.w3', 'N1.b']
    >>> n([1.0, 2.0, 3.0]).parents[0].op       # the pre-activation is one fused node
    Op('dot')
    """

    w: list[Value]
    b: Value
    activation: str

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        init: str | Init = "uniform",
        rng: random.Random | None = None,
        seed: int | None = None,
        label: str = "",
        lecture: bool = False,
    ) -> None:
        nin = _check_count(nin, "Neuron", "nin")
        self.activation = _choose_activation(
            nonlin, activation, "Neuron", layer=False, lecture=lecture
        )
        draw, source = check_init(init, "Neuron"), resolve_rng(rng, seed, "Neuron")
        prefix = f"{label}." if label else ""
        self.w = [Value(draw(source, nin, 1), f"{prefix}w{i}") for i in range(1, nin + 1)]
        self.b = Value(source.uniform(-1.0, 1.0) if lecture else 0.0, f"{prefix}b")

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: True unless the neuron is linear. Setting it picks relu or linear."""
        return self.activation != "linear"

    @nonlin.setter
    def nonlin(self, value: bool) -> None:
        self.activation = "relu" if value else "linear"

    def forward(self, x: Input) -> Value:
        """activation(w · x + b) for the ``nin`` inputs ``x``."""
        z = dot(self.w, _inputs(x, len(self.w), "Neuron"), self.b)
        return ACTIVATIONS[self.activation](z)

    def __repr__(self) -> str:
        return f"{DISPLAY_NAMES[self.activation]}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that all see the same ``nin`` inputs.

    Calling it returns a list of ``nout`` Values, or the Value itself when ``nout == 1``
    (as in micrograd). ``activation="softmax"`` makes the neurons linear and normalises their
    outputs with a (stable) softmax. Other arguments as for :class:`Neuron` (``lecture=True``:
    the lecture's tanh neurons).

    >>> layer = Layer(2, 3, activation="softmax", seed=0)
    >>> round(sum(p.data for p in layer([1.0, -1.0])), 12)
    1.0
    """

    neurons: list[Neuron]
    activation: str

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool = True,
        *,
        activation: str | None = None,
        init: str | Init = "uniform",
        rng: random.Random | None = None,
        seed: int | None = None,
        label: str = "",
        lecture: bool = False,
    ) -> None:
        nin = _check_count(nin, "Layer", "nin")
        nout = _check_count(nout, "Layer", "nout")
        self.activation = _choose_activation(
            nonlin, activation, "Layer", layer=True, lecture=lecture
        )
        draw, source = check_init(init, "Layer"), resolve_rng(rng, seed, "Layer")
        prefix = f"{label}." if label else ""
        neuron_activation = "linear" if self.activation == "softmax" else self.activation

        def draw_in_layer(rng: Any, nin: int, _: int) -> float:  # the fan-out is this layer's
            return draw(rng, nin, nout)

        self.neurons = [
            Neuron(
                nin,
                activation=neuron_activation,
                init=draw_in_layer,
                rng=source,  # type: ignore[arg-type]
                label=f"{prefix}N{j}",
                lecture=lecture,
            )
            for j in range(1, nout + 1)
        ]

    @property
    def nin(self) -> int:
        """How many inputs each neuron takes."""
        return len(self.neurons[0].w)

    def forward(self, x: Input) -> Value | list[Value]:
        """Every neuron's output (softmax-normalised for a softmax layer)."""
        neurons = self.neurons
        zs = linear([n.w for n in neurons], _inputs(x, self.nin, "Layer"), [n.b for n in neurons])
        out = list(map(ACTIVATIONS[neurons[0].activation], zs))
        if self.activation == "softmax":
            out = softmax(out)
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        inner = f"Layer of [{', '.join(str(n) for n in self.neurons)}]"
        return inner + " with softmax" if self.activation == "softmax" else inner


class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then one layer per entry of ``nouts``.

    Hidden layers use ``activation`` (default relu); the last layer uses
    ``output_activation`` (default None: linear, as in micrograd; "softmax" for class
    probabilities). ``init``, ``rng`` and ``seed`` as for :class:`Neuron`; all weights are drawn
    from one source, layer by layer, neuron by neuron.

    ``lecture=True`` gives the network of micrograd's lecture ("Neural Networks: Zero to Hero",
    lecture 1) instead of micrograd's repository: tanh in every layer, the output too, and every
    neuron's bias drawn from U(−1, 1) after its weights — after the same ``random.seed``, the
    same parameters bit for bit as the lecture's own classes draw.

    >>> import random
    >>> random.seed(1337)
    >>> n = MLP(3, [4, 4, 1], lecture=True)       # the lecture's n = MLP(3, [4, 4, 1])
    >>> n
    MLP of [Layer of [TanhNeuron(3), TanhNeuron(3), TanhNeuron(3), TanhNeuron(3)], Layer of [TanhNeuron(4), TanhNeuron(4), TanhNeuron(4), TanhNeuron(4)], Layer of [TanhNeuron(4)]]

    >>> model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    >>> model
    MLP of [Layer of [TanhNeuron(2), TanhNeuron(2), TanhNeuron(2)], Layer of [SigmoidNeuron(3)]]
    >>> [W.shape for W in model.weight_matrices()]
    [(3, 2), (1, 3)]
    """

    layers: list[Layer]

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str | None = None,
        output_activation: str | None = None,
        init: str | Init = "uniform",
        rng: random.Random | None = None,
        seed: int | None = None,
        lecture: bool = False,
    ) -> None:
        nin = _check_count(nin, "MLP", "nin")
        if isinstance(nouts, (str, bytes)) or not hasattr(nouts, "__iter__"):
            raise TypeError(
                f"MLP: nouts must be a list of layer sizes such as [16, 16, 1], "
                f"got {type(nouts).__name__} {nouts!r}"
            )
        nouts = list(nouts)
        if not nouts:
            raise ValueError("MLP: nouts must list at least one layer size, got []")
        sizes = [nin] + [_check_count(n, "MLP", "each layer size in nouts") for n in nouts]
        if lecture and (activation, output_activation) not in ((None, None), ("tanh", "tanh")):
            raise ValueError("MLP: lecture=True is tanh in every layer; drop the activations")
        default = "tanh" if lecture else "relu"
        hidden = check_activation(default if activation is None else activation, "MLP")
        output = (
            ("tanh" if lecture else "linear") if output_activation is None else output_activation
        )
        output = check_activation(output, "MLP output_activation", allow_softmax=True)
        draw, source = check_init(init, "MLP"), resolve_rng(rng, seed, "MLP")
        last = len(nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation=output if i == last else hidden,
                init=draw,
                rng=source,  # type: ignore[arg-type]
                label=f"L{i + 1}",
                lecture=lecture,
            )
            for i in range(len(nouts))
        ]

    @property
    def nin(self) -> int:
        """How many inputs the network takes."""
        return self.layers[0].nin

    def forward(self, x: Input) -> Value | list[Value]:
        """The network's output: a Value if the last layer has one neuron, else a list."""
        x = _inputs(x, self.nin, "MLP")
        for layer in self.layers:
            x = layer(x)
        return x  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"

    # --- weight matrices (numpy), as the seed documents write them --------------------------

    @classmethod
    def from_matrices(
        cls,
        weights: Sequence[Any],
        biases: Sequence[Any] | None = None,
        *,
        activation: str = "relu",
        output_activation: str | None = None,
        layout: str = "out_in",
    ) -> MLP:
        """An MLP whose layers have exactly these weight matrices and bias vectors.

        ``layout="out_in"``: each matrix is outputs × inputs (``W @ x``, torch.nn.Linear, seed
        002); ``"in_out"``: inputs × outputs (``x @ W``, seeds 000 and 001). A 1-D array is one
        output neuron. ``biases`` may be None (all zero) or one vector (or None) per layer.
        Activations as in the constructor. See :mod:`nn.matrices`.
        """
        from .matrices import mlp_from_matrices

        return mlp_from_matrices(
            cls,
            weights,
            biases,
            activation=activation,
            output_activation=output_activation,
            layout=layout,
        )

    def weight_matrices(self, *, layout: str = "out_in") -> list[np.ndarray]:
        """Each layer's weights as a numpy matrix (outputs × inputs, or ``layout="in_out"``)."""
        from .matrices import weight_matrices

        return weight_matrices(self, layout=layout)

    def grad_matrices(self, *, layout: str = "out_in") -> list[np.ndarray]:
        """Each layer's weight gradients (``.grad``), shaped like :meth:`weight_matrices`."""
        from .matrices import weight_matrices

        return weight_matrices(self, layout=layout, grad=True)

    def bias_vectors(self) -> list[np.ndarray]:
        """Each layer's biases as a 1-D numpy array."""
        from .matrices import bias_vectors

        return bias_vectors(self)

    # --- the way out: PyTorch -----------------------------------------------------------------

    def to_torch(self, dtype: Any = None) -> Any:
        """This network as a ``torch.nn.Sequential`` on the CPU: a ``torch.nn.Linear`` per
        layer (weights outputs × inputs, as Linear keeps them) and the layer's activation
        (``ReLU``, ``Tanh``, ``Sigmoid``; nothing for linear; ``Softmax(dim=-1)`` after a
        softmax output layer). It computes what this model computes, for a batch at once.

        ``dtype`` defaults to ``torch.float64``: the same numbers, so outputs and gradients
        agree to ~1e-15 relative. ``torch.float32`` rounds every weight to 24 bits: expect
        outputs to agree to ~1e-6 relative (each layer adds about nin·2⁻²⁴ × Σ|w·x|).

        torch's ``CrossEntropyLoss`` wants the *logits*: with a softmax output layer, give it
        ``module[:-1](X)`` (the module without its Softmax). Optimizer state is not exported.
        Needs PyTorch (``pip install torch``; the CPU build is enough).

        ``MLP(2, [3, 1], activation="tanh").to_torch()`` is ``Sequential(Linear(2, 3), Tanh(),
        Linear(3, 1))`` (tests/test_pytorch.py runs these against torch).
        """
        from .pytorch import to_torch

        return to_torch(self, dtype)

    @classmethod
    def from_torch(cls, module: Any) -> MLP:
        """The MLP a ``torch.nn.Sequential`` of ``Linear`` layers (with biases) and
        activations (``ReLU``, ``Tanh``, ``Sigmoid``, ``Identity``; ``Softmax(dim=-1)`` last)
        computes, from any dtype or device; anything else is refused, by name.
        ``MLP.from_torch(model.to_torch())`` gives back ``model``'s parameters bit for bit."""
        from .pytorch import from_torch

        return from_torch(cls, module)  # type: ignore[no-any-return]

    def bias_grads(self) -> list[np.ndarray]:
        """Each layer's bias gradients (``.grad``) as a 1-D numpy array."""
        from .matrices import bias_vectors

        return bias_vectors(self, grad=True)
