"""Fully connected classifiers: perceptron, logistic regression and the MLP.

Every model is an :class:`MLP` whose layers sit in ``net`` (an ``nn.Sequential``), so the
qualified names read ``net.0`` (Flatten), ``net.1`` (first Linear), ``net.2`` (its
activation)... Activations are never in-place (shap's explainers need that). The notes'
BatchNorm and Dropout (``batch_norm=True``, ``dropout=p``) insert ``BatchNorm1d`` between a
hidden Linear layer and its activation and ``Dropout`` after the activation; without them
the names are unchanged.
"""
from __future__ import annotations

import math

from torch import nn

from vizdl.models import _checks

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
               "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "gelu": nn.GELU}


class MLP(nn.Module):
    """``Flatten`` then Linear layers with an activation between them, in ``self.net``.

    A hidden layer is ``Linear [+ BatchNorm1d] + activation [+ Dropout(dropout)]``.
    """

    def __init__(self, sizes: list[int], activation: str = "relu", *, batch_norm: bool = False,
                 dropout: float = 0.0):
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.extend([nn.BatchNorm1d(n_out)] if batch_norm else [])
                layers.append(ACTIVATIONS[activation]())
                layers.extend([nn.Dropout(dropout)] if dropout > 0 else [])
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)  # (B, num_classes) logits


def mlp(*, input_shape=(1, 28, 28), num_classes: int = 10, hidden=(128, 64),
        activation: str = "relu", batch_norm: bool = False, dropout: float = 0.0) -> MLP:
    """A multi-layer perceptron: Flatten, then ``Linear + activation`` per hidden size, then Linear.

    Parameters
    ----------
    input_shape : tuple
        Shape of one sample, e.g. ``(2,)``, ``(1, 8, 8)``, ``(1, 28, 28)``.
    num_classes : int
        Outputs (logits) of the last layer.
    hidden : sequence of int
        Hidden widths. ``(128, 64)`` on MNIST is the notes' 784-128-64-10 net (109,386
        parameters), ``(300, 100)`` their 784-300-100-10 (266,610), ``(4, 4)`` on a 2-D
        problem the playground's 2-4-4-2.
    activation : {"relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu"}
    batch_norm : bool
        ``BatchNorm1d`` after each hidden Linear layer, before its activation (notes Part II §1.3).
    dropout : float
        Probability in [0, 1) of dropping a hidden unit during training (``Dropout`` after
        each hidden activation); 0 leaves the modules out.
    """
    shape = _checks.shape(input_shape, None, "a tuple like (1, 28, 28)")
    _checks.positive_int(num_classes=num_classes)
    if isinstance(hidden, int) or not all(isinstance(h, int) and not isinstance(h, bool) and h > 0
                                          for h in hidden):
        raise ValueError(f"hidden must be a sequence of positive integers, got {hidden!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if not isinstance(batch_norm, bool):
        raise ValueError(f"batch_norm must be True or False, got {batch_norm!r}")
    _checks.probability(dropout=dropout)
    return MLP([math.prod(shape), *hidden, num_classes], activation, batch_norm=batch_norm, dropout=dropout)


def logreg(*, input_shape=(1, 28, 28), num_classes: int = 10) -> MLP:
    """Multinomial logistic regression: ``net.0`` Flatten, ``net.1`` Linear (softmax in the loss)."""
    return mlp(input_shape=input_shape, num_classes=num_classes, hidden=())


def perceptron(*, input_shape=(2,), num_classes: int = 2) -> MLP:
    """The single-layer perceptron of the notes: Flatten then one Linear, for 2-D inputs.

    ``num_classes=1`` gives the notes' Keras model (one output, 3 parameters on 2-D inputs);
    vizdl's training loop uses cross-entropy, so train it with ``num_classes=2``.
    """
    shape = _checks.shape(input_shape, 1, "(features,), e.g. (2,); use logreg for images")
    return mlp(input_shape=shape, num_classes=num_classes, hidden=())
