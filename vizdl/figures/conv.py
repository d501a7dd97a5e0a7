"""Convolution diagrams: painters of :func:`vizdl.views.conv.conv_view` (as the scene and the GIFs are).

Padded input, kernel and output side by side, the kernel's sum of products under the
kernel, the output-size formula at the bottom. Strings are the view's, colours the
theme's roles: padding cells grey (``padding``), the cells under the kernel take the
kernel's fill (``kernel``) inside the ``window`` outline, output cells ``output`` once
written (``empty`` before). Text sizes follow the style sheet; the cells take the
room that is left, and their numbers the size that fits a cell.

Artists carry a ``gid`` (``"input-cell"``, ``"input-value"``, ``"kernel-cell"``,
``"output-cell"``, ``"output-value"``, ``"window"``, ``"target"``, ``"products"``,
``"formula"``, ``"title"``, ``"name-input"``...) so tests can find them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.figures.grid import (
    GridArtists,
    axes_points,
    cell_fontsize,
    fill_axes,
    new_grid_axes,
    text_extent,
    text_size,
    wrap_text,
)
from vizdl.figures.paint import FONT_SIZES, draw_formula, theme_for
from vizdl.ops.conv_cases import NOTES_MODES_CASE, ConvCase
from vizdl.views.conv import ConvView, conv_view

#: Gaps, in cells: between the grids (holding the ``∗`` and ``=`` signs) and around the texts.
GAP = 1.3
LINE = 1.35  # line height, as a multiple of the font size
MARGIN = 0.2  # cells left free at the left and right edges


@dataclass
class _Layout:
    """Where everything goes, in cell units (y up, 0 at the bottom)."""

    cell: float          # points per cell
    width: float
    height: float
    top: float           # top of the grids
    columns: tuple       # (left, width) of the input, kernel and output columns
    line: float          # line height of the products, cells
    products_size: float
    formula_rows: list   # formula parts per line, top line first
    title: str           # the title, wrapped to the Axes width


def _products_extent(view: ConvView, size: float) -> tuple:
    lines = {line for window in view.windows for line in window.block()}
    count = max(len(window.block()) for window in view.windows)
    return max(text_extent(line, size)[0] for line in lines), count


def _formula_rows(view: ConvView, width_pt: float) -> tuple:
    """The formula parts in rows that fit ``width_pt``; ``(rows, widest row, height)`` in points."""
    rows, widths, heights = [[]], [0.0], [0.0]
    for part in (view.size_formula, *view.size_numbers):
        size = text_size(part.size)
        w, h = text_extent(part.tex, size, tex=True)
        gap = 2 * size if rows[-1] else 0.0
        if rows[-1] and widths[-1] + gap + w > width_pt:
            rows.append([]), widths.append(0.0), heights.append(0.0)
            gap = 0.0
        rows[-1].append(part)
        widths[-1] += gap + w
        heights[-1] = max(heights[-1], h + size)
    return rows, max(widths), sum(heights)


def _columns(cell: float, grids, texts, gap: float) -> tuple:
    """``(left, width)`` of each column (units) for ``cell`` points per cell, and the total width."""
    columns, x = [], MARGIN
    for k, (cells, points) in enumerate(zip(grids, texts)):
        width = max(cells, points / cell)
        columns.append((x, width))
        x += width + (gap if k < len(grids) - 1 else 0)
    return tuple(columns), x + MARGIN


def _layout(ax, view: ConvView, *, products: bool, formula: bool, title: bool, kernel: bool,
            names: bool = True) -> _Layout:
    """Solve for the cell size: texts at the style's sizes, grids (and the texts beside them) filling the rest."""
    width_pt, height_pt = axes_points(ax)
    body, large = text_size("body"), text_size("title")
    (ph, pw), (kh, kw), (oh, ow) = view.input.shape, view.kernel.shape, view.output.shape
    title_text = "\n".join(wrap_text(view.title.text, large, 0.98 * width_pt)) if title else ""
    rows, f_width, f_height = _formula_rows(view, 0.98 * width_pt) if formula else ([], 0.0, 0.0)
    head = (LINE * large * (title_text.count("\n") + 1) if title else 0) + (LINE * body if names else 0)
    room = height_pt - head - f_height - 0.3 * body
    names = {k: text_extent(label.text, body)[0] if names else 0.0 for k, label in view.names.items()}
    size = body
    while True:
        p_width, p_lines = _products_extent(view, size) if products else (0.0, 0)
        p_height = p_lines * LINE * size + (0.6 * size if p_lines else 0)
        grids = (pw, kw, ow) if kernel else (pw, ow)
        texts = (names["input"], max(p_width, names["kernel"]), names["output"]) if kernel else \
            (names["input"], names["output"])
        high = min(room / ph, room / oh, (room - p_height) / kh if kernel else np.inf)
        low = 0.0
        for _ in range(40):  # the widest cell that fits: the total width grows with the cell
            mid = (low + high) / 2
            low, high = (mid, high) if _columns(mid, grids, texts, GAP)[1] * mid <= width_pt else (low, mid)
        cell = low
        if cell >= 1.6 * size or size <= 0.6 * body:
            break
        size *= 0.9
    columns, width = _columns(cell, grids, texts, GAP)
    height = max(ph, oh, (kh + p_height / cell) if kernel else 0) + (head + f_height + 0.3 * body) / cell
    return _Layout(cell, max(width, f_width / cell), height, height - head / cell, columns, LINE * size / cell, size,
                   rows, title_text)


