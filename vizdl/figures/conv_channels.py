"""Multi-channel and transposed convolution figures: painters of :mod:`vizdl.views.conv_channels`.

Strings are the views', colours the theme's roles (padding grey, kernels in the kernel's
fill, written outputs in the output's, the window outlined), text sizes the style's.
Artists carry a ``gid`` (``"input-cell"``, ``"kernel-cell"``, ``"partial-value"``,
``"output-value"``, ``"window"``, ``"sum"``, ``"formula"``, ``"cropped-cell"``...).
"""
from __future__ import annotations

import numpy as np

from vizdl.figures.grid import LINE, GridArtists, TextFrame, cell_fontsize, new_grid_axes, text_extent, text_size
from vizdl.figures.paint import FONT_SIZES, draw_formula, theme_for
from vizdl.views.conv_channels import multichannel_view, transpose_view

GAP = 1.4


def _name(ax, grid: GridArtists, text: str, theme, gid: str) -> None:
    ax.text(grid.origin[0] + grid.width / 2, grid.origin[1] + 0.12, text, ha="center", va="bottom",
            color=theme.color("ink"), fontsize=FONT_SIZES["small"], gid=gid)


def _sign(ax, x: float, y: float, text: str, theme) -> None:
    ax.text(x, y, text, ha="center", va="center", color=theme.color("ink"), fontsize="x-large")


