"""Learning rules the notes draw: gradient descent on a loss surface and the perceptron's updates.

``theta_{t+1} = theta_t - lambda * grad l(theta_t)``, the gradient taken by torch autograd.

    >>> path = descent_path(lambda t: (t ** 2).sum(), [1.0], lr=0.25, steps=2)
    >>> path[:, 0].tolist()
    [1.0, 0.5, 0.25]
"""
from __future__ import annotations

import numpy as np

#: The four XOR points (labels -1/+1) no line separates.
XOR_POINTS = (np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([-1, 1, 1, -1]))


def loss_1d(t):
    """Default 1-D loss ``l(theta) = theta^2`` (torch tensor in, scalar out)."""
    return (t ** 2).sum()


def loss_2d(t):
    """Default 2-D loss: the elongated bowl ``l = (theta_1^2 + 10 theta_2^2) / 2``."""
    return 0.5 * (t[0] ** 2 + 10.0 * t[1] ** 2)


def descent_path(loss, start, *, lr: float, steps: int = 20) -> np.ndarray:
    """Parameters visited by gradient descent: ``(steps + 1, dim)`` array, start first.

    Stops early (the path is cut, never NaN) once ``|theta|`` exceeds 1e6.
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


def loss_values(loss, points) -> np.ndarray:
    """``loss`` (a torch function) at each of ``points``, as floats."""
    import torch

    return np.array([float(loss(torch.tensor(np.atleast_1d(p), dtype=torch.float64))) for p in points])


def until_exit(path, lim) -> np.ndarray:
    """``path`` up to and including its first point outside ``[-lim, lim]`` (drawn leaving the plot)."""
    path = np.asarray(path)
    outside = np.flatnonzero(np.any(np.abs(path.reshape(len(path), -1)) > lim, axis=1))
    return path if outside.size == 0 else path[: outside[0] + 1]


def perceptron_learning(X, y, *, epochs: int = 20, w0=None) -> tuple:
    """The perceptron learning algorithm: ``w <- w + y_i [x_i, 1]`` on each mistake.

    Parameters
    ----------
    X : array, shape (N, 2)
    y : array of {-1, +1} (or {0, 1}, mapped to -1/+1)
    epochs : int
        Passes over the data (stops after a pass without mistakes).
    w0 : array_like, optional
        Start ``[w_1, w_2, b]`` (zeros by default).

    Returns
    -------
    (weights, mistakes)
        ``weights``: ``(updates + 1, 3)`` array ``[w_1, w_2, b]`` after each update (start
        first); ``mistakes``: mistakes per epoch.
    """
    X = np.asarray(X, dtype=float)
    y = np.where(np.asarray(y) > 0, 1.0, -1.0)
    Xa = np.hstack([X, np.ones((len(X), 1))])
    w = np.zeros(3) if w0 is None else np.asarray(w0, dtype=float)
    history, mistakes = [w.copy()], []
    for _ in range(int(epochs)):
        wrong = 0
        for xi, yi in zip(Xa, y):
            if yi * (w @ xi) <= 0:
                w = w + yi * xi
                history.append(w.copy())
                wrong += 1
        mistakes.append(wrong)
        if wrong == 0:
            break
    return np.array(history), mistakes


def separable_points(n: int = 20, seed: int = 3) -> tuple:
    """Two linearly separable Gaussian blobs (labels -1/+1), fixed by ``seed``."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal([-0.7, -0.5], 0.45, (n, 2)), rng.normal([0.7, 0.6], 0.45, (n, 2))])
    y = np.repeat([-1, 1], n)
    order = rng.permutation(2 * n)
    return X[order], y[order]


__all__ = ["XOR_POINTS", "descent_path", "loss_1d", "loss_2d", "loss_values", "perceptron_learning",
           "separable_points", "until_exit"]
