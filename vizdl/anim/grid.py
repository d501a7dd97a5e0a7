"""Manim painter of a :class:`vizdl.views.Grid` (:class:`NumberGrid`), and cached glyph labels.

:class:`NumberGrid` is the building block of the convolution and pooling scenes, the
counterpart of :class:`vizdl.figures.grid.GridArtists`: square cells in row-major order,
filled with the theme colour of each cell's role, writing the grid's own strings (the
view formats them with :func:`vizdl.styles.theme.fmt`) in each cell's ink role. A cell's
role can change (:meth:`NumberGrid.fill_to`) and its text can be written later
(:meth:`NumberGrid.make_label`, :meth:`NumberGrid.set_label`).

``Text`` objects are costly to create and to copy (every animation copies its
mobject), so labels are plain ``VGroup`` s of glyph outlines, copied from one cached
rendering per string, size and colour.
"""
from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    DashedVMobject,
    Rectangle,
    Square,
    Text,
    Transform,
    VGroup,
    VMobject,
)

from vizdl.styles.theme import LIGHT

INK = LIGHT.color("ink")
FONT = "DejaVu Sans"

_TEXT_CACHE: dict[tuple, VMobject] = {}

#: Pango wraps a ``Text`` wider than the render's pixel width (a title at ``-ql`` or in a
#: 320-pixel test frame breaks into two lines, a glyph table into rows). vizdl lays its
#: texts out itself (:func:`vizdl.anim.scene.wrapped_text`, ``fit_width``), so Pango
#: renders them on a canvas this large, into a text folder of their own (manim caches the
#: SVG by string and font only, whatever the canvas it was rendered on).
ONE_LINE_CANVAS = (1 << 15, 1 << 12)
ONE_LINE_TEXT_DIR = "{media_dir}/texts/one-line"


def one_line_text(text: str, **kwargs) -> Text:
    """``Text(text, font=FONT, **kwargs)`` on one line, whatever the quality it is rendered at."""
    from manim import config

    saved = config.pixel_width, config.pixel_height, config.text_dir
    config.pixel_width, config.pixel_height = ONE_LINE_CANVAS
    config.text_dir = ONE_LINE_TEXT_DIR
    try:
        return Text(text, font=kwargs.pop("font", FONT), **kwargs)
    finally:
        config.pixel_width, config.pixel_height, config.text_dir = saved


def format_value(value: float, decimals: int = 2, min_decimals: int = 0) -> str:
    """Deprecated: use :func:`vizdl.styles.theme.fmt` (kept for ``anim.backprop`` and ``anim.network``
    until their topic moves to the theme; the convolution and pooling pictures no longer use it).

    Short string for a cell value: no trailing zeros (beyond ``min_decimals``), a true minus.

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


#: Widest a cell's number may be, as a fraction of the cell's side.
TEXT_WIDTH = 0.66

#: Texts are rendered once at this size, then copied, scaled and coloured.
REFERENCE_SIZE = 48.0


def label(text: str, font_size: float = 24, color: str = INK, *, merged: bool = False, scalable: bool = False):
    """Text as a plain ``VGroup`` of glyphs, copied from a cache keyed by string, size, colour.

    Looks like ``Text(text, font_size=font_size, color=color)`` but copies ~30x faster.
    The string is kept in the attribute ``text`` (tests read it).

    ``merged=True`` gives one ``VMobject`` holding every glyph's outline: manim draws it in
    one call, which makes long texts and many numbers much cheaper to animate.
    ``scalable=True`` renders each string once (at :data:`REFERENCE_SIZE`) and scales and
    colours copies, so a number at any size or colour costs one rendering (glyphs land a
    fraction of a pixel away from an exact-size rendering: use it for new pictures only).
    """
    if not scalable:
        key = (text, float(font_size), color, merged)
        if key not in _TEXT_CACHE:
            glyphs = _plain(one_line_text(text, font_size=font_size, color=color))
            _TEXT_CACHE[key] = _merge(glyphs).set_fill(color, opacity=1.0) if merged else glyphs
            _TEXT_CACHE[key].text = text
        return _TEXT_CACHE[key].copy()
    key = (text, REFERENCE_SIZE, None, merged)
    if key not in _TEXT_CACHE:
        plain = (text, REFERENCE_SIZE, None, False)
        if plain not in _TEXT_CACHE:
            _TEXT_CACHE[plain] = _plain(one_line_text(text, font_size=REFERENCE_SIZE, color=INK))
        _TEXT_CACHE[key] = _merge(_TEXT_CACHE[plain]) if merged else _TEXT_CACHE[plain]
    mobject = _TEXT_CACHE[key].copy()
    mobject.scale(float(font_size) / REFERENCE_SIZE).set_fill(color, opacity=1.0)
    mobject.text = text
    return mobject


def text_mobject(text: str, font_size: float = 24, color: str = INK):
    """A text as one merged, scalable glyph mobject (:func:`label` with ``merged`` and ``scalable``):
    cheap to build at any size and cheap for manim to draw."""
    return label(text, font_size, color, merged=True, scalable=True)


def _plain(text: Text) -> VGroup:
    glyphs = VGroup()
    for glyph in text.submobjects:
        outline = VMobject(fill_color=glyph.get_fill_color(), fill_opacity=1.0, stroke_width=0)
        outline.points = glyph.points.copy()
        glyphs.add(outline)
    return glyphs


def _merge(glyphs: VGroup) -> VMobject:
    """One VMobject whose subpaths are all the glyphs' outlines (same place)."""
    merged = VMobject(fill_color=INK, fill_opacity=1.0, stroke_width=0)
    points = [g.points for g in glyphs if len(g.points)]
    merged.points = np.concatenate(points) if points else np.zeros((0, 3))
    return merged


