"""scikit-learn's 8x8 handwritten digits: the embedded default dataset (no download)."""
from __future__ import annotations

import numpy as np

CLASSES = [str(d) for d in range(10)]
DESCRIPTION = ("scikit-learn digits: 1797 handwritten digits, 1x8x8 grey images scaled to [0, 1] "
               "(ships with scikit-learn, no download).")


def make() -> tuple[np.ndarray, np.ndarray]:
    """Return ``(x (1797, 1, 8, 8) float32 in [0, 1], y (1797,) int64)``."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = (bunch.images / 16.0).astype(np.float32)[:, None]
    return x, bunch.target.astype(np.int64)