def multichannel_conv_diagram(x=None, kernel=None, bias=None, *, stride=1, padding=0, mode="zeros", step=0,
                              out_channel=0, input_size=4, kernel_size=3, ax=None):
    """Multi-channel convolution (the notes' RGB picture) at one output cell.

    One row per input channel ``k``: padded ``input(k)``, ``kernel_k`` and
    ``Conv(input(k), kernel_k)``; then ``out(c_out) = bias(c_out) + sum_k Conv(...)``.

    Parameters
    ----------
    x : array_like (C_in, H, W), optional
        Defaults to three (R, G, B) channels from :func:`vizdl.ops.example_input`.
    kernel : array_like (C_out, C_in, kh, kw) or (C_in, kh, kw), optional
    bias : float or array_like (C_out,), optional
        Default 1.
    step : int
        Output cell (row-major) shown; cells before it are filled in.
    out_channel : int
        Output channel drawn.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    view = multichannel_view(x, kernel, bias, stride=stride, padding=padding, mode=mode, step=step,
                             out_channel=out_channel, input_size=input_size, kernel_size=kernel_size)
    ax = new_grid_axes(ax)
    theme = theme_for(ax)
    (ph, pw), (kh, kw), (oh, ow) = view.inputs[0].shape, view.kernels[0].shape, view.output.shape
    rows = len(view.inputs)
    name = LINE * text_size("small")
    row_h = max(ph, kh, oh)
    formula_pt = text_extent(view.formula.tex, text_size(view.formula.size), tex=True)[1] + text_size("body")
    sum_gap = 2.5 * GAP
    frame = TextFrame(ax, pw + kw + 2 * ow + 2 * GAP + sum_gap, rows * row_h + (rows - 1) * 0.5, view.title.text,
                      [view.sum_text], names=0.0, extra_foot=formula_pt + rows * name)
    gap_rows = 0.5 + name / frame.scale
    top = frame.height - frame.head - name / frame.scale
    bottom = top - rows * row_h - (rows - 1) * gap_rows
    texts = [t for g in (*view.inputs, *view.kernels, *view.partial, view.output) for t in g.texts.ravel()]
    size = cell_fontsize(frame.scale, texts, largest=1.2 * text_size("title"))
    left = (frame.width - (pw + kw + 2 * ow + 2 * GAP + sum_gap)) / 2
    xs = (left, left + pw + GAP, left + pw + kw + 2 * GAP, left + pw + kw + ow + 2 * GAP + sum_gap)
    for k in range(rows):
        y = top - k * (row_h + gap_rows)
        grids = [GridArtists(ax, grid, (x0, y), theme, fontsize=size, gid=gid) for grid, x0, gid in
                 ((view.inputs[k], xs[0], "input"), (view.kernels[k], xs[1], "kernel"),
                  (view.partial[k], xs[2], "partial"))]
        for grid, key in zip(grids, ("input", "kernel", "partial")):
            _name(ax, grid, view.names[f"{key}-{k}"].text, theme, gid=f"name-{key}")
        for i, j in view.window:
            grids[0].set_role(i, j, "kernel")
        grids[0].outline([i for i, _ in view.window], [j for _, j in view.window], "window", linewidth=3, gid="window")
        grids[2].outline([view.index[0]], [view.index[1]], "window", linewidth=3, gid="target")
        _sign(ax, xs[1] - GAP / 2, y - kh / 2, "∗", theme)
        _sign(ax, xs[2] - GAP / 2, y - kh / 2, "=", theme)
    middle = top - (rows * row_h + (rows - 1) * gap_rows) / 2
    output = GridArtists(ax, view.output, (xs[3], middle + oh / 2), theme, fontsize=size, gid="output")
    _name(ax, output, view.names["output"].text, theme, gid="name-output")
    output.outline([view.index[0]], [view.index[1]], "window", linewidth=3, gid="target")
    _sign(ax, xs[3] - sum_gap / 2, middle, "→", theme)
    ax.text(xs[3] - sum_gap / 2, middle + 0.5, "Σₖ + bias", ha="center", va="bottom", color=theme.color("ink"),
            fontsize=FONT_SIZES["small"])
    ax.text(frame.width / 2, frame.height, frame.title, ha="center", va="top", color=theme.color("ink"),
            fontsize=FONT_SIZES["title"], gid="title")
    ax.text(frame.width / 2, bottom - 0.15, frame.texts[view.sum_text], ha="center", va="top",
            fontsize=FONT_SIZES["body"], color=theme.color("ink"), gid="sum")
    draw_formula(ax, frame.width / 2, formula_pt / 2 / frame.scale, view.formula, theme, gid="formula")
    return ax


def conv_transpose_diagram(x=None, kernel=None, *, stride=2, padding=0, output_padding=0, step=None, input_size=3,
                           kernel_size=3, ax=None):
    """Transposed convolution: every input cell adds ``value × kernel`` to the output.

    The output is drawn before cropping: cells removed by ``padding`` are grey. ``step``
    (row-major input cell) shows the sum after that cell's contribution, with its input
    cell and output block outlined; ``None`` shows the complete result.

    Returns
    -------
    Axes
    """
    view = transpose_view(x, kernel, stride=stride, padding=padding, output_padding=output_padding, step=step,
                          input_size=input_size, kernel_size=kernel_size)
    ax = new_grid_axes(ax)
    theme = theme_for(ax)
    (h, w), (kh, kw), (fh, fw) = view.input.shape, view.kernel.shape, view.output.shape
    formula_pt = text_extent(view.formula.tex, text_size(view.formula.size), tex=True)[1] + text_size("body")
    foot = [view.block_text] if view.block_text else []
    frame = TextFrame(ax, w + kw + fw + 2 * GAP, max(h, kh, fh), view.title.text, foot or [" "],
                      extra_foot=formula_pt)
    top = frame.height - frame.head
    texts = [t for g in (view.input, view.kernel, view.output) for t in g.texts.ravel()]
    size = cell_fontsize(frame.scale, texts, largest=1.2 * text_size("title"))
    left = (frame.width - (w + kw + fw + 2 * GAP)) / 2
    grids = [GridArtists(ax, grid, (x0, top), theme, fontsize=size, gid=gid) for grid, x0, gid in
             ((view.input, left, "input"), (view.kernel, left + w + GAP, "kernel"),
              (view.output, left + w + kw + 2 * GAP, "output"))]
    for i, j in zip(*np.nonzero(view.output.roles == "padding")):
        grids[2].patches[i][j].set_gid("cropped-cell")
        grids[2].texts[i][j].set_gid("cropped-value")
    for grid, key in zip(grids, ("input", "kernel", "output")):
        ax.text(grid.origin[0] + grid.width / 2, grid.origin[1] + 0.12, view.names[key].text, ha="center",
                va="bottom", color=theme.color("ink"), fontsize=FONT_SIZES["body"], gid=f"name-{key}")
    if view.cell is not None:
        grids[0].outline([view.cell[0]], [view.cell[1]], "window", linewidth=3, gid="window")
        grids[2].outline([r for r, _ in view.block], [c for _, c in view.block], "window", linewidth=3, gid="window")
        ax.text(frame.width / 2, frame.foot - 0.15, frame.texts[view.block_text], ha="center", va="top",
                fontsize=FONT_SIZES["body"], color=theme.color("ink"), gid="sum")
    ax.text(frame.width / 2, frame.height, frame.title, ha="center", va="top", color=theme.color("ink"),
            fontsize=FONT_SIZES["title"], gid="title")
    draw_formula(ax, frame.width / 2, formula_pt / 2 / frame.scale, view.formula, theme, gid="formula")
    return ax


__all__ = ["conv_transpose_diagram", "multichannel_conv_diagram"]
