"""Manim mobjects and animations for max, average and invertible pooling (squeeze).

Default input: the lecture notes' 8x8 matrix (:data:`vizdl.ops.NOTES_EXAMPLE`). Every
number shown comes from :func:`vizdl.ops.max_pool`, :func:`vizdl.ops.avg_pool` and
:func:`vizdl.ops.squeeze_pool`.
"""
from __future__ import annotations

import os

import numpy as np
from manim import (DOWN, UP, AnimationGroup, Create, FadeIn, FadeOut, Square, Succession,
                   TransformFromCopy, VGroup)

from vizdl import ops
from vizdl.anim.grid import OUTPUT_FILL, WINNER_COLOR, NumberGrid, format_value, label

POOL_KINDS = ("max", "avg")
#: Fill colours of the squeeze's output channels (and of the input cells feeding them).
CHANNEL_FILLS = ("#cfe2f3", "#fde2c8", "#d5ecd4", "#e8daef")
POOL_ENV = "VIZDL_POOL"
_TITLES = {"max": "Max Pooling", "avg": "Average Pooling", "squeeze": "Invertible Pooling (Squeeze)"}


def pool_title(kind: str) -> str:
    """The notes' slide title of a pooling kind (``max``, ``avg`` or ``squeeze``)."""
    if kind not in _TITLES:
        raise ValueError(f"kind must be one of {sorted(_TITLES)}, got {kind!r}")
    return _TITLES[kind]


def kinds_from_env(environ=None) -> tuple[str, ...]:
    """Kinds listed in ``$VIZDL_POOL`` (e.g. ``"max,squeeze"``), else max, avg and squeeze."""
    spec = (environ if environ is not None else os.environ).get(POOL_ENV, "").strip()
    kinds = tuple(k.strip() for k in spec.split(",") if k.strip()) or ("max", "avg", "squeeze")
    for kind in kinds:
        pool_title(kind)
    return kinds


def _notes_input(x) -> np.ndarray:
    values = ops.NOTES_EXAMPLE if x is None else np.asarray(x, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"x must be a 2-D array (H, W), got shape {values.shape}")
    return values


