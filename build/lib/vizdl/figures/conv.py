"""Convolution diagrams with the true numbers: padded input, kernel window, output, formula.

Every value drawn comes from :mod:`vizdl.ops`. Padding cells are grey and hatched and carry
their padded value; the cells the kernel reads at the chosen step are outlined in orange
with the kernel weight in their corner; the output fills in step by step.

Artists carry a ``gid`` (``"input-cell"``, ``"padding-cell"``, ``"kernel-cell"``,
``"output-cell"``, ``"window"``, ``"input-value"``, ``"output-value"``, ...) so tests and
animations can find them.
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from vizdl import ops
from vizdl.ops._checks import as_image, as_pair

WINDOW = "#ff7f0e"        # orange: the cells read at this step and the cell written
WINDOW_FILL = "#ffe3c4"
PADDING_FILL = "#d9d9d9"  # grey + hatch: cells added by padding
PADDING_TEXT = "#555555"
DONE_FILL = "#dbe9f6"     # light blue: output cells already computed
CELL_EDGE = "#404040"


def format_value(value: float, decimals: int = 2) -> str:
    """Short text of a cell value: integers without decimals, else up to ``decimals`` decimals."""
    value = float(value)
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    text = f"{value:.{decimals}f}".rstrip("0")
    return text.replace("-0.", "-.") if len(text) > decimals + 3 else text


def _new_axes(ax, size=(12.8, 7.2)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure(figsize=size).add_subplot()


def cell_points(ax, units_w: float, units_h: float) -> float:
    """Size in points of one grid cell when ``units_w x units_h`` cells fill ``ax``."""
    fig_w, fig_h = ax.figure.get_size_inches()
    box = ax.get_position()
    return 72 * min(fig_w * box.width / units_w, fig_h * box.height / units_h)


def value_fontsize(cell_pt: float, texts, largest: float = 22) -> float:
    """Font size so the longest of ``texts`` fits in a cell of ``cell_pt`` points."""
    longest = max([len(t) for t in texts] + [2])
    return float(min(largest, 0.8 * cell_pt / (0.62 * longest), 0.55 * cell_pt))


def draw_cells(ax, values, origin, *, gid: str, fontsize: float, facecolor="white",
               mask=None, mask_gid=None, texts=None):
    """Draw a grid of cells with their values, top-left corner at ``origin`` (y up).

    Cells where ``mask`` is True are drawn as padding (grey, hatched, ``gid=mask_gid``).
    Returns ``(patches, texts)`` as 2-D lists indexed ``[row][col]``.
    """
    values = np.asarray(values, dtype=float)
    x0, y0 = origin
    patches, labels = [], []
    for r in range(values.shape[0]):
        patches.append([])
        labels.append([])
        for c in range(values.shape[1]):
            pad_cell = mask is not None and mask[r, c]
            rect = Rectangle((x0 + c, y0 - r - 1), 1, 1, linewidth=1, edgecolor=CELL_EDGE,
                             facecolor=PADDING_FILL if pad_cell else facecolor,
                             hatch="//" if pad_cell else None, zorder=1)
            rect.set_gid(mask_gid if pad_cell else gid)
            ax.add_patch(rect)
            text = format_value(values[r, c]) if texts is None else texts[r][c]
            label = ax.text(x0 + c + 0.5, y0 - r - 0.5, text, ha="center", va="center",
                            fontsize=fontsize, color=PADDING_TEXT if pad_cell else "black",
                            zorder=4, gid=f"{mask_gid if pad_cell else gid}-value".replace("-cell", ""),
                            bbox=dict(boxstyle="square,pad=0.12", fc=PADDING_FILL, ec="none")
                            if pad_cell else None)
            patches[-1].append(rect)
            labels[-1].append(label)
    return patches, labels


def output_size_formula(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> str:
    """The notes' output-size formula with the numbers substituted (matplotlib mathtext)."""
    out = ops.conv_output_size(size, kernel, stride, padding, dilation)
    extent = f"{dilation}\\cdot({kernel}-1)-1" if dilation > 1 else f"{kernel}"
    exact = (size + 2 * padding - (dilation * (kernel - 1) + 1)) % stride == 0
    left, right = ("", "") if exact else ("\\lfloor ", "\\rfloor ")
    return (f"$d_{{\\mathrm{{out}}}} = {left}\\frac{{d_{{\\mathrm{{in}}}} + 2p - {'d(k-1)-1' if dilation > 1 else 'k'}}}"
            f"{{s}}{right} + 1 = {left}\\frac{{{size} + 2\\cdot{padding} - {extent}}}{{{stride}}}"
            f"{right} + 1 = {out}$")


