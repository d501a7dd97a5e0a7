"""Sub-sampling as in the lecture notes: max pooling, average pooling and squeeze.

Pure NumPy (float64), agreeing with ``F.max_pool2d(return_indices=True)``,
``F.avg_pool2d`` (``count_include_pad=True``), ``F.pixel_unshuffle`` and ``F.pixel_shuffle``.
"""
from __future__ import annotations

import numpy as np

from vizdl.ops._checks import as_channels, as_image, as_pair, as_size
from vizdl.ops.conv import Window, conv_output_size, conv_windows

#: The 8x8 matrix of the notes' max / average / invertible pooling slides.
NOTES_EXAMPLE = np.array([
    [0.2, 1.0, 0.3, 0.8, 0.1, 0.8, 0.6, 0.9],
    [0.7, 0.3, 0.3, 0.5, 0.4, 0.3, 0.3, 0.4],
    [0.2, 0.6, 0.7, 0.9, 0.9, 0.1, 0.3, 0.5],
    [0.8, 0.7, 0.1, 0.3, 0.3, 0.6, 0.9, 0.5],
    [0.7, 0.1, 0.1, 0.2, 0.8, 0.4, 0.9, 0.7],
    [0.9, 0.1, 0.8, 0.9, 0.6, 0.3, 0.1, 0.9],
    [0.8, 0.7, 0.2, 0.7, 0.0, 0.6, 0.9, 0.5],
    [0.9, 0.5, 0.1, 0.2, 0.0, 0.1, 0.1, 0.4],
])

#: The notes' 2x2 max-pooling table of :data:`NOTES_EXAMPLE`.
NOTES_MAX_POOL = np.array([
    [1.0, 0.8, 0.8, 0.9],
    [0.8, 0.9, 0.9, 0.9],
    [0.9, 0.9, 0.8, 0.9],
    [0.9, 0.7, 0.6, 0.9],
])

#: The notes' 2x2 average-pooling table, rounded to one decimal (not always the same way).
NOTES_AVG_POOL_ROUNDED = np.array([
    [0.5, 0.5, 0.4, 0.6],
    [0.6, 0.5, 0.5, 0.5],
    [0.4, 0.5, 0.5, 0.6],
    [0.7, 0.3, 0.2, 0.5],
])


