"""Statistics of training curves and snapshots: centred smoothing, spreading steps, histograms.

A trailing mean lags the data it smooths (a falling loss looks higher than it is); the
centred mean here averages ``window`` values around each point, shrinking the window
symmetrically near the ends so it stays centred.

    >>> centred_mean([4.0, 3.0, 2.0, 1.0, 0.0], 3).tolist()
    [4.0, 3.0, 2.0, 1.0, 0.0]
    >>> centred_mean([0.0, 3.0, 0.0, 3.0, 0.0], 3).tolist()
    [0.0, 1.0, 2.0, 1.0, 0.0]
"""
from __future__ import annotations

import numpy as np


def centred_mean(values, window: int) -> np.ndarray:
    """Mean of the ``window`` values centred on each point (``window`` odd; an even one grows by 1).

    Near the ends the window shrinks to the points available on *both* sides, so a
    straight line is returned unchanged. ``window=1`` returns a copy.
    """
    values = np.asarray(values, dtype=np.float64)
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be an integer >= 1, got {window!r}")
    n, half = values.size, int(window) // 2
    if half == 0 or n == 0:
        return values.copy()
    index = np.arange(n)
    reach = np.minimum(np.minimum(index, n - 1 - index), half)
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    return (cumulative[index + reach + 1] - cumulative[index - reach]) / (2 * reach + 1)


def smoothing_window(count: int, fraction: float = 0.04) -> int:
    """An odd window about ``fraction`` of ``count`` points (1 for short series)."""
    window = max(1, int(round(count * fraction)))
    return window if window % 2 else window + 1


def spread(items, count: int) -> list:
    """At most ``count`` items of ``items`` evenly spaced, first and last included."""
    items = list(items)
    if not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be an integer >= 1, got {count!r}")
    if len(items) <= count:
        return items
    if count == 1:
        return [items[-1]]
    index = [round(k * (len(items) - 1) / (count - 1)) for k in range(count)]
    return [items[k] for k in dict.fromkeys(index)]


def histogram_matrix(arrays, bins: int = 40, lim: float | None = None) -> tuple:
    """``(counts (len(arrays), bins), edges)``: each array's values on shared symmetric bins ``[-lim, lim]``."""
    lim = max(float(np.max(np.abs(a))) for a in arrays) if lim is None else lim
    lim = lim if lim > 0 else 1.0
    edges = np.linspace(-lim, lim, bins + 1)
    return np.array([np.histogram(np.ravel(a), edges)[0] for a in arrays]), edges


__all__ = ["centred_mean", "histogram_matrix", "smoothing_window", "spread"]
