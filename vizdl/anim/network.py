"""Manim painter of a network layout (:mod:`vizdl.views.network`): neurons, edges, labels, input image.

:class:`NetworkDiagram` builds the layout in layout units — one circle per drawn neuron,
one line per drawn edge (grey until a state colours it), the static labels (``x_i``,
sizes, ``⋮ +120``, ``#j``, classes, ``A_i``) and, for image data, the input image with
the drawn pixels outlined — plus one mobject group per set of numbers a story writes
(values in neurons, gradients under them), so that fitting the diagram into the frame
scales everything together. Colours come from the theme: edges from their
:class:`~vizdl.views.network.EdgeStyle` 's scale, neuron fills from their value set's
scale, texts from their labels' roles. Restyling many edges is one :class:`Restyle`
animation (no copies).
"""
from __future__ import annotations

import numpy as np
from manim import Animation, Circle, Line, Mobject, Rectangle, VGroup
from manim.utils.color import ManimColor, interpolate_color

from vizdl.anim.glyphs import number_label, text_label
from vizdl.anim.paint import FONT_SIZES
from vizdl.anim.paint import text as tex_or_glyphs
from vizdl.styles.theme import LIGHT
from vizdl.views.network import edge_id

#: Stroke width (manim units of the pixel-independent stroke) of an edge of relative width 1.
EDGE_STROKE = 2.2
#: Numbers written in a neuron fill at most this fraction of its diameter.
TEXT_FILL = 0.84
#: On-screen font sizes of the diagram's texts (manim units), whatever the diagram's scale; numbers in
#: neurons are also kept inside their circle, labels under neurons inside the gap.
SCREEN_SIZES = {"header": 30, "weights": 26, "info": 20, "class": 22, "index": 17, "hidden": 17, "value": 22,
                "grad": 20, "example": 20, "caption": 18}
#: Labels above the columns: laid out in screen units over a fitted diagram (:meth:`NetworkDiagram.place_headers`).
HEADER_KINDS = ("header", "info", "weights")
#: Screen height taken by the headers above the neurons.
HEADER_BAND = 0.85
#: Drawing layers. Manim re-renders, each frame of an animation, everything drawn above the
#: lowest animated mobject; so what never animates (decorations, panels, the title) sits
#: lowest and what animates most (edges, fills, numbers) highest.
Z = {"regions": -4, "static": -3, "formula": -2, "edges": -1, "caption": 0, "nodes": 1, "ring": 2, "label": 2,
     "number": 3}
#: Stroke width of the ring around the neurons of the ``x_{i-1}^T`` factor, and of the example edge.
RING_STROKE = 5.0
EXAMPLE_WIDTH = 2.5