def fade_in_beneath(mobject):
    """Fade ``mobject`` in as an animation that keeps it beneath what the same play adds after it.

    manim adds the mobjects of "introducing" animations (``FadeIn``, ``Create``...) to the
    scene only when they begin, on top of everything; a ``Transform`` from a transparent copy
    is added in the order of the play's animations, so a cell's fill listed first stays
    beneath the number that arrives with it.
    """
    target = mobject.copy()
    mobject.set_opacity(0)
    return Transform(mobject, target)


class NumberGrid(VGroup):
    """A :class:`vizdl.views.Grid` as square cells with their texts.

    Parameters
    ----------
    grid : vizdl.views.Grid
    theme : vizdl.styles.theme.Theme
    cell_size : float
        Side of one cell in scene units.
    font_size : float, optional
        Label size; by default proportional to ``cell_size``. One size for the whole grid: when
        the widest of the grid's texts would be wider than :data:`TEXT_WIDTH` of a cell, every
        label shrinks with it (a "0" never stands larger than its "0.3" neighbours).
    texts : bool
        Write the grid's texts now (``False``: empty cells, written later).
    roles : str or array of str, optional
        Fill roles to start with instead of the grid's (e.g. ``"empty"`` for an output
        that fills in).

    Attributes
    ----------
    cells : VGroup of Square
    labels : VGroup
        The labels written so far.
    """

    def __init__(self, grid, theme=LIGHT, *, cell_size: float = 0.5, font_size: float | None = None,
                 texts: bool = True, roles=None, **kwargs):
        super().__init__(**kwargs)
        self.grid, self.theme = grid, theme
        self.cell_size = float(cell_size)
        self.font_size = self._fitting_size(font_size or 44 * self.cell_size)
        rows, cols = grid.shape
        self.cells = VGroup(*(self._cell(i, j, roles) for i in range(rows) for j in range(cols)))
        self.cells.move_to(np.zeros(3))
        self._labels = [[None] * cols for _ in range(rows)]
        self.labels = VGroup()
        self.add(self.cells, self.labels)
        if texts:
            for i, j in np.ndindex(grid.shape):
                if grid.texts[i, j]:
                    self.set_label(i, j, self.make_label(i, j))

    def _fitting_size(self, font_size: float) -> float:
        """``font_size``, reduced so that the widest of the grid's texts fits :data:`TEXT_WIDTH` of a cell."""
        texts = {t for t in np.ravel(self.grid.texts) if t}
        if not texts:
            return font_size
        widest = max(text_mobject(t, font_size).width for t in texts)
        return font_size * min(1.0, TEXT_WIDTH * self.cell_size / widest)

    @property
    def shape(self) -> tuple:
        """``(rows, cols)``."""
        return self.grid.shape

    @property
    def scale_factor(self) -> float:
        """How much the grid has been scaled since it was built."""
        return self.get_cell(0, 0).width / self.cell_size

    def role_color(self, i: int, j: int, role: str | None = None) -> str:
        """Colour of ``role`` (default: the grid's role of cell ``(i, j)``, or its value's on the scale)."""
        if role is not None:
            return self.theme.color(role)
        if self.grid.roles is None:
            return self.theme.scale_color(self.grid.scale, self.grid.values[i, j])
        return self.theme.color(self.grid.roles[i, j])

    def _cell(self, i, j, roles) -> Square:
        role = None if roles is None else (roles if isinstance(roles, str) else roles[i][j])
        cell = Square(self.cell_size, stroke_color=self.theme.color("cell_stroke"), stroke_width=1.5,
                      fill_color=self.role_color(i, j, role), fill_opacity=1.0)
        return cell.move_to(np.array([j * self.cell_size, -i * self.cell_size, 0.0]))

    def get_cell(self, i: int, j: int) -> Square:
        """The square of cell ``(i, j)``."""
        return self.cells[i * self.grid.shape[1] + j]

    def get_label(self, i: int, j: int):
        """The label of cell ``(i, j)`` (``None`` when empty)."""
        return self._labels[i][j]

    def make_label(self, i: int, j: int, text: str | None = None, ink: str | None = None) -> VGroup:
        """A label on cell ``(i, j)`` (not added): the grid's text, or ``text``, in its ink role (or ``ink``)."""
        text = self.grid.texts[i, j] if text is None else text
        color = self.theme.color(ink or self.grid.inks[i, j])
        cell = self.get_cell(i, j)
        mobject = text_mobject(text, self.font_size * self.scale_factor, color)
        if mobject.width > TEXT_WIDTH * cell.width:     # a margin on both sides, clear of thick outlines
            mobject.scale_to_fit_width(TEXT_WIDTH * cell.width)
        return mobject.move_to(cell.get_center())

    def set_label(self, i: int, j: int, mobject) -> VGroup:
        """Make ``mobject`` the label of cell ``(i, j)`` (replacing the old one) and return it."""
        old = self._labels[i][j]
        if old is not None:
            self.labels.remove(old)
        self._labels[i][j] = mobject
        self.labels.add(mobject)
        return mobject

    def overlay(self, i: int, j: int, role: str | None = None, text: str | None = None,
                ink: str | None = None) -> VGroup:
        """``VGroup(square, label)`` covering cell ``(i, j)``: ``role``'s fill (default: the cell's
        own role) under ``text`` (default: the grid's text; ``""``: no label) in ``ink``.

        Scenes change a cell by fading an overlay in over it rather than by changing the grid:
        manim then redraws only the overlay, not every mobject above the grid.
        """
        cell = self.get_cell(i, j)
        square = cell.copy().set_fill(self.role_color(i, j, role), opacity=1.0)
        text = self.grid.texts[i, j] if text is None else text
        group = VGroup(square, self.make_label(i, j, text, ink)) if text else VGroup(square)
        group.text = text
        group.role = role or (self.grid.roles[i, j] if self.grid.roles is not None else None)
        return group

    def fill_to(self, i: int, j: int, role: str | None = None):
        """An animation filling cell ``(i, j)`` with ``role``'s colour (default: its own role)."""
        return self.get_cell(i, j).animate.set_fill(self.role_color(i, j, role), opacity=1.0)

    def fill_now(self, i: int, j: int, role: str | None = None) -> None:
        """Fill cell ``(i, j)`` with ``role``'s colour at once."""
        self.get_cell(i, j).set_fill(self.role_color(i, j, role), opacity=1.0)

    def window(self, rows, cols, role: str = "window", stroke_width: float = 6, *, dashed: bool = False):
        """A rectangle around the block ``rows`` x ``cols`` (cell indices), in ``role``'s colour."""
        top_left = self.get_cell(min(rows), min(cols))
        bottom_right = self.get_cell(max(rows), max(cols))
        width = bottom_right.get_right()[0] - top_left.get_left()[0]
        height = top_left.get_top()[1] - bottom_right.get_bottom()[1]
        rect = Rectangle(width=width, height=height, stroke_color=self.theme.color(role), stroke_width=stroke_width)
        rect.move_to((top_left.get_corner(UP + LEFT) + bottom_right.get_corner(DOWN + RIGHT)) / 2)
        return DashedVMobject(rect, num_dashes=int(4 * (len(set(rows)) + len(set(cols))))) if dashed else rect

    def cell_marks(self, cells, role: str = "window", stroke_width: float = 4, inset: float = 0.1) -> VGroup:
        """Outlines just inside individual cells ``[(i, j), ...]``."""
        side = self.get_cell(0, 0).width * (1 - 2 * inset)
        return VGroup(*(Square(side, stroke_color=self.theme.color(role), stroke_width=stroke_width)
                        .move_to(self.get_cell(i, j).get_center()) for i, j in cells))


__all__ = ["FONT", "INK", "NumberGrid", "fade_in_beneath", "format_value", "label", "text_mobject"]
