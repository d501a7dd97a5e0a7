"""Gradient descent on a 1-D and a 2-D loss surface for several learning rates.

``theta_{t+1} = theta_t - lambda * grad l(theta_t)``, the gradient taken by torch autograd
(:mod:`vizdl.ops.descent`); one colour per learning rate (the theme's ``series k``).

    >>> path = descent_path(lambda t: (t ** 2).sum(), [1.0], lr=0.25, steps=2)
    >>> path[:, 0].tolist()
    [1.0, 0.5, 0.25]
"""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import new_axes
from vizdl.figures.paint import theme_for
from vizdl.ops.descent import descent_path, loss_1d, loss_2d, loss_values, until_exit


def descent_1d(loss=loss_1d, *, start: float = 2.0, lrs=(0.1, 0.5, 0.9, 1.05), steps: int = 8,
               xlim=(-3, 3), ax=None):
    """Gradient descent steps on a 1-D loss curve, one colour per learning rate.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax)
    theme = theme_for(ax)
    grid = np.linspace(*xlim, 300)
    ax.plot(grid, loss_values(loss, grid), color=theme.color("ink"), lw=2, gid="loss")
    for k, lr in enumerate(lrs):
        path = descent_path(loss, [start], lr=lr, steps=steps)[:, 0]
        shown = until_exit(path, max(abs(xlim[0]), abs(xlim[1])))
        ax.plot(shown, loss_values(loss, shown), "o-", color=theme.color(f"series {k}"), lw=1.5, alpha=0.9,
                label=rf"$\lambda = {lr:g}$", gid=f"path-{k}")
    ax.set_xlim(*xlim)
    top = loss_values(loss, grid).max()
    ax.set_ylim(-0.05 * top, 1.05 * top)
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$l(\theta)$")
    ax.set_title(r"$\theta \leftarrow \theta - \lambda\, l'(\theta)$ on $l(\theta) = \theta^2$"
                 if loss is loss_1d else r"$\theta \leftarrow \theta - \lambda\, l'(\theta)$")
    ax.legend(frameon=False)
    return ax


def descent_2d(loss=loss_2d, *, start=(-2.5, 1.0), lrs=(0.02, 0.1, 0.18, 0.21), steps: int = 20,
               lim=3.0, ax=None):
    """Gradient descent paths on the contours of a 2-D loss, one colour per learning rate.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax)
    theme = theme_for(ax)
    g = np.linspace(-lim, lim, 121)
    X, Y = np.meshgrid(g, g)
    Z = loss_values(loss, np.stack([X.ravel(), Y.ravel()], 1)).reshape(X.shape)
    ax.contour(X, Y, Z, levels=np.geomspace(0.05, Z.max(), 14), colors=theme.color("muted"), linewidths=0.8)
    for k, lr in enumerate(lrs):
        path = until_exit(descent_path(loss, start, lr=lr, steps=steps), lim)
        ax.plot(path[:, 0], path[:, 1], "o-", color=theme.color(f"series {k}"), ms=4, lw=1.5,
                label=rf"$\lambda = {lr:g}$", gid=f"path-{k}")
    ax.plot(*start, "*", color=theme.color("ink"), ms=14, gid="start")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    ax.set_title(r"$\theta \leftarrow \theta - \lambda \nabla l(\theta)$ on $l = (\theta_1^2 + 10\,\theta_2^2)/2$"
                 if loss is loss_2d else r"$\theta \leftarrow \theta - \lambda \nabla l(\theta)$")
    ax.legend(frameon=False, loc="lower right", fontsize="small")
    return ax


__all__ = ["descent_1d", "descent_2d", "descent_path", "loss_1d", "loss_2d"]
