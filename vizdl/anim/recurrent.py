"""Manim painters of the recurrent-network views: the unrolled RNN and the LSTM / GRU cells.

:class:`UnrolledDiagram` paints :func:`vizdl.views.recurrent.unrolled_view` and
:class:`GatedCellDiagram` paints :func:`vizdl.views.gated.gated_view`, with the same
layout, strings and colours as :mod:`vizdl.figures.recurrent`. Both keep one mobject per
element id in ``elements`` (:class:`vizdl.anim.paint.Elements`), so a scene plays
``elements.reveal(step.reveal)`` for each step; the gated cell's step tables are built
on demand (:meth:`GatedCellDiagram.table`) because each replaces the previous one.
"""
from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    Rectangle,
    ReplacementTransform,
    VGroup,
)

from vizdl.anim.paint import FONT_SIZES, Elements, formula
from vizdl.anim.paint import text as tex_or_text
from vizdl.anim.typeset import typeset
from vizdl.styles.theme import LIGHT
from vizdl.views.recurrent import edge_id

#: Width of a number in its cell, at most (fraction of the cell width).
CELL_TEXT_FILL = 0.86
#: Width of a node's label, at most (fraction of the circle's diameter).
NODE_TEXT_FILL = 0.8
CELL_FONT = 24
#: The cell diagram is drawn in layout units and shrunk to fit the frame (about 0.7):
#: its equations and colour-bar texts are written larger so they read like the captions.
FORMULA_SIZE = 44
BAR_FONT = 30
#: MathTex reads smaller than text of the same font size (subscripts): symbols are drawn this much larger.
TEX_SCALE = 1.4


def text(label, theme=LIGHT, *, font_size: float | None = None):
    """A :class:`vizdl.views.Label`: MathTex for LaTeX, cached glyphs (:func:`vizdl.anim.typeset.typeset`) for text."""
    if label.tex:
        return tex_or_text(label, theme, font_size=font_size)
    return typeset(label.text, font_size or FONT_SIZES[label.size], theme.color(label.role))


def placed_labels(elements, labels, theme=LIGHT) -> None:
    """Add placed labels to ``elements``; LaTeX symbols (``h_t``, ``x_1``) :data:`TEX_SCALE` times larger."""
    for p in labels:
        size = FONT_SIZES[p.label.size] * (TEX_SCALE if p.label.tex else 1.0)
        elements.add(p.id, text(p.label, theme, font_size=size).move_to(np.array([p.x, p.y, 0.0])))


def grid_mobject(grid_at, theme=LIGHT, *, origin=(0.0, 0.0)) -> VGroup:
    """A placed grid (:class:`vizdl.views.recurrent.GridAt`): ``VGroup(cells, texts, title)``.

    Cells are filled from the grid's scale (or roles); numbers take their ink roles and
    shrink to fit their cells. ``origin`` shifts the grid (layout units).
    """
    grid = grid_at.grid
    colors = theme.scale_colors(grid.scale, grid.values.ravel()) if grid.scale is not None else None
    cells, texts = VGroup(), VGroup()
    for index, (row, col) in enumerate(np.ndindex(grid.shape)):
        x, y = grid_at.cell_center(row, col)
        center = np.array([x + origin[0], y + origin[1], 0.0])
        fill = colors[index] if colors is not None else theme.color(grid.roles[row, col])
        cells.add(Rectangle(width=grid_at.cell_width, height=grid_at.cell_height, fill_color=fill, fill_opacity=1.0,
                            stroke_color=theme.color("cell_stroke"), stroke_width=1.2).move_to(center))
        if grid.texts[row, col]:
            number = typeset(grid.texts[row, col], CELL_FONT, theme.color(grid.inks[row, col]))
            texts.add(_fit(number, CELL_TEXT_FILL * grid_at.cell_width, 0.7 * grid_at.cell_height).move_to(center))
    group = VGroup(cells, texts)
    if grid_at.title is not None:
        size = FONT_SIZES[grid_at.title.size] * (TEX_SCALE if grid_at.title.tex else 1.0)
        title = text(grid_at.title, theme, font_size=size).next_to(cells, UP, buff=0.12)
        group.add(title)
    group.cells, group.texts = cells, texts
    return group


def _fit(mobject, width: float, height: float):
    """Scale ``mobject`` down to fit ``width`` x ``height`` (never up)."""
    factor = min(width / mobject.width if mobject.width else 1.0, height / mobject.height if mobject.height else 1.0)
    return mobject.scale(factor) if factor < 1 else mobject


def fit_node_labels(elements, nodes) -> None:
    """Shrink node labels that overflow their circles (one size per circle size)."""
    for radius in {n.radius for n in nodes if n.radius and n.label is not None}:
        labels = [elements[n.id][1] for n in nodes if n.radius == radius and n.label is not None]
        factor = min(1.0, min(2 * NODE_TEXT_FILL * radius / max(m.width, 1e-9) for m in labels))
        for mobject in labels:
            mobject.scale(factor)


