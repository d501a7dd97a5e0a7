"""Manim painter of the computational-graph view (:func:`vizdl.views.graph.graph_view`).

:class:`GraphDiagram` builds one mobject per element of the view — nodes, arrows, the
value (green) and gradient (orange) labels, the formulas — and lays them out for a
16:9 frame: the graph and its legend on the left, the local derivatives above the chain
rule in a column on the right. Nothing is added
to a scene until a step reveals it, so a scene only plays
``diagram.elements.reveal(step.reveal)`` for each step of ``view.story``.
"""
from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, VGroup

from vizdl.anim.paint import Elements, formula, text
from vizdl.styles.theme import LIGHT
from vizdl.views.graph import GraphView, edge_id

FORMULA_SIZE = 30


class GraphDiagram(VGroup):
    """Every element of a :class:`vizdl.views.graph.GraphView`, laid out, keyed by id.

    Parameters
    ----------
    view : GraphView
    theme : vizdl.styles.theme.Theme

    Attributes
    ----------
    elements : vizdl.anim.paint.Elements
        ``id -> mobject`` for nodes, ``edge-<s>-<t>``, ``value-<n>``, ``grad-<n>``,
        ``name-<n>``, ``local-<n>``, ``chain-<n>`` and ``legend``.
    """

    def __init__(self, view: GraphView, theme=LIGHT, **kwargs):
        super().__init__(**kwargs)
        self.view = view
        elements = Elements(theme).add_nodes(view.nodes).add_edges(view.edges, view.nodes, edge_id=edge_id)
        elements.add_placed(view.labels)
        graph = elements.group()
        for key, value in view.formulas.items():
            elements.add(key, formula(value, theme, font_size=FORMULA_SIZE), "formula")
        legend = VGroup(*(text(item, theme, font_size=24) for item in view.legend)).arrange(RIGHT, buff=0.6)
        elements.add("legend", legend)
        legend.next_to(graph, DOWN, buff=0.35)
        column = VGroup(_column(elements, view, "local-"), _column(elements, view, "chain-"))
        column.arrange(DOWN, aligned_edge=LEFT, buff=0.55)
        column.next_to(VGroup(graph, legend), RIGHT, buff=0.8)
        self.elements = elements
        self.add(graph, legend, column)


def _column(elements, view, prefix) -> VGroup:
    keys = [k for k in view.formulas if k.startswith(prefix)]
    return VGroup(*(elements[k] for k in keys)).arrange(DOWN, aligned_edge=LEFT, buff=0.3)


__all__ = ["GraphDiagram"]
