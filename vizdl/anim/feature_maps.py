"""Manim painter of the feature-maps view (:func:`vizdl.views.feature_maps.feature_maps_view`).

:class:`FeatureMapsDiagram` lays the input and each layer out as columns, left to right:
a header (name, what the layer is, its shape), the channels in a grid with their
indices, and a colour bar of the layer's scale underneath; arrows between the columns;
the prediction below. The whole diagram is fitted into an area, so any number of layers
and channels fits. Each map is drawn as coloured pixels, one ``VMobject`` per colour
level (a few dozen mobjects per map instead of one per pixel).
"""
from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    Arrow,
    FadeIn,
    GrowArrow,
    LaggedStart,
    Rectangle,
    VGroup,
    VMobject,
)

from vizdl.anim.matrix import number_text
from vizdl.anim.paint import text
from vizdl.anim.scene import fit_into
from vizdl.styles.theme import LIGHT

#: Colour levels of a drawn map (the figure's colour map sampled at the levels' centres).
LEVELS = 64
#: Box of one layer's channel grid before fitting (Manim units).
COLUMN_WIDTH, COLUMN_HEIGHT = 2.2, 3.6
HEADER_SIZE = 22
INDEX_SIZE = 16


def color_levels(values, scale, levels: int = LEVELS) -> np.ndarray:
    """Index (0 .. levels-1) of each value's colour level on ``scale``."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D map (H, W), got shape {values.shape}")
    return np.clip((scale.position(values) * levels).astype(int), 0, levels - 1)


def level_colors(scale, theme=LIGHT, levels: int = LEVELS) -> list:
    """Hex colour of each level: the scale's colour at the level's centre."""
    centres = scale.vmin + (np.arange(levels) + 0.5) / levels * (scale.vmax - scale.vmin)
    return theme.scale_colors(scale, centres)


def _squares(rows, cols, side: float) -> np.ndarray:
    """Bezier points of squares at ``(row, col)``: 4 straight cubic segments each."""
    x, y = cols * side, -rows * side
    corners = np.stack([np.stack([x, y], -1), np.stack([x + side, y], -1),
                        np.stack([x + side, y - side], -1), np.stack([x, y - side], -1)], 1)
    start, end = corners, np.roll(corners, -1, axis=1)
    t = np.array([0, 1 / 3, 2 / 3, 1])[:, None]
    points = (start[:, :, None] + (end - start)[:, :, None] * t).reshape(-1, 2)
    return np.column_stack([points, np.zeros(len(points))])


def map_image(grid, side: float, theme=LIGHT, levels: int = LEVELS) -> VGroup:
    """One map (a scale-coloured :class:`vizdl.views.Grid`) as coloured pixels and a border.

    The group keeps the numbers in ``values`` and each pixel's colour level in ``levels``.
    """
    steps = color_levels(grid.values, grid.scale, levels)
    colors = level_colors(grid.scale, theme, levels)
    h, w = steps.shape
    pixels = VGroup()
    for level in np.unique(steps):
        rows, cols = np.nonzero(steps == level)
        patch = VMobject(fill_color=colors[level], fill_opacity=1.0, stroke_width=0)
        patch.points = _squares(rows, cols, side)
        pixels.add(patch)
    border = Rectangle(width=w * side, height=h * side, stroke_color=theme.color("cell_stroke"), stroke_width=1.2)
    border.move_to([w * side / 2, -h * side / 2, 0])
    group = VGroup(pixels, border)
    group.values, group.levels = np.asarray(grid.values, dtype=float), steps
    return group


def grid_shape(count: int, map_shape=(1, 1), box=(COLUMN_WIDTH, COLUMN_HEIGHT), gap: float = 0.12) -> tuple:
    """``(rows, cols)`` of a layer's channel grid: the largest maps in ``box``, rows filled."""
    h, w = map_shape
    width, height = box

    def score(cols):
        rows = math.ceil(count / cols)
        side = min((width - gap * (cols - 1)) / (cols * w), (height - 1.5 * gap * (rows - 1)) / (rows * h))
        return round(side * math.sqrt(count / (rows * cols)), 6), -cols

    cols = max(range(1, count + 1), key=score)
    return math.ceil(count / cols), cols


class HorizontalBar(VGroup):
    """A horizontal colour bar of a scale with its limits written under its ends."""

    def __init__(self, scale, theme=LIGHT, *, width: float = 1.8, height: float = 0.14, steps: int = 48,
                 font_size: float = INDEX_SIZE, **kwargs):
        super().__init__(**kwargs)
        self.scale_view = scale
        band = width / steps
        centres = scale.vmin + (np.arange(steps) + 0.5) / steps * (scale.vmax - scale.vmin)
        # band k reaches from its own left edge to the right end; the next band covers the rest (no seams)
        self.bar = VGroup(*(Rectangle(width=width - k * band, height=height, stroke_width=0, fill_color=color,
                                      fill_opacity=1.0).move_to([(width + k * band) / 2 - width / 2, 0.0, 0.0])
                            for k, color in enumerate(theme.scale_colors(scale, centres))))
        frame = Rectangle(width=width, height=height, stroke_color=theme.color("cell_stroke"), stroke_width=1.0)
        values, texts = scale.ticks()
        self.ticks = VGroup(*(number_text(t, font_size, theme.color("ink")).next_to(
            [(v - scale.vmin) / (scale.vmax - scale.vmin) * width - width / 2, -height / 2, 0.0], DOWN, buff=0.06)
            for v, t in zip(values, texts)))
        self.add(self.bar, frame, self.ticks)


