"""Synthetic 2-D classification problems in the style of the TensorFlow playground.

Every generator returns ``(x, y)`` with ``x`` of shape ``(n, 2)`` in *standardised
coordinates*: the clean points lie in the square ``[-1, 1]^2`` (most of it is used) and
the Gaussian ``noise`` (a standard deviation in those same units) may push a few points
slightly outside. Classes are balanced (``n // 2`` each, the odd sample goes to class 0)
and a given ``seed`` always gives the same points.
"""
from __future__ import annotations

import numpy as np

CLASSES = {
    "xor": ["opposite signs", "same signs"],
    "circles": ["outer ring", "inner disk"],
    "moons": ["upper moon", "lower moon"],
    "spiral": ["arm 0", "arm 1"],
    "gauss": ["cluster 0", "cluster 1"],
}

DESCRIPTIONS = {
    "xor": "XOR: uniform points in [-1, 1]^2; class 1 where x1 * x2 > 0 (same signs).",
    "circles": "Circles: class 1 inside radius 0.5, class 0 on the ring 0.7 < r < 1.",
    "moons": "Two interleaving half-moons (sklearn's make_moons, rescaled to [-1, 1]).",
    "spiral": "Two interleaved spiral arms turning 1.75 times around the origin.",
    "gauss": "Two Gaussian clusters centred at (-0.5, -0.5) and (0.5, 0.5), std 0.25.",
}


def _counts(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


def _labels(n: int) -> np.ndarray:
    n0, n1 = _counts(n)
    return np.concatenate([np.zeros(n0), np.ones(n1)]).astype(np.int64)


def xor(n: int, rng: np.random.Generator) -> np.ndarray:
    """Points uniform in the square, kept 0.05 away from the axes as in the playground."""
    n0, n1 = _counts(n)
    pts = rng.uniform(0.05, 1.0, size=(n, 2)) * rng.choice([-1.0, 1.0], size=(n, 2))
    same = np.sign(pts[:, 0]) == np.sign(pts[:, 1])
    pts[:n0][same[:n0], 0] *= -1     # class 0: force opposite signs
    pts[n0:][~same[n0:], 0] *= -1    # class 1: force same signs
    return pts


def circles(n: int, rng: np.random.Generator) -> np.ndarray:
    """Class 0 on the ring ``0.7 < r < 1``, class 1 in the disk ``r < 0.5``."""
    n0, n1 = _counts(n)
    radius = np.concatenate([rng.uniform(0.7, 1.0, n0), rng.uniform(0.0, 0.5, n1)])
    angle = rng.uniform(0, 2 * np.pi, n)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def moons(n: int, rng: np.random.Generator) -> np.ndarray:
    """sklearn's two moons, centred and divided by 1.5 so that x1 spans [-1, 1]."""
    n0, n1 = _counts(n)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    return (np.concatenate([upper, lower]) - [0.5, 0.25]) / 1.5


def spiral(n: int, rng: np.random.Generator) -> np.ndarray:
    """Two arms ``r = s``, ``theta = 1.75 * 2 pi * s + delta`` with ``delta`` in {0, pi}."""
    n0, n1 = _counts(n)
    s = np.concatenate([rng.uniform(0, 1, n0), rng.uniform(0, 1, n1)])
    delta = np.concatenate([np.zeros(n0), np.full(n1, np.pi)])
    theta = 1.75 * 2 * np.pi * s + delta
    return np.stack([s * np.sin(theta), s * np.cos(theta)], axis=1)


def gauss(n: int, rng: np.random.Generator) -> np.ndarray:
    """Two isotropic Gaussian clusters of standard deviation 0.25."""
    n0, n1 = _counts(n)
    centres = np.concatenate([np.full((n0, 2), -0.5), np.full((n1, 2), 0.5)])
    return centres + rng.normal(0, 0.25, size=(n, 2))


GENERATORS = {"xor": xor, "circles": circles, "moons": moons, "spiral": spiral, "gauss": gauss}


def make(name: str, *, n: int = 400, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Generate the synthetic problem ``name``: ``(x (n, 2) float32, y (n,) int64)``.

    Parameters
    ----------
    name : {"xor", "circles", "moons", "spiral", "gauss"}
    n : int
        Number of points (at least 10).
    noise : float
        Standard deviation of the Gaussian noise added to the points, in the units of the
        ``[-1, 1]`` square (0 gives clean data).
    seed : int
        Seed of the random generator.
    """
    if name not in GENERATORS:
        raise ValueError(f"name must be one of {sorted(GENERATORS)}, got {name!r}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 10:
        raise ValueError(f"n must be an integer >= 10, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    x = GENERATORS[name](n, rng) + rng.normal(0, noise, size=(n, 2))
    return x.astype(np.float32), _labels(n)
