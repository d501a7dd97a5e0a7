"""Layer representations: the 2-D principal-component projection of a layer's activations.

    >>> import numpy as np
    >>> pca_2d(np.array([[0.0, 0.0], [2.0, 0.0]])).round(6).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
"""
from __future__ import annotations

import numpy as np


def pca_2d(values) -> np.ndarray:
    """Projection of ``values`` (N, ...) on its first two principal components, ``(N, 2)``."""
    X = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    X = X - X.mean(0)
    u, s, _ = np.linalg.svd(X, full_matrices=False)
    proj = u[:, :2] * s[:2]
    return np.pad(proj, ((0, 0), (0, 2 - proj.shape[1])))


__all__ = ["pca_2d"]
