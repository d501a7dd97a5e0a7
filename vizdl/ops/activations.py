"""The notes' activation functions and their derivatives (derivatives from torch autograd).

    >>> x, y, dy = activation_curve("sigmoid", [0.0])
    >>> float(y[0]), float(dy[0])
    (0.5, 0.25)
"""
from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.1   # alpha of leaky ReLU drawn (0.1 so the slope is visible)
PRELU_SLOPE = 0.25  # torch's PReLU initial slope
ELU_ALPHA = 1.0
SOFTMAX_OTHERS = (1.0, -1.0)  # softmax of (x, 1, -1), first component
NAMES = ("linear", "step", "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "swish", "softmax")


def torch_function(name: str):
    """The torch function of activation ``name`` (one of :data:`NAMES`), applied to a 1-D tensor."""
    import torch
    import torch.nn.functional as F

    others = torch.tensor(SOFTMAX_OTHERS, dtype=torch.float64)
    table = {
        "linear": lambda t: t,
        "step": lambda t: (t >= 0).to(t.dtype) + 0 * t,  # derivative 0 (undefined at 0)
        "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, LEAKY_SLOPE),
        "prelu": lambda t: F.prelu(t, torch.tensor([PRELU_SLOPE], dtype=t.dtype)),
        "elu": lambda t: F.elu(t, ELU_ALPHA), "swish": F.silu,
        "softmax": lambda t: torch.softmax(torch.cat([t[:, None], others.expand(len(t), 2)], 1), 1)[:, 0],
    }
    if name not in table:
        raise ValueError(f"name must be one of {NAMES}, got {name!r}")
    return table[name]


def activation_curve(name: str, x=None) -> tuple:
    """``(x, sigma(x), sigma'(x))`` of activation ``name``; ``sigma'`` by torch autograd.

    ``x`` defaults to 401 points in ``[-4, 4]``.
    """
    import torch

    fn = torch_function(name)
    x = np.linspace(-4, 4, 401) if x is None else np.asarray(x, dtype=np.float64).ravel()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    (dy,) = torch.autograd.grad(y.sum(), t)
    return x, y.detach().numpy(), dy.numpy()


__all__ = ["ELU_ALPHA", "LEAKY_SLOPE", "NAMES", "PRELU_SLOPE", "SOFTMAX_OTHERS", "activation_curve",
           "torch_function"]