class ConvDrawing:
    """A convolution diagram whose step can be changed (used by figures and GIFs).

    Parameters are those of :func:`conv_diagram`. :meth:`show_step` moves the window and
    fills the output; the artists are created once, so animations only redraw.
    """

    def __init__(self, x, kernel, *, bias=0.0, stride=1, padding=0, dilation=1, mode="zeros",
                 ax=None, show_kernel=True, show_formula=True, show_sum=True, show_header=True):
        self.x = as_image(x, "x")
        if self.x.ndim != 2:
            raise ValueError(f"x must be a single channel (H, W) here, got shape {self.x.shape}; "
                             f"use multichannel_conv_diagram for (C, H, W)")
        self.kernel = np.asarray(kernel, dtype=float)
        self.bias = float(bias)
        self.params = dict(stride=stride, padding=padding, dilation=dilation, mode=mode)
        self.steps = ops.conv_steps(self.x, self.kernel, self.bias, **self.params)
        self.output = ops.conv2d(self.x, self.kernel, self.bias, **self.params)
        self.padded = ops.pad(self.x, padding, mode)
        self.mask = ops.padding_mask(self.x.shape, padding)
        self.ax = _new_axes(ax)
        self.show_kernel, self.show_formula, self.show_sum = show_kernel, show_formula, show_sum
        self.show_header = show_header
        self._layout(show_header)
        self._draw_static()
        self._draw_dynamic()

    def _layout(self, show_header):
        ph, pw = self.padded.shape
        kh, kw = self.kernel.shape
        oh, ow = self.output.shape
        self.input_origin = (0.0, ph / 2)
        x = pw + 1.4
        if self.show_kernel:
            self.kernel_origin = (x, kh / 2)
            x += kw + 1.4
        self.output_origin = (x, oh / 2)
        self.width = x + ow
        top = max(ph, kh, oh) / 2
        self.top = top + 1.2 + 1.0 * show_header
        self.bottom = -top - (0.3 + 1.1 * self.show_sum + 1.3 * self.show_formula)
        ax = self.ax
        ax.set_xlim(-0.2, self.width + 0.2)
        ax.set_ylim(self.bottom, self.top)
        ax.set_aspect("equal")
        ax.axis("off")
        self.cell_pt = cell_points(ax, self.width + 0.4, self.top - self.bottom)
        texts = [format_value(v) for v in np.concatenate(
            [self.padded.ravel(), self.output.ravel(), self.kernel.ravel()])]
        self.fontsize = value_fontsize(self.cell_pt, texts)
        self.label_size = float(np.clip(0.5 * self.cell_pt, 9, 20))

    def _draw_static(self):
        ax, fs = self.ax, self.fontsize
        self.input_patches, self.input_texts = draw_cells(
            ax, self.padded, self.input_origin, gid="input-cell", fontsize=fs,
            mask=self.mask, mask_gid="padding-cell")
        p, mode = self.params["padding"], self.params["mode"]
        h, w = self.x.shape
        self._title(self.input_origin, self.padded.shape, f"input {h}×{w}")
        if self.show_header:
            self.ax.text(self.width / 2, self.top, self.parameter_text(), ha="center", va="top",
                         fontsize=self.label_size * 1.1, gid="parameters")
        if self.show_kernel:
            self.kernel_patches, self.kernel_texts = draw_cells(
                ax, self.kernel, self.kernel_origin, gid="kernel-cell", fontsize=fs,
                facecolor=WINDOW_FILL)
            self._title(self.kernel_origin, self.kernel.shape, f"kernel {self.kernel.shape[0]}×"
                        f"{self.kernel.shape[1]}")
            self._symbol(self.kernel_origin[0] - 0.7, "∗")
            self._symbol(self.output_origin[0] - 0.7, "=")
        empty = [[""] * self.output.shape[1] for _ in range(self.output.shape[0])]
        self.output_patches, self.output_texts = draw_cells(
            ax, self.output, self.output_origin, gid="output-cell", fontsize=fs, texts=empty)
        self._title(self.output_origin, self.output.shape,
                    f"output {self.output.shape[0]}×{self.output.shape[1]}")
        if self.show_formula:
            self._formula()

    def parameter_text(self) -> str:
        """``kernel 3, stride 2, padding 1 (reflect)`` for the header line."""
        k = self.kernel.shape
        p = self.params
        text = f"kernel {k[0] if k[0] == k[1] else k}, stride {p['stride']}, padding {p['padding']}"
        text += f" ({p['mode']})" if np.any(np.asarray(p["padding"])) else ""
        return text + (f", dilation {p['dilation']}" if np.any(np.asarray(p["dilation"]) != 1) else "")

    def _title(self, origin, shape, text):
        self.ax.text(origin[0] + shape[1] / 2, origin[1] + 0.35, text, ha="center", va="bottom",
                     fontsize=self.label_size, gid="title")

    def _symbol(self, x, text):
        self.ax.text(x, 0, text, ha="center", va="center", fontsize=1.6 * self.label_size)

    def _formula(self):
        k, s, p, d = (ops.conv._geometry(self.x.shape, self.kernel.shape, self.params["stride"],
                                         self.params["padding"], self.params["dilation"])[i]
                      for i in (1, 2, 3, 4))
        rows = [output_size_formula(self.x.shape[0], k[0], s[0], p[0], d[0])]
        if self.x.shape[1] != self.x.shape[0] or k[0] != k[1] or s[0] != s[1] or p[0] != p[1]:
            rows = [f"rows: {rows[0]}", "columns: " + output_size_formula(
                self.x.shape[1], k[1], s[1], p[1], d[1])]
        self.formula_text = self.ax.text(self.width / 2, self.bottom + 0.1, "   ".join(rows),
                                         ha="center", va="bottom", fontsize=self.label_size * 1.2,
                                         gid="formula")

    def _draw_dynamic(self):
        kh, kw = self.kernel.shape
        self.window_patches, self.weight_texts = [], []
        for m in range(kh):
            for n in range(kw):
                rect = Rectangle((0, 0), 1, 1, facecolor=WINDOW_FILL, edgecolor=WINDOW,
                                 linewidth=3, alpha=0.45, zorder=2, gid="window")
                self.ax.add_patch(rect)
                self.window_patches.append(rect)
                self.weight_texts.append(self.ax.text(
                    0, 0, f"×{format_value(self.kernel[m, n])}", ha="right", va="bottom",
                    fontsize=0.5 * self.fontsize, color="#a04000", zorder=5, gid="weight"))
        self.target = Rectangle((0, 0), 1, 1, facecolor="none", edgecolor=WINDOW, linewidth=4,
                                zorder=3, gid="target")
        self.ax.add_patch(self.target)
        self.sum_text = self.ax.text(self.width / 2, self.bottom + 0.1 + 1.3 * self.show_formula,
                                     "", ha="center", va="bottom", fontsize=self.label_size,
                                     gid="sum", visible=self.show_sum)

    def step_text(self, step: int) -> str:
        """``out[i,j] = x·w + ... (+ b) = value`` for ``step`` (sum only for large kernels)."""
        st = self.steps[step]
        i, j = st.window.index
        terms = [f"{format_value(a)}·{format_value(b)}" if b >= 0 else
                 f"{format_value(a)}·({format_value(b)})"
                 for a, b in zip(st.inputs[0].ravel(), st.weights[0].ravel())]
        body = " + ".join(terms) if len(terms) <= 9 else f"sum of {len(terms)} products"
        bias = f" + {format_value(st.bias)}" if st.bias else ""
        return f"out[{i},{j}] = {body}{bias} = {format_value(st.value)}"

    def show_step(self, step: int | None) -> None:
        """Show the window of ``step`` (0-based, row-major) and outputs up to it.

        ``None`` hides the window and shows an empty output; ``len(steps)`` or more shows
        the complete output without a window.
        """
        n = len(self.steps)
        done = -1 if step is None else min(step, n - 1)
        active = step is not None and 0 <= step < n
        for k, st in enumerate(self.steps):
            i, j = st.window.index
            shown = k <= done
            self.output_texts[i][j].set_text(format_value(st.value) if shown else "")
            self.output_patches[i][j].set_facecolor(
                WINDOW_FILL if (active and k == step) else DONE_FILL if shown else "white")
        for patch in self.window_patches + self.weight_texts + [self.target]:
            patch.set_visible(active)
        self.sum_text.set_text(self.step_text(step) if active else "")
        if active:
            self._place_window(self.steps[step])

    def moving_artists(self) -> list:
        """Artists whose position or text follows the step (drawn per frame when blitting)."""
        return self.window_patches + self.weight_texts + [self.target, self.sum_text]

    def cursor_artists(self, step: int) -> list:
        """What to draw over the background at ``step`` (window, weights, target, sum).

        The window's fill is translucent, so the values under it stay readable when it is
        drawn over them.
        """
        return self.moving_artists()

    def cell_artists(self, step: int) -> list:
        """The output cell written at ``step`` (patch and text), for blitting."""
        i, j = self.steps[step].window.index
        return [self.output_patches[i][j], self.output_texts[i][j]]

    def _place_window(self, st):
        x0, y0 = self.input_origin
        for (r, c), rect, label in zip(st.window.cells(), self.window_patches, self.weight_texts):
            rect.set_xy((x0 + c, y0 - r - 1))
            label.set_position((x0 + c + 0.97, y0 - r - 0.98))
        i, j = st.window.index
        ox, oy = self.output_origin
        self.target.set_xy((ox + j, oy - i - 1))


