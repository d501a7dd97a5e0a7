"""Manim painters of view elements: labels, formulas, nodes, edges, placed labels.

Every colour comes from a :class:`vizdl.styles.theme.Theme` through the element's role,
every string from the view (views format numbers with :func:`vizdl.styles.theme.fmt`),
so a scene shows what the figure of the same view shows.

:class:`Elements` keeps one mobject per element id and turns a step's ``reveal`` ids
into animations, which is all a story-driven scene needs::

    elements = Elements(theme)
    elements.add_nodes(view.nodes); elements.add_edges(view.edges, view.nodes)
    for step in view.story:
        scene.play(*elements.reveal(step.reveal))
"""
from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    UP,
    Arrow,
    Circle,
    Create,
    FadeIn,
    GrowFromCenter,
    Line,
    MathTex,
    Mobject,
    Rectangle,
    VGroup,
    Write,
)

from vizdl.anim.grid import label as glyphs
from vizdl.styles.theme import LIGHT

#: Font sizes of the view sizes (Manim units; the frame is 8 units high).
FONT_SIZES = {"title": 34, "body": 28, "small": 24}


def text(label, theme=LIGHT, *, font_size: float | None = None) -> Mobject:
    """A :class:`vizdl.views.Label` as a mobject: glyphs for text, MathTex for LaTeX."""
    size = font_size or FONT_SIZES[label.size]
    color = theme.color(label.role)
    if label.tex:
        return MathTex(label.text, color=color, font_size=size)
    return glyphs(label.text, size, color)


def formula(formula_view, theme=LIGHT, *, font_size: float | None = None, max_width: float | None = None) -> MathTex:
    """A :class:`vizdl.views.Formula` as one MathTex whose parts take their roles' colours."""
    size = font_size or FONT_SIZES[formula_view.size]
    tex = MathTex(*(part.text for part in formula_view.parts), font_size=size, color=theme.color("ink"))
    for part, mobject in zip(formula_view.parts, tex.submobjects):
        mobject.set_color(theme.color(part.role))
    if max_width is not None and tex.width > max_width:
        tex.scale_to_fit_width(max_width)
    return tex


def node(node_view, theme=LIGHT, *, scale: float = 1.0) -> VGroup:
    """A circle filled with the node's role, its label inside (empty group for ``radius=0``)."""
    center = np.array([node_view.x, node_view.y, 0.0]) * scale
    if node_view.radius == 0:
        return VGroup().move_to(center)
    circle = Circle(node_view.radius * scale, stroke_color=theme.color("ink"), stroke_width=3,
                    fill_color=theme.color(node_view.role), fill_opacity=1).move_to(center)
    group = VGroup(circle)
    if node_view.label is not None:
        group.add(text(node_view.label, theme).move_to(circle))
    return group


def edge_points(edge_view, nodes: dict, *, scale: float = 1.0) -> tuple:
    """Start and end of an edge: from the source circle's rim to the target circle's rim."""
    source, target = nodes[edge_view.source], nodes[edge_view.target]
    start = np.array([source.x, source.y, 0.0]) * scale
    end = np.array([target.x, target.y, 0.0]) * scale
    direction = (end - start) / np.linalg.norm(end - start)
    return start + direction * source.radius * scale, end - direction * target.radius * scale


def edge(edge_view, nodes: dict, theme=LIGHT, *, scale: float = 1.0, stroke_width: float = 3.0):
    """An Arrow (or Line) coloured by the edge's role, with its opacity and relative width."""
    start, end = edge_points(edge_view, nodes, scale=scale)
    style = dict(color=theme.color(edge_view.role), stroke_width=stroke_width * edge_view.width,
                 stroke_opacity=edge_view.opacity)
    if edge_view.arrow:
        return Arrow(start, end, buff=0.0, max_tip_length_to_length_ratio=0.12, tip_length=0.2 * scale, **style)
    return Line(start, end, **style)


def placed(placed_view, theme=LIGHT, *, scale: float = 1.0) -> Mobject:
    """A :class:`vizdl.views.Placed` label at its position."""
    return text(placed_view.label, theme).move_to(np.array([placed_view.x, placed_view.y, 0.0]) * scale)


