"""Pooling diagrams on the notes' 8x8 example: max (winner marked), average, squeeze.

Values come from :mod:`vizdl.ops`; artists carry a ``gid`` like the convolution diagrams
(``"input-cell"``, ``"output-cell"``, ``"winner"``, ``"window"``, ``"channel-cell"``).
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from vizdl import ops
from vizdl.figures.conv import (
    WINDOW, WINDOW_FILL, DONE_FILL, _new_axes, cell_points, draw_cells, format_value,
    value_fontsize,
)
from vizdl.ops._checks import as_image, check_choice

POOL_KINDS = ("max", "avg", "squeeze")
BLOCK_TINTS = ("#fde0dd", "#e0f3db", "#deebf7", "#fff2cc")  # one per position in a 2x2 block
WINNER = "#d62728"


def _pool_values(x, kind, kernel, stride):
    if kind == "max":
        return ops.max_pool(x, kernel, stride)
    return ops.avg_pool(x, kernel, stride), None


class PoolDrawing:
    """Max or average pooling diagram whose step can be changed (figures and GIFs).

    ``show_step(k)`` outlines window ``k`` (row-major) and fills the output up to it.
    """

    def __init__(self, x=None, *, kind="max", kernel=2, stride=None, ax=None, decimals=None):
        check_choice(kind, "kind", ("max", "avg"))
        self.x = ops.NOTES_EXAMPLE if x is None else as_image(x, "x")
        if self.x.ndim != 2:
            raise ValueError(f"x must have shape (H, W), got shape {self.x.shape}")
        self.kind = kind
        self.windows = ops.pool_windows(self.x.shape, kernel, stride)
        self.output, self.argmax = _pool_values(self.x, kind, kernel, stride)
        if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0):
            raise ValueError(f"decimals must be None or an integer >= 0, got {decimals!r}")
        self.decimals = decimals
        self.ax = _new_axes(ax)
        self._draw()

    def text(self, value) -> str:
        """Cell text: exact values (``decimals=None``) or rounded to ``decimals``."""
        return format_value(value, 3) if self.decimals is None else f"{value:.{self.decimals}f}"

    def _draw(self):
        ax, (h, w), (oh, ow) = self.ax, self.x.shape, self.output.shape
        self.out_x = w + 2.2
        width, top, bottom = self.out_x + ow, h / 2 + 2.0, -h / 2 - 1.4
        ax.set_xlim(-0.2, width + 0.2)
        ax.set_ylim(bottom, top)
        ax.set_aspect("equal")
        ax.axis("off")
        cell = cell_points(ax, width + 0.4, top - bottom)
        fs = value_fontsize(cell, [self.text(v) for v in self.output.ravel()] + ["0.0"])
        label = float(np.clip(0.55 * cell, 10, 22))
        tints = self._tints()
        self.input_patches, _ = draw_cells(ax, self.x, (0, h / 2), gid="input-cell", fontsize=fs)
        for (r, c), tint in tints.items():
            self.input_patches[r][c].set_facecolor(tint)
        empty = [[""] * ow for _ in range(oh)]
        self.output_patches, self.output_texts = draw_cells(
            ax, self.output, (self.out_x, oh / 2), gid="output-cell", fontsize=fs, texts=empty)
        name = "Max Pooling" if self.kind == "max" else "Average Pooling"
        ax.text(w / 2, h / 2 + 0.3, f"input {h}×{w}", ha="center", va="bottom", fontsize=label)
        ax.text(self.out_x + ow / 2, oh / 2 + 0.3, f"output {oh}×{ow}", ha="center",
                va="bottom", fontsize=label)
        ax.text(w + 1.1, 0, "→", ha="center", va="center", fontsize=1.6 * label)
        ax.text(width / 2, top, name, ha="center", va="top", fontsize=1.2 * label, gid="title")
        self.caption = ax.text(width / 2, bottom + 0.1, "", ha="center", va="bottom",
                               fontsize=label, gid="sum")
        self.window = Rectangle((0, 0), 1, 1, fill=False, edgecolor=WINDOW, lw=4, zorder=3,
                                gid="window")
        self.target = Rectangle((0, 0), 1, 1, fill=False, edgecolor=WINDOW, lw=4, zorder=3,
                                gid="target")
        ax.add_patch(self.window)
        ax.add_patch(self.target)
        self.winners = [self._winner_marker(k) for k in range(len(self.windows))]

    def _tints(self):
        """Checkerboard of two light tints over the windows so blocks are easy to tell apart."""
        tints = {}
        for win in self.windows:
            i, j = win.index
            for cell in win.cells():
                tints.setdefault(cell, ("#f0f0f0", "#ffffff")[(i + j) % 2])
        return tints

    def _winner_marker(self, k):
        if self.argmax is None:
            return None
        r, c = divmod(int(self.argmax.ravel()[k]), self.x.shape[1])
        marker = Rectangle((c + 0.08, self.x.shape[0] / 2 - r - 0.92), 0.84, 0.84, fill=False,
                           edgecolor=WINNER, lw=3, zorder=4, gid="winner", visible=False)
        self.ax.add_patch(marker)
        return marker

    def caption_text(self, k: int) -> str:
        """``max(0.2, 1.0, 0.7, 0.3) = 1.0`` or ``(0.2 + ...) / 4 = 0.55`` for window ``k``."""
        win = self.windows[k]
        values = [self.x[r, c] for r, c in win.cells()]
        listed = ", ".join(format_value(v) for v in values)
        i, j = win.index
        if self.kind == "max":
            return f"out[{i},{j}] = max({listed}) = {self.text(self.output[i, j])}"
        summed = " + ".join(format_value(v) for v in values)
        return f"out[{i},{j}] = ({summed}) / {len(values)} = {self.text(self.output[i, j])}"

    def moving_artists(self) -> list:
        """Artists whose position or text follows the step (drawn per frame when blitting)."""
        return [self.window, self.target, self.caption]

    def cursor_artists(self, step: int) -> list:
        """What to draw over the background at ``step`` (window, target, caption)."""
        return self.moving_artists()

    def cell_artists(self, step: int) -> list:
        """The output cell written at ``step`` (and its winner marker), for blitting."""
        i, j = self.windows[step].index
        marker = [self.winners[step]] if self.winners[step] is not None else []
        return [self.output_patches[i][j], self.output_texts[i][j]] + marker

    def show_step(self, step: int | None) -> None:
        """Outline window ``step`` and show outputs up to it (``None``: all, no window)."""
        n = len(self.windows)
        last = n - 1 if step is None else min(step, n - 1)
        active = step is not None and 0 <= step < n
        for k, win in enumerate(self.windows):
            i, j = win.index
            shown = k <= last
            self.output_texts[i][j].set_text(self.text(self.output[i, j]) if shown else "")
            self.output_patches[i][j].set_facecolor(
                WINDOW_FILL if active and k == step else DONE_FILL if shown else "white")
            if self.winners[k] is not None:
                self.winners[k].set_visible(shown)
        self.window.set_visible(active)
        self.target.set_visible(active)
        self.caption.set_text(self.caption_text(step) if active else "")
        if active:
            win, h = self.windows[step], self.x.shape[0]
            self.window.set_bounds(win.cols[0], h / 2 - win.rows[-1] - 1, len(win.cols), len(win.rows))
            i, j = win.index
            self.target.set_xy((self.out_x + j, self.output.shape[0] / 2 - i - 1))


def pool_diagram(x=None, *, kind="max", kernel=2, stride=None, step=None, decimals=None, ax=None):
    """Max or average pooling diagram (defaults: the notes' 8x8 matrix, 2x2 windows).

    Parameters
    ----------
    x : array_like (H, W), optional
        Defaults to :data:`vizdl.ops.NOTES_EXAMPLE`.
    kind : {"max", "avg"}
        Max pooling marks each window's winning cell in red.
    kernel, stride : int or (int, int)
    step : int or None
        Window (row-major) outlined; ``None`` shows the complete output.
    decimals : int, optional
        Round the output text (the notes use 1); exact values by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    drawing = PoolDrawing(x, kind=kind, kernel=kernel, stride=stride, ax=ax, decimals=decimals)
    if step is not None and not 0 <= step < len(drawing.windows):
        raise ValueError(f"step must be None or in [0, {len(drawing.windows)}), got {step}")
    drawing.show_step(step)
    return drawing.ax


class SqueezeDrawing:
    """Squeeze diagram whose step (one ``factor``² block of the input) can be changed.

    Input cells are tinted by their position in the block; the ``factor``² output channels
    carry the same tint, showing that no value is lost.
    """

    def __init__(self, x=None, *, factor=2, ax=None):
        self.x = ops.NOTES_EXAMPLE if x is None else as_image(x, "x")
        if self.x.ndim != 2:
            raise ValueError(f"x must have shape (H, W), got shape {self.x.shape}")
        self.output = ops.squeeze_pool(self.x, factor)
        self.factor = int(np.sqrt(self.output.shape[0]))
        self.ax = _new_axes(ax)
        self._draw()

    def _draw(self):
        ax, x, out, f = self.ax, self.x, self.output, self.factor
        (h, w), (c, oh, ow) = x.shape, out.shape
        cols = int(np.ceil(np.sqrt(c)))
        rows = -(-c // cols)
        x0 = w + 2.2
        width = x0 + cols * (ow + 0.8) - 0.8
        height = max(h, rows * (oh + 1.2))
        top, bottom = height / 2 + 1.6, -height / 2 - 0.3
        ax.set_xlim(-0.2, width + 0.2)
        ax.set_ylim(bottom, top)
        ax.set_aspect("equal")
        ax.axis("off")
        cell = cell_points(ax, width + 0.4, top - bottom)
        fs = value_fontsize(cell, [format_value(v) for v in x.ravel()])
        label = float(np.clip(0.55 * cell, 10, 22))
        patches, _ = draw_cells(ax, x, (0, h / 2), gid="input-cell", fontsize=fs)
        for r in range(h):
            for col in range(w):
                patches[r][col].set_facecolor(BLOCK_TINTS[((r % f) * f + col % f) % len(BLOCK_TINTS)])
        ax.text(w / 2, h / 2 + 0.3, f"input 1×{h}×{w}", ha="center", va="bottom", fontsize=label)
        ax.text(w + 1.1, 0, "→", ha="center", va="center", fontsize=1.6 * label)
        self.channel_texts, self.channel_origins = [], []
        for k in range(c):
            gx = x0 + (k % cols) * (ow + 0.8)
            gy = height / 2 - (k // cols) * (oh + 1.2) - 0.9
            _, texts = draw_cells(ax, out[k], (gx, gy), gid="channel-cell", fontsize=fs,
                                  facecolor=BLOCK_TINTS[k % len(BLOCK_TINTS)])
            self.channel_texts.append(texts)
            self.channel_origins.append((gx, gy))
            ax.text(gx + ow / 2, gy + 0.2, f"channel {k}", ha="center", va="bottom", fontsize=label)
        ax.text(width / 2, top, f"Invertible pooling (squeeze): 1×{h}×{w} → {c}×{oh}×{ow}",
                ha="center", va="top", fontsize=1.2 * label, gid="title")
        self.window = Rectangle((0, 0), f, f, fill=False, edgecolor=WINDOW, lw=4, zorder=3,
                                gid="window")
        ax.add_patch(self.window)
        self.targets = [Rectangle((0, 0), 1, 1, fill=False, edgecolor=WINDOW, lw=4, zorder=3,
                                  gid="target") for _ in range(c)]
        for target in self.targets:
            ax.add_patch(target)

    def __len__(self) -> int:
        return self.output.shape[1] * self.output.shape[2]

    def moving_artists(self) -> list:
        """Artists whose position follows the step (drawn per frame when blitting)."""
        return [self.window] + self.targets

    def cursor_artists(self, step: int) -> list:
        """What to draw over the background at ``step`` (block outline, channel targets)."""
        return self.moving_artists()

    def cell_artists(self, step: int) -> list:
        """The channel cells written at ``step``, for blitting."""
        i, j = divmod(step, self.output.shape[2])
        return [texts[i][j] for texts in self.channel_texts]

    def show_step(self, step: int | None) -> None:
        """Outline input block ``step`` and fill the channels up to it (``None``: all)."""
        oh, ow = self.output.shape[1:]
        last = len(self) - 1 if step is None else min(step, len(self) - 1)
        active = step is not None and 0 <= step < len(self)
        for k, texts in enumerate(self.channel_texts):
            for idx in range(len(self)):
                i, j = divmod(idx, ow)
                texts[i][j].set_text(format_value(self.output[k, i, j]) if idx <= last else "")
        for patch in [self.window] + self.targets:
            patch.set_visible(active)
        if active:
            i, j = divmod(step, ow)
            f, h = self.factor, self.x.shape[0]
            self.window.set_xy((j * f, h / 2 - (i + 1) * f))
            for target, (gx, gy) in zip(self.targets, self.channel_origins):
                target.set_xy((gx + j, gy - i - 1))


def squeeze_diagram(x=None, *, factor=2, step=None, ax=None):
    """Invertible pooling (squeeze): each position in a ``factor``² block becomes a channel.

    Parameters
    ----------
    x : array_like (H, W), optional
        Defaults to :data:`vizdl.ops.NOTES_EXAMPLE`.
    factor : int
    step : int or None
        Block (row-major) outlined, channels filled up to it; ``None`` shows everything.

    Returns
    -------
    matplotlib.axes.Axes
    """
    drawing = SqueezeDrawing(x, factor=factor, ax=ax)
    drawing.show_step(step)
    return drawing.ax


def pooling_diagram(x=None, *, kind="max", **kwargs):
    """Dispatch to :func:`pool_diagram` (``kind`` max/avg) or :func:`squeeze_diagram`."""
    check_choice(kind, "kind", POOL_KINDS)
    if kind == "squeeze":
        return squeeze_diagram(x, **kwargs)
    return pool_diagram(x, kind=kind, **kwargs)
