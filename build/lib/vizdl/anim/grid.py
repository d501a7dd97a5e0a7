"""A grid of numbers as a Manim mobject: cells with values, padding cells, highlights.

:class:`NumberGrid` is the building block of the convolution and pooling scenes. Cells
are squares in row-major order; each may carry a value label. Padding cells (given by a
boolean mask) are drawn grey with grey numbers so the eye separates them from the input.
Empty cells (NaN values) have no label until one is written with :meth:`NumberGrid.set_value`.

``Text`` objects are costly to create and to copy (every animation copies its
mobject), so labels are plain ``VGroup`` s of glyph outlines, copied from one cached
rendering per string, size and colour.
"""
from __future__ import annotations

import math

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Rectangle, Square, Text, VGroup, VMobject

INK = "#222222"
CELL_FILL = "#ffffff"
CELL_STROKE = "#555555"
PADDING_FILL = "#d0d0d0"
PADDING_INK = "#6a6a6a"
KERNEL_FILL = "#fff1c1"
OUTPUT_FILL = "#e4f3df"
WINDOW_COLOR = "#ff7f0e"
WINNER_COLOR = "#d62728"
WINNER_FILL = "#f8c9c9"
FONT = "DejaVu Sans"

_TEXT_CACHE: dict[tuple[str, float, str], VGroup] = {}


def format_value(value: float, decimals: int = 2, min_decimals: int = 0) -> str:
    """Short string for a cell value: no trailing zeros (beyond ``min_decimals``), a true minus.

    >>> format_value(3.0), format_value(-0.25), format_value(0.123456), format_value(1, 2, 1)
    ('3', '−0.25', '0.12', '1.0')
    """
    value = float(value)
    if not math.isfinite(value):
        return ""
    text = f"{round(value, decimals):.{decimals}f}"
    if decimals:
        text = text.rstrip("0")
        places = len(text.split(".")[1])
        text = (text + "0" * max(0, min_decimals - places)).rstrip(".")
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "\u2212")


def label(text: str, font_size: float = 24, color: str = INK) -> VGroup:
    """Text as a plain ``VGroup`` of glyphs, copied from a cache keyed by string, size, colour.

    Looks like ``Text(text, font_size=font_size, color=color)`` but copies ~30x faster.
    The string is kept in the attribute ``text`` (tests read it).
    """
    key = (text, float(font_size), color)
    if key not in _TEXT_CACHE:
        _TEXT_CACHE[key] = _plain(Text(text, font_size=font_size, color=color, font=FONT))
        _TEXT_CACHE[key].text = text
    return _TEXT_CACHE[key].copy()


def _plain(text: Text) -> VGroup:
    glyphs = VGroup()
    for glyph in text.submobjects:
        outline = VMobject(fill_color=glyph.get_fill_color(), fill_opacity=1.0, stroke_width=0)
        outline.points = glyph.points.copy()
        glyphs.add(outline)
    return glyphs


