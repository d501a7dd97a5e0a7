"""Colour conventions of the lecture notes (kept for compatibility: :mod:`vizdl.styles.theme` rules).

Weights and gradients use a diverging map: red = positive, blue = negative, white = 0,
with symmetric limits. Classes use a fixed qualitative palette that never reuses the sign
colours. New code asks the theme for the colour of a *role* (``LIGHT.color("positive")``).
"""
from __future__ import annotations

import numpy as np

from vizdl.styles.theme import CLASS_COLORS, NEGATIVE, POSITIVE, ZERO, class_color, diverging_cmap


def symmetric_limit(values, quantile: float = 1.0) -> float:
    """Return ``v`` such that ``(-v, v)`` covers ``values`` (or the given quantile of ``|values|``).

    Returns 1.0 for an all-zero or empty input so colour maps stay well defined.
    """
    magnitudes = np.abs(np.asarray(values, dtype=float)).ravel()
    magnitudes = magnitudes[np.isfinite(magnitudes)]
    if magnitudes.size == 0:
        return 1.0
    limit = float(np.quantile(magnitudes, quantile))
    return limit if limit > 0 else 1.0


def weight_color(value: float, limit: float) -> str:
    """Hex colour of ``value`` on the diverging map with limits ``(-limit, limit)``."""
    from matplotlib.colors import to_hex

    position = 0.5 + 0.5 * float(np.clip(value / limit, -1.0, 1.0))
    return to_hex(diverging_cmap()(position))


__all__ = ["CLASS_COLORS", "NEGATIVE", "POSITIVE", "ZERO", "class_color", "diverging_cmap",
           "symmetric_limit", "weight_color"]