class PoolingDiagram(VGroup):
    """Input grid, pooling window and output grid of max or average pooling.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        Defaults to the notes' 8x8 example.
    kind : {"max", "avg"}
    kernel, stride : int
        As in :func:`vizdl.ops.max_pool` (``stride`` defaults to ``kernel``).

    Attributes
    ----------
    output : numpy.ndarray
        The pooled values.
    argmax : numpy.ndarray or None
        Flat input index of each window's maximum (max pooling only).
    windows : list of vizdl.ops.Window
    """

    def __init__(self, x=None, *, kind: str = "max", kernel: int = 2, stride: int | None = None,
                 max_grid: float = 4.8, **kwargs):
        super().__init__(**kwargs)
        if kind not in POOL_KINDS:
            raise ValueError(f"kind must be one of {POOL_KINDS}, got {kind!r}")
        self.x, self.kind = _notes_input(x), kind
        self.kernel, self.stride = kernel, stride
        self.windows = ops.pool_windows(self.x.shape, kernel, stride)
        if kind == "max":
            self.output, self.argmax = ops.max_pool(self.x, kernel, stride)
        else:
            self.output, self.argmax = ops.avg_pool(self.x, kernel, stride), None
        cell = min(0.6, max_grid / max(self.x.shape))
        self.input_grid = NumberGrid(self.x, cell_size=cell, decimals=2, min_decimals=1,
                                     font_size=34 * cell)
        out_cell = min(0.95, 4.0 / max(self.output.shape))
        self.output_grid = NumberGrid(np.full(self.output.shape, np.nan), cell_size=out_cell,
                                      fill=OUTPUT_FILL, decimals=4, min_decimals=1,
                                      font_size=22 * out_cell / 0.95)
        self.captions = self._captions()
        self._layout()
        self.window = self.window_at(0)
        self.marker = self.output_grid.window([0], [0], stroke_width=4)
        self.winners = VGroup()
        self.add(self.input_grid, self.output_grid, self.captions)

    def _captions(self) -> VGroup:
        h, w = self.x.shape
        oh, ow = self.output.shape
        k, s = self.kernel, self.stride or self.kernel
        return VGroup(label(f"input {h}×{w}", 24),
                      label(f"{self.kind} pooling {k}×{k}, stride {s}: output {oh}×{ow}", 24))

    def _layout(self) -> None:
        self.input_grid.move_to([-3.6, -0.35, 0])
        self.output_grid.move_to([3.6, -0.35, 0])
        for caption, grid in zip(self.captions, (self.input_grid, self.output_grid)):
            caption.next_to(grid, UP, buff=0.2)

    @property
    def step_count(self) -> int:
        """Number of pooling windows (= output cells)."""
        return len(self.windows)

    def window_at(self, index: int):
        """Outline of window ``index`` on the input."""
        win = self.windows[index]
        return self.input_grid.window(win.rows, win.cols)

    def winner(self, index: int) -> tuple[int, int]:
        """Input cell ``(row, col)`` holding the maximum of window ``index`` (max pooling)."""
        i, j = self.windows[index].index
        return tuple(int(v) for v in np.unravel_index(self.argmax[i, j], self.x.shape))

    def winner_mark(self, index: int) -> Square:
        """Red outline and fill of the winning cell of window ``index``."""
        cell = self.input_grid.get_cell(*self.winner(index))
        mark = Square(cell.width * 0.9, stroke_color=WINNER_COLOR, stroke_width=4)
        return mark.move_to(cell.get_center())

    def average_text(self, index: int) -> VGroup:
        """``(a + b + c + d) / 4`` and ``= mean`` lines of window ``index`` (average pooling)."""
        win = self.windows[index]
        values = [format_value(self.x[r, c], 2, 1) for r, c in win.cells()]
        i, j = win.index
        line = VGroup(label(f"({' + '.join(values)}) / {len(values)}", 26),
                      label(f"= {format_value(self.output[i, j], 4, 1)}", 28))
        line.arrange(DOWN, buff=0.15)
        return line.next_to(self.output_grid, DOWN, buff=0.3)

    def output_label(self, index: int) -> VGroup:
        """Label of output cell ``index`` (not added)."""
        i, j = self.windows[index].index
        return self.output_grid.make_label(i, j, self.output[i, j])

    def _move(self, index: int) -> list:
        i, j = self.windows[index].index
        return [self.window.animate.move_to(self.window_at(index)),
                self.marker.animate.move_to(self.output_grid.get_cell(i, j))]

    def detail_step(self, index: int, previous=None):
        """Yield the ``play`` lists of one window shown in detail; returns what stays on screen."""
        result = self.output_label(index)
        gone = [FadeOut(previous)] if previous is not None else []
        if self.kind == "max":
            mark = self.winner_mark(index)
            yield [AnimationGroup(*self._move(index), *gone, Create(mark), run_time=0.7)]
            source = self.input_grid.get_label(*self.winner(index))
            yield [TransformFromCopy(source, result, run_time=0.6)]
            self.winners.add(mark)
            shown = None
        else:
            shown = self.average_text(index)
            yield [AnimationGroup(*self._move(index), *gone, FadeIn(shown), run_time=0.7)]
            yield [TransformFromCopy(shown[-1], result, run_time=0.6)]
        self._keep(index, result)
        return shown

    def fast_steps(self, indices, run_time: float = 0.15):
        """Yield one ``play`` list sweeping the window over ``indices``."""
        labels = [self.output_label(i) for i in indices]
        marks = [self.winner_mark(i) for i in indices] if self.kind == "max" else []
        parts = []
        for n, index in enumerate(indices):
            extra = [FadeIn(marks[n])] if marks else []
            parts.append(AnimationGroup(*self._move(index), FadeIn(labels[n]), *extra,
                                        run_time=run_time))
        yield [Succession(*parts)]
        for index, text in zip(indices, labels):
            self._keep(index, text)
        self.winners.add(*marks)

    def animate_steps(self, detailed: int = 2, fast_run_time: float = 2.4):
        """Yield every ``play`` list: ``detailed`` windows in detail, then the rest quickly."""
        shown = None
        detailed = min(detailed, self.step_count)
        for index in range(detailed):
            shown = yield from self.detail_step(index, shown)
        if shown is not None:
            yield [FadeOut(shown, run_time=0.3)]
        rest = list(range(detailed, self.step_count))
        if rest:
            yield from self.fast_steps(rest, min(0.25, fast_run_time / len(rest)))

    def _keep(self, index: int, text: VGroup) -> None:
        i, j = self.windows[index].index
        self.output_grid.set_value(i, j, self.output[i, j], text)


