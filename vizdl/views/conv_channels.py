"""What the multi-channel and transposed convolution pictures show (the notes' RGB slide; up-sampling).

Multi-channel (:func:`multichannel_view`): one row per input channel ``k`` — the padded
``input(k)``, ``kernel_k`` and ``Conv(input(k), kernel_k)`` — and the output
``out(c_out) = bias(c_out) + sum_k Conv(input(k), kernel_k)`` (the notes' formula), with
the sum written for one output cell. Transposed (:func:`transpose_view`): every input cell
adds ``value x kernel`` to a block of the output; cells the padding crops take the
``padding`` role. Numbers from :mod:`vizdl.ops`, written by :func:`vizdl.styles.theme.fmt`.

>>> view = multichannel_view(step=0)
>>> view.sum_text
'out[0,0] = bias + Σₖ Convₖ[0,0] = 1 + (14) + (18) + (4) = 37'
>>> transpose_view(step=0).block_text
'step 1: output block += 4 × kernel'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops._checks import as_image, as_pair
from vizdl.ops.conv import (
    conv2d,
    conv_steps,
    conv_transpose2d,
    conv_transpose_output_size,
    example_input,
    example_kernel,
)
from vizdl.ops.padding import pad, padding_mask
from vizdl.styles.theme import fmt
from vizdl.views.base import Formula, Grid, Label

CHANNEL_NAMES = {3: ("R", "G", "B")}


@dataclass(frozen=True)
class MultichannelView:
    """The notes' multi-channel convolution at one output cell.

    Attributes
    ----------
    title : Label
    inputs, kernels, partial : tuple of Grid
        Per input channel: the padded input, its kernel, ``Conv(input(k), kernel_k)`` (cells
        after ``step`` are ``empty`` with no text).
    output : Grid
        ``out(c_out)``, cells after ``step`` empty.
    names : dict of str -> Label
        ``input-k``, ``kernel-k``, ``partial-k``, ``output``.
    window : tuple of (int, int)
        The padded-input cells the output cell of ``step`` reads.
    index : (int, int)
        That output cell.
    sum_text : str
        ``out[i,j] = bias + Σₖ Convₖ[i,j] = b + (c0) + (c1) + ... = value``.
    formula : Formula
        The notes' formula.
    """

    title: Label
    inputs: tuple
    kernels: tuple
    partial: tuple
    output: Grid
    names: dict
    window: tuple
    index: tuple
    sum_text: str
    formula: Formula


def _done(grid_values, step: int) -> Grid:
    """``grid_values`` written up to cell ``step`` (row-major), later cells empty."""
    done = np.arange(grid_values.size).reshape(grid_values.shape) <= step
    grid = Grid.of(grid_values, roles=np.where(done, "output", "empty"))
    texts = np.where(done, grid.texts, "")
    return Grid(grid.values, texts, grid.roles, grid.inks)


def multichannel_view(x=None, kernel=None, bias=None, *, stride=1, padding=0, mode="zeros", step=0, out_channel=0,
                      input_size=4, kernel_size=3) -> MultichannelView:
    """The view of a multi-channel convolution (default: three R, G, B example channels, bias 1).

    Parameters are those of :func:`vizdl.figures.multichannel_conv_diagram`.
    """
    x = example_input(input_size, channels=3) if x is None else as_image(x, "x")
    if x.ndim != 3:
        raise ValueError(f"x must have shape (C_in, H, W), got shape {x.shape}")
    kernel = example_kernel(kernel_size, channels=x.shape[0]) if kernel is None else np.asarray(kernel, float)
    kernel = kernel[None] if kernel.ndim == 3 else kernel
    bias = np.zeros(kernel.shape[0]) + (1.0 if bias is None else np.asarray(bias, dtype=float))
    if not 0 <= out_channel < kernel.shape[0]:
        raise ValueError(f"out_channel must be in [0, {kernel.shape[0]}), got {out_channel}")
    w, b = kernel[out_channel], float(bias[out_channel])
    steps = conv_steps(x, w[None], [b], stride=stride, padding=padding, mode=mode)
    if not 0 <= step < len(steps):
        raise ValueError(f"step must be in [0, {len(steps)}), got {step}")
    out = conv2d(x, w[None], [b], stride=stride, padding=padding, mode=mode)[0]
    partial = [conv2d(x[k], w[k], 0, stride, padding, 1, mode) for k in range(x.shape[0])]
    padded, mask = pad(x, padding, mode), padding_mask(x.shape[-2:], padding)
    inputs = tuple(Grid.of(p, roles=np.where(mask, "padding", "cell"), inks=np.where(mask, "padding_ink", "ink"))
                   for p in padded)
    current = steps[step]
    i, j = current.window.index
    sums = " + ".join(f"({fmt(v)})" for v in current.channel_sums)
    names = CHANNEL_NAMES.get(x.shape[0], tuple(str(k) for k in range(x.shape[0])))
    labels = {f"input-{k}": Label(f"input({k}) {names[k]}") for k in range(x.shape[0])}
    labels.update({f"kernel-{k}": Label(f"kernel {k}") for k in range(x.shape[0])})
    labels.update({f"partial-{k}": Label(f"Conv {k}") for k in range(x.shape[0])})
    labels["output"] = Label(f"out({out_channel}) {out.shape[0]}×{out.shape[1]}")
    return MultichannelView(
        Label(f"Multi-channel convolution: {x.shape[0]} input channels, bias {fmt(b)}", size="title"), inputs,
        tuple(Grid.of(wk, roles="kernel") for wk in w), tuple(_done(p, step) for p in partial), _done(out, step),
        labels, tuple(current.window.cells()), (i, j),
        f"out[{i},{j}] = bias + Σₖ Convₖ[{i},{j}] = {fmt(b)} + {sums} = {fmt(current.value)}",
        Formula.of(r"\mathrm{out}_{i,j}(c_{\mathrm{out}}) = \mathrm{bias}(c_{\mathrm{out}}) + \sum_{k} "
                   r"\mathrm{Conv}(\mathrm{input}(k), \mathrm{kernel}_k)_{i,j}"))


@dataclass(frozen=True)
class TransposeView:
    """A transposed convolution: the output before cropping, the cells the padding crops.

    Attributes
    ----------
    title : Label
    input, kernel : Grid
    output : Grid
        The sum after the contributions up to ``step``, before cropping; cropped cells
        (``padding`` role) are what ``padding`` removes.
    names : dict of str -> Label
    cell : (int, int) or None
        The input cell of ``step`` (``None``: all cells added).
    block : tuple of (int, int)
        The output cells that cell adds to.
    block_text : str
    formula : Formula
        The output size with the numbers.
    """

    title: Label
    input: Grid
    kernel: Grid
    output: Grid
    names: dict
    cell: tuple | None
    block: tuple
    block_text: str
    formula: Formula


def transpose_view(x=None, kernel=None, *, stride=2, padding=0, output_padding=0, step=None, input_size=3,
                   kernel_size=3) -> TransposeView:
    """The view of a transposed convolution after the contributions of input cells ``0..step``."""
    x = example_input(input_size, seed=3) if x is None else as_image(x, "x")
    kernel = example_kernel(kernel_size) if kernel is None else np.asarray(kernel, float)
    if x.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"x and kernel must be 2-D here, got shapes {x.shape}, {kernel.shape}")
    h, w = x.shape
    if step is not None and not 0 <= step < h * w:
        raise ValueError(f"step must be None or in [0, {h * w}), got {step}")
    s, p = as_pair(stride, "stride", 1), as_pair(padding, "padding", 0)
    op = as_pair(output_padding, "output_padding", 0)
    out = conv_transpose2d(x, kernel, 0, s, p, op)          # validates everything
    done = np.arange(h * w).reshape(h, w) <= (h * w if step is None else step)
    full = conv_transpose2d(np.where(done, x, 0), kernel, 0, s, 0, op)
    cropped = np.ones(full.shape, dtype=bool)
    cropped[p[0]:p[0] + out.shape[0], p[1]:p[1] + out.shape[1]] = False
    output = Grid.of(full, roles=np.where(cropped, "padding", "output"), inks=np.where(cropped, "padding_ink", "ink"))
    kh, kw = kernel.shape
    cell, block, text = None, (), ""
    if step is not None:
        i, j = divmod(step, w)
        cell = (i, j)
        block = tuple((i * s[0] + m, j * s[1] + n) for m in range(kh) for n in range(kw))
        text = f"step {step + 1}: output block += {fmt(x[i, j])} × kernel"
    size = conv_transpose_output_size(h, kh, s[0], p[0], op[0])
    crop = " (grey: cropped by padding)" if any(p) else ""
    names = {"input": Label(f"input {h}×{w}"), "kernel": Label(f"kernel {kh}×{kw}"),
             "output": Label(f"output {out.shape[0]}×{out.shape[1]}{crop}")}
    formula = Formula.of(rf"d_{{\mathrm{{out}}}} = (d_{{\mathrm{{in}}}} - 1)\,s - 2p + k + p_{{\mathrm{{out}}}} = "
                         rf"({h} - 1) \cdot {s[0]} - 2 \cdot {p[0]} + {kh} + {op[0]} = {size}")
    title = Label(f"Transposed convolution: stride {s[0] if s[0] == s[1] else s}, padding "
                  f"{p[0] if p[0] == p[1] else p}, output padding {op[0] if op[0] == op[1] else op}", size="title")
    return TransposeView(title, Grid.of(x, roles="cell"), Grid.of(kernel, roles="kernel"), output, names, cell, block,
                         text, formula)


__all__ = ["MultichannelView", "TransposeView", "multichannel_view", "transpose_view"]
