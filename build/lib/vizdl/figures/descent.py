"""Gradient descent on a 1-D and a 2-D loss surface for several learning rates.

``theta_{t+1} = theta_t - lambda * grad l(theta_t)``, the gradient taken by torch autograd.

    >>> path = descent_path(lambda t: (t ** 2).sum(), [1.0], lr=0.25, steps=2)
    >>> path[:, 0].tolist()
    [1.0, 0.5, 0.25]
"""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import new_axes
from vizdl.styles.colors import class_color

LR_COLORS = ("#2ca02c", "#ff7f0e", "#d62728", "#9467bd", "#8c564b")


def loss_1d(t):
    """Default 1-D loss ``l(theta) = theta^2`` (torch tensor in, scalar out)."""
    return (t ** 2).sum()


def loss_2d(t):
    """Default 2-D loss: the elongated bowl ``l = (theta_1^2 + 10 theta_2^2) / 2``."""
    return 0.5 * (t[0] ** 2 + 10.0 * t[1] ** 2)


def descent_path(loss, start, *, lr: float, steps: int = 20) -> np.ndarray:
    """Parameters visited by gradient descent: ``(steps + 1, dim)`` array, start first.

    Stops early (the rest stays NaN-free: the path is cut) once ``|theta|`` exceeds 1e6.
    """
    import torch

    if not lr > 0:
        raise ValueError(f"lr must be > 0, got {lr!r}")
    theta = torch.tensor(np.atleast_1d(np.asarray(start, dtype=np.float64)), requires_grad=True)
    path = [theta.detach().numpy().copy()]
    for _ in range(int(steps)):
        (grad,) = torch.autograd.grad(loss(theta), theta)
        theta = (theta - lr * grad).detach().requires_grad_(True)
        path.append(theta.detach().numpy().copy())
        if not np.all(np.abs(path[-1]) < 1e6):
            break
    return np.array(path)


def _until_exit(path, lim) -> np.ndarray:
    """``path`` up to and including its first point outside ``[-lim, lim]`` (drawn leaving the plot)."""
    outside = np.flatnonzero(np.any(np.abs(path.reshape(len(path), -1)) > lim, axis=1))
    return path if outside.size == 0 else path[: outside[0] + 1]


def _loss_values(loss, points) -> np.ndarray:
    import torch

    return np.array([float(loss(torch.tensor(np.atleast_1d(p), dtype=torch.float64))) for p in points])


def descent_1d(loss=loss_1d, *, start: float = 2.0, lrs=(0.1, 0.5, 0.9, 1.05), steps: int = 8,
               xlim=(-3, 3), ax=None):
    """Gradient descent steps on a 1-D loss curve, one colour per learning rate.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax, (7, 4.5))
    grid = np.linspace(*xlim, 300)
    ax.plot(grid, _loss_values(loss, grid), color="0.3", lw=2, gid="loss")
    for k, lr in enumerate(lrs):
        path = descent_path(loss, [start], lr=lr, steps=steps)[:, 0]
        shown = _until_exit(path, max(abs(xlim[0]), abs(xlim[1])))
        ys = _loss_values(loss, shown)
        ax.plot(shown, ys, "o-", color=LR_COLORS[k % len(LR_COLORS)], lw=1.5, ms=6, alpha=0.9,
                label=rf"$\lambda = {lr:g}$", gid=f"path-{k}")
    ax.set_xlim(*xlim)
    top = _loss_values(loss, grid).max()
    ax.set_ylim(-0.05 * top, 1.05 * top)
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$l(\theta)$")
    ax.set_title(r"$\theta \leftarrow \theta - \lambda\, l'(\theta)$")
    ax.legend(frameon=False)
    return ax


def descent_2d(loss=loss_2d, *, start=(-2.5, 1.0), lrs=(0.02, 0.1, 0.18, 0.21), steps: int = 20,
               lim=3.0, ax=None):
    """Gradient descent paths on the contours of a 2-D loss, one colour per learning rate.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax, (7, 5))
    g = np.linspace(-lim, lim, 121)
    X, Y = np.meshgrid(g, g)
    Z = _loss_values(loss, np.stack([X.ravel(), Y.ravel()], 1)).reshape(X.shape)
    ax.contour(X, Y, Z, levels=np.geomspace(0.05, Z.max(), 14), colors="0.6", linewidths=1)
    for k, lr in enumerate(lrs):
        path = descent_path(loss, start, lr=lr, steps=steps)
        path = _until_exit(path, lim)
        ax.plot(path[:, 0], path[:, 1], "o-", color=LR_COLORS[k % len(LR_COLORS)], ms=4, lw=1.5,
                label=rf"$\lambda = {lr:g}$", gid=f"path-{k}")
    ax.plot(*start, "k*", ms=14, gid="start")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    ax.set_title(r"$\theta \leftarrow \theta - \lambda \nabla l(\theta)$")
    ax.legend(frameon=False, loc="lower right", fontsize=9)
    return ax


__all__ = ["descent_1d", "descent_2d", "descent_path", "loss_1d", "loss_2d"]