def scale_bar(scale, theme=LIGHT, *, width: float = 2.6, height: float = 0.18, steps: int = 32,
              font_size: float = 20) -> VGroup:
    """A horizontal colour bar of a :class:`vizdl.views.Scale`: the colours, its ticks and its label.

    The group's ``text`` attribute holds the label; ``ticks`` the tick texts (tests read them).
    """
    import numpy as np

    values = np.linspace(scale.vmin, scale.vmax, steps)
    colors = theme.scale_colors(scale, values)
    bar = VGroup(*(Rectangle(width=width / steps + 0.005, height=height, stroke_width=0, fill_color=c,
                             fill_opacity=1).move_to([(k + 0.5) * width / steps - width / 2, 0, 0])
                   for k, c in enumerate(colors)))
    outline = Rectangle(width=width, height=height, stroke_color=theme.color("ink"), stroke_width=1)
    tick_values, tick_texts = scale.ticks()
    ticks = VGroup(*(glyphs(t, font_size, theme.color("ink")).next_to(
        [(v - scale.vmin) / (scale.vmax - scale.vmin) * width - width / 2, -height / 2, 0], DOWN, buff=0.06)
        for v, t in zip(tick_values, tick_texts)))
    group = VGroup(bar, outline, ticks)
    if scale.label:
        group.add(glyphs(scale.label, font_size, theme.color("ink")).next_to(outline, UP, buff=0.08))
    group.text, group.ticks = scale.label, list(tick_texts)
    return group


class Elements(dict):
    """``element id -> mobject`` of one view, and the animations that reveal them.

    Parameters
    ----------
    theme : Theme
    scale : float
        Manim units per layout unit.
    """

    def __init__(self, theme=LIGHT, *, scale: float = 1.0):
        super().__init__()
        self.theme, self.scale = theme, scale
        self._kinds: dict = {}

    def _put(self, element_id: str, mobject, kind: str):
        if element_id in self:
            raise ValueError(f"element id {element_id!r} is used twice")
        self[element_id], self._kinds[element_id] = mobject, kind
        return mobject

    def add_nodes(self, nodes) -> "Elements":
        """Add circle mobjects for ``nodes`` (ids: the node ids)."""
        for n in nodes:
            self._put(n.id, node(n, self.theme, scale=self.scale), "node")
        return self

    def add_edges(self, edges, nodes, *, edge_id=lambda e: f"edge-{e.source}-{e.target}") -> "Elements":
        """Add arrows for ``edges`` between ``nodes`` (ids: ``edge_id(edge)``)."""
        by_id = {n.id: n for n in nodes}
        for e in edges:
            self._put(edge_id(e), edge(e, by_id, self.theme, scale=self.scale), "edge")
        return self

    def add_placed(self, labels) -> "Elements":
        """Add placed labels (ids: their ids)."""
        for p in labels:
            self._put(p.id, placed(p, self.theme, scale=self.scale), "label")
        return self

    def add(self, element_id: str, mobject, kind: str = "label") -> Mobject:
        """Add any mobject under ``element_id`` (``kind``: ``node``, ``edge``, ``label``, ``formula``)."""
        return self._put(element_id, mobject, kind)

    def group(self, ids=None) -> VGroup:
        """The mobjects of ``ids`` (all by default) in one group."""
        return VGroup(*(self[i] for i in (self if ids is None else ids)))

    def reveal(self, ids) -> list:
        """Animations that make ``ids`` appear: nodes grow, edges are drawn, formulas written."""
        animations = []
        for element_id in ids:
            if element_id not in self:
                raise KeyError(f"no element {element_id!r} to reveal; known: {', '.join(sorted(self))}")
            mobject, kind = self[element_id], self._kinds[element_id]
            if not mobject.submobjects and not len(mobject.points):
                continue  # an invisible anchor
            animations.append({"node": GrowFromCenter, "edge": Create, "formula": Write}.get(kind, FadeIn)(mobject))
        return animations


__all__ = ["Elements", "FONT_SIZES", "edge", "edge_points", "formula", "node", "placed", "scale_bar", "text"]
