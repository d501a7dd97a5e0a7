"""Validation helpers shared by :mod:`vizdl.ops`: every bad parameter raises ``ValueError``.

Messages name the parameter, the value received and what is allowed, so a figure or an
animation fails before anything is drawn.
"""
from __future__ import annotations

import numbers

import numpy as np


def _is_int(value) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def as_pair(value, name: str, minimum: int = 0) -> tuple[int, int]:
    """Return ``value`` (an int or a pair of ints) as ``(height, width)``, checking ``>= minimum``.

    Raises
    ------
    ValueError
        If ``value`` is not an integer or a pair of integers, or is below ``minimum``.
    """
    allowed = f"an integer >= {minimum} or a pair (h, w) of such integers"
    items = tuple(value) if isinstance(value, (tuple, list, np.ndarray)) else (value, value)
    if len(items) != 2 or not all(_is_int(v) for v in items):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    if min(items) < minimum:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return int(items[0]), int(items[1])


def as_size(value, name: str = "size") -> tuple[int, int]:
    """Return a spatial size (int or pair) as ``(h, w)``, each at least 1."""
    return as_pair(value, name, minimum=1)


def as_image(x, name: str = "x") -> np.ndarray:
    """Return ``x`` as a float64 array of shape ``(H, W)`` or ``(C, H, W)``."""
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a numeric array, got dtype {array.dtype}")
    if array.ndim not in (2, 3) or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty array of shape (H, W) or (C, H, W), "
                         f"got shape {array.shape}")
    return array.astype(np.float64)


def as_channels(x, name: str = "x") -> np.ndarray:
    """Return ``x`` as a float64 ``(C, H, W)`` array (a 2-D input gets one channel)."""
    array = as_image(x, name)
    return array[None] if array.ndim == 2 else array


def check_fits(size, extent, padding, kernel_name: str = "kernel") -> None:
    """Raise ``ValueError`` when a window of ``extent`` cells does not fit the padded input."""
    for n, e, p in zip(size, extent, padding):
        if e > n + 2 * p:
            raise ValueError(
                f"{kernel_name} extent {tuple(extent)} is larger than the padded input "
                f"{tuple(s + 2 * q for s, q in zip(size, padding))} (input {tuple(size)}, "
                f"padding {tuple(padding)}); allowed: extent <= input + 2 * padding on each axis")


def check_choice(value, name: str, allowed) -> str:
    """Return ``value`` when it is one of ``allowed``; raise ``ValueError`` otherwise."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value
