"""Linear regression ``y ≈ w x + b`` with its mean squared error, fitted by torch.

The notes' first model: data points, the line ``w x + b``, the loss
``L(w, b) = (1/N) sum_i (w x_i + b - y_i)^2`` over the parameter plane and the paths that
gradient descent takes on it with one sample per step (SGD), a mini-batch, or the full
batch. Every number comes from torch: :func:`mse_surface` evaluates ``nn.MSELoss`` on a
grid, :func:`descent_path` steps ``torch.optim.SGD`` on the batches of a seeded
``DataLoader``-like shuffle; :func:`least_squares` solves the normal equations with
exactly rounded sums (checked against ``torch.linalg.lstsq``).

    >>> data = regression_data(n=4, seed=0)
    >>> data.x.shape, data.true
    ((4,), (1.5, -0.5))
    >>> path = descent_path(data, batch_size=4, lr=0.1, epochs=2, start=(0.0, 0.0))
    >>> path.points.shape, path.batch_size
    ((3, 2), 4)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Names of the three ways of batching the notes compare.
BATCHINGS = {"sgd": "SGD (1 sample)", "mini-batch": "mini-batch", "full-batch": "full batch"}


@dataclass(frozen=True)
class RegressionData:
    """Points ``(x_i, y_i)`` of a noisy line ``y = w* x + b* + noise``.

    Attributes
    ----------
    x, y : ndarray, shape (N,)
    true : (float, float)
        The line ``(w*, b*)`` the points were drawn from.
    noise : float
        Standard deviation of the noise.
    """

    x: np.ndarray
    y: np.ndarray
    true: tuple = (1.5, -0.5)
    noise: float = 0.3


def regression_data(n: int = 40, *, true=(1.5, -0.5), noise: float = 0.3, seed: int = 0) -> RegressionData:
    """``n`` points with ``x`` uniform in ``[-1, 1]`` and ``y = w* x + b* + N(0, noise²)`` (seeded)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    rng = np.random.default_rng(int(seed))
    x = rng.uniform(-1.0, 1.0, int(n))
    w, b = (float(v) for v in true)
    y = w * x + b + rng.normal(0.0, float(noise), int(n))
    return RegressionData(x, y, (w, b), float(noise))


def mse(data: RegressionData, w, b):
    """``L(w, b)`` by ``torch.nn.functional.mse_loss`` for scalars or arrays of ``w`` and ``b`` (broadcast)."""
    import torch

    W = torch.as_tensor(np.asarray(w, dtype=np.float64))
    B = torch.as_tensor(np.asarray(b, dtype=np.float64))
    x = torch.as_tensor(data.x)
    y = torch.as_tensor(data.y)
    predictions = W[..., None] * x + B[..., None]
    loss = torch.nn.functional.mse_loss(predictions, y.expand_as(predictions), reduction="none").mean(-1)
    return loss.numpy() if loss.ndim else float(loss)


def mse_surface(data: RegressionData, wlim=None, blim=None, n: int = 101) -> tuple:
    """``(W, B, L)``: the loss on an ``n x n`` grid of the parameter plane around the least-squares fit."""
    w0, b0 = least_squares(data)
    wlim = wlim or (w0 - 3.0, w0 + 3.0)
    blim = blim or (b0 - 3.0, b0 + 3.0)
    W, B = np.meshgrid(np.linspace(*wlim, n), np.linspace(*blim, n))
    return W, B, mse(data, W, B)


def least_squares(data: RegressionData) -> tuple:
    """The minimum ``(w, b)`` of the MSE, from the normal equations with exactly rounded sums.

    ``w = sum (x - mean x)(y - mean y) / sum (x - mean x)^2`` and ``b = mean y - w mean x``,
    every sum by :func:`math.fsum`: the fit (and the grid drawn around it) is the same bit
    for bit on every run, where a BLAS solver such as ``torch.linalg.lstsq`` may change
    the last bit with the memory alignment of its input. Tests check it against torch.
    """
    from math import fsum

    x, y = [float(v) for v in data.x], [float(v) for v in data.y]
    mean_x, mean_y = fsum(x) / len(x), fsum(y) / len(y)
    spread = fsum((a - mean_x) ** 2 for a in x)
    if spread == 0:
        raise ValueError("least squares needs at least two different x values")
    w = fsum((a - mean_x) * (b - mean_y) for a, b in zip(x, y)) / spread
    return w, mean_y - w * mean_x


@dataclass(frozen=True)
class DescentPath:
    """The parameters ``(w, b)`` after every update of one gradient descent.

    Attributes
    ----------
    points : ndarray, shape (updates + 1, 2)
        The start first.
    losses : ndarray, shape (updates + 1,)
        ``L(w, b)`` on all the data at each point.
    batch_size, lr, epochs : int, float, int
    """

    points: np.ndarray
    losses: np.ndarray
    batch_size: int
    lr: float
    epochs: int

    @property
    def updates(self) -> int:
        """Number of steps taken."""
        return len(self.points) - 1


def descent_path(data: RegressionData, *, batch_size: int, lr: float, epochs: int = 1, start=(-1.0, 1.5),
                 seed: int = 0) -> DescentPath:
    """``torch.optim.SGD`` on ``L`` with batches of ``batch_size`` shuffled each epoch (seeded).

    ``batch_size=1`` is the notes' SGD, ``batch_size=N`` the full batch (one update per epoch).
    """
    import torch

    n = len(data.x)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be an integer from 1 to {n} (the number of points), got {batch_size!r}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    x, y = torch.as_tensor(data.x), torch.as_tensor(data.y)
    theta = torch.tensor(np.asarray(start, dtype=np.float64), requires_grad=True)
    optimizer = torch.optim.SGD([theta], lr=float(lr))
    generator = torch.Generator().manual_seed(int(seed))
    points = [theta.detach().numpy().copy()]
    for _ in range(int(epochs)):
        order = torch.randperm(n, generator=generator)
        for first in range(0, n, int(batch_size)):
            batch = order[first:first + int(batch_size)]
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(theta[0] * x[batch] + theta[1], y[batch])
            loss.backward()
            optimizer.step()
            points.append(theta.detach().numpy().copy())
    points = np.array(points)
    return DescentPath(points, mse(data, points[:, 0], points[:, 1]), int(batch_size), float(lr), int(epochs))


def batch_paths(data: RegressionData, *, batch_sizes=None, lr: float = 0.1, epochs: int = 4, start=(-1.0, 1.5),
                seed: int = 0) -> dict:
    """SGD, mini-batch and full-batch paths from one start: ``{name: DescentPath}`` (see :data:`BATCHINGS`)."""
    n = len(data.x)
    sizes = batch_sizes or {"sgd": 1, "mini-batch": max(n // 5, 2), "full-batch": n}
    return {name: descent_path(data, batch_size=size, lr=lr, epochs=epochs, start=start, seed=seed)
            for name, size in sizes.items()}


__all__ = ["BATCHINGS", "DescentPath", "RegressionData", "batch_paths", "descent_path", "least_squares", "mse",
           "mse_surface", "regression_data"]