class SqueezeDiagram(VGroup):
    """Space-to-depth: an ``(H, W)`` input becomes ``factor**2`` channels of ``(H/f, W/f)``.

    Input cells are coloured by the output channel they go to,
    ``channel = (row % f) * f + (col % f)`` (:func:`vizdl.ops.squeeze_pool`'s order).

    Attributes
    ----------
    output : numpy.ndarray, shape (f*f, H/f, W/f)
    channel_grids : VGroup of NumberGrid
    """

    def __init__(self, x=None, *, factor: int = 2, max_grid: float = 4.8, **kwargs):
        super().__init__(**kwargs)
        self.x, self.factor = _notes_input(x), factor
        self.output = ops.squeeze_pool(self.x, factor)
        if len(self.output) > len(CHANNEL_FILLS):
            raise ValueError(f"factor must give at most {len(CHANNEL_FILLS)} channels to draw "
                             f"(factor 2), got factor {factor!r}")
        rows, cols = np.indices(self.x.shape)
        self.channel_of = (rows % factor) * factor + cols % factor
        fills = np.array(CHANNEL_FILLS, dtype=object)[self.channel_of]
        cell = min(0.6, max_grid / max(self.x.shape))
        self.input_grid = NumberGrid(self.x, cell_size=cell, fills=fills, decimals=2, min_decimals=1,
                                     font_size=34 * cell)
        out_cell = min(0.55, 2.2 / max(self.output.shape[1:]))
        self.channel_grids = VGroup(*(NumberGrid(channel, cell_size=out_cell, fill=fill,
                                                 decimals=2, min_decimals=1,
                                                 font_size=34 * out_cell)
                                      for channel, fill in zip(self.output, CHANNEL_FILLS)))
        self.captions = self._captions()
        self._layout()
        self.add(self.input_grid, self.captions[0])

    def _captions(self) -> VGroup:
        c, h, w = self.output.shape
        names = VGroup(*(label(f"channel {k}", 22) for k in range(c)))
        return VGroup(label(f"input 1×{self.x.shape[0]}×{self.x.shape[1]}", 24),
                      label(f"output {c}×{h}×{w}", 24), names)

    def _layout(self) -> None:
        self.input_grid.move_to([-3.6, -0.35, 0])
        self.captions[0].next_to(self.input_grid, UP, buff=0.2)
        cols = self.factor
        self.channel_grids.arrange_in_grid(rows=len(self.output) // cols, cols=cols,
                                           buff=(0.5, 0.55))
        self.channel_grids.move_to([3.6, -0.55, 0])
        for name, grid in zip(self.captions[2], self.channel_grids):
            name.next_to(grid, UP, buff=0.1)
        self.captions[1].next_to(self.channel_grids, UP, buff=0.5)

    def sources(self, channel: int) -> VGroup:
        """Input labels feeding ``channel``, in the channel's row-major order."""
        rows, cols = np.nonzero(self.channel_of == channel)
        return VGroup(*(self.input_grid.get_label(r, c) for r, c in zip(rows, cols)))

    def animate_steps(self):
        """Yield the ``play`` lists: channel grids appear, then each channel's values travel."""
        cells = VGroup(*(grid.cells for grid in self.channel_grids))
        yield [FadeIn(cells, self.captions[1], self.captions[2], run_time=0.6)]
        for channel, grid in enumerate(self.channel_grids):
            yield [TransformFromCopy(self.sources(channel), grid.labels, run_time=0.9)]
        self.add(self.channel_grids, self.captions[1:])


__all__ = ["PoolingDiagram", "SqueezeDiagram", "POOL_KINDS", "CHANNEL_FILLS", "pool_title",
           "kinds_from_env"]
