"""The universal approximation theorem, tried: ``g(x) = C sigma(A x + b)`` fitted by torch as ``k`` grows.

The notes' theorem says that for a continuous, non-polynomial ``sigma`` one hidden layer of
``k`` units, ``g(x) = C x sigma(A x + b)`` with ``A in R^{k x d}``, ``b in R^k``,
``C in R^{m x k}``, gets within any ``epsilon`` of a continuous ``f`` on a compact set when
``k`` is large enough. :func:`approximate` fits such a ``g`` (no output bias, exactly the
theorem's form) to a 1-D ``f`` for several widths ``k`` with torch (Adam, then L-BFGS,
float64, seeded) and measures ``sup |f - g|`` on a fine grid of the interval.

    >>> fit = ShallowFit(np.array([1.0]), np.array([0.0]), np.array([2.0]), "sigmoid")
    >>> fit.predict(np.array([0.0])).tolist(), fit.k
    ([1.0], 1)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops.network import activation_function

#: 1-D targets by name: ``(numpy function, LaTeX, interval)``.
TARGETS = {
    "wave": (lambda x: np.sin(3 * x) + 0.3 * x, r"\sin(3x) + 0.3x", (-2.0, 2.0)),
    "bump": (lambda x: np.exp(-4 * x ** 2), r"e^{-4x^2}", (-2.0, 2.0)),
    "abs": (lambda x: np.abs(x), r"|x|", (-1.0, 1.0)),
    "step": (lambda x: (x > 0).astype(float), r"\mathbb{1}_{x > 0}", (-1.0, 1.0)),
}
#: Activations a fit may use (continuous and not polynomial, as the theorem asks).
FIT_ACTIVATIONS = ("sigmoid", "tanh", "relu")
#: Points of the grid where ``sup |f - g|`` is measured.
SUP_POINTS = 2001


@dataclass(frozen=True)
class ShallowFit:
    """One fitted ``g(x) = sum_j C_j sigma(A_j x + b_j)`` (1-D input and output).

    Attributes
    ----------
    A, b, C : ndarray, shape (k,)
    activation : str
        ``sigma``.
    loss : float
        Mean squared error on the training points at the end.
    """

    A: np.ndarray
    b: np.ndarray
    C: np.ndarray
    activation: str
    loss: float = float("nan")

    @property
    def k(self) -> int:
        """The width: number of hidden units."""
        return int(self.A.size)

    def units(self, x) -> np.ndarray:
        """``C_j sigma(A_j x + b_j)``, shape ``(k, len(x))``: what each unit adds."""
        x = np.asarray(x, dtype=np.float64).ravel()
        hidden = activation_function(self.activation)(np.outer(self.A, x) + self.b[:, None])
        return self.C[:, None] * hidden

    def predict(self, x) -> np.ndarray:
        """``g(x)``."""
        return self.units(x).sum(axis=0)


@dataclass(frozen=True)
class Approximation:
    """Fits of one target for several widths.

    Attributes
    ----------
    name, tex : str
        The target's name and its formula (LaTeX).
    interval : tuple of float
        The compact set ``[lo, hi]``.
    x, y : ndarray
        The training points and ``f`` there.
    fits : tuple of ShallowFit
        By increasing width.
    """

    name: str
    tex: str
    interval: tuple
    x: np.ndarray
    y: np.ndarray
    fits: tuple
    function: object = None

    def grid(self, points: int = SUP_POINTS) -> np.ndarray:
        """A fine grid of the interval."""
        return np.linspace(*self.interval, points)

    def target(self, x) -> np.ndarray:
        """``f(x)``."""
        return np.asarray(self.function(np.asarray(x, dtype=np.float64)), dtype=np.float64)

    def sup_errors(self) -> np.ndarray:
        """``sup |f - g|`` of each fit on :meth:`grid`."""
        grid = self.grid()
        return np.array([np.max(np.abs(self.target(grid) - fit.predict(grid))) for fit in self.fits])


def _target(target):
    if callable(target):
        return "f", "f(x)", target
    if target not in TARGETS:
        raise ValueError(f"target must be a callable or one of {sorted(TARGETS)}, got {target!r}")
    function, tex, _ = TARGETS[target]
    return target, tex, function


def _check_widths(widths) -> tuple:
    widths = tuple(widths) if not isinstance(widths, (int, np.integer)) else (widths,)
    if not widths or any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1 for k in widths):
        raise ValueError(f"widths must be positive integers, got {widths!r}")
    return tuple(sorted({int(k) for k in widths}))


def fit_shallow(x, y, k: int, *, activation: str = "sigmoid", steps: int = 500, polish: int = 300,
                lr: float = 0.05, seed: int = 0) -> ShallowFit:
    """Fit ``g(x) = C sigma(A x + b)`` with ``k`` units to the points ``(x, y)`` by least squares.

    Adam for ``steps`` steps, then L-BFGS for at most ``polish`` iterations, in float64 on
    the full batch. The units start with their steps spread evenly over the points' range
    (``-b_j / A_j`` on a regular grid), the slopes and ``C`` drawn from a generator seeded
    by ``seed``, so the fit is the same on every call and leaves torch's global RNG alone.
    """
    import torch

    if activation not in FIT_ACTIVATIONS:
        raise ValueError(f"activation must be one of {FIT_ACTIVATIONS}, got {activation!r}")
    (k,) = _check_widths(k)
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64).ravel())
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64).ravel())
    params = _initial(xt, k, seed)
    sigma = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]

    def loss():
        return ((sigma(xt[:, None] * params[0] + params[1]) @ params[2] - yt) ** 2).mean()

    adam = torch.optim.Adam(params, lr=lr)
    for _ in range(int(steps)):
        adam.zero_grad()
        loss().backward()
        adam.step()
    if polish:
        _polish(params, loss, int(polish))
    with torch.no_grad():
        final = float(loss())
    A, b, C = (p.detach().numpy().copy() for p in params)
    return ShallowFit(A, b, C, activation, final)


def _initial(x, k: int, seed: int) -> list:
    import torch

    generator = torch.Generator().manual_seed(int(seed))
    lo, hi = float(x.min()), float(x.max())
    span = max(hi - lo, 1e-6)
    sign = torch.where(torch.rand(k, generator=generator) < 0.5, -1.0, 1.0).double()
    A = (torch.randn(k, generator=generator, dtype=torch.float64).abs() + 0.5) * (8.0 / span) * sign
    centres = torch.linspace(lo, hi, k + 2, dtype=torch.float64)[1:-1]
    b = -A * centres
    C = 0.1 * torch.randn(k, generator=generator, dtype=torch.float64)
    return [p.requires_grad_() for p in (A, b, C)]


def _polish(params, loss, iterations: int) -> None:
    import torch

    lbfgs = torch.optim.LBFGS(params, max_iter=iterations, line_search_fn="strong_wolfe")

    def closure():
        lbfgs.zero_grad()
        value = loss()
        value.backward()
        return value

    lbfgs.step(closure)


def approximate(target="wave", widths=(1, 2, 4, 8, 16), *, activation: str = "sigmoid", points: int = 200,
                interval=None, steps: int = 500, polish: int = 300, seed: int = 0) -> Approximation:
    """Fit ``g(x) = C sigma(A x + b)`` to ``target`` for each width in ``widths``.

    Parameters
    ----------
    target : str or callable
        A name of :data:`TARGETS` (``"wave"``: ``sin(3x) + 0.3x`` on ``[-2, 2]``) or a NumPy
        function of ``x`` (then give ``interval``).
    widths : sequence of int
        The numbers of hidden units ``k``.
    activation : {"sigmoid", "tanh", "relu"}
    points : int
        Training points, evenly spaced over the interval.
    interval : (lo, hi), optional
        The compact set (the target's own by default).
    steps, polish, seed
        See :func:`fit_shallow`.

    Returns
    -------
    Approximation
    """
    name, tex, function = _target(target)
    widths = _check_widths(widths)
    if interval is None:
        if callable(target):
            raise ValueError("interval: give (lo, hi) for a target function")
        interval = TARGETS[target][2]
    lo, hi = (float(v) for v in interval)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"interval must be (lo, hi) with lo < hi, got {interval!r}")
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 2:
        raise ValueError(f"points must be an integer >= 2, got {points!r}")
    x = np.linspace(lo, hi, int(points))
    y = np.asarray(function(x), dtype=np.float64)
    fits = tuple(fit_shallow(x, y, k, activation=activation, steps=steps, polish=polish, seed=seed) for k in widths)
    return Approximation(name, tex, (lo, hi), x, y, fits, function)


__all__ = ["FIT_ACTIVATIONS", "SUP_POINTS", "TARGETS", "Approximation", "ShallowFit", "approximate", "fit_shallow"]