class NumberGrid(VGroup):
    """Square cells holding numbers, with optional padding cells and per-cell fills.

    Parameters
    ----------
    values : array_like, shape (H, W)
        Cell values; NaN marks an empty cell (no label).
    cell_size : float
        Side of one cell in scene units.
    padding_mask : array_like of bool, shape (H, W), optional
        True for padding cells (grey fill, grey numbers).
    fill : str
        Fill colour of ordinary cells.
    fills : array_like of str, shape (H, W), optional
        Per-cell fill colours (e.g. a feature-map colour scale); overrides ``fill``.
    decimals, min_decimals : int
        Decimals shown at most / at least (``min_decimals=1`` writes 1 as ``1.0``).
    font_size : float, optional
        Label size; by default proportional to ``cell_size``.
    show_values : bool
        False draws the cells only.
    """

    def __init__(self, values, *, cell_size: float = 0.5, padding_mask=None, fill: str = CELL_FILL,
                 fills=None, decimals: int = 2, min_decimals: int = 0, font_size: float | None = None,
                 show_values: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.values = np.array(values, dtype=float)
        if self.values.ndim != 2 or 0 in self.values.shape:
            raise ValueError(f"values must be a non-empty 2-D array, got shape {self.values.shape}")
        self.cell_size = float(cell_size)
        self.padding_mask = (np.zeros(self.values.shape, bool) if padding_mask is None
                             else np.asarray(padding_mask, bool))
        if self.padding_mask.shape != self.values.shape:
            raise ValueError(f"padding_mask must have shape {self.values.shape}, "
                             f"got {self.padding_mask.shape}")
        self.decimals, self.min_decimals = decimals, min_decimals
        self.font_size = font_size or 44 * self.cell_size
        self.cells = self._build_cells(fill, fills)
        self._labels = [[None] * self.values.shape[1] for _ in range(self.values.shape[0])]
        self.labels = VGroup()
        self.add(self.cells, self.labels)
        if show_values:
            self._build_labels()

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the grid."""
        return self.values.shape

    def _build_cells(self, fill, fills) -> VGroup:
        rows, cols = self.values.shape
        cells = VGroup()
        for i in range(rows):
            for j in range(cols):
                pad = self.padding_mask[i, j]
                color = PADDING_FILL if pad else (fills[i][j] if fills is not None else fill)
                cell = Square(self.cell_size, stroke_color=PADDING_INK if pad else CELL_STROKE,
                              stroke_width=1.5, fill_color=color, fill_opacity=1.0)
                cell.move_to(np.array([j * self.cell_size, -i * self.cell_size, 0.0]))
                cells.add(cell)
        cells.move_to(np.zeros(3))
        return cells

    def _build_labels(self) -> None:
        rows, cols = self.values.shape
        for i in range(rows):
            for j in range(cols):
                if np.isfinite(self.values[i, j]):
                    self.set_value(i, j, self.values[i, j])

    def get_cell(self, i: int, j: int) -> Square:
        """The square of cell ``(i, j)``."""
        return self.cells[i * self.values.shape[1] + j]

    def get_label(self, i: int, j: int) -> VGroup | None:
        """The label of cell ``(i, j)`` (None when empty)."""
        return self._labels[i][j]

    def make_label(self, i: int, j: int, value: float, color: str | None = None) -> VGroup:
        """A label for ``value`` placed on cell ``(i, j)``, not added to the grid."""
        ink = color or (PADDING_INK if self.padding_mask[i, j] else INK)
        text = label(format_value(value, self.decimals, self.min_decimals), self.font_size, ink)
        if text.width > 0.86 * self.cell_size:
            text.scale_to_fit_width(0.86 * self.cell_size)
        return text.move_to(self.get_cell(i, j).get_center())

    def set_value(self, i: int, j: int, value: float, label_mobject: VGroup | None = None) -> VGroup:
        """Write ``value`` into cell ``(i, j)`` (replacing its label) and return the new label.

        ``label_mobject`` adopts an existing label (e.g. one just animated in) instead of
        making a new one.
        """
        new = label_mobject if label_mobject is not None else self.make_label(i, j, value)
        old = self._labels[i][j]
        if old is not None:
            self.labels.remove(old)
        self.values[i, j] = value
        self._labels[i][j] = new
        self.labels.add(new)
        return new

    def window(self, rows, cols, color: str = WINDOW_COLOR, stroke_width: float = 6) -> Rectangle:
        """A rectangle around the block spanned by ``rows`` x ``cols`` (cell indices)."""
        top_left = self.get_cell(min(rows), min(cols))
        bottom_right = self.get_cell(max(rows), max(cols))
        width = bottom_right.get_right()[0] - top_left.get_left()[0]
        height = top_left.get_top()[1] - bottom_right.get_bottom()[1]
        rect = Rectangle(width=width, height=height, stroke_color=color, stroke_width=stroke_width)
        return rect.move_to((top_left.get_corner(UP + LEFT) + bottom_right.get_corner(DOWN + RIGHT)) / 2)

    def cell_marks(self, cells, color: str = WINDOW_COLOR, stroke_width: float = 4) -> VGroup:
        """Outlines of individual cells ``[(i, j), ...]`` (e.g. a dilated kernel's taps)."""
        return VGroup(*(Square(self.cell_size * 0.9, stroke_color=color, stroke_width=stroke_width)
                        .move_to(self.get_cell(i, j).get_center()) for i, j in cells))


__all__ = ["NumberGrid", "format_value", "label", "INK", "CELL_FILL", "PADDING_FILL", "PADDING_INK",
           "KERNEL_FILL", "OUTPUT_FILL", "WINDOW_COLOR", "WINNER_COLOR", "WINNER_FILL"]