class ConvFigure:
    """A convolution view painted on one Axes, showing any window position (figures, GIF frames).

    Parameters
    ----------
    view : vizdl.views.conv.ConvView
    ax : Axes, optional
    products, formula, title, kernel, names : bool
        Draw the sum of products, the output-size formula, the title, the kernel, the grids' names.

    :meth:`show_step` moves the window and fills the output; the artists are made once, so
    GIF frames only redraw what changes.
    """

    def __init__(self, view: ConvView, ax=None, *, products: bool = True, formula: bool = True, title: bool = True,
                 kernel: bool = True, names: bool = True):
        self.view, self.ax = view, new_grid_axes(ax)
        self.theme = theme_for(self.ax)
        self.layout = _layout(self.ax, view, products=products, formula=formula, title=title, kernel=kernel,
                              names=names)
        self.scale = fill_axes(self.ax, self.layout.width, self.layout.height)
        self._grids(kernel)
        self._texts(title, kernel, formula, names)
        self.window = self.input.outline(*self._span(0), "window", linewidth=4, gid="window")
        self.target = self.output.outline([0], [0], "window", linewidth=4, gid="target")
        self.products = [self._product_line(k) for k in range(max(len(w.block()) for w in view.windows))] \
            if products else []
        self._current: list = []
        self.show_step(None)

    # -- building ---------------------------------------------------------------------------
    def _grids(self, kernel: bool) -> None:
        view, lay = self.view, self.layout
        texts = [t for grid in (view.input, view.kernel, view.output) for t in grid.texts.ravel()]
        size = cell_fontsize(self.scale, texts, largest=1.25 * text_size("title"))
        top = lay.top - 0.1
        columns = dict(zip(("input", "kernel", "output") if kernel else ("input", "output"), lay.columns))
        self.columns = columns

        def centred(name, grid):
            left, width = columns[name]
            return left + (width - grid.shape[1]) / 2, top

        self.input = GridArtists(self.ax, view.input, centred("input", view.input), self.theme, fontsize=size,
                                 gid="input")
        self.kernel = GridArtists(self.ax, view.kernel, centred("kernel", view.kernel), self.theme, fontsize=size,
                                  gid="kernel") if kernel else None
        self.output = GridArtists(self.ax, view.output, centred("output", view.output), self.theme, fontsize=size,
                                  gid="output", texts=False)
        self._fix_padding_gids()

    def _fix_padding_gids(self) -> None:
        """Padding cells are ``padding-cell`` / ``padding-value`` (tests and readers tell them apart)."""
        for i, j in zip(*np.nonzero(self.view.input.roles == "padding")):
            self.input.patches[i][j].set_gid("padding-cell")
            self.input.texts[i][j].set_gid("padding-value")

    def _texts(self, title: bool, kernel: bool, formula: bool, names: bool) -> None:
        view, lay, ax, ink = self.view, self.layout, self.ax, self.theme.color("ink")
        if title:
            ax.text(lay.width / 2, lay.height, lay.title, ha="center", va="top", color=ink,
                    fontsize=FONT_SIZES["title"], gid="title")
        grids = [("input", self.input), ("kernel", self.kernel), ("output", self.output)]
        for name, grid in grids:
            if grid is not None and names:
                ax.text(grid.origin[0] + grid.width / 2, grid.origin[1] + 0.15, view.names[name].text, ha="center",
                        va="bottom", color=ink, fontsize=FONT_SIZES["body"], gid=f"name-{name}")
        middle = lay.top - 0.1 - (view.kernel.shape[0] if kernel else view.input.shape[0]) / 2
        columns = self.columns
        if kernel:
            ax.text(columns["kernel"][0] - GAP / 2, middle, "∗", ha="center", va="center", color=ink,
                    fontsize="xx-large")
        ax.text(columns["output"][0] - GAP / 2, middle, "=" if kernel else "→", ha="center", va="center", color=ink,
                fontsize="xx-large")
        for rows, cols in self._dropped_blocks():
            self.input.outline(rows, cols, "muted", linewidth=2, linestyle="--", gid="dropped", inset=0.06)
        if formula:
            self._formula()

    def _dropped_blocks(self) -> list:
        (rows, cols), (h, w) = self.view.dropped, self.view.input.shape
        return ([(list(rows), list(range(w)))] if rows else []) + ([(list(range(h)), list(cols))] if cols else [])

    def _formula(self) -> None:
        """The formula parts, row by row from the bottom, each row centred."""
        y = 0.15 * text_size("body") / self.scale
        for row in reversed(self.layout.formula_rows):
            extents = [text_extent(p.tex, text_size(p.size), tex=True) for p in row]
            height = max(h + text_size(p.size) for p, (_, h) in zip(row, extents)) / self.scale
            gap = 2 * text_size(row[0].size) / self.scale
            widths = [w / self.scale for w, _ in extents]
            x = (self.layout.width - sum(widths) - gap * (len(row) - 1)) / 2
            for part, width in zip(row, widths):
                draw_formula(self.ax, x, y + height / 2, part, self.theme, ha="left", gid="formula")
                x += width + gap
            y += height

    def _product_line(self, row: int):
        lay = self.layout
        kernel_rows = self.view.kernel.shape[0] if self.kernel is not None else 0
        y = lay.top - 0.1 - kernel_rows - 0.45 * lay.line - row * lay.line
        return self.ax.text(self.columns["kernel"][0], y, "", ha="left", va="top", color=self.theme.color("ink"),
                            fontsize=lay.products_size, gid="products", zorder=5)

    # -- steps ----------------------------------------------------------------------------------
    def _span(self, k: int) -> tuple:
        window = self.view.windows[k]
        return list(window.rows), list(window.cols)

    @property
    def step_count(self) -> int:
        """Number of window positions (= output cells)."""
        return len(self.view.windows)

    def show_step(self, step: int | None) -> None:
        """Show window ``step`` (row-major) and the outputs up to it.

        ``None`` shows no window and an empty output; ``step_count`` (or more) the complete
        output without a window.
        """
        n = self.step_count
        done = -1 if step is None else min(step, n - 1)
        active = step is not None and 0 <= step < n
        for k, window in enumerate(self.view.windows):
            self.output.set_role(*window.index, None if k <= done else "empty")
            self.output.show_text(*window.index, k <= done)
        for i, j in self._current:
            self.input.set_role(i, j, None)
        self._current = list(self.view.windows[step].cells) if active else []
        for i, j in self._current:
            self.input.set_role(i, j, "kernel")
        for artist in (self.window, self.target):
            artist.set_visible(active)
        block = self.view.windows[step].block() if active else ()
        for line, text in zip(self.products, list(block) + [""] * len(self.products)):
            line.set_text(text)
        if active:
            self.input.move_outline(self.window, *self._span(step))
            self.output.move_outline(self.target, *([v] for v in self.view.windows[step].index))

    # -- blitting (GIF frames) -------------------------------------------------------------------
    def moving_artists(self) -> list:
        """Artists whose position or text follows the step (drawn per frame, not in the background)."""
        return [self.window, self.target, *self.products]

    def cursor_artists(self, step: int) -> list:
        """What frame ``step`` draws over the background: the cells under the kernel (their fill,
        then their numbers), the outlines and the sum of products."""
        return self.input.cell_artists(self.view.windows[step].cells) + self.moving_artists()

    def cell_artists(self, step: int) -> list:
        """The output cell written at ``step`` (fill and number)."""
        return self.output.cell_artists([self.view.windows[step].index])


