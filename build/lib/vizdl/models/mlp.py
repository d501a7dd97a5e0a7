"""Fully connected classifiers: perceptron, logistic regression and the MLP.

Every model is an :class:`MLP` whose layers sit in ``net`` (an ``nn.Sequential``), so the
qualified names read ``net.0`` (Flatten), ``net.1`` (first Linear), ``net.2`` (its
activation)... Activations are never in-place (shap's explainers need that).
"""
from __future__ import annotations

import math

from torch import nn

from vizdl.models import _checks

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
               "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "gelu": nn.GELU}


class MLP(nn.Module):
    """``Flatten`` then Linear layers with an activation between them, in ``self.net``."""

    def __init__(self, sizes: list[int], activation: str = "relu"):
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if i < len(sizes) - 2:
                layers.append(ACTIVATIONS[activation]())
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)  # (B, num_classes) logits


def mlp(*, input_shape=(1, 28, 28), num_classes: int = 10, hidden=(128, 64),
        activation: str = "relu") -> MLP:
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
    """
    shape = _checks.shape(input_shape, None, "a tuple like (1, 28, 28)")
    _checks.positive_int(num_classes=num_classes)
    if isinstance(hidden, int) or not all(isinstance(h, int) and not isinstance(h, bool) and h > 0
                                          for h in hidden):
        raise ValueError(f"hidden must be a sequence of positive integers, got {hidden!r}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    return MLP([math.prod(shape), *hidden, num_classes], activation)


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
