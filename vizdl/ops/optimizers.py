"""Paths of torch's optimizers (SGD, momentum, Adam...) on a 2-D loss surface.

The optimizers are the training code's own (``vizdl.training.options.make_optimizer``),
stepping a 2-vector ``theta`` on a torch loss; the surface is that loss on a grid.

>>> path = optimizer_path(lambda t: (t ** 2).sum(), [1.0, -1.0], optimizer="sgd", lr=0.25, steps=2)
>>> path.tolist()
[[1.0, -1.0], [0.5, -0.5], [0.25, -0.25]]
"""
from __future__ import annotations

import numpy as np


def optimizer_path(loss, start, *, optimizer: str = "sgd", lr: float, steps: int = 40,
                   momentum: float = 0.9) -> np.ndarray:
    """Points visited by ``optimizer`` minimising ``loss`` from ``start``: ``(steps + 1, dim)``, start first.

    Parameters
    ----------
    loss : callable
        Torch tensor of shape ``(dim,)`` in, scalar tensor out.
    start : sequence of float
    optimizer : {"sgd", "momentum", "adam", "adamw", "rmsprop"}
    lr : float
    steps : int
    momentum : float
        For ``"momentum"``.
    """
    import torch

    from vizdl.training import options

    theta = torch.tensor(np.asarray(start, dtype=np.float64), requires_grad=True)
    opt = options.make_optimizer(optimizer, [theta], lr=lr, momentum=momentum)
    path = [theta.detach().numpy().copy()]
    for _ in range(int(steps)):
        opt.zero_grad()
        loss(theta).backward()
        opt.step()
        path.append(theta.detach().numpy().copy())
        if not np.all(np.abs(path[-1]) < 1e6):
            break
    return np.array(path)


def loss_surface(loss, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0), n: int = 121) -> tuple:
    """``(X, Y, Z)``: ``loss`` on an ``n x n`` grid (torch, float64).

    The grid goes through ``loss`` at once as a ``(2, n*n)`` tensor when the loss maps it to
    ``n*n`` values (element-wise losses such as ``figures.descent.loss_2d``), else point by point.
    """
    import torch

    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    X, Y = np.meshgrid(xs, ys)
    points = torch.tensor(np.stack([X.ravel(), Y.ravel()]), dtype=torch.float64)
    with torch.no_grad():
        try:
            Z = loss(points)
        except (RuntimeError, IndexError, ValueError):
            Z = None
        if Z is None or tuple(Z.shape) != (X.size,):
            Z = torch.stack([loss(points[:, k]) for k in range(X.size)])
    return X, Y, Z.numpy().reshape(X.shape)


__all__ = ["loss_surface", "optimizer_path"]