def _defaults(x, kernel, input_size, kernel_size):
    x = ops.example_input(input_size) if x is None else x
    kernel = ops.example_kernel(kernel_size) if kernel is None else kernel
    return x, kernel


def conv_diagram(x=None, kernel=None, *, bias=0.0, stride=1, padding=0, dilation=1,
                 mode="zeros", step=0, input_size=5, kernel_size=3, ax=None,
                 show_formula=True, show_sum=True):
    """Convolution diagram at one step: padded input, window, kernel, output, formula.

    Parameters
    ----------
    x : array_like (H, W), optional
        Input; defaults to :func:`vizdl.ops.example_input` of ``input_size``.
    kernel : array_like (kh, kw), optional
        Defaults to :func:`vizdl.ops.example_kernel` of ``kernel_size``.
    bias, stride, padding, dilation, mode
        As in :func:`vizdl.ops.conv2d`.
    step : int or None
        Output cell (row-major) whose window is shown; outputs before it are filled in.
        ``None`` shows no window and an empty output.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    x, kernel = _defaults(x, kernel, input_size, kernel_size)
    drawing = ConvDrawing(x, kernel, bias=bias, stride=stride, padding=padding,
                          dilation=dilation, mode=mode, ax=ax, show_formula=show_formula,
                          show_sum=show_sum)
    if step is not None and not 0 <= step <= len(drawing.steps):
        raise ValueError(f"step must be between 0 and {len(drawing.steps)} (number of output "
                         f"cells), got {step}")
    drawing.show_step(step)
    return drawing.ax


def conv_steps_panel(x=None, kernel=None, *, bias=0.0, stride=1, padding=0, dilation=1,
                     mode="zeros", input_size=5, kernel_size=3, ncols=None, figsize=None):
    """All steps of a convolution, one small diagram per output cell (no kernel, no formula).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    x, kernel = _defaults(x, kernel, input_size, kernel_size)
    out_h, out_w = ops.conv2d(x, kernel, bias, stride, padding, dilation, mode).shape
    count = out_h * out_w
    ncols = ncols or out_w
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize or (12.8, 7.2), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        if k >= count:
            ax.axis("off")
            continue
        drawing = ConvDrawing(x, kernel, bias=bias, stride=stride, padding=padding,
                              dilation=dilation, mode=mode, ax=ax, show_kernel=False,
                              show_formula=False, show_sum=False, show_header=False)
        drawing.show_step(k)
        for label in drawing.weight_texts:
            label.set_visible(False)
        ax.set_title(f"step {k + 1}: out[{k // out_w},{k % out_w}] = "
                     f"{format_value(drawing.steps[k].value)}", fontsize=12)
    return fig