def _index(label, map_mobject, theme):
    """A channel's index above its map, at most 40 % of the map's height."""
    mobject = number_text(label.text, INDEX_SIZE, theme.color(label.role))
    if mobject.height > 0.4 * map_mobject.height:
        mobject.scale_to_fit_height(0.4 * map_mobject.height)
    return mobject.next_to(map_mobject, UP, buff=0.03)


def header(title, subtitles, theme=LIGHT) -> VGroup:
    """A column's header: its title, then the non-empty subtitles, centred."""
    lines = [text(title, theme, font_size=HEADER_SIZE)]
    lines += [text(s, theme, font_size=INDEX_SIZE + 2) for s in subtitles if s.text]
    return VGroup(*lines).arrange(DOWN, buff=0.08)


class LayerColumn(VGroup):
    """A header, the channel maps in a grid (each with its index) and the scale's colour bar.

    Attributes
    ----------
    header, channels, indices, bar : VGroup
    """

    def __init__(self, title, subtitles, grids, scale, theme=LIGHT, *, indices=(), width: float = COLUMN_WIDTH,
                 height: float = COLUMN_HEIGHT, **kwargs):
        super().__init__(**kwargs)
        self.header = header(title, subtitles, theme)
        gap = 0.12 if indices else 0.06
        h, w = grids[0].shape
        rows, cols = grid_shape(len(grids), (h, w), (width, height), gap)
        side = min((width - gap * (cols - 1)) / (cols * w), (height - 1.5 * gap * (rows - 1)) / (rows * h))
        self.channels = VGroup(*(map_image(g, side, theme) for g in grids))
        self.channels.arrange_in_grid(rows=rows, cols=cols, buff=(gap, gap + (0.16 if indices else 0.0)))
        self.indices = VGroup(*(_index(label, m, theme) for label, m in zip(indices, self.channels)))
        self.header.next_to(VGroup(self.channels, self.indices), UP, buff=0.2)
        self.bar = HorizontalBar(scale, theme, width=max(self.channels.width, 1.2))
        self.bar.next_to(self.channels, DOWN, buff=0.2)
        self.add(self.header, self.channels, self.indices, self.bar)


class FeatureMapsDiagram(VGroup):
    """Every column of a :class:`vizdl.views.feature_maps.FeatureMapsView`, laid out in an area.

    Parameters
    ----------
    view : FeatureMapsView
    theme : vizdl.styles.theme.Theme
    area : tuple
        ``(width, height, centre)``, e.g. ``scene.content_area()``.

    Attributes
    ----------
    input : LayerColumn
    columns : dict of str -> LayerColumn
        One per layer of the view (keyed by layer name), in order.
    arrows : list of Arrow
        ``arrows[i]`` leads into the ``i``-th layer.
    prediction : Mobject
    """

    def __init__(self, view, theme=LIGHT, *, area=(13.6, 5.9, (0.0, 0.0, 0.0)), **kwargs):
        super().__init__(**kwargs)
        self.view = view
        width, height, centre = area
        centre = np.asarray(centre, dtype=float)
        count = 1 + len(view.layers)
        widest = max(header(layer.title, [layer.description, layer.shape], theme).width for layer in view.layers)
        box = (max((width - 0.6 * (count - 1)) / count, widest), height - 2.0)  # one width: maps compare
        self.input = LayerColumn(view.input_title, [view.input_shape], [view.input], view.input.scale, theme,
                                 width=min(box[0], 2.0), height=min(box[1], 2.0))
        self.columns = {layer.id: LayerColumn(layer.title, [layer.description, layer.shape], layer.channels,
                                              layer.scale, theme, indices=layer.channel_labels, width=box[0],
                                              height=box[1])
                        for layer in view.layers}
        row = VGroup(self.input, *self.columns.values()).arrange(RIGHT, buff=0.6, aligned_edge=UP)
        for column in row:  # the channel grids share one middle line
            column.shift(UP * (row[0].channels.get_center()[1] - column.channels.get_center()[1]))
        self.prediction = text(view.prediction, theme)
        self.prediction.next_to(row, DOWN, buff=0.3)
        whole = VGroup(row, self.prediction)
        fit_into(whole, width, height, max_scale=1.3)
        whole.move_to(centre)
        self.arrows = [Arrow(a.channels.get_right(), b.channels.get_left(), buff=0.1, color=theme.color("ink"),
                             stroke_width=3, tip_length=0.16, max_tip_length_to_length_ratio=0.5,
                             max_stroke_width_to_length_ratio=20)
                       for a, b in pairwise(row)]
        self.add(row, self.prediction, *self.arrows)

    def reveal(self, step) -> list:
        """The animations of a story step: the input, a layer (arrow, header, channels, bar), the prediction."""
        if step.name == "input":
            return [FadeIn(self.input)]
        if step.name == "prediction":
            return [FadeIn(self.prediction, shift=UP * 0.2)]
        name = step.reveal[0]
        column = self.columns[name]
        arrow = self.arrows[list(self.columns).index(name)]
        pieces = [VGroup(m, i) for m, i in zip(column.channels, column.indices)] or list(column.channels)
        channels = LaggedStart(*(FadeIn(piece) for piece in pieces), lag_ratio=0.3)
        return [GrowArrow(arrow), FadeIn(column.header), channels, FadeIn(column.bar)]


__all__ = ["FeatureMapsDiagram", "HorizontalBar", "LayerColumn", "color_levels", "grid_shape", "level_colors",
           "map_image"]
