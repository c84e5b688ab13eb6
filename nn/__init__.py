"""nn: neurons, layers and MLPs on top of :mod:`autograd` — a drop-in superset of micrograd's nn.

micrograd's demo runs unchanged with its imports swapped
(``from autograd import Value; from nn import Neuron, Layer, MLP``). Beyond it: activations by
name, seeds, readable parameter labels, weight matrices in and out (numpy), losses, optimizers,
a training loop and the seed documents' data sets.

>>> import nn
>>> X, y = nn.datasets.logic_gate("xor")
>>> model = nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=1)
>>> history = nn.fit(model, X, y, loss=nn.binary_cross_entropy,
...                  optimizer=nn.optim.Adam(model, lr=0.1), epochs=150, progress=False)
>>> history.accuracy[-1]
1.0

``import nn`` needs only the standard library; numpy is imported by the functions that make
or return arrays, tqdm by :func:`fit` when it draws a progress bar.
"""

from . import datasets, losses, optim
from .activations import ACTIVATIONS
from .layers import MLP, Layer, Neuron
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge,
    l2,
    log_softmax,
    mse,
    softmax,
    sse,
)
from .metrics import accuracy
from .module import Module
from .optim import SGD, Adam, Optimizer
from .train import History, fit

# Frames of this package are library code, not the user's line (see autograd.anomaly).
__autograd_library__ = True

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "SGD",
    "Adam",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "Optimizer",
    "accuracy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "datasets",
    "fit",
    "hinge",
    "l2",
    "log_softmax",
    "losses",
    "mse",
    "optim",
    "softmax",
    "sse",
]