def scale_bar(scale, theme=LIGHT, *, width: float = 3.0, height: float = 0.22, stops: int = 16,
              font_size: float = FONT_SIZES["small"]) -> VGroup:
    """A horizontal colour bar of a :class:`vizdl.views.Scale`: one gradient-filled rectangle, ticks, label.

    The gradient has ``stops`` colours of the scale (Cairo draws it as one linear gradient).
    """
    colors = theme.scale_colors(scale, np.linspace(scale.vmin, scale.vmax, stops))
    bar = Rectangle(width=width, height=height, stroke_color=theme.color("ink"), stroke_width=1)
    bar.set_fill(colors, opacity=1.0).set_sheen_direction(RIGHT)
    ticks = VGroup()
    for value, label_text in zip(*scale.ticks()):
        x = bar.get_left()[0] + width * float(scale.position(value))
        ticks.add(typeset(label_text, font_size, theme.color("ink")).move_to(
            np.array([x, bar.get_bottom()[1] - 0.1 - font_size / 160, 0.0])))
    name = typeset(scale.label, font_size, theme.color("ink")).next_to(ticks, DOWN, buff=0.1)
    group = VGroup(bar, ticks, name)
    group.bar = bar
    return group


class UnrolledDiagram(VGroup):
    """Every element of a :class:`vizdl.views.recurrent.UnrolledView`, laid out, keyed by id.

    Parameters
    ----------
    view : UnrolledView
    theme : vizdl.styles.theme.Theme

    Attributes
    ----------
    elements : vizdl.anim.paint.Elements
        Nodes, ``edge-<s>-<t>``, placed labels, the grids ``h-<t>`` and ``scale``.
    """

    def __init__(self, view, theme=LIGHT, **kwargs):
        super().__init__(**kwargs)
        self.view = view
        elements = Elements(theme).add_nodes(view.nodes).add_edges(view.edges, view.nodes, edge_id=edge_id)
        fit_node_labels(elements, view.nodes)
        placed_labels(elements, view.labels, theme)
        for grid_at in view.grids:
            elements.add(grid_at.id, grid_mobject(grid_at, theme))
        layout = elements.group()
        bar = scale_bar(view.scale, theme)
        bar.move_to(layout.get_corner(UP + LEFT), aligned_edge=UP + LEFT)
        elements.add("scale", bar)
        self.elements = elements
        self.add(*elements.values())


class GatedCellDiagram(VGroup):
    """The cell diagram, equations and colour bars of a :class:`vizdl.views.gated.GatedCellView`.

    The diagram sits on the left with its equations under it, the step tables on the right
    (:meth:`table` builds the table of one time step at the table slot), the colour bars
    under the tables.

    Attributes
    ----------
    elements : vizdl.anim.paint.Elements
        Diagram nodes, ``edge-<s>-<t>``, labels, the formulas, ``prediction`` and ``bars``.
    slot : VGroup
        An invisible rectangle where the tables go.
    """

    def __init__(self, view, theme=LIGHT, **kwargs):
        super().__init__(**kwargs)
        self.view, self.theme = view, theme
        elements = Elements(theme).add_nodes(view.nodes).add_edges(view.edges, view.nodes, edge_id=edge_id)
        fit_node_labels(elements, view.nodes)
        placed_labels(elements, view.labels, theme)
        diagram = elements.group()
        placed_labels(elements, [view.prediction], theme)
        equations = VGroup(*(elements.add(key, formula(value, theme, font_size=FORMULA_SIZE), "formula")
                             for key, value in view.formulas.items()))
        equations.arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        _fit(equations, diagram.width, 100.0).next_to(diagram, DOWN, buff=0.5).align_to(diagram, LEFT)
        sample = self._table_group(view.tables[0])
        self._table_width = sample.width
        self.slot = Rectangle(width=sample.width, height=sample.height, stroke_opacity=0, fill_opacity=0)
        self.slot.next_to(diagram, RIGHT, buff=1.0).align_to(diagram, UP)
        bars = VGroup(*(scale_bar(view.scales[k], theme, width=2.2, font_size=BAR_FONT) for k in ("gate", "state", "cell")
                        if k in view.scales)).arrange(RIGHT, buff=0.5, aligned_edge=UP)
        _fit(bars, self.slot.width, 10.0)
        bars.next_to(self.slot, DOWN, buff=0.45)
        elements.add("bars", bars)
        self.elements = elements
        self.add(diagram, equations, self.slot, bars, elements["prediction"])

    def table(self, t: int) -> VGroup:
        """The table of time step ``t`` at the table slot (scaled like the diagram): header, columns, means."""
        group = self._table_group(self.view.table(t))
        return group.scale(self.slot.width / self._table_width).move_to(self.slot)

    def _table_group(self, table) -> VGroup:
        theme = self.theme
        columns = VGroup(*(grid_mobject(column, theme) for column in table.columns))
        means = VGroup(*(text(m.label, theme).move_to(np.array([m.x, m.y, 0.0])) for m in table.means))
        header = text(table.header, theme).next_to(columns, UP, buff=0.25)
        group = VGroup(header, columns, means)
        group.columns, group.means, group.header = columns, means, header
        return group


def table_change(old: VGroup, new: VGroup) -> list:
    """Animations from one step table to the next: cells recolour, numbers and titles swap.

    Afterwards the scene holds ``new``'s mobjects (``old``'s are gone), so the next change
    starts from ``new``.
    """
    animations = [ReplacementTransform(a.cells, b.cells) for a, b in zip(old.columns, new.columns)]
    animations += [FadeOut(old.header), FadeIn(new.header), FadeOut(old.means), FadeIn(new.means)]
    for a, b in zip(old.columns, new.columns):
        animations += [FadeOut(a.texts), FadeIn(b.texts)]
        if len(a) > 2:
            animations += [FadeOut(a[2]), FadeIn(b[2])]
    return animations


__all__ = ["GatedCellDiagram", "UnrolledDiagram", "fit_node_labels", "grid_mobject", "placed_labels", "scale_bar",
           "table_change"]
