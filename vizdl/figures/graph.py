"""Computational graph of a scalar expression: forward values (black) and gradients (red).

Numbers come from :func:`vizdl.ops.graph.expression_graph` (torch autograd); the layout
uses :meth:`ExpressionGraph.levels`, like the Manim scene.
"""
from __future__ import annotations

from matplotlib.patches import Circle, FancyArrowPatch

from vizdl.figures._run import new_axes
from vizdl.ops.graph import ExpressionGraph, chain_rule_example

GRAD_COLOR = "#d62728"
OP_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷"}


def number_text(value: float) -> str:
    """``value`` as the graph writes it: an integer when it is one, else 2 decimals."""
    return str(int(round(value))) if abs(value - round(value)) < 1e-9 else f"{value:.2f}"


def _layout(graph: ExpressionGraph) -> dict:
    levels = graph.levels()
    columns: dict = {}
    for node in graph.nodes:
        columns.setdefault(levels[node.name], []).append(node.name)
    pos = {}
    for col, names in columns.items():
        for k, name in enumerate(names):
            pos[name] = (3.4 * col, 2.6 * ((len(names) - 1) / 2 - k))
    return pos


def computational_graph(graph: ExpressionGraph | None = None, *, ax=None, gradients: bool = True,
                        fontsize: float = 14):
    """Draw a scalar expression's graph with values above and ``df/dnode`` below each node.

    Parameters
    ----------
    graph : ExpressionGraph, optional
        From :func:`vizdl.ops.graph.expression_graph` (the notes' ``(x+y)*z`` at
        ``x=1, y=-3, z=4`` by default).
    gradients : bool
        Write the gradients (red) and the local derivatives on the edges.

    Returns
    -------
    Axes
    """
    graph = chain_rule_example() if graph is None else graph
    pos = _layout(graph)
    ax = new_axes(ax, (8, 4.5))
    for edge in graph.edges:
        (x0, y0), (x1, y1) = pos[edge.source], pos[edge.target]
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=18, lw=1.8,
                                     color="0.25", shrinkA=24, shrinkB=24, zorder=1,
                                     gid=f"edge-{edge.source}-{edge.target}"))
        if gradients:
            ax.text((x0 + x1) / 2, (y0 + y1) / 2 - 0.15, f"local {number_text(edge.local)}",
                    ha="center", va="top", fontsize=fontsize - 3, color="0.35", gid=f"local-{edge.source}-{edge.target}",
                    bbox={"fc": "white", "ec": "none", "pad": 1}, zorder=2)
    for node in graph.nodes:
        x, y = pos[node.name]
        label = node.name if node.is_input else f"{node.name}\n{OP_SYMBOLS.get(node.op, node.op)}"
        ax.add_patch(Circle((x, y), 0.5, facecolor="#f3f3f3", edgecolor="0.2", lw=1.5, zorder=2,
                            gid=f"node-{node.name}"))
        ax.text(x, y, label, ha="center", va="center", fontsize=fontsize - 1, zorder=3)
        ax.text(x, y + 0.6, number_text(node.value), ha="center", va="bottom", fontsize=fontsize,
                zorder=3, gid=f"value-{node.name}")
        if gradients:
            ax.text(x, y - 0.6, number_text(node.grad), ha="center", va="top", fontsize=fontsize,
                    color=GRAD_COLOR, zorder=3, gid=f"grad-{node.name}")
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 1, max(xs) + 1)
    ax.set_ylim(min(ys) - 1.4, max(ys) + 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    out = graph.output
    ax.set_title(f"values (black), $\\partial {out} / \\partial \\cdot$ (red)", fontsize=fontsize)
    return ax


__all__ = ["computational_graph", "number_text"]
