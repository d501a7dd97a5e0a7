"""Pooling diagrams: painters of :mod:`vizdl.views.pooling` (max, average, squeeze), as the scene and GIFs are.

The notes' 8x8 matrix by default. Strings are the view's, colours the theme's roles:
windows in a light checkerboard (``cell`` / ``block_alt``), the current window outlined
(``window``), output cells ``output`` once written, a max-pool's winning cells filled and
outlined (``winner_fill``, ``winner``); the squeeze colours each cell by the channel it
goes to (``block k``). Output cells are larger than input cells so averages such as
``0.475`` stay readable. Artists carry a ``gid`` (``"input-cell"``, ``"output-value"``,
``"winner"``, ``"window"``, ``"target"``, ``"formula"``, ``"channel-value"``...).
"""
from __future__ import annotations

import numpy as np

from vizdl.figures.grid import (
    GridArtists,
    TextFrame,
    cell_fontsize,
    new_grid_axes,
    text_size,
)
from vizdl.figures.paint import FONT_SIZES, theme_for
from vizdl.ops._checks import check_choice
from vizdl.views.pooling import (
    POOL_KINDS,
    PoolView,
    SqueezeView,
    pool_view,
    squeeze_view,
)

GAP = 2.0  # cells between the input and the output (holding the arrow)


def _output_cell(input_rows: int, output_rows: int) -> float:
    """Side of an output cell, in input cells: larger for a smaller output, between 1 and 2."""
    return float(np.clip(0.75 * input_rows / output_rows, 1.0, 2.0))


class PoolFigure:
    """A max or average pooling view painted on one Axes, at any window (figures, GIF frames).

    :meth:`show_step` outlines window ``k`` and fills the output up to it.
    """

    def __init__(self, view: PoolView, ax=None):
        self.view, self.ax = view, new_grid_axes(ax)
        self.theme = theme_for(self.ax)
        (h, w), (oh, ow) = view.input.shape, view.output.shape
        self.out_cell = _output_cell(h, oh)
        self.frame = TextFrame(self.ax, w + GAP + ow * self.out_cell, max(h, oh * self.out_cell), view.title.text,
                            [win.text for win in view.windows] + [view.summary.text])
        self.width, self.height, self.scale = self.frame.width, self.frame.height, self.frame.scale
        self._draw(self.frame.head, self.frame.foot)
        self.show_step(None)

    def _draw(self, head: float, foot: float) -> None:
        view, ax, theme = self.view, self.ax, self.theme
        (h, w), (oh, ow) = view.input.shape, view.output.shape
        left = (self.width - (w + GAP + ow * self.out_cell)) / 2
        top = self.height - head
        in_size = cell_fontsize(self.scale, view.input.texts.ravel(), largest=1.2 * text_size("title"))
        out_size = cell_fontsize(self.scale * self.out_cell, view.output.texts.ravel(),
                                 largest=1.4 * text_size("title"))
        self.input = GridArtists(ax, view.input, (left, top), theme, fontsize=in_size, gid="input")
        x_out = left + w + GAP
        self.output = GridArtists(ax, view.output, (x_out, top - (h - oh * self.out_cell) / 2), theme,
                                  cell=self.out_cell, fontsize=out_size, gid="output", texts=False)
        ink = theme.color("ink")
        ax.text(self.width / 2, self.height, self.frame.title, ha="center", va="top", color=ink,
                fontsize=FONT_SIZES["title"], gid="title")
        for name, grid in (("input", self.input), ("output", self.output)):
            ax.text(grid.origin[0] + grid.width / 2, grid.origin[1] + 0.15, view.names[name].text, ha="center",
                    va="bottom", color=ink, fontsize=FONT_SIZES["body"], gid=f"name-{name}")
        ax.text(left + w + GAP / 2, top - h / 2, "→", ha="center", va="center", color=ink, fontsize="xx-large")
        self.formula = ax.text(self.width / 2, foot / 2, "", ha="center", va="center", color=ink,
                               fontsize=FONT_SIZES["body"], gid="formula")
        win = view.windows[0]
        self.window = self.input.outline(win.rows, win.cols, "window", linewidth=4, gid="window")
        self.target = self.output.outline([0], [0], "window", linewidth=4, gid="target")
        self.winners = [self.input.outline([w_.winner[0]], [w_.winner[1]], "winner", linewidth=3, gid="winner",
                                           inset=0.08) if w_.winner else None for w_ in view.windows]

    @property
    def step_count(self) -> int:
        """Number of windows (= output cells)."""
        return len(self.view.windows)

    def show_step(self, step: int | None) -> None:
        """Outline window ``step`` and show the outputs up to it (``None``: empty; ``step_count``: all)."""
        n = self.step_count
        done = -1 if step is None else min(step, n - 1)
        active = step is not None and 0 <= step < n
        for k, window in enumerate(self.view.windows):
            self.output.set_role(*window.index, None if k <= done else "empty")
            self.output.show_text(*window.index, k <= done)
            if window.winner is not None:
                self.input.set_role(*window.winner, "winner_fill" if k <= done else None)
                self.winners[k].set_visible(k <= done)
        self.window.set_visible(active)
        self.target.set_visible(active)
        text = self.view.windows[step].text if active else self.view.summary.text if done >= 0 else ""
        self.formula.set_text(self.frame.texts.get(text, text))
        if active:
            window = self.view.windows[step]
            self.input.move_outline(self.window, window.rows, window.cols)
            self.output.move_outline(self.target, [window.index[0]], [window.index[1]])

    def moving_artists(self) -> list:
        """Artists that follow the step (drawn per frame)."""
        return [self.window, self.target, self.formula]

    def cursor_artists(self, step: int) -> list:
        """What frame ``step`` draws over the background."""
        return self.moving_artists()

    def cell_artists(self, step: int) -> list:
        """The output cell written at ``step`` and, for max pooling, its winner (fill, number, outline)."""
        window = self.view.windows[step]
        winner = [] if window.winner is None else self.input.cell_artists([window.winner]) + [self.winners[step]]
        return self.output.cell_artists([window.index]) + winner


