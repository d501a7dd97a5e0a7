"""Computational graph of a scalar expression: values (green) and gradients (orange).

A painter of :func:`vizdl.views.graph.graph_view`, like the Manim scene: same layout,
same strings, same colours. ``step`` draws the state after one step of the view's story
(the whole story by default). The local derivatives and the chain rule are written in a
strip under the graph, shrunk if needed so nothing overlaps at any style's font size.
"""
from __future__ import annotations

from vizdl.figures._run import new_axes
from vizdl.figures.paint import (
    draw_edges,
    draw_formula,
    draw_nodes,
    draw_placed,
    legend_handles,
    node_radius_points,
    shrink_to_fit,
    theme_for,
)
from vizdl.views.graph import GraphView, graph_view

#: Fraction of the Axes height under the graph that holds the formulas.
FORMULA_STRIP = 0.4


def computational_graph(graph=None, *, ax=None, step=-1, formulas: bool = True, caption: bool = False,
                        decimals: int = 2):
    """Draw an expression graph with each node's value above and ``df/dnode`` below its arrow.

    Parameters
    ----------
    graph : vizdl.ops.graph.ExpressionGraph, optional
        From :func:`vizdl.ops.graph.expression_graph` (the notes' ``(x+y)*z`` at
        ``x=1, y=-3, z=4`` by default).
    ax : Axes, optional
    step : int or str
        Draw the state after this step of the story (index or name, e.g. ``"forward-2"``
        for the forward pass only); ``-1``: everything.
    formulas : bool
        Write the local derivatives and the chain rule under the graph (once revealed).
    caption : bool
        Write the step's caption under the picture.
    decimals : int
        Places of the written numbers.

    Returns
    -------
    Axes
        The Axes of the graph (the formulas are in an inset Axes of it).
    """
    view = graph_view(graph, decimals=decimals)
    visible = view.story.visible(step)
    ax = new_axes(ax)
    theme = theme_for(ax)
    radius = node_radius_points()
    draw_edges(ax, view.edges, view.nodes, theme, visible=visible, radius_points=radius)
    draw_nodes(ax, view.nodes, theme, visible=visible, radius_points=radius)
    draw_placed(ax, [p for p in view.labels if not p.id.startswith("name-")], theme, visible=visible)
    _names(ax, view, visible, theme, radius)
    shown = [k for k in view.formulas if k in visible] if formulas else []
    _frame(ax, view, strip=FORMULA_STRIP if formulas else 0.0)
    if shown:
        _formulas(ax, view, shown, theme)
    ax.set_title(f"${view.title.tex}$", color=theme.color("ink"))
    if "legend" in visible:
        ax.legend(handles=legend_handles(view.legend, theme), loc="upper right", frameon=False)
    if caption:
        ax.set_xlabel(view.story.steps[view.story.index(step)].caption, color=theme.color("ink"), wrap=True)
    return ax


def _names(ax, view: GraphView, visible, theme, radius: float) -> None:
    """Each operation's name just above its marker (an offset in points, like the marker)."""
    from vizdl.figures.paint import FONT_SIZES

    for placed in view.labels:
        if placed.id.startswith("name-") and placed.id in visible:
            node = view.node(placed.id.removeprefix("name-"))
            ax.annotate(placed.label.text, (node.x, node.y), xytext=(0, radius + 3), textcoords="offset points",
                        ha="center", va="bottom", color=theme.color(placed.label.role),
                        fontsize=FONT_SIZES[placed.label.size], gid=placed.id)


def _frame(ax, view: GraphView, strip: float) -> None:
    """Limits that leave the bottom ``strip`` of the Axes free under the graph."""
    xs, ys = [n.x for n in view.nodes], [n.y for n in view.nodes]
    ax.set_xlim(min(xs) - 0.9, max(xs) + 0.6)
    low, high = min(ys) - 0.9, max(ys) + 1.0
    ax.set_ylim(low - strip / (1 - strip) * (high - low), high)
    ax.set_xticks([]), ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _formulas(ax, view: GraphView, shown, theme) -> None:
    """Local derivatives in the left column, the chain rule in the right one, in an inset strip."""
    strip = ax.inset_axes([0.0, 0.0, 1.0, FORMULA_STRIP * 0.95])
    strip.axis("off")
    artists = []
    for x, ha, prefix in ((0.0, "left", "local-"), (1.0, "right", "chain-")):
        keys = [k for k in view.formulas if k.startswith(prefix)]
        for row, key in enumerate(keys):
            if key in shown:
                y = 1.0 - (row + 0.5) / max(len(keys), 3)
                artists.append(draw_formula(strip, x, y, view.formulas[key], theme, ha=ha, gid=key))
    texts = [a for a in artists if hasattr(a, "set_fontsize")]
    shrink_to_fit(strip, texts)


__all__ = ["computational_graph"]