def conv_diagram(x=None, kernel=None, *, bias=0.0, stride=1, padding=0, dilation=1, mode="zeros", step=0,
                 input_size=5, kernel_size=3, case: ConvCase | None = None, ax=None, show_formula=True,
                 show_sum=True):
    """Convolution diagram at one window position: padded input, kernel, output, sum, formula.

    Parameters
    ----------
    x : array_like (H, W), optional
        Input; defaults to :func:`vizdl.ops.example_input` of ``input_size``.
    kernel : array_like (kh, kw), optional
        Defaults to :func:`vizdl.ops.example_kernel` of ``kernel_size``.
    bias, stride, padding, dilation, mode
        As in :func:`vizdl.ops.conv2d`.
    step : int or None
        Window position (= output cell, row-major) shown; outputs before it are filled in.
        ``None`` shows no window and an empty output; the number of output cells shows the
        complete output.
    case : vizdl.ops.ConvCase, optional
        All parameters at once (e.g. one of :data:`vizdl.ops.NOTES_CASES`); overrides the others.
    ax : Axes, optional
    show_formula, show_sum : bool
        Draw the output-size formula / the sum of products.

    Returns
    -------
    Axes
    """
    view = _view(x, kernel, case, bias=bias, stride=stride, padding=padding, dilation=dilation, mode=mode,
                 input_size=input_size, kernel_size=kernel_size)
    if step is not None and not 0 <= step <= len(view.windows):
        raise ValueError(f"step must be None or between 0 and {len(view.windows)} (the number of output cells), "
                         f"got {step}")
    drawing = ConvFigure(view, ax, products=show_sum, formula=show_formula)
    drawing.show_step(step)
    return drawing.ax