def pool_diagram(x=None, *, kind="max", kernel=2, stride=None, step=None, decimals=None, ax=None):
    """Max or average pooling diagram (defaults: the notes' 8x8 matrix, 2x2 windows).

    Parameters
    ----------
    x : array_like (H, W), optional
        Defaults to :data:`vizdl.ops.NOTES_EXAMPLE`.
    kind : {"max", "avg"}
        Max pooling marks each window's winning cell.
    kernel, stride : int
    step : int or None
        Window (row-major) outlined, outputs filled up to it; ``None`` shows the complete output.
    decimals : int, optional
        Decimals of the outputs (default: exact, 2 for max and 3 for average pooling).
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    view = pool_view(kind, x, kernel=kernel, stride=stride, decimals=decimals)
    if step is not None and not 0 <= step < len(view.windows):
        raise ValueError(f"step must be None or in [0, {len(view.windows)}), got {step}")
    drawing = PoolFigure(view, ax)
    drawing.show_step(len(view.windows) if step is None else step)
    return drawing.ax


class SqueezeFigure:
    """A squeeze view painted on one Axes: the input, coloured by channel, and the four channels.

    :meth:`show_step` outlines 2x2 block ``k`` (row-major) and fills the channels up to it.
    """

    def __init__(self, view: SqueezeView, ax=None):
        self.view, self.ax = view, new_grid_axes(ax)
        self.theme = theme_for(self.ax)
        (h, w), (ch, cw) = view.input.shape, view.channels[0].shape
        self.channel_cell = _output_cell(h, 2 * ch + 1)
        grids_h = max(h, 2 * ch * self.channel_cell + 1.0)
        self.frame = TextFrame(self.ax, w + GAP + 2 * cw * self.channel_cell + 1.0, grids_h, view.title.text,
                            [view.summary.text])
        self.width, self.height, self.scale = self.frame.width, self.frame.height, self.frame.scale
        self._draw(self.frame.head, self.frame.foot, 1.0)
        self.show_step(None)

    def _draw(self, head: float, foot: float, name: float) -> None:
        view, ax, theme, ink = self.view, self.ax, self.theme, self.theme.color("ink")
        (h, w), (ch, cw) = view.input.shape, view.channels[0].shape
        c = self.channel_cell
        left = (self.width - (w + GAP + 2 * cw * c + 1.0)) / 2
        top = self.height - head
        size = cell_fontsize(self.scale, view.input.texts.ravel(), largest=1.2 * text_size("title"))
        self.input = GridArtists(ax, view.input, (left, top), theme, fontsize=size, gid="input")
        x0 = left + w + GAP
        channel_size = cell_fontsize(self.scale * c, view.input.texts.ravel(), largest=1.2 * text_size("title"))
        self.channels = []
        for k, grid in enumerate(view.channels):
            origin = (x0 + (k % 2) * (cw * c + 1.0), top - (k // 2) * (ch * c + name))
            artists = GridArtists(ax, grid, origin, theme, cell=c, fontsize=channel_size, gid="channel", texts=False)
            self.channels.append(artists)
            ax.text(origin[0] + artists.width / 2, origin[1] + 0.1, view.names[f"channel-{k}"].text, ha="center",
                    va="bottom", color=ink, fontsize=FONT_SIZES["body"], gid="channel-name")
        ax.text(self.width / 2, self.height, self.frame.title, ha="center", va="top", color=ink,
                fontsize=FONT_SIZES["title"], gid="title")
        ax.text(left + w / 2, top + 0.15, view.names["input"].text, ha="center", va="bottom", color=ink,
                fontsize=FONT_SIZES["body"], gid="name-input")
        ax.text(left + w + GAP / 2, top - h / 2, "→", ha="center", va="center", color=ink, fontsize="xx-large")
        self.summary = ax.text(self.width / 2, foot / 2, self.frame.texts[view.summary.text], ha="center",
                               va="center", color=ink, fontsize=FONT_SIZES["body"], gid="summary")
        self.window = self.input.outline([0, 1], [0, 1], "window", linewidth=4, gid="window")
        self.targets = [grid.outline([0], [0], "window", linewidth=3, gid="target") for grid in self.channels]

    @property
    def step_count(self) -> int:
        """Number of 2x2 blocks."""
        return self.view.channels[0].values.size

    def _block(self, step: int) -> tuple:
        return divmod(step, self.view.channels[0].shape[1])

    def show_step(self, step: int | None) -> None:
        """Outline block ``step`` and fill the channels up to it (``None``: empty; ``step_count``: all)."""
        n = self.step_count
        done = -1 if step is None else min(step, n - 1)
        active = step is not None and 0 <= step < n
        for k in range(n):
            for grid in self.channels:
                grid.show_text(*self._block(k), k <= done)
        for artist in [self.window, *self.targets]:
            artist.set_visible(active)
        self.summary.set_visible(done == n - 1 and not active)
        if active:
            i, j = self._block(step)
            self.input.move_outline(self.window, [2 * i, 2 * i + 1], [2 * j, 2 * j + 1])
            for target, grid in zip(self.targets, self.channels):
                grid.move_outline(target, [i], [j])

    def moving_artists(self) -> list:
        """Artists that follow the step."""
        return [self.window, *self.targets, self.summary]

    def cursor_artists(self, step: int) -> list:
        """What frame ``step`` draws over the background."""
        return self.moving_artists()

    def cell_artists(self, step: int) -> list:
        """The channel cells written at ``step``."""
        return [a for grid in self.channels for a in grid.cell_artists([self._block(step)])]


def squeeze_diagram(x=None, *, factor=2, step=None, ax=None):
    """Invertible pooling (squeeze): each position in a 2x2 block becomes a channel.

    Parameters
    ----------
    x : array_like (H, W), optional
        Defaults to :data:`vizdl.ops.NOTES_EXAMPLE`.
    factor : int
        2 (four channels, one colour each).
    step : int or None
        Block (row-major) outlined, channels filled up to it; ``None`` shows everything.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    view = squeeze_view(x, factor=factor)
    drawing = SqueezeFigure(view, ax)
    if step is not None and not 0 <= step < drawing.step_count:
        raise ValueError(f"step must be None or in [0, {drawing.step_count}), got {step}")
    drawing.show_step(drawing.step_count if step is None else step)
    return drawing.ax


def pooling_diagram(x=None, *, kind="max", **kwargs):
    """Dispatch to :func:`pool_diagram` (``kind`` max/avg) or :func:`squeeze_diagram`."""
    check_choice(kind, "kind", POOL_KINDS)
    if kind == "squeeze":
        return squeeze_diagram(x, **kwargs)
    return pool_diagram(x, kind=kind, **kwargs)


__all__ = ["PoolFigure", "SqueezeFigure", "pool_diagram", "pooling_diagram", "squeeze_diagram"]
