"""The notes' activation functions and their derivatives (derivatives from torch autograd).

    >>> x, y, dy = activation_curve("sigmoid", [0.0])
    >>> float(y[0]), float(dy[0])
    (0.5, 0.25)
"""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import new_axes, new_figure
from vizdl.styles.colors import NEGATIVE, POSITIVE

LEAKY_SLOPE = 0.1   # alpha of leaky ReLU drawn (0.1 so the slope is visible)
PRELU_SLOPE = 0.25  # torch's PReLU initial slope
ELU_ALPHA = 1.0
SOFTMAX_OTHERS = (1.0, -1.0)  # softmax of (x, 1, -1), first component

FORMULAS = {
    "linear": r"$\sigma(x) = x$",
    "step": r"$\sigma(x) = \mathbb{1}[x \geq 0]$",
    "sigmoid": r"$\sigma(x) = \frac{1}{1 + e^{-x}}$",
    "tanh": r"$\sigma(x) = \frac{e^x - e^{-x}}{e^x + e^{-x}}$",
    "relu": r"$\sigma(x) = \max\{0, x\}$",
    "leaky_relu": rf"$\sigma(x) = \max\{{\alpha x, x\}}$, $\alpha={LEAKY_SLOPE}$",
    "prelu": rf"$\sigma(x) = \max\{{a x, x\}}$, learned $a={PRELU_SLOPE}$",
    "elu": r"$\sigma(x) = \alpha(e^x - 1)$ if $x<0$, else $x$",
    "swish": r"$\sigma(x) = \frac{x}{1 + e^{-x}}$",
    "softmax": r"$\sigma(x)_1 = \frac{e^{x}}{e^{x} + e^{1} + e^{-1}}$",
}
TITLES = {"linear": "Linear", "step": "Step", "sigmoid": "Sigmoid", "tanh": "Hyperbolic tangent",
          "relu": "ReLU", "leaky_relu": "Leaky ReLU", "prelu": "PReLU", "elu": "ELU",
          "swish": "Swish", "softmax": "Softmax"}
NAMES = tuple(FORMULAS)


def _torch_function(name: str):
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

    fn = _torch_function(name)
    x = np.linspace(-4, 4, 401) if x is None else np.asarray(x, dtype=np.float64).ravel()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    (dy,) = torch.autograd.grad(y.sum(), t)
    return x, y.detach().numpy(), dy.numpy()


def activation_plot(name: str, *, ax=None, derivative: bool = True, xlim=(-4, 4),
                    formula: bool = True):
    """One activation function (red) and its derivative (blue, dashed).

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    ax : Axes, optional
    derivative : bool
        Also draw ``sigma'`` (computed by autograd).
    xlim : (float, float)
    formula : bool
        Write the notes' formula in the title.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax, (5, 3.6))
    x, y, dy = activation_curve(name, np.linspace(xlim[0], xlim[1], 401))
    ax.axhline(0, color="0.75", lw=1, zorder=0)
    ax.axvline(0, color="0.75", lw=1, zorder=0)
    ax.plot(x, y, color=POSITIVE, label=r"$\sigma(x)$", gid="function")
    if derivative:
        ax.plot(x, dy, color=NEGATIVE, ls="--", label=r"$\sigma'(x)$", gid="derivative")
    ax.set_title(TITLES[name] + ("\n" + FORMULAS[name] if formula else ""))
    ax.set_xlim(*xlim)
    ax.set_xlabel("x")
    ax.legend(loc="upper left", frameon=False)
    return ax


def activation_grid(names=NAMES, *, derivative: bool = True, ncols: int = 5):
    """Every activation of the notes in a grid, each with its derivative.

    Returns
    -------
    Figure
    """
    names = list(names)
    for name in names:
        _torch_function(name)
    nrows = -(-len(names) // ncols)
    fig = new_figure((3.6 * ncols, 3.4 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, name in zip(axes, names):
        activation_plot(name, ax=ax, derivative=derivative)
        ax.title.set_fontsize(11)
        ax.legend(loc="upper left", frameon=False, fontsize=9)
    for ax in axes[len(names):]:
        ax.set_visible(False)
    return fig


__all__ = ["NAMES", "activation_curve", "activation_grid", "activation_plot"]
