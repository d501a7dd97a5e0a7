"""Manim painters of scale-coloured matrices (:class:`vizdl.views.Grid`) and colour bars.

:class:`MatrixMobject` paints a grid: square cells filled by the grid's scale (or roles),
the grid's texts in their ink roles, row and column labels, a name underneath. NaN cells
(the ``⋯`` column of a subset) take the ``empty`` role. :class:`ColourBar` paints a
:class:`vizdl.views.Scale` with its ticks and label. Colours come from the theme, strings
from the view, so a scene shows what the figure of the same view shows.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Rectangle, Square, VGroup, VMobject

from vizdl.anim.grid import one_line_text
from vizdl.anim.paint import text
from vizdl.styles.theme import LIGHT, MINUS
from vizdl.views.base import Label

#: Cell side and number size at scale 1 (a scene fits the whole stage afterwards).
CELL = 0.62
FONT_SIZE = 20
LABEL_SIZE = 20
#: Numbers fill at most this fraction of a cell's width.
FILL = 0.86


#: Characters :func:`number_text` composes (what :func:`vizdl.styles.theme.fmt` writes, and ``⋯``).
NUMBER_CHARS = "0123456789." + MINUS + "<>e\u22ef"
_GLYPHS: dict = {}


def _glyph_table(size: float) -> dict:
    """``char -> (outline points with the char's origin at x = 0, advance)`` at ``size``, made once.

    The advance of ``c`` is ``width("0c0") - width("00")``; its outline is the middle glyph
    of ``"0c0"``, so composed strings are spaced exactly like a rendered ``Text``.
    """
    if size not in _GLYPHS:
        def rendered(string):
            return one_line_text(string, font_size=size)

        base = rendered("00")
        zero = rendered("000").width - base.width
        table = {}
        for char in NUMBER_CHARS:
            probe = rendered("0" + char + "0")
            if len(probe.submobjects) != 3:
                continue
            first = probe.submobjects[0]
            origin = np.array([first.get_left()[0] + zero, first.get_center()[1], 0.0])
            table[char] = (probe.submobjects[1].points - origin, probe.width - base.width)
        _GLYPHS[size] = table
    return _GLYPHS[size]


def number_text(string: str, font_size: float = FONT_SIZE, color: str = "#222222"):
    """A number written by ``fmt`` as one ``VMobject`` composed from cached glyph outlines.

    Creating a ``Text`` per number costs a font rendering and an SVG parse; a matrix writes
    hundreds of numbers, so they are composed from one outline per character (and drawn
    as one path each). Strings with other characters fall back to :func:`vizdl.anim.paint.text`.
    The string is kept in ``text``.
    """
    table = _glyph_table(float(font_size))
    if not string or any(c not in table for c in string):
        return text(Label(string), LIGHT, font_size=font_size).set_color(color)
    pieces, x = [], 0.0
    for char in string:
        points, advance = table[char]
        pieces.append(points + [x, 0.0, 0.0])
        x += advance
    mobject = VMobject(fill_color=color, fill_opacity=1.0, stroke_width=0)
    mobject.points = np.concatenate(pieces)
    mobject.text = string
    return mobject.center()


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
            if _drawn(entry):
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
            entries.append(number_text(str(string), font_size, theme.color(ink)).move_to(square))
        else:
            entries.append(VGroup().move_to(square))
    widest = max((e.width for e in entries if _drawn(e)), default=0.0)
    factor = min(1.0, FILL * cell / widest) if widest else 1.0
    for entry, square in zip(entries, cells):
        if _drawn(entry) and factor < 1.0:
            entry.scale(factor).move_to(square)
    return VGroup(*entries), factor


def _drawn(mobject) -> bool:
    """Whether a cell entry draws anything (an empty cell is an empty group)."""
    return bool(len(mobject.points) or mobject.submobjects)


def same_number_size(matrices) -> None:
    """Give every matrix the numbers of the one whose numbers had to shrink most."""
    factor = min((m.entry_scale for m in matrices), default=1.0)
    for matrix in matrices:
        matrix.scale_entries(factor)


def _labels(strings, anchors, direction, theme) -> VGroup:
    if not strings:
        return VGroup()
    labels = [number_text(str(s), LABEL_SIZE, theme.color("muted")) for s in strings]
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

    def __init__(self, scale, theme=LIGHT, *, height: float = 2.4, width: float = 0.24, steps: int = 32,
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
        self.ticks = VGroup(*(number_text(t, font_size, theme.color("ink")).next_to(
            [width / 2, (v - scale.vmin) / (scale.vmax - scale.vmin) * height - height / 2, 0.0], RIGHT, buff=0.08)
            for v, t in zip(values, texts)))
        self.label = text(Label(scale.label, "muted"), theme, font_size=font_size) if scale.label else VGroup()
        if scale.label:
            self.label.next_to(frame, UP, buff=0.15)
        self.add(self.bar, frame, self.ticks, self.label)


__all__ = ["CELL", "ColourBar", "MatrixMobject", "NUMBER_CHARS", "cell_colors", "number_text", "same_number_size"]