class Restyle(Animation):
    """Move the stroke (colour, width, opacity) or fill colour of mobjects to target values.

    Unlike ``mobject.animate`` it copies nothing: the start style is read in
    :meth:`begin` and :meth:`interpolate_mobject` sets the blend, which keeps scenes
    with many edges fast.

    Parameters
    ----------
    mobjects : sequence of VMobject
    strokes : sequence of (color, width, opacity), optional
        Target stroke of each mobject.
    fills : sequence of color, optional
        Target fill colour of each mobject.
    """

    def __init__(self, mobjects, *, strokes=None, fills=None, **kwargs):
        self.items = list(mobjects)
        self.strokes = None if strokes is None else [(ManimColor(c), float(w), float(o)) for c, w, o in strokes]
        self.fills = None if fills is None else [ManimColor(c) for c in fills]
        super().__init__(VGroup(*self.items), **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return Mobject()

    def begin(self) -> None:
        self.start_strokes = [(m.get_stroke_color(), m.get_stroke_width(), m.get_stroke_opacity())
                              for m in self.items]
        self.start_fills = [m.get_fill_color() for m in self.items]
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        t = self.rate_func(alpha)
        for k, m in enumerate(self.items):
            if self.strokes is not None:
                (c0, w0, o0), (c1, w1, o1) = self.start_strokes[k], self.strokes[k]
                m.set_stroke(color=interpolate_color(c0, c1, t), width=w0 + (w1 - w0) * t,
                             opacity=o0 + (o1 - o0) * t)
            if self.fills is not None:
                m.set_fill(color=interpolate_color(self.start_fills[k], self.fills[k], t))


class Fade(Animation):
    """Fade mobjects in (added first) or out (removed after) by their opacities, without copying them.

    ``FadeIn``/``FadeOut`` copy the whole mobject and interpolate its points; a story that
    fades hundreds of glyphs in and out per beat only needs the opacities.

    Parameters
    ----------
    *mobjects : Mobject
    into : bool
        ``True`` to fade in (the mobjects are added one by one), ``False`` to fade out (they
        are removed one by one afterwards, their opacities restored).
    """

    def __init__(self, *mobjects, into: bool = True, **kwargs):
        self.members = list(mobjects)
        self.into = into
        super().__init__(VGroup(*mobjects), introducer=into, remover=not into, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return Mobject()

    def _setup_scene(self, scene) -> None:
        if scene is not None and self.into:
            scene.add(*self.members)

    def begin(self) -> None:
        self.parts = [m for member in self.members for m in member.family_members_with_points()]
        for m in self.parts:
            if not hasattr(m, "vizdl_opacity"):
                m.vizdl_opacity = (m.get_fill_opacity(), m.get_stroke_opacity())
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        t = self.rate_func(alpha)
        k = t if self.into else 1.0 - t
        for m in self.parts:
            fill, stroke = m.vizdl_opacity
            m.set_fill(opacity=fill * k, family=False)
            m.set_stroke(opacity=stroke * k, family=False)

    def clean_up_from_scene(self, scene) -> None:
        if not self.into:
            scene.remove(*self.members)
            self.interpolate_mobject(0.0)  # opacities back, ready for a later fade-in


def fade_in(*mobjects) -> Fade:
    """:class:`Fade` in."""
    return Fade(*mobjects, into=True)


def fade_out(*mobjects) -> Fade:
    """:class:`Fade` out."""
    return Fade(*mobjects, into=False)


class NetworkDiagram(VGroup):
    """The mobjects of a :class:`vizdl.views.network.NetworkLayout` (and of a story's number sets).

    Parameters
    ----------
    layout : NetworkLayout
    theme : vizdl.styles.theme.Theme
    value_sets : dict of str -> NeuronValues, optional
        Number sets to prepare (each becomes a group in :attr:`values`).
    grad_sets : dict of str -> tuple of Placed, optional
        Gradient label sets (groups in :attr:`grads`).

    Attributes
    ----------
    nodes : dict
        Node id -> Circle.
    lines : dict
        Edge id -> Line (grey at first).
    statics : dict
        Label id -> mobject (``header-<i>``, ``info-<i>``, ``class-<j>``, ``weights-<i>``...).
    image : VGroup or None
        The input image, its outlined pixels and caption.
    values, grads : dict
        Key -> VGroup of the texts of a number set (not part of the diagram until added).
    rings : dict
        Layer -> VGroup of rings around its neurons (role ``"value"``).
    """

    def __init__(self, layout, theme=LIGHT, *, value_sets=None, grad_sets=None, **kwargs):
        super().__init__(**kwargs)
        self.layout, self.theme = layout, theme
        self.lines = {edge_id(e): self._line(e) for e in layout.edges}
        self.nodes = {n.id: Circle(n.radius, stroke_color=theme.color("ink"), stroke_width=2.5,
                                   fill_color=theme.color("background"), fill_opacity=1).move_to([n.x, n.y, 0])
                      for n in layout.nodes}
        self.statics = {p.id: self._static(p) for p in layout.labels}
        self.image = _image(layout.image, theme) if layout.image is not None else None
        self.values = {k: self._texts(v.labels, inside=True) for k, v in (value_sets or {}).items()}
        self.fills = {k: [(f"n{p.id.removeprefix('value-')}", c) for p, c in
                          zip(v.labels, theme.scale_colors(v.scale, v.values))] for k, v in (value_sets or {}).items()}
        self.grads = {k: self._texts(g) for k, g in (grad_sets or {}).items()}
        self.rings = {c.index: VGroup(*(Circle(layout.radius * 1.22, stroke_color=theme.color("value"),
                                               stroke_width=RING_STROKE).move_to(self.nodes[f"n{c.index}.{j}"])
                                        for j in c.shown)).set_z_index(Z["ring"]) for c in layout.columns}
        self.edge_group = VGroup(*self.lines.values())
        self.edge_group.set_z_index(Z["edges"])
        self.node_group = VGroup(*self.nodes.values()).set_z_index(Z["nodes"])
        self.add(self.edge_group, self.node_group, *self.statics.values())
        if self.image is not None:
            self.add(self.image)
        # number sets and rings are transformed with the diagram but added to a scene one by one
        self.extras = VGroup(*self.values.values(), *self.grads.values(), *self.rings.values())
        #: What a fit scales (the headers above the columns are placed in screen units afterwards).
        self.body = VGroup(self.edge_group, self.node_group, self.extras,
                           *(m for m in self.statics.values() if m.vizdl_kind not in HEADER_KINDS))
        if self.image is not None:
            self.body.add(self.image)

    def _line(self, edge) -> Line:
        a, b = self.layout.node(edge.source), self.layout.node(edge.target)
        return Line([a.x, a.y, 0], [b.x, b.y, 0], stroke_color=self.theme.color(edge.role),
                    stroke_width=EDGE_STROKE * edge.width, stroke_opacity=edge.opacity)

    def _static(self, placed) -> Mobject:
        mobject = _tagged(text(placed.label, self.theme), placed.id.split("-")[0], FONT_SIZES[placed.label.size])
        mobject.vizdl_id = placed.id
        mobject.vizdl_align = (np.array([-1.0, 0, 0]) if placed.id.startswith("class-") else
                               np.array([1.0, 0, 0]) if placed.id.startswith(("index-", "hidden-")) else None)
        if placed.id.startswith("ellipsis-"):
            mobject.scale_to_fit_height(self.layout.radius * 1.6)
        else:
            mobject.scale(_label_scale(self.layout.radius))
        mobject.move_to([placed.x, placed.y, 0])
        if mobject.vizdl_align is not None:
            mobject.align_to([placed.x, 0, 0], mobject.vizdl_align)
        near_edges = placed.id.startswith(("index-", "hidden-", "ellipsis-", "example"))
        return mobject.set_z_index(Z["label"] if near_edges else Z["static"])

    def _texts(self, placed, *, inside: bool = False) -> VGroup:
        group = VGroup()
        kind = "value" if inside else "grad"
        for p in placed:
            size = FONT_SIZES[p.label.size]
            mobject = _tagged(number_label(p.label.text, size, self.theme.color(p.label.role)), kind, size)
            mobject.scale(_label_scale(self.layout.radius))
            if inside and mobject.width > 2 * self.layout.radius * TEXT_FILL:
                mobject.scale_to_fit_width(2 * self.layout.radius * TEXT_FILL)
            group.add(mobject.move_to([p.x, p.y, 0]))
        group.texts = [p.label.text for p in placed]
        return group.set_z_index(Z["number"])

    def texts(self, extra=()) -> list:
        """Every text mobject of the diagram (statics, number sets, the image caption) and ``extra``."""
        items = [*self.statics.values(), *extra]
        items += [m for g in [*self.values.values(), *self.grads.values()] for m in g]
        return items + ([self.image.caption] if self.image is not None else [])

    def resize_texts(self, unit: float, extra=()) -> None:
        """After :attr:`body` was scaled by ``unit``: give each text its :data:`SCREEN_SIZES` size.

        Each text is capped by the room it has (numbers inside their circles, labels under a
        neuron inside the gap to the next, ``#j`` and ``+n`` beside the neuron, classes
        within a row) and scaled about its anchor (left edge of class labels, right edge
        of ``#j``). Sizes are absolute, so calling it again after another fit is safe.
        """
        diameter = 2 * self.layout.radius * unit
        pitch = _neuron_gap(self.layout) * unit
        gap = pitch - diameter
        side = 0.3 * (_column_gap(self.layout) * unit - diameter)
        room = {"value": (TEXT_FILL * diameter, 0.42 * diameter), "grad": (None, 0.6 * gap),
                "index": (side, 0.32 * pitch), "hidden": (side, 0.45 * pitch), "class": (None, 0.6 * pitch),
                "example": (None, 0.45 * pitch), "caption": (self.image[1].width if self.image else None, None),
                "ellipsis": (None, 0.8 * pitch)}
        for mobject in self.texts(extra):
            kind = getattr(mobject, "vizdl_kind", None)
            if kind not in room:
                continue
            width, height = room[kind]
            target = _height_of(SCREEN_SIZES.get(kind, 24), mobject) if kind != "ellipsis" else height
            if height is not None:
                target = min(target, height)
            if width is not None and mobject.width:
                target = min(target, width / mobject.width * mobject.height)
            _scale_about(mobject, target / mobject.height, getattr(mobject, "vizdl_align", None))

    def place_headers(self, extra=()) -> None:
        """Put ``x_i``, the layer info and ``A_i`` above the fitted neurons, in screen units.

        Sizes follow :data:`SCREEN_SIZES`, shrunk to the columns' spacing so neighbours never
        overlap.
        """
        columns = self.layout.columns
        xs = [self.nodes[f"n{c.index}.{c.shown[0]}"].get_x() for c in columns]
        spacing = min(np.diff(xs)) if len(xs) > 1 else 3.0
        top = self.node_group.get_top()[1]
        rows = {"info": top + 0.28, "header": top + 0.68, "weights": top + 0.68}
        for mobject in [*self.statics.values(), *extra]:
            kind = getattr(mobject, "vizdl_kind", None)
            if kind not in HEADER_KINDS:
                continue
            index = int(mobject.vizdl_id.split("-")[1])
            width = 0.92 * spacing if kind == "info" else 0.45 * spacing
            mobject.scale_to_fit_height(_height_of(SCREEN_SIZES[kind], mobject))
            if mobject.width > width:
                mobject.scale_to_fit_width(width)
            x = xs[index] if kind != "weights" else (xs[index - 1] + xs[index]) / 2
            mobject.move_to([x, rows[kind], 0])

    # -- what a state looks like -------------------------------------------------------------
    def layer_lines(self, layer: int) -> list:
        """The lines of layer ``layer`` (order of ``layout.layer_edges``)."""
        return [self.lines[edge_id(e)] for e in self.layout.layer_edges(layer)]

    def strokes(self, layer: int, style=None, *, unit: float = 1.0) -> list:
        """``(color, width, opacity)`` of each line of ``layer`` under ``style`` (grey when ``None``).

        ``unit`` multiplies the widths (the diagram's scale, since strokes do not scale).
        """
        if style is None:
            return [(self.theme.color(e.role), EDGE_STROKE * e.width * unit, e.opacity)
                    for e in self.layout.layer_edges(layer)]
        colors = self.theme.scale_colors(style.scale, style.values)
        return [(c, EDGE_STROKE * e.width * unit, e.opacity) for c, e in zip(colors, style.edges)]

    def fill_colors(self, layer: int, key=None) -> list:
        """``(circle, colour)`` of the drawn neurons of ``layer`` for number set ``key`` (background if none)."""
        if key is None:
            return [(self.nodes[f"n{layer}.{j}"], self.theme.color("background"))
                    for j in self.layout.columns[layer].shown]
        return [(self.nodes[n], c) for n, c in self.fills[key]]


def text(label, theme=LIGHT, *, font_size: float | None = None) -> Mobject:
    """A :class:`vizdl.views.Label`: MathTex for LaTeX, else glyphs composed from the cache (fast)."""
    if label.tex:
        return tex_or_glyphs(label, theme, font_size=font_size)
    return text_label(label.text, font_size or FONT_SIZES[label.size], theme.color(label.role))


def _scale_about(mobject, factor: float, align) -> None:
    """Scale about the centre, or about the right edge (``align`` points right) or the left edge."""
    if align is None:
        mobject.scale(factor)
    else:
        mobject.scale(factor, about_point=mobject.get_right() if align[0] > 0 else mobject.get_left())


def _tagged(mobject, kind: str, font_size: float):
    """Remember what a text is and how tall it is per unit of font size (before any scaling)."""
    mobject.vizdl_kind, mobject.vizdl_size = kind, font_size
    mobject.vizdl_height = mobject.height / font_size if mobject.height else 0.0
    return mobject


def _height_of(font_size: float, mobject) -> float:
    """Screen height of ``mobject``'s text at ``font_size`` (manim units)."""
    return mobject.vizdl_height * font_size


def _column_gap(layout) -> float:
    """Horizontal distance between neighbouring columns (layout units)."""
    xs = [c.x for c in layout.columns]
    return min(np.diff(xs)) if len(xs) > 1 else 3.0


def _neuron_gap(layout) -> float:
    """Vertical distance between neighbouring neurons of a column (layout units)."""
    ys = sorted({round(n.y, 6) for n in layout.nodes if n.x == layout.nodes[0].x})
    return min(np.diff(ys)) if len(ys) > 1 else 4 * layout.radius


def _label_scale(radius: float) -> float:
    """Texts are built at manim font sizes (frame 8 units high); layouts use neurons of ``radius``.

    Scales a body-size text so that it is about as tall as 0.6 of a neuron radius... times the
    layout's own unit: 1 for the default radius.
    """
    return radius / 0.36 * 0.55


def _image(panel, theme) -> VGroup:
    """The input image as one rectangle per pixel, the drawn pixels outlined, the caption below."""
    rows, cols = panel.grid.shape
    w, h = panel.width / cols, panel.height / rows
    colors = np.array(theme.scale_colors(panel.grid.scale, panel.grid.values.ravel())).reshape(rows, cols)
    pixels = VGroup(*(Rectangle(width=w + 0.002, height=h + 0.002, stroke_width=0, fill_color=colors[r, c],
                                fill_opacity=1).move_to([*panel.cell_center(r, c), 0])
                      for r in range(rows) for c in range(cols)))
    border = Rectangle(width=panel.width, height=panel.height, stroke_color=theme.color("ink"),
                       stroke_width=1.5).move_to([panel.x, panel.y, 0])
    marks = VGroup(*(Rectangle(width=w, height=h, stroke_color=theme.color("value"), stroke_width=2.5)
                     .move_to([*panel.cell_center(r, c), 0]) for r, c, _ in panel.marked))
    caption = _tagged(text(panel.caption, theme), "caption", 24).scale(0.55)
    caption.next_to(border, np.array([0.0, -1.0, 0]), buff=0.15)
    group = VGroup(pixels, border, marks, caption).set_z_index(Z["static"])
    group.pixels, group.marks, group.caption = pixels, marks, caption
    return group


__all__ = ["EDGE_STROKE", "Fade", "NetworkDiagram", "Restyle", "Z", "fade_in", "fade_out", "text"]