CHANNEL_TINTS = ("#fde0dd", "#e0f3db", "#deebf7", "#f2f0f7")  # R, G, B, then purple


def _place_grid_title(ax, origin, width, text, size):
    ax.text(origin[0] + width / 2, origin[1] + 0.3, text, ha="center", va="bottom",
            fontsize=size, gid="title")


def _outline(ax, x, y, color=WINDOW, width=3, gid="window"):
    ax.add_patch(Rectangle((x, y), 1, 1, facecolor="none", edgecolor=color, linewidth=width,
                           zorder=3, gid=gid))


def multichannel_conv_diagram(x=None, kernel=None, bias=None, *, stride=1, padding=0,
                              mode="zeros", step=0, out_channel=0, input_size=4,
                              kernel_size=3, ax=None):
    """Multi-channel convolution (the notes' RGB picture) at one output cell.

    One row per input channel ``k``: padded ``input(k)``, ``kernel_k`` and
    ``Conv(input(k), kernel_k)``; then ``out(c_out) = bias(c_out) + sum_k Conv(...)``.

    Parameters
    ----------
    x : array_like (C_in, H, W), optional
        Defaults to three (R, G, B) channels from :func:`vizdl.ops.example_input`.
    kernel : array_like (C_out, C_in, kh, kw) or (C_in, kh, kw), optional
    bias : float or array_like (C_out,), optional
    step : int
        Output cell (row-major) shown; cells before it are filled in.
    out_channel : int
        Output channel drawn.

    Returns
    -------
    matplotlib.axes.Axes
    """
    x = ops.example_input(input_size, channels=3) if x is None else as_image(x, "x")
    if x.ndim != 3:
        raise ValueError(f"x must have shape (C_in, H, W), got shape {x.shape}")
    kernel = (ops.example_kernel(kernel_size, channels=x.shape[0]) if kernel is None
              else np.asarray(kernel, dtype=float))
    kernel = kernel[None] if kernel.ndim == 3 else kernel
    bias = np.zeros(kernel.shape[0]) + (1.0 if bias is None else np.asarray(bias, dtype=float))
    if not 0 <= out_channel < kernel.shape[0]:
        raise ValueError(f"out_channel must be in [0, {kernel.shape[0]}), got {out_channel}")
    w, b = kernel[out_channel:out_channel + 1], bias[out_channel:out_channel + 1]
    steps = ops.conv_steps(x, w, b, stride=stride, padding=padding, mode=mode)
    out = ops.conv2d(x, w, b, stride=stride, padding=padding, mode=mode)[0]
    if not 0 <= step < len(steps):
        raise ValueError(f"step must be in [0, {len(steps)}), got {step}")
    padded = ops.pad(x, padding, mode)
    mask = ops.padding_mask(x.shape[-2:], padding)
    per_channel = np.stack([ops.conv2d(x[k], w[0, k], 0, stride, padding, 1, mode)
                            for k in range(x.shape[0])])
    ax = _new_axes(ax)
    _draw_multichannel(ax, padded, mask, w[0], per_channel, out, steps, step, float(b[0]))
    return ax


