"""Padding of an image by mode, as ``torch.nn.Conv2d(padding_mode=...)`` does it.

``zeros`` adds zeros, ``reflect`` mirrors without repeating the edge, ``replicate``
repeats the edge, ``circular`` wraps around.
"""
from __future__ import annotations

import numpy as np

from vizdl.ops._checks import as_image, as_pair, as_size, check_choice

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_NUMPY_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def check_padding(size, padding, mode: str = "zeros") -> tuple[int, int]:
    """Validate ``padding`` for an input of spatial ``size`` and ``mode``; return ``(ph, pw)``.

    Raises
    ------
    ValueError
        For a negative or non-integer padding, an unknown mode, reflect padding
        ``>= size`` or circular padding ``> size`` (torch's limits).
    """
    check_choice(mode, "mode", PADDING_MODES)
    size = as_size(size)
    padding = as_pair(padding, "padding", minimum=0)
    for n, p in zip(size, padding):
        if mode == "reflect" and p >= n:
            raise ValueError(f"padding {p} with mode 'reflect' needs an input larger than the "
                             f"padding; allowed: padding < input size {n}")
        if mode == "circular" and p > n:
            raise ValueError(f"padding {p} with mode 'circular' wraps at most once; "
                             f"allowed: padding <= input size {n}")
    return padding


def pad(x, padding, mode: str = "zeros") -> np.ndarray:
    """Pad the last two axes of ``x`` by ``padding`` cells on each side.

    Parameters
    ----------
    x : array_like, shape (H, W) or (C, H, W)
    padding : int or (int, int)
        Cells added above and below (first entry) and left and right (second entry).
    mode : {"zeros", "reflect", "replicate", "circular"}

    Returns
    -------
    numpy.ndarray, shape (H + 2 ph, W + 2 pw) or (C, H + 2 ph, W + 2 pw), float64
    """
    x = as_image(x)
    ph, pw = check_padding(x.shape[-2:], padding, mode)
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, widths, mode=_NUMPY_MODES[mode])


def padding_mask(size, padding) -> np.ndarray:
    """Boolean ``(H + 2 ph, W + 2 pw)`` mask, True on the cells added by padding."""
    (h, w), (ph, pw) = as_size(size), as_pair(padding, "padding")
    mask = np.ones((h + 2 * ph, w + 2 * pw), dtype=bool)
    mask[ph:ph + h, pw:pw + w] = False
    return mask


def padding_source(size: int, padding: int, mode: str = "zeros") -> np.ndarray:
    """Index of the input cell each padded position copies along one axis (-1 for zeros).

    >>> padding_source(4, 2, "reflect").tolist()
    [2, 1, 0, 1, 2, 3, 2, 1]
    """
    (n, _), (p, _) = as_size(size), check_padding(size, padding, mode)
    if mode == "zeros":
        return np.pad(np.arange(n), p, mode="constant", constant_values=-1)
    return np.pad(np.arange(n), p, mode=_NUMPY_MODES[mode])


def padding_sources(size, padding, mode: str = "zeros") -> np.ndarray:
    """Input cell ``(row, col)`` each cell of the padded input holds; ``(-1, -1)`` for a zero.

    Returns an int array of shape ``(H + 2 ph, W + 2 pw, 2)``: ``pad(x)[r, c] ==
    x[sources[r, c, 0], sources[r, c, 1]]`` wherever the source is not ``-1``.

    >>> padding_sources(3, 1, "replicate")[0, 0].tolist(), padding_sources(3, 1, "circular")[0, 0].tolist()
    ([0, 0], [2, 2])
    """
    (h, w), (ph, pw) = as_size(size), check_padding(size, padding, mode)
    rows, cols = padding_source(h, ph, mode), padding_source(w, pw, mode)
    sources = np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1)
    sources[(sources < 0).any(axis=-1)] = -1
    return sources


def padding_copies(size, padding, mode: str = "zeros") -> list[tuple[int, int, int]]:
    """How the padded rows and columns are made, as ``(axis, target, source)`` triples.

    Padding is separable: every padded row ``target`` (axis 0) is a copy of the whole
    padded row ``source`` (padded-input coordinates, corners included), then likewise for
    columns (axis 1). ``zeros`` copies nothing (an empty list).

    >>> padding_copies(5, 1, "reflect")
    [(0, 0, 2), (0, 6, 4), (1, 0, 2), (1, 6, 4)]
    """
    (h, w), (ph, pw) = as_size(size), check_padding(size, padding, mode)
    if mode == "zeros":
        return []
    copies = []
    for axis, (n, p) in enumerate(((h, ph), (w, pw))):
        source = padding_source(n, p, mode) + p
        copies += [(axis, t, int(source[t])) for t in list(range(p)) + list(range(n + p, n + 2 * p))]
    return copies
