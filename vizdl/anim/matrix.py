"""Manim painters of scale-coloured matrices (:class:`vizdl.views.Grid`) and colour bars.

:class:`MatrixMobject` paints a grid: square cells filled by the grid's scale (or roles),
the grid's texts in their ink roles, row and column labels, a name underneath. NaN cells
(the ``⋯`` column of a subset) take the ``empty`` role. :class:`ColourBar` paints a
:class:`vizdl.views.Scale` with its ticks and label. Colours come from the theme, strings
from the view, so a scene shows what the figure of the same view shows.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Rectangle, Square, VGroup

from vizdl.anim.paint import text
from vizdl.styles.theme import LIGHT
from vizdl.views.base import Label

#: Cell side and number size at scale 1 (a scene fits the whole stage afterwards).
CELL = 0.62
FONT_SIZE = 20
LABEL_SIZE = 20
#: Numbers fill at most this fraction of a cell's width.
FILL = 0.86


def cell_colors(grid, theme=LIGHT) -> list:
    """Fill colour of every cell, row-major: the scale's colour, ``empty`` for NaN, or the cell's role."""
    if grid.roles is not None:
        return [theme.color(role) for role in grid.roles.ravel()]
    values = grid.values.ravel()
    colors = theme.scale_colors(grid.scale, np.nan_to_num(values, nan=grid.scale.vmin))
    return [theme.color("empty") if np.isnan(v) else c for v, c in zip(values, colors)]


class MatrixMobject(VGroup):
    """A :class:`vizdl.views.Grid` as coloured square cells with its numbers and labels.

    Parameters
    ----------
    grid : vizdl.views.Grid
    theme : vizdl.styles.theme.Theme
    cell : float
        Side of a cell.
    name : vizdl.views.Label, optional
        Written under the matrix (LaTeX or text), at ``name_size`` (default: the label's size).

    Attributes
    ----------
    cells : VGroup of Square
        Row-major.
    entries : VGroup
        One text mobject per cell, row-major (an empty group where the grid writes nothing).
    row_labels, col_labels : VGroup
    name_label : Mobject
        The name (an empty group when there is none).
    """

    def __init__(self, grid, theme=LIGHT, *, cell: float = CELL, name: Label | None = None,
                 font_size: float = FONT_SIZE, name_size: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.grid, self.theme = grid, theme
        rows, cols = grid.shape
        self.cells = VGroup(*(Square(cell, stroke_color=theme.color("cell_stroke"), stroke_width=1.0,
                                     fill_color=color, fill_opacity=1.0) for color in cell_colors(grid, theme)))
        self.cells.arrange_in_grid(rows, cols, buff=0)
        self.entries, self.entry_scale = _entries(grid, self.cells, theme, cell, font_size)
        self.row_labels = _labels(grid.row_labels, [self.cells[r * cols] for r in range(rows)], LEFT, theme)
        self.col_labels = _labels(grid.col_labels, list(self.cells[:cols]), UP, theme)
        self.name_label = text(name, theme, font_size=name_size) if name is not None else VGroup()
        if name is not None:
            self.name_label.next_to(self.cells, DOWN, buff=0.22)
        self.add(self.cells, self.entries, self.row_labels, self.col_labels, self.name_label)

    def row(self, index: int) -> VGroup:
        """The cells of row ``index``."""
        cols = self.grid.shape[1]
        return VGroup(*self.cells[index * cols:(index + 1) * cols])

    def scale_entries(self, factor: float) -> MatrixMobject:
        """Resize the numbers to ``factor`` times their natural size (one size across matrices)."""
        for entry, square in zip(self.entries, self.cells):
            if entry.submobjects:
                entry.scale(factor / self.entry_scale).move_to(square)
        self.entry_scale = factor
        return self

    def texts(self) -> list:
        """The strings written in the cells, row-major (``""`` where nothing is written)."""
        return [getattr(entry, "text", "") for entry in self.entries]


def _entries(grid, cells, theme, cell: float, font_size: float) -> tuple:
    """The cell texts, shrunk together so the widest fits its cell; ``(group, factor)``."""
    entries = []
    for string, ink, square in zip(grid.texts.ravel(), grid.inks.ravel(), cells):
        if string:
            entries.append(text(Label(str(string), ink), theme, font_size=font_size).move_to(square))
        else:
            entries.append(VGroup().move_to(square))
    widest = max((e.width for e in entries if e.submobjects), default=0.0)
    factor = min(1.0, FILL * cell / widest) if widest else 1.0
    for entry, square in zip(entries, cells):
        if entry.submobjects and factor < 1.0:
            entry.scale(factor).move_to(square)
    return VGroup(*entries), factor


def same_number_size(matrices) -> None:
    """Give every matrix the numbers of the one whose numbers had to shrink most."""
    factor = min((m.entry_scale for m in matrices), default=1.0)
    for matrix in matrices:
        matrix.scale_entries(factor)


def _labels(strings, anchors, direction, theme) -> VGroup:
    if not strings:
        return VGroup()
    labels = [text(Label(str(s), "muted"), theme, font_size=LABEL_SIZE) for s in strings]
    for label, anchor in zip(labels, anchors):
        label.next_to(anchor, direction, buff=0.1)
    return VGroup(*labels)


class ColourBar(VGroup):
    """A vertical colour bar of a :class:`vizdl.views.Scale`, its ticks (``fmt`` texts) and label.

    Attributes
    ----------
    bar : VGroup of Rectangle
        ``steps`` bands from ``vmin`` (bottom) to ``vmax`` (top).
    ticks : VGroup
        One text per :meth:`Scale.ticks` value, beside its height.
    label : Mobject
        The scale's label, above the bar.
    """

    def __init__(self, scale, theme=LIGHT, *, height: float = 2.4, width: float = 0.24, steps: int = 48,
                 font_size: float = 22, **kwargs):
        super().__init__(**kwargs)
        self.scale_view = scale
        centres = scale.vmin + (np.arange(steps) + 0.5) / steps * (scale.vmax - scale.vmin)
        band = height / steps
        # band k reaches from its own bottom to the top; the next band covers the rest (no seams)
        self.bar = VGroup(*(Rectangle(width=width, height=height - k * band, stroke_width=0, fill_color=color,
                                      fill_opacity=1.0).move_to([0.0, (height + k * band) / 2 - height / 2, 0.0])
                            for k, color in enumerate(theme.scale_colors(scale, centres))))
        frame = Rectangle(width=width, height=height, stroke_color=theme.color("cell_stroke"), stroke_width=1.0)
        values, texts = scale.ticks()
        self.ticks = VGroup(*(text(Label(t, "ink"), theme, font_size=font_size).next_to(
            [width / 2, (v - scale.vmin) / (scale.vmax - scale.vmin) * height - height / 2, 0.0], RIGHT, buff=0.08)
            for v, t in zip(values, texts)))
        self.label = text(Label(scale.label, "muted"), theme, font_size=font_size) if scale.label else VGroup()
        if scale.label:
            self.label.next_to(frame, UP, buff=0.15)
        self.add(self.bar, frame, self.ticks, self.label)


__all__ = ["CELL", "ColourBar", "MatrixMobject", "cell_colors", "same_number_size"]
