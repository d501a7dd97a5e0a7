"""2-D convolution as the lecture notes explain it: sizes, window positions, steps, values.

All functions are pure NumPy (float64) and agree with ``torch.nn.functional.conv2d`` /
``conv_transpose2d`` (cross-correlation, as every deep-learning library computes it).
Spatial parameters accept an int (square) or a pair ``(h, w)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops._checks import as_channels, as_pair, as_size, check_fits
from vizdl.ops.padding import check_padding, pad, padding_mask


def _geometry(size, kernel, stride, padding, dilation):
    size, kernel = as_size(size), as_pair(kernel, "kernel", minimum=1)
    stride = as_pair(stride, "stride", minimum=1)
    padding = as_pair(padding, "padding", minimum=0)
    dilation = as_pair(dilation, "dilation", minimum=1)
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    check_fits(size, extent, padding)
    return size, kernel, stride, padding, dilation, extent


def _scalar_or_pair(params, result):
    """An int when every parameter was given as a single number, a pair otherwise."""
    pairs = any(isinstance(v, (tuple, list, np.ndarray)) for v in params)
    return tuple(result) if pairs else result[0]


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    """Output size ``floor((d_in + 2 p - dil (k - 1) - 1) / s) + 1`` of a convolution.

    With ``dilation=1`` this is the notes' ``d_out = (d_in + 2 Padding - KernelSize) / Stride + 1``
    rounded down. Returns an int for an int ``size``, a pair for a pair.

    >>> conv_output_size(7, 3, stride=2, padding=1)
    4
    """
    n, _, s, p, _, e = _geometry(size, kernel, stride, padding, dilation)
    out = [(ni + 2 * pi - ei) // si + 1 for ni, pi, ei, si in zip(n, p, e, s)]
    return _scalar_or_pair((size, kernel, stride, padding, dilation), out)


@dataclass(frozen=True)
class OutputSize:
    """The output-size formula of one axis, with its terms: ``floor(numerator / stride) + 1``.

    ``numerator = size + 2 padding - extent`` where ``extent = dilation (kernel - 1) + 1``
    is the span of the kernel (the notes' KernelSize when not dilated).

    >>> terms = output_size_terms(5, 3, stride=3, padding=1)
    >>> terms.numerator, terms.exact, terms.value
    (4, False, 2)
    """

    size: int
    kernel: int
    stride: int
    padding: int
    dilation: int

    @property
    def extent(self) -> int:
        """Cells spanned by the (dilated) kernel."""
        return self.dilation * (self.kernel - 1) + 1

    @property
    def numerator(self) -> int:
        """``size + 2 padding - extent``: how far the kernel can move."""
        return self.size + 2 * self.padding - self.extent

    @property
    def exact(self) -> bool:
        """The stride divides the numerator (no floor needed)."""
        return self.numerator % self.stride == 0

    @property
    def value(self) -> int:
        """The output size."""
        return self.numerator // self.stride + 1

    @property
    def unread(self) -> int:
        """Cells at the end of the padded input that no window reaches (the floor drops them)."""
        return self.numerator % self.stride


def output_size_terms(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> OutputSize:
    """The terms of :func:`conv_output_size` along one axis (ints), checked like it."""
    conv_output_size(size, kernel, stride, padding, dilation)
    return OutputSize(int(size), int(kernel), int(stride), int(padding), int(dilation))


def conv_transpose_output_size(size, kernel, stride=1, padding=0, output_padding=0, dilation=1):
    """Output size ``(d_in - 1) s - 2 p + dil (k - 1) + output_padding + 1`` of a transposed conv.

    Raises ``ValueError`` when ``output_padding`` is not smaller than the stride or the
    dilation (torch's rule) or when the result would be smaller than 1.
    """
    n, k = as_size(size), as_pair(kernel, "kernel", minimum=1)
    s, d = as_pair(stride, "stride", minimum=1), as_pair(dilation, "dilation", minimum=1)
    p, op = as_pair(padding, "padding", minimum=0), as_pair(output_padding, "output_padding", minimum=0)
    for opi, si, di in zip(op, s, d):
        if opi >= max(si, di):
            raise ValueError(f"output_padding must be smaller than stride or dilation "
                             f"(here < {max(si, di)}), got {output_padding!r}")
    out = [(ni - 1) * si - 2 * pi + di * (ki - 1) + opi + 1
           for ni, si, pi, di, ki, opi in zip(n, s, p, d, k, op)]
    if min(out) < 1:
        raise ValueError(f"padding {padding!r} crops the whole transposed-convolution output "
                         f"(size {tuple(out)}); allowed: a padding leaving at least one cell")
    return _scalar_or_pair((size, kernel, stride, padding, output_padding, dilation), out)


@dataclass(frozen=True)
class Window:
    """The input cells one output cell reads.

    Attributes
    ----------
    index : (int, int)
        The output cell ``(i, j)``.
    rows, cols : tuple of int
        Rows and columns read, in coordinates of the *padded* input (0 = first padding row).
    padding : (int, int)
        Padding of the input, to convert to input coordinates (``row - padding[0]``).
    """

    index: tuple[int, int]
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    padding: tuple[int, int] = (0, 0)

    def cells(self) -> list[tuple[int, int]]:
        """Padded-input cells ``(row, col)`` read, row-major, in kernel order."""
        return [(r, c) for r in self.rows for c in self.cols]

    def input_cells(self) -> list[tuple[int, int]]:
        """The same cells in input coordinates (negative or ``>= size`` for padding cells)."""
        return [(r - self.padding[0], c - self.padding[1]) for r, c in self.cells()]

    def padding_cells(self, size) -> list[tuple[int, int]]:
        """Padded-input cells of this window that are padding for an input of ``size``."""
        mask = padding_mask(size, self.padding)
        return [(r, c) for r, c in self.cells() if mask[r, c]]

    @property
    def top_left(self) -> tuple[int, int]:
        """Padded-input cell under the kernel's top-left entry."""
        return self.rows[0], self.cols[0]


def conv_windows(size, kernel, stride=1, padding=0, dilation=1) -> list[Window]:
    """Window of every output cell, row-major: which padded-input cells each one reads.

    >>> [w.top_left for w in conv_windows(5, 3, stride=2, padding=1)][:3]
    [(0, 0), (0, 2), (0, 4)]
    """
    n, k, s, p, d, e = _geometry(size, kernel, stride, padding, dilation)
    out = [(ni + 2 * pi - ei) // si + 1 for ni, pi, ei, si in zip(n, p, e, s)]
    return [Window((i, j), tuple(i * s[0] + d[0] * m for m in range(k[0])),
                   tuple(j * s[1] + d[1] * m for m in range(k[1])), p)
            for i in range(out[0]) for j in range(out[1])]


def _as_kernel(kernel, channels: int) -> tuple[np.ndarray, bool]:
    """Kernel as ``(C_out, C_in, kh, kw)`` and whether the output keeps a channel axis."""
    w = np.asarray(kernel, dtype=np.float64)
    if w.ndim == 2:
        w = np.broadcast_to(w, (1, channels) + w.shape) if channels == 1 else None
    elif w.ndim == 3:
        w = w[None]
    if w is None or w.ndim != 4 or w.shape[1] != channels:
        raise ValueError(f"kernel must have shape (kh, kw) for one input channel, (C_in, kh, kw) "
                         f"or (C_out, C_in, kh, kw) with C_in = {channels}, "
                         f"got shape {np.shape(kernel)}")
    return w, np.ndim(kernel) == 4


def _as_bias(bias, channels: int) -> np.ndarray:
    b = np.asarray(bias, dtype=np.float64)
    if b.ndim == 0:
        return np.full(channels, float(b))
    if b.shape != (channels,):
        raise ValueError(f"bias must be a number or have shape ({channels},), got shape {b.shape}")
    return b


@dataclass(frozen=True)
class ConvStep:
    """One output cell of a convolution: ``value = bias + sum(products)``.

    Attributes
    ----------
    out_channel : int
    window : Window
    inputs, weights, products : numpy.ndarray, shape (C_in, kh, kw)
        Padded input values read, kernel weights, and their element-wise products.
    bias : float
    """

    out_channel: int
    window: Window
    inputs: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    bias: float

    @property
    def channel_sums(self) -> np.ndarray:
        """``Conv(input(k), kernel_k)`` at this cell, one number per input channel."""
        return self.products.sum(axis=(1, 2))

    @property
    def total(self) -> float:
        """Sum of all products (without the bias)."""
        return float(self.products.sum())

    @property
    def value(self) -> float:
        """The output value ``bias + total``."""
        return self.bias + self.total


def conv_steps(x, kernel, bias=0, stride=1, padding=0, dilation=1, mode="zeros") -> list[ConvStep]:
    """Every output cell of :func:`conv2d` as a :class:`ConvStep`, output channel by channel.

    Arguments are those of :func:`conv2d`; the order is output channel, then row-major cells.
    """
    x = as_channels(x)
    w, _ = _as_kernel(kernel, x.shape[0])
    b = _as_bias(bias, w.shape[0])
    windows = conv_windows(x.shape[-2:], w.shape[-2:], stride, padding, dilation)
    padded = pad(x, padding, mode)
    steps = []
    for c in range(w.shape[0]):
        for win in windows:
            values = padded[:, list(win.rows)][:, :, list(win.cols)]
            steps.append(ConvStep(c, win, values, w[c], values * w[c], float(b[c])))
    return steps


def conv2d(x, kernel, bias=0, stride=1, padding=0, dilation=1, mode="zeros") -> np.ndarray:
    """2-D convolution (cross-correlation) with padding by ``mode``, like ``F.conv2d``.

    Parameters
    ----------
    x : array_like, shape (H, W) or (C_in, H, W)
    kernel : array_like, shape (kh, kw), (C_in, kh, kw) or (C_out, C_in, kh, kw)
        A 2-D kernel needs one input channel. 2-D and 3-D kernels give an ``(H', W')``
        output, a 4-D kernel a ``(C_out, H', W')`` output.
    bias : float or array_like of shape (C_out,)
    stride, padding, dilation : int or (int, int)
    mode : {"zeros", "reflect", "replicate", "circular"}
        How the padding cells are filled (torch's ``padding_mode``).

    Returns
    -------
    numpy.ndarray, float64
        ``out[c_out] = bias[c_out] + sum_k Conv(x[k], kernel[c_out, k])``.
    """
    x = as_channels(x)
    w, keep_channels = _as_kernel(kernel, x.shape[0])
    b = _as_bias(bias, w.shape[0])
    n, k, s, p, d, e = _geometry(x.shape[-2:], w.shape[-2:], stride, padding, dilation)
    check_padding(n, p, mode)
    padded = pad(x, p, mode)
    patches = np.lib.stride_tricks.sliding_window_view(padded, e, axis=(1, 2))
    patches = patches[:, ::s[0], ::s[1], ::d[0], ::d[1]]  # (C_in, H', W', kh, kw)
    out = np.einsum("chwij,ocij->ohw", patches, w) + b[:, None, None]
    return out if keep_channels else out[0]


def conv_transpose2d(x, kernel, bias=0, stride=1, padding=0, output_padding=0, dilation=1) -> np.ndarray:
    """Transposed convolution, like ``F.conv_transpose2d``: every input cell adds a scaled kernel.

    Parameters
    ----------
    x : array_like, shape (H, W) or (C_in, H, W)
    kernel : array_like, shape (kh, kw) or (C_in, C_out, kh, kw) (torch's layout)
    bias : float or array_like of shape (C_out,)
    stride, padding, output_padding, dilation : int or (int, int)

    Returns
    -------
    numpy.ndarray, shape (H', W') for a 2-D kernel, (C_out, H', W') for a 4-D kernel
    """
    x = as_channels(x)
    w = np.asarray(kernel, dtype=np.float64)
    keep_channels = w.ndim == 4
    if w.ndim == 2 and x.shape[0] == 1:
        w = w[None, None]
    if w.ndim != 4 or w.shape[0] != x.shape[0]:
        raise ValueError(f"kernel must have shape (kh, kw) for one input channel or "
                         f"(C_in, C_out, kh, kw) with C_in = {x.shape[0]}, got shape {np.shape(kernel)}")
    b = _as_bias(bias, w.shape[1])
    s, d = as_pair(stride, "stride", 1), as_pair(dilation, "dilation", 1)
    p, op = as_pair(padding, "padding", 0), as_pair(output_padding, "output_padding", 0)
    out_size = conv_transpose_output_size(x.shape[-2:], w.shape[-2:], s, p, op, d)
    full = np.zeros((w.shape[1], out_size[0] + 2 * p[0], out_size[1] + 2 * p[1]))
    h, wd = x.shape[-2:]
    for m in range(w.shape[2]):
        for n in range(w.shape[3]):
            contrib = np.einsum("chw,co->ohw", x, w[:, :, m, n])
            full[:, d[0] * m:d[0] * m + s[0] * (h - 1) + 1:s[0],
                 d[1] * n:d[1] * n + s[1] * (wd - 1) + 1:s[1]] += contrib
    out = full[:, p[0]:p[0] + out_size[0], p[1]:p[1] + out_size[1]] + b[:, None, None]
    return out if keep_channels else out[0]


def example_input(size=5, channels=None, seed=0) -> np.ndarray:
    """Small integers 0..4 (reproducible) to convolve in pictures: ``(H, W)`` or ``(C, H, W)``."""
    h, w = as_size(size)
    shape = (h, w) if channels is None else (as_size(channels, "channels")[0], h, w)
    return np.random.default_rng(seed).integers(0, 5, size=shape).astype(np.float64)


def example_kernel(size=3, seed=1, channels=None) -> np.ndarray:
    """Small integers -1..2 (reproducible) as a kernel: ``(kh, kw)`` or ``(C_in, kh, kw)``."""
    kh, kw = as_pair(size, "kernel", minimum=1)
    shape = (kh, kw) if channels is None else (as_size(channels, "channels")[0], kh, kw)
    return np.random.default_rng(seed).integers(-1, 3, size=shape).astype(np.float64)
