"""Colour conventions of the lecture notes, shared by `vizdl.figures` and `vizdl.anim`.

Weights and gradients use a diverging map: red = positive, blue = negative,
white = 0, with symmetric limits. Classes use a fixed qualitative palette.
This module imports matplotlib's colour utilities only (no pyplot).
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_hex

POSITIVE = "#d62728"  # red: positive weight / gradient / attribution
NEGATIVE = "#1f77b4"  # blue: negative
ZERO = "#ffffff"      # white: zero
CLASS_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)


def diverging_cmap(name: str = "vizdl_diverging") -> LinearSegmentedColormap:
    """Return the blue-white-red colour map used for weights, gradients and attributions."""
    return LinearSegmentedColormap.from_list(name, [NEGATIVE, ZERO, POSITIVE])


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
    position = 0.5 + 0.5 * float(np.clip(value / limit, -1.0, 1.0))
    return to_hex(diverging_cmap()(position))


def class_color(index: int) -> str:
    """Hex colour of class ``index`` (cycles through ten colours)."""
    return CLASS_COLORS[int(index) % len(CLASS_COLORS)]
