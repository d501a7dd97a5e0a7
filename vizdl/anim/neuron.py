"""Manim painter of the single-neuron view (:func:`vizdl.views.neuron.neuron_view`).

:class:`NeuronDiagram` builds one mobject per element of the view — input nodes and their
names, weighted edges with their weights, the sum node, bias, activation and output — and the
formula with the real numbers under the diagram. Nothing is added to a scene until a step
reveals it.
"""
from __future__ import annotations

from manim import DOWN, VGroup

from vizdl.anim.paint import Elements, formula
from vizdl.styles.theme import LIGHT
from vizdl.views.neuron import NeuronView

FORMULA_SIZE = 34
#: Manim units per layout unit (the labels keep their font size: room around the numbers).
LAYOUT_SCALE = 1.25
#: Drawing order of the labels on edges: above the edges, whenever either is revealed.
LABEL_Z = 2


class NeuronDiagram(VGroup):
    """Every element of a :class:`vizdl.views.neuron.NeuronView`, laid out, keyed by id.

    Attributes
    ----------
    elements : vizdl.anim.paint.Elements
        ``id -> mobject``: nodes (``x<l>``, ``sum``, ``out``), ``edge-<s>-<t>``, placed labels
        (``w<l>``, ``name-x<l>``, ``bias``, ``sum-name``, ``act-name``, ``out-name``) and ``formula``.
    """

    def __init__(self, view: NeuronView, theme=LIGHT, **kwargs):
        super().__init__(**kwargs)
        self.view = view
        elements = Elements(theme, scale=LAYOUT_SCALE).add_nodes(view.nodes).add_edges(view.edges, view.nodes)
        elements.add_placed(view.placed)
        for placed in view.placed:  # weights sit on the edges: a halo keeps them legible, above the edges
            if placed.id.startswith("w") or placed.id == "act-name":
                elements[placed.id].add_background_rectangle(color=theme.color("background"), opacity=0.85,
                                                             buff=0.06).set_z_index(LABEL_Z)
        diagram = elements.group()
        tex = elements.add("formula", formula(view.formula, theme, font_size=FORMULA_SIZE), "formula")
        tex.next_to(diagram, DOWN, buff=0.5)
        self.elements = elements
        self.add(diagram, tex)


__all__ = ["NeuronDiagram"]