def _pool_params(kernel, stride, padding):
    kernel = as_pair(kernel, "kernel", minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", minimum=1)
    padding = as_pair(padding, "padding", minimum=0)
    for k, p in zip(kernel, padding):
        if 2 * p > k:
            raise ValueError(f"padding {p} must be at most half the kernel size {k} for pooling "
                             f"(torch's rule); allowed: padding <= {k // 2}")
    return kernel, stride, padding


def pool_output_size(size, kernel, stride=None, padding=0):
    """Output size ``floor((d_in + 2 p - k) / s) + 1`` of a pooling; ``stride`` defaults to ``kernel``.

    >>> pool_output_size(8, 2)
    4
    """
    k, s, p = _pool_params(kernel, stride, padding)
    args = (kernel, stride if stride is not None else kernel, padding)
    if not any(isinstance(v, (tuple, list, np.ndarray)) for v in (size,) + args):
        return conv_output_size(size, k[0], s[0], p[0])
    return conv_output_size(as_size(size), k, s, p)


def pool_windows(size, kernel, stride=None, padding=0) -> list[Window]:
    """Window of every pooled cell (see :func:`vizdl.ops.conv_windows`), row-major."""
    k, s, p = _pool_params(kernel, stride, padding)
    return conv_windows(size, k, s, p)


def _patches(x, kernel, stride, padding, fill):
    """Windows of ``x`` as ``(C, H', W', kh * kw)`` and the flat input index of each entry."""
    x = as_channels(x)
    k, s, p = _pool_params(kernel, stride, padding)
    h, w = x.shape[-2:]
    windows = pool_windows((h, w), k, s, p)
    out = conv_output_size((h, w), k, s, p)
    padded = np.pad(x, [(0, 0), (p[0], p[0]), (p[1], p[1])], constant_values=fill)
    rows = np.array([[r for r in win.rows for _ in win.cols] for win in windows])
    cols = np.array([[c for _ in win.rows for c in win.cols] for win in windows])
    values = padded[:, rows, cols].reshape(x.shape[0], out[0], out[1], -1)
    flat = ((rows - p[0]) * w + (cols - p[1])).reshape(out[0], out[1], -1)
    return values, flat


def max_pool(x, kernel, stride=None, padding=0) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling and the position of each window's maximum, like ``F.max_pool2d``.

    Parameters
    ----------
    x : array_like, shape (H, W) or (C, H, W)
    kernel, stride, padding : int or (int, int)
        ``stride`` defaults to ``kernel``; padding cells hold ``-inf``.

    Returns
    -------
    values : numpy.ndarray, float64, same number of axes as ``x``
    argmax : numpy.ndarray, int64, same shape
        Flat index ``row * W + col`` of the winning input cell in its channel (torch's
        ``return_indices`` convention; ``np.unravel_index(argmax, (H, W))`` gives rows and
        columns). Ties go to the first cell in row-major window order.
    """
    squeeze = np.ndim(x) == 2
    values, flat = _patches(x, kernel, stride, padding, -np.inf)
    best = values.argmax(axis=-1)
    pooled = np.take_along_axis(values, best[..., None], axis=-1)[..., 0]
    argmax = np.take_along_axis(np.broadcast_to(flat, values.shape), best[..., None], axis=-1)[..., 0]
    return (pooled[0], argmax[0]) if squeeze else (pooled, argmax)


def avg_pool(x, kernel, stride=None, padding=0) -> np.ndarray:
    """Average pooling, like ``F.avg_pool2d`` (padding zeros count in the mean)."""
    squeeze = np.ndim(x) == 2
    values, _ = _patches(x, kernel, stride, padding, 0.0)
    pooled = values.mean(axis=-1)
    return pooled[0] if squeeze else pooled


def _check_factor(shape, factor) -> int:
    f = as_pair(factor, "factor", minimum=1)
    if f[0] != f[1]:
        raise ValueError(f"factor must be one integer (square blocks), got {factor!r}")
    for n in shape:
        if n % f[0]:
            raise ValueError(f"factor {f[0]} must divide the spatial size {tuple(shape)}; "
                             f"allowed: a divisor of both height and width")
    return f[0]


def squeeze_pool(x, factor=2) -> np.ndarray:
    """Invertible pooling (squeeze, space-to-depth), like ``F.pixel_unshuffle``.

    ``(C, H, W) -> (C f^2, H / f, W / f)`` with
    ``out[c f^2 + i f + j, h, w] = x[c, h f + i, w f + j]``; a 2-D input is one channel.
    """
    x = as_channels(x)
    c, h, w = x.shape
    f = _check_factor((h, w), factor)
    blocks = x.reshape(c, h // f, f, w // f, f).transpose(0, 2, 4, 1, 3)
    return blocks.reshape(c * f * f, h // f, w // f)


def unsqueeze_pool(x, factor=2) -> np.ndarray:
    """Inverse of :func:`squeeze_pool` (depth-to-space), like ``F.pixel_shuffle``.

    ``(C f^2, H, W) -> (C, H f, W f)``; the result always has a channel axis.
    """
    x = as_image(x)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (C * factor**2, H, W), got shape {x.shape}")
    f = as_pair(factor, "factor", minimum=1)[0]
    _check_factor((f, f), factor)
    c, h, w = x.shape
    if c % (f * f):
        raise ValueError(f"factor**2 = {f * f} must divide the number of channels {c}; "
                         f"allowed: a factor with factor**2 dividing {c}")
    blocks = x.reshape(c // (f * f), f, f, h, w).transpose(0, 3, 1, 4, 2)
    return blocks.reshape(c // (f * f), h * f, w * f)