def _draw_multichannel(ax, padded, mask, weights, per_channel, out, steps, step, bias):
    c_in, ph, pw = padded.shape
    kh, kw = weights.shape[-2:]
    oh, ow = out.shape
    row_h = max(ph, kh, oh) + 1.4
    xk, xc = pw + 1.4, pw + kw + 2.8
    xo = xc + ow + 2.6
    width, height = xo + ow, c_in * row_h + 1.8
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(-height, 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    cell = cell_points(ax, width + 0.4, height + 0.2)
    fs = value_fontsize(cell, [format_value(v) for v in np.concatenate(
        [padded.ravel(), weights.ravel(), per_channel.ravel(), out.ravel()])])
    label = float(np.clip(0.6 * cell, 9, 18))
    current = steps[step]
    i0, j0 = current.window.index
    names = ("R", "G", "B") if c_in == 3 else tuple(str(k) for k in range(c_in))
    done = np.arange(oh * ow).reshape(oh, ow) <= step
    for k in range(c_in):
        top = -k * row_h - 1.0
        tint = CHANNEL_TINTS[k % len(CHANNEL_TINTS)]
        draw_cells(ax, padded[k], (0, top), gid="input-cell", fontsize=fs, facecolor=tint,
                   mask=mask, mask_gid="padding-cell")
        _place_grid_title(ax, (0, top), pw, f"input({k}) {names[k]}", label)
        for r, c in current.window.cells():
            _outline(ax, c, top - r - 1)
        draw_cells(ax, weights[k], (xk, top), gid="kernel-cell", fontsize=fs, facecolor=WINDOW_FILL)
        _place_grid_title(ax, (xk, top), kw, f"kernel$_{k}$", label)
        texts = [[format_value(per_channel[k, i, j]) if done[i, j] else "" for j in range(ow)]
                 for i in range(oh)]
        draw_cells(ax, per_channel[k], (xc, top), gid="channel-cell", fontsize=fs, texts=texts)
        _place_grid_title(ax, (xc, top), ow, f"Conv$_{k}$", label)
        _outline(ax, xc + j0, top - i0 - 1)
        ax.text(xk - 0.7, top - ph / 2, "∗", ha="center", va="center", fontsize=1.5 * label)
        ax.text(xc - 0.7, top - ph / 2, "=", ha="center", va="center", fontsize=1.5 * label)
    mid = -(c_in * row_h) / 2
    texts = [[format_value(out[i, j]) if done[i, j] else "" for j in range(ow)] for i in range(oh)]
    draw_cells(ax, out, (xo, mid + oh / 2), gid="output-cell", fontsize=fs, texts=texts)
    _place_grid_title(ax, (xo, mid + oh / 2), ow, "out", label)
    _outline(ax, xo + j0, mid + oh / 2 - i0 - 1)
    ax.text(xo - 1.3, mid, "Σ + bias\n→", ha="center", va="center", fontsize=label)
    sums = " + ".join(f"({format_value(v)})" for v in current.channel_sums)
    ax.text(width / 2, -height + 0.1, f"out[{i0},{j0}] = bias + Σ$_k$ Conv(input(k), kernel$_k$)"
            f"[{i0},{j0}] = {format_value(bias)} + {sums} = {format_value(current.value)}",
            ha="center", va="bottom", fontsize=label, gid="sum")


def transpose_formula(size, kernel, stride, padding, output_padding=0, dilation=1) -> str:
    """The transposed-convolution output size with the numbers substituted (mathtext)."""
    out = ops.conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    kd = f"{dilation}\\cdot({kernel}-1)+1" if dilation > 1 else f"{kernel}"
    return (f"$d_{{\\mathrm{{out}}}} = (d_{{\\mathrm{{in}}}} - 1)\\,s - 2p + k + p_{{\\mathrm{{out}}}}"
            f" = ({size} - 1)\\cdot {stride} - 2\\cdot {padding} + {kd} + {output_padding}"
            f" = {out}$")


def conv_transpose_diagram(x=None, kernel=None, *, stride=2, padding=0, output_padding=0,
                           step=None, input_size=3, kernel_size=3, ax=None):
    """Transposed convolution: every input cell adds ``value × kernel`` to the output.

    The output is drawn before cropping: cells removed by ``padding`` are grey and hatched.
    ``step`` (row-major input cell) shows the sum after that cell's contribution, with
    its input cell and output block outlined; ``None`` shows the complete result.

    Returns
    -------
    matplotlib.axes.Axes
    """
    x = ops.example_input(input_size, seed=3) if x is None else as_image(x, "x")
    kernel = ops.example_kernel(kernel_size) if kernel is None else np.asarray(kernel, float)
    if x.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"x and kernel must be 2-D here, got shapes {x.shape}, {kernel.shape}")
    h, w = x.shape
    if step is not None and not 0 <= step < h * w:
        raise ValueError(f"step must be None or in [0, {h * w}), got {step}")
    s, p = as_pair(stride, "stride", 1), as_pair(padding, "padding", 0)
    op = as_pair(output_padding, "output_padding", 0)
    out = ops.conv_transpose2d(x, kernel, 0, s, p, op)          # validates everything
    partial = np.where(np.arange(h * w).reshape(h, w) <= (h * w if step is None else step), x, 0)
    full = ops.conv_transpose2d(partial, kernel, 0, s, 0, op)
    ax = _new_axes(ax)
    _draw_transpose(ax, x, kernel, full, out, s, p, op, step)
    return ax


