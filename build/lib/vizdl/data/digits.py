"""The 8x8 handwritten digits: the embedded default dataset (no download, no scikit-learn needed).

The 1797 images of scikit-learn's ``load_digits`` ship inside vizdl as ``digits.npz``
(two uint8 arrays, read with ``allow_pickle=False``); attribution in ``DIGITS_LICENSE.txt``
(UCI "Optical Recognition of Handwritten Digits", Alpaydin & Kaynak, CC BY 4.0).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

CLASSES = [str(d) for d in range(10)]
DESCRIPTION = ("8x8 handwritten digits (UCI, as in scikit-learn): 1797 images, 1x8x8 grey scaled to [0, 1] "
               "(embedded in vizdl, no download).")
FILE = Path(__file__).with_name("digits.npz")


def make() -> tuple[np.ndarray, np.ndarray]:
    """Return ``(x (1797, 1, 8, 8) float32 in [0, 1], y (1797,) int64)``."""
    with np.load(FILE, allow_pickle=False) as data:
        images, target = data["images"], data["target"]
    return (images / 16.0).astype(np.float32)[:, None], target.astype(np.int64)