def _view(x, kernel, case, *, input_size=5, kernel_size=3, sweep=True, modes=False, **params) -> ConvView:
    """The view of ``case``, or of the parameters (the example values unless ``x``/``kernel`` are given)."""
    if case is None:
        case = ConvCase(input=input_size, kernel=kernel_size, **params)
    return conv_view(case, x=x, kernel=kernel, sweep=sweep, modes=modes)


def conv_steps_panel(x=None, kernel=None, *, bias=0.0, stride=1, padding=0, dilation=1, mode="zeros",
                     input_size=5, kernel_size=3, case: ConvCase | None = None, ncols=None):
    """Every window position of a convolution, one small diagram each (input and output), in rows.

    Returns
    -------
    Figure
    """
    from vizdl.figures._run import new_figure

    view = _view(x, kernel, case, bias=bias, stride=stride, padding=padding, dilation=dilation, mode=mode,
                 input_size=input_size, kernel_size=kernel_size)
    count = len(view.windows)
    ncols = ncols or view.output.shape[1]
    fig = new_figure()
    axes = fig.subplots(-(-count // ncols), ncols, squeeze=False)
    fig.set_layout_engine("none")
    fig.suptitle(view.title.text)
    for k, ax in enumerate(axes.ravel()):
        if k >= count:
            ax.axis("off")
            continue
        drawing = ConvFigure(view, ax, products=False, formula=False, title=False, kernel=False, names=False)
        drawing.show_step(k)
        ax.set_title(view.windows[k].text.split(" = ")[0] + " = " + view.windows[k].value, fontsize="small")
    return fig


def padding_modes_diagram(case: ConvCase | None = None, *, x=None, ncols: int | None = None):
    """The four padding modes of a padded case side by side: values and where they come from.

    Each panel is the padded input of one mode; an arrow in the margin goes from the row
    (right and left margins) or column (bottom and top margins) each padded row or column
    copies, in the ``source`` role. Corners follow both rules.

    Parameters
    ----------
    case : vizdl.ops.ConvCase, optional
        A padded case (default: the notes' ``k3p1s1`` on 5x5).
    x : array_like (H, W), optional
        Your own input instead of the case's example.
    ncols : int, optional
        Panels per row (default: all four in a row on a wide figure, two rows of two otherwise).

    Returns
    -------
    Figure
    """
    from matplotlib.figure import Figure

    view = conv_view(case or NOTES_MODES_CASE, x=x, modes=True)
    fig = Figure(layout="none")
    width, height = fig.get_size_inches()
    ncols = ncols or (len(view.modes) if width / height >= 1.5 else 2)
    rows = -(-len(view.modes) // ncols)
    head = 2.2 * text_size("title") / 72 / fig.get_size_inches()[1]
    grid = fig.add_gridspec(rows, ncols, left=0.01, right=0.99, bottom=0.01, top=1 - head, wspace=0.02, hspace=0.02)
    fig.suptitle(f"Padding modes, padding {view.case.padding} around a {view.x.shape[0]}×{view.x.shape[1]} input: "
                 "each arrow runs from the row or column a padded one copies", fontsize=FONT_SIZES["title"], wrap=True)
    for k, mode in enumerate(view.modes):
        _mode_panel(fig.add_subplot(grid[k // ncols, k % ncols]), mode)
    return fig


def _mode_panel(ax, mode) -> None:
    theme = theme_for(ax)
    h, w = mode.input.shape
    margin = 1.1
    title = LINE * text_size("title")
    _, height = axes_points(ax)
    cell = (height - title) / (h + 2 * margin)
    scale = fill_axes(ax, w + 2 * margin, h + 2 * margin + title / cell)
    size = cell_fontsize(scale, mode.input.texts.ravel(), largest=text_size("title"))
    grid = GridArtists(ax, mode.input, (margin, h + margin), theme, fontsize=size, gid="mode")
    ax.text(margin + w / 2, h + 2 * margin + title / scale, mode.mode, ha="center", va="top",
            fontsize=FONT_SIZES["title"], color=theme.color("ink"), gid="mode-name")
    for axis, target, source in mode.copies:
        copy_arrow(ax, grid, axis, target, source, theme)


def copy_arrow(ax, grid: GridArtists, axis: int, target: int, source: int, theme, *, bulge: float = 0.55):
    """An arc in the margin from padded row/column ``source`` to ``target`` (``source`` role).

    Rows copied upwards bend through the right margin, downwards through the left one;
    columns copied leftwards bend under the grid, rightwards above it. ``bulge``: how far
    the arc leaves the grid, in cells.
    """
    from matplotlib.patches import FancyArrowPatch

    x0, y_top = grid.origin
    x1, y_bottom = x0 + grid.width, y_top - grid.height
    pad = 0.1
    if axis == 0:
        x = x1 + pad if target < source else x0 - pad
        start, end = (x, y_top - source - 0.5), (x, y_top - target - 0.5)
        rad = bulge / abs(target - source)
    else:
        y = y_bottom - pad if target < source else y_top + pad
        start, end = (x0 + source + 0.5, y), (x0 + target + 0.5, y)
        rad = -bulge / abs(target - source)
    arrow = FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={rad * 2}", arrowstyle="-|>", mutation_scale=14,
                            color=theme.color("source"), lw=2, zorder=5, gid="copy")
    ax.add_patch(arrow)
    return arrow


__all__ = ["ConvFigure", "conv_diagram", "conv_steps_panel", "copy_arrow", "padding_modes_diagram"]
