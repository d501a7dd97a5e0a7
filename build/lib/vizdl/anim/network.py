"""An MLP drawn as Manim mobjects: neurons in columns, edges coloured by weight.

The notes' "LAST LAYER" convention: red edges for positive ``A_i`` entries, blue for
negative, and an edge's opacity proportional to the value of the neuron it leaves.
:func:`edge_styles` reads those colours and opacities from :func:`vizdl.ops.network.edge_set`
(the same data as the Matplotlib network figure; tested without rendering); :class:`NetworkDiagram` owns the circles and lines and returns
animations that restyle them or write numbers next to the neurons.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, ORIGIN, Animation, Circle, Line, Mobject, VGroup
from manim.utils.color import ManimColor, interpolate_color

from vizdl.anim.grid import INK, format_value, label
from vizdl.ops.network import MIN_OPACITY
from vizdl.styles.colors import symmetric_limit, weight_color

EDGE_GREY = "#bbbbbb"
NEURON_FILL = "#ffffff"
MAX_EDGE_WIDTH = 7.0


def edge_styles(weight, prev_values=None) -> dict:
    """Colours, opacities and widths of the edges of one layer (conventions of :mod:`vizdl.ops.network`).

    Parameters
    ----------
    weight : array_like, shape (k_i, k_{i-1})
        ``A_i`` (or a gradient ``dl/dA_i``): red positive, blue negative, white zero, on
        symmetric limits ``max |weight|``.
    prev_values : array_like, shape (k_{i-1},), optional
        ``x_{i-1}``: an edge's opacity is ``|x_{i-1}^j| / max |x_{i-1}|`` (at least
        ``MIN_OPACITY``); all opaque when omitted.

    Returns
    -------
    dict
        ``"color"`` (array of hex strings), ``"opacity"`` and ``"width"`` (float arrays),
        each of shape ``(k_i, k_{i-1})``, indexed like ``A_i``.
    """
    from vizdl.ops.network import edge_set

    weight = np.asarray(weight, dtype=float)
    if weight.ndim != 2:
        raise ValueError(f"weight: expected a 2-D matrix (k_i, k_(i-1)), got shape {weight.shape}")
    prev = np.ones(weight.shape[1]) if prev_values is None else np.asarray(prev_values, dtype=float).ravel()
    if prev.shape != (weight.shape[1],):
        raise ValueError(f"prev_values: shape {prev.shape} does not match weight columns {weight.shape[1]}")
    edges = edge_set(0, weight, prev, np.arange(weight.shape[1]), np.arange(weight.shape[0]))
    shape = weight.shape
    return {"color": np.asarray(edges.color).reshape(shape), "opacity": edges.opacity.reshape(shape),
            "width": 1.0 + (MAX_EDGE_WIDTH - 1.0) * edges.strength.reshape(shape)}


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


def neuron_fill(values, limit=None) -> list:
    """Fill colour of each neuron from its value (diverging map, symmetric limit)."""
    values = np.asarray(values, dtype=float).ravel()
    limit = symmetric_limit(values) if limit is None else float(limit)
    return [weight_color(v, limit) for v in values]


class NetworkDiagram(VGroup):
    """Columns of neurons joined by every edge of a dense network.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, input first (e.g. ``(2, 4, 4, 2)``).
    layer_gap, neuron_gap : float
        Horizontal distance between layers and vertical distance between neurons.
    radius : float
        Neuron radius.
    center : array_like
        Position of the diagram's centre.

    Attributes
    ----------
    neurons : list of VGroup
        ``neurons[i][j]`` is the circle of neuron ``j`` of ``x_i``.
    edges : list of list of list of Line
        ``edges[i][r][c]`` joins ``x_{i-1}^c`` to ``x_i^r`` (``edges[0]`` is empty), so the
        indices match ``A_i[r, c]``.
    """

    def __init__(self, sizes, *, layer_gap: float = 2.4, neuron_gap: float = 1.15,
                 radius: float = 0.32, center=ORIGIN, **kwargs):
        super().__init__(**kwargs)
        self.sizes = tuple(int(s) for s in sizes)
        if len(self.sizes) < 2 or min(self.sizes) < 1:
            raise ValueError(f"sizes: need at least two layers of >= 1 neuron, got {sizes!r}")
        self.radius = radius
        self.neurons = [self._column(i, n, layer_gap, neuron_gap) for i, n in enumerate(self.sizes)]
        self.edges = [[]] + [self._edges(i) for i in range(1, len(self.sizes))]
        self.add(*(line for layer in self.edges for row in layer for line in row), *self.neurons)
        self.move_to(center)

    def _column(self, i, n, layer_gap, neuron_gap) -> VGroup:
        x = (i - (len(self.sizes) - 1) / 2) * layer_gap
        return VGroup(*(Circle(self.radius, stroke_color=INK, stroke_width=2.5, fill_color=NEURON_FILL,
                               fill_opacity=1).move_to([x, ((n - 1) / 2 - j) * neuron_gap, 0])
                        for j in range(n))).set_z_index(1)

    def _edges(self, i) -> list:
        return [[Line(a.get_right(), b.get_left(), stroke_color=EDGE_GREY, stroke_width=2)
                 for a in self.neurons[i - 1]] for b in self.neurons[i]]

    def edge_lines(self, i: int) -> list:
        """The lines of layer ``i`` (``A_i``), row-major like ``A_i``."""
        return [line for row in self.edges[i] for line in row]

    def style_edges(self, i: int, weight, prev_values=None) -> list:
        """``[Restyle]`` taking layer ``i``'s edges to :func:`edge_styles`."""
        style = edge_styles(weight, prev_values)
        strokes = zip(style["color"].ravel(), style["width"].ravel(), style["opacity"].ravel())
        return [Restyle(self.edge_lines(i), strokes=list(strokes))]

    def apply_edge_style(self, i: int, weight, prev_values=None) -> None:
        """Restyle layer ``i``'s edges at once (no animation)."""
        style = edge_styles(weight, prev_values)
        for r, row in enumerate(self.edges[i]):
            for c, line in enumerate(row):
                line.set_stroke(color=style["color"][r, c], width=style["width"][r, c],
                                opacity=style["opacity"][r, c])

    def fill_neurons(self, i: int, values, *, limit=None) -> list:
        """``[Restyle]`` filling layer ``i``'s circles by value (red +, blue -)."""
        return [Restyle(self.neurons[i], fills=neuron_fill(values, limit))]

    def value_labels(self, i: int, values, *, color: str = INK, font_size: float = 20,
                     decimals: int = 2) -> VGroup:
        """Numbers written on layer ``i``'s neurons (not added to the diagram)."""
        return VGroup(*(self._fit(label(format_value(v, decimals), font_size, color)).move_to(c)
                        for v, c in zip(np.ravel(values), self.neurons[i]))).set_z_index(2)

    def side_labels(self, i: int, values, *, color: str, direction=DOWN, font_size: float = 18,
                    decimals: int = 2) -> VGroup:
        """Numbers next to layer ``i``'s neurons (e.g. ``dl/dx_i`` below them)."""
        return VGroup(*(label(format_value(v, decimals), font_size, color).next_to(c, direction, buff=0.06)
                        for v, c in zip(np.ravel(values), self.neurons[i]))).set_z_index(2)

    def _fit(self, text):
        if text.width > 1.7 * self.radius:
            text.scale_to_fit_width(1.7 * self.radius)
        return text


__all__ = ["NetworkDiagram", "Restyle", "edge_styles", "neuron_fill", "EDGE_GREY", "MIN_OPACITY"]
