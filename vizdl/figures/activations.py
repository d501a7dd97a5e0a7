"""The notes' activation functions and their derivatives (derivatives from torch autograd).

The function is drawn in the ink colour, its derivative ``sigma'`` in the gradient colour
(a derivative, like every ``dl/d...`` in vizdl's pictures). The grid wraps into rows and
writes each formula at the style's body size, so the slides style stays readable on a
projector.

    >>> x, y, dy = activation_curve("sigmoid", [0.0])
    >>> float(y[0]), float(dy[0])
    (0.5, 0.25)
"""
from __future__ import annotations

from vizdl.figures._run import grid_figure, new_axes
from vizdl.figures.paint import theme_for
from vizdl.ops.activations import (
    LEAKY_SLOPE,
    NAMES,
    PRELU_SLOPE,
    activation_curve,
    torch_function,
)

FORMULAS = {
    "linear": r"$\sigma(x) = x$",
    "step": r"$\sigma(x) = \mathbb{1}[x \geq 0]$",
    "sigmoid": r"$\sigma(x) = \dfrac{1}{1 + e^{-x}}$",
    "tanh": r"$\sigma(x) = \dfrac{e^x - e^{-x}}{e^x + e^{-x}}$",
    "relu": r"$\sigma(x) = \max\{0, x\}$",
    "leaky_relu": rf"$\max\{{\alpha x, x\}},\ \alpha = {LEAKY_SLOPE}$",
    "prelu": rf"$\max\{{a x, x\}},\ a = {PRELU_SLOPE}$",
    "elu": r"$x \geq 0{:}\ x,\ \ x < 0{:}\ \alpha(e^x - 1)$",
    "swish": r"$\sigma(x) = \dfrac{x}{1 + e^{-x}}$",
    "softmax": r"$\dfrac{e^{x}}{e^{x} + e^{1} + e^{-1}}$",
}
TITLES = {"linear": "Linear", "step": "Step", "sigmoid": "Sigmoid", "tanh": "Hyperbolic tangent",
          "relu": "ReLU", "leaky_relu": "Leaky ReLU", "prelu": "PReLU (learned a)", "elu": "ELU (α = 1)",
          "swish": "Swish", "softmax": "Softmax (first of x, 1, −1)"}


def activation_plot(name: str, *, ax=None, derivative: bool = True, xlim=(-4, 4), formula: bool = True,
                    legend: bool = True):
    """One activation function and its derivative (dashed, the gradient colour).

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    ax : Axes, optional
    derivative : bool
        Also draw ``sigma'`` (computed by autograd).
    xlim : (float, float)
    formula : bool
        Write the notes' formula under the name.
    legend : bool
        Label the two curves in the Axes.

    Returns
    -------
    Axes
    """
    import numpy as np

    ax = new_axes(ax)
    theme = theme_for(ax)
    x, y, dy = activation_curve(name, np.linspace(xlim[0], xlim[1], 401))
    ax.axhline(0, color=theme.color("muted"), lw=0.8, zorder=0)
    ax.axvline(0, color=theme.color("muted"), lw=0.8, zorder=0)
    ax.plot(x, y, color=theme.color("ink"), label=r"$\sigma(x)$", gid="function")
    if derivative:
        ax.plot(x, dy, color=theme.color("gradient"), ls="--", label=r"$\sigma'(x)$", gid="derivative")
    ax.set_title(TITLES[name] + ("\n" + FORMULAS[name] if formula else ""), fontsize="medium")
    ax.set_xlim(*xlim)
    if legend:
        ax.legend(loc="upper left", frameon=False)
    return ax


def activation_grid(names=NAMES, *, derivative: bool = True, ncols: int | None = None):
    """Every activation of the notes, each with its derivative, in rows of at most 4 (or ``ncols``).

    Returns
    -------
    Figure
    """
    names = list(names)
    for name in names:
        torch_function(name)
    fig, axes = grid_figure(len(names), ncols=ncols, aspect=0.72)
    for ax, name in zip(axes, names):
        activation_plot(name, ax=ax, derivative=derivative, legend=False)
        ax.tick_params(labelsize="small")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False)
    fig.suptitle("Activation functions σ and their derivatives σ′ (autograd)")
    return fig


__all__ = ["NAMES", "activation_curve", "activation_grid", "activation_plot"]