def _draw_transpose(ax, x, kernel, full, out, s, p, op, step):
    h, w = x.shape
    kh, kw = kernel.shape
    fh, fw = full.shape
    xk, xo = w + 1.4, w + kw + 2.8
    top = max(h, kh, fh) / 2
    width, bottom = xo + fw, -top - 2.6
    ax.set_xlim(-0.2, width + 0.2)
    ax.set_ylim(bottom, top + 2.4)
    ax.set_aspect("equal")
    ax.axis("off")
    cell = cell_points(ax, width + 0.4, top + 2.4 - bottom)
    fs = value_fontsize(cell, [format_value(v) for v in np.concatenate(
        [x.ravel(), kernel.ravel(), full.ravel()])])
    label = float(np.clip(0.55 * cell, 9, 20))
    draw_cells(ax, x, (0, h / 2), gid="input-cell", fontsize=fs)
    _place_grid_title(ax, (0, h / 2), w, f"input {h}×{w}", label)
    draw_cells(ax, kernel, (xk, kh / 2), gid="kernel-cell", fontsize=fs, facecolor=WINDOW_FILL)
    _place_grid_title(ax, (xk, kh / 2), kw, f"kernel {kh}×{kw}", label)
    mask = np.ones(full.shape, dtype=bool)
    mask[p[0]:p[0] + out.shape[0], p[1]:p[1] + out.shape[1]] = False
    draw_cells(ax, full, (xo, fh / 2), gid="output-cell", fontsize=fs, mask=mask,
               mask_gid="cropped-cell")
    _place_grid_title(ax, (xo, fh / 2), fw, f"output {out.shape[0]}×{out.shape[1]}"
                      + (" (grey: cropped by padding)" if any(p) else ""), label)
    ax.text(width / 2, top + 2.3, f"transposed convolution: stride {s[0] if s[0] == s[1] else s}, "
            f"padding {p[0] if p[0] == p[1] else p}, output padding {op[0] if op[0] == op[1] else op}",
            ha="center", va="top", fontsize=1.1 * label, gid="parameters")
    if step is not None:
        i, j = divmod(step, w)
        _outline(ax, j, h / 2 - i - 1)
        for m in range(kh):
            for n in range(kw):
                _outline(ax, xo + j * s[1] + n, fh / 2 - i * s[0] - m - 1)
        ax.text(width / 2, bottom + 1.4, f"step {step + 1}: output block += "
                f"{format_value(x[i, j])} × kernel", ha="center", va="bottom", fontsize=label,
                gid="sum")
    ax.text(width / 2, bottom + 0.1, transpose_formula(h, kh, s[0], p[0], op[0]), ha="center",
            va="bottom", fontsize=1.1 * label, gid="formula")
