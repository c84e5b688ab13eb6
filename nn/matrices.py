"""An MLP's parameters as numpy weight matrices and bias vectors, in either layout.

The seed documents write a layer two ways: ``out_in`` (outputs × inputs, ``z = W @ x``, as in
``torch.nn.Linear`` and seed 002) and ``in_out`` (inputs × outputs, ``z = x @ W``, seeds 000 and
001). Row ``j`` of an ``out_in`` matrix is neuron ``j``'s weights.

>>> from nn import MLP
>>> model = MLP.from_matrices([[[0.2, 0.2], [0.3, 0.3]], [[0.3, 0.9]]], activation="sigmoid")
>>> model.weight_matrices()[0]
array([[0.2, 0.2],
       [0.3, 0.3]])
>>> model.weight_matrices(layout="in_out")[1]
array([[0.3],
       [0.9]])

numpy is imported only when these functions run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import numpy as np

    from .layers import MLP

__all__ = ["LAYOUTS", "bias_vectors", "mlp_from_matrices", "weight_matrices"]

LAYOUTS = ("out_in", "in_out")

M = TypeVar("M", bound="MLP")


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise ImportError("weight matrices need numpy: pip install numpy") from None
    return numpy


def _check_layout(layout: object, where: str) -> str:
    if layout not in LAYOUTS:
        raise ValueError(
            f"{where}: unknown layout {layout!r}; valid layouts are 'out_in', 'in_out'"
        )
    return layout  # type: ignore[return-value]


def weight_matrices(model: MLP, *, layout: str = "out_in", grad: bool = False) -> list[np.ndarray]:
    """Each layer's weights (or, with ``grad=True``, their gradients) as a float matrix."""
    np = _numpy()
    _check_layout(layout, "weight_matrices")
    attribute = "grad" if grad else "data"
    out = []
    for layer in model.layers:
        W = np.array([[getattr(p, attribute) for p in n.w] for n in layer.neurons], dtype=float)
        out.append(W.T.copy() if layout == "in_out" else W)
    return out


def bias_vectors(model: MLP, *, grad: bool = False) -> list[np.ndarray]:
    """Each layer's biases (or their gradients) as a 1-D float array."""
    np = _numpy()
    attribute = "grad" if grad else "data"
    return [
        np.array([getattr(n.b, attribute) for n in layer.neurons], dtype=float)
        for layer in model.layers
    ]


def mlp_from_matrices(
    cls: type[M],
    weights: Sequence[Any],
    biases: Sequence[Any] | None = None,
    *,
    activation: str = "relu",
    output_activation: str | None = None,
    layout: str = "out_in",
) -> M:
    """A ``cls`` (an MLP) whose layers have exactly these weights and biases.

    Shapes are checked before anything is built: each matrix must take as many inputs as the
    previous one has outputs, and each bias vector must have one number per output.
    """
    np = _numpy()
    where = "from_matrices"
    _check_layout(layout, where)
    if isinstance(weights, np.ndarray) or not isinstance(weights, Sequence) or not weights:
        raise TypeError(f"{where}: weights must be a non-empty list of matrices, one per layer")
    mats = []
    for i, W in enumerate(weights, start=1):
        W = np.asarray(W, dtype=float)
        if W.ndim == 1:  # a vector of weights: one output neuron
            W = W[None, :]
        elif W.ndim == 2:
            W = W.T if layout == "in_out" else W
        else:
            raise ValueError(f"{where}: layer {i}'s weights have {W.ndim} dimensions; expected 2")
        if W.size == 0:
            raise ValueError(f"{where}: layer {i}'s weight matrix is empty")
        mats.append(W)
    for i in range(1, len(mats)):
        if mats[i].shape[1] != mats[i - 1].shape[0]:
            raise ValueError(
                f"{where}: layer {i + 1}'s weights take {mats[i].shape[1]} inputs but layer {i} "
                f"has {mats[i - 1].shape[0]} outputs (layout={layout!r})"
            )
    if biases is None:
        biases = [None] * len(mats)
    if len(biases) != len(mats):
        raise ValueError(f"{where}: {len(mats)} weight matrices but {len(biases)} bias vectors")
    vecs = []
    for i, (W, b) in enumerate(zip(mats, biases), start=1):
        b = np.zeros(W.shape[0]) if b is None else np.asarray(b, dtype=float).ravel()
        if b.shape != (W.shape[0],):
            raise ValueError(
                f"{where}: layer {i}'s bias has {b.size} numbers but the layer has "
                f"{W.shape[0]} outputs"
            )
        vecs.append(b)
    sizes = [int(W.shape[0]) for W in mats]
    # Build with a private seed (the global random state stays untouched), then overwrite.
    model = cls(
        int(mats[0].shape[1]),
        sizes,
        activation=activation,
        output_activation=output_activation,
        seed=0,
    )
    for layer, W, b in zip(model.layers, mats, vecs):
        for neuron, row, bias in zip(layer.neurons, W.tolist(), b.tolist()):
            for p, x in zip(neuron.w, row):
                p.data = x
            neuron.b.data = bias
    return model
